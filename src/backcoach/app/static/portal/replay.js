// Skeleton replay of stored landmarks (no video): draws the frames of a replay payload on a
// canvas, lists the reps with grade and score, and shows each rep's cues when its time passes.
(function () {
  "use strict";
  const GRADE_COLOUR = { super_excellent: "#2e9e5b", "super excellent": "#2e9e5b", excellent: "#2e9e5b",
    good: "#1f5f8b", qualified: "#b06d00" };

  function frameAt(times, t) {
    let lo = 0, hi = times.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (times[mid] <= t) lo = mid; else hi = mid - 1; }
    return lo;
  }

  function setUp(root) {
    const canvas = root.querySelector("canvas");
    const ctx = canvas.getContext("2d");
    const seek = root.querySelector("[data-seek]");
    const clock = root.querySelector("[data-clock]");
    const list = root.querySelector("[data-reps]");
    const cueLine = root.querySelector("[data-current-cue]");
    let data = null, playing = false, start = 0, offset = 0;

    function duration() { return data.t.length ? data.t[data.t.length - 1] : 0; }

    let box = null;
    function bodyBox() {
      // The region the body moves in over the whole set (in pixels), with a margin: the view zooms
      // to the person, keeping the recording's aspect ratio.
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const frame of data.frames) for (const p of frame) {
        if (p[2] < 0.3) continue;
        x0 = Math.min(x0, p[0] * data.width); x1 = Math.max(x1, p[0] * data.width);
        y0 = Math.min(y0, p[1] * data.height); y1 = Math.max(y1, p[1] * data.height);
      }
      if (!isFinite(x0)) return { x: 0, y: 0, w: data.width, h: data.height };
      const m = 0.15 * Math.max(x1 - x0, y1 - y0);
      return { x: x0 - m, y: y0 - m, w: x1 - x0 + 2 * m, h: y1 - y0 + 2 * m };
    }

    function draw(t) {
      const i = frameAt(data.t, t);
      const frame = data.frames[i];
      const w = canvas.width, h = canvas.height;
      box = box || bodyBox();
      const scale = Math.min(w / box.w, h / box.h);
      const ox = (w - box.w * scale) / 2 - box.x * scale, oy = (h - box.h * scale) / 2 - box.y * scale;
      const px = (p) => [ox + p[0] * data.width * scale, oy + p[1] * data.height * scale];
      ctx.fillStyle = "#10151b"; ctx.fillRect(0, 0, w, h);
      const rep = data.reps.filter((r) => r.t <= t).pop();
      ctx.lineWidth = 4; ctx.lineCap = "round";
      ctx.strokeStyle = rep && rep.cues.length ? "#f0a500" : "#7fc8ff";
      for (const [a, b] of data.bones) {
        if (frame[a][2] < 0.3 || frame[b][2] < 0.3) continue;
        const [x1, y1] = px(frame[a]), [x2, y2] = px(frame[b]);
        ctx.beginPath(); ctx.moveTo(x1, y1); ctx.lineTo(x2, y2); ctx.stroke();
      }
      ctx.fillStyle = "#fff";
      for (const p of frame) { if (p[2] < 0.3) continue; const [x, y] = px(p); ctx.beginPath(); ctx.arc(x, y, 3, 0, 7); ctx.fill(); }
      const done = data.reps.filter((r) => r.t <= t);
      if (done.length) {
        const last = done[done.length - 1];
        ctx.font = "bold 28px sans-serif"; ctx.fillStyle = GRADE_COLOUR[last.grade] || "#ddd";
        ctx.fillText(`${root.dataset.labelRep} ${last.index}: ${last.counted ? (last.grade || "") : root.dataset.labelNotCounted}`, 16, 40);
      }
      clock.textContent = `${t.toFixed(1)} s`;
      seek.value = String(Math.round((t / (duration() || 1)) * 1000));
      list.querySelectorAll("li").forEach((li) => li.classList.toggle("current", last(done) && li.dataset.rep === String(last(done).index)));
      const cues = done.length ? done[done.length - 1].cues : [];
      cueLine.textContent = cues.join(" · ");
    }
    function last(arr) { return arr.length ? arr[arr.length - 1] : null; }

    function tick(now) {
      if (!playing) return;
      let t = offset + (now - start) / 1000;
      if (t >= duration()) { t = duration(); playing = false; }
      draw(t);
      if (playing) requestAnimationFrame(tick);
    }
    function play() {
      if (!data) return;
      if (offset >= duration()) offset = 0;
      playing = true; start = performance.now(); requestAnimationFrame(tick);
    }
    function pause() { if (playing) { offset += (performance.now() - start) / 1000; playing = false; } }

    async function load() {
      const options = { headers: { Accept: "application/json" }, credentials: "same-origin" };
      if (root.dataset.postFrom) {
        // The editor's preview grades the reference motion with the text being edited.
        const form = document.querySelector(root.dataset.postFrom).form;
        options.method = "POST";
        options.body = new FormData(form);
      }
      const response = await fetch(root.dataset.src, options);
      const note = root.querySelector("[data-preview-error]");
      if (note) note.hidden = response.ok || response.status !== 404;
      if (!response.ok) return false;
      data = await response.json();
      box = null; offset = 0; list.innerHTML = "";
      for (const r of data.reps) {
        const li = document.createElement("li");
        li.dataset.rep = String(r.index);
        li.innerHTML = "";
        const head = document.createElement("strong");
        head.textContent = `${root.dataset.labelRep} ${r.index}`;
        li.append(head, ` · ${r.counted ? (r.grade || "") : root.dataset.labelNotCounted}`);
        if (r.score !== null) li.append(` · ${root.dataset.labelScore} ${r.score}`);
        for (const cue of r.cues) { const c = document.createElement("div"); c.className = "hint"; c.textContent = cue; li.append(c); }
        li.addEventListener("click", () => { pause(); offset = r.t; draw(offset); });
        list.append(li);
      }
      root.dataset.loaded = String(data.frames.length);
      draw(0);
      return true;
    }

    root.querySelector("[data-play]").addEventListener("click", async () => {
      if (playing) { pause(); return; }
      if ((!data || root.dataset.postFrom) && !(await load())) return;
      play();
    });
    seek.addEventListener("input", () => { if (!data) return; pause(); offset = (Number(seek.value) / 1000) * duration(); draw(offset); });
    if (!("lazy" in root.dataset)) load().then((ok) => { if (ok) play(); });
  }

  document.querySelectorAll("[data-replay]").forEach(setUp);
})();

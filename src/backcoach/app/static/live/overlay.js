// Drawing skeletons: the patient's in the AI recognition box, the reference one in the demo.

/** Draw `points` ([x, y] normalised, or {x, y}) joined by `bones` on `canvas`, cleared first. */
export function drawSkeleton(canvas, points, bones, colour = "#19a974", clear = true) {
  const ctx = canvas.getContext("2d");
  if (clear) ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!points) return;
  const xy = (p) => (Array.isArray(p) ? p : p && [p.x, p.y]);
  const usable = (p) => p && p[0] !== null && Number.isFinite(p[0]) && Number.isFinite(p[1]);
  ctx.lineWidth = Math.max(2, canvas.width / 120);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  for (const [a, b] of bones) {
    const p = xy(points[a]);
    const q = xy(points[b]);
    if (!usable(p) || !usable(q)) continue;
    ctx.beginPath();
    ctx.moveTo(p[0] * canvas.width, p[1] * canvas.height);
    ctx.lineTo(q[0] * canvas.width, q[1] * canvas.height);
    ctx.stroke();
  }
  for (const point of points) {
    const p = xy(point);
    if (!usable(p)) continue;
    ctx.beginPath();
    ctx.arc(p[0] * canvas.width, p[1] * canvas.height, ctx.lineWidth * 1.2, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** Loop the demonstration (frames of [x, y] at `fps`) on `canvas` until the returned stop() is called. */
export function playDemo(canvas, demo, bones) {
  const [width, height] = demo.image_size;
  canvas.height = Math.round((canvas.width * height) / width);
  let frame = 0;
  const timer = setInterval(() => {
    drawSkeleton(canvas, demo.frames[frame], bones, "#1f5f8b");
    frame = (frame + 1) % demo.frames.length;
  }, 1000 / demo.fps);
  return () => clearInterval(timer);
}

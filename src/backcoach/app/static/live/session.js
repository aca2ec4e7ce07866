// The training session page: demonstrations, timers and, in AI mode, the camera, the on-device
// pose model and the WebSocket to the movement engine. Video never leaves the device.

import { cameraProblem, openCamera } from "./camera.js";
import { PoseLoop } from "./frames.js";
import { playDemo } from "./overlay.js";
import { packFrame } from "./pose.js";
import { LiveSocket } from "./socket.js";
import { say, setCaptionTarget, silence } from "./speech.js";
import { BubbleLevel, TiltSender, TiltSensor } from "./tilt.js";

const config = JSON.parse(document.getElementById("live-config").textContent);
const T = JSON.parse(document.getElementById("live-strings").textContent);
const $ = (selector) => document.querySelector(selector);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key]);
const textKey = config.lang.startsWith("zh") ? "zh-Hans" : "en";

const el = {
  stage: $("[data-stage]"), title: $("[data-stage-title]"), step: $("[data-stage-step]"),
  keyPoints: $("[data-key-points]"), demo: $("[data-demo]"), demoVideo: $("[data-demo-video]"), aiBox: $("[data-ai-box]"),
  video: $("[data-camera]"), overlay: $("[data-overlay]"), count: $("[data-rep-count]"),
  target: $("[data-rep-target]"), hold: $("[data-hold-timer]"), rest: $("[data-rest-timer]"),
  grade: $("[data-grade-badge]"), cue: $("[data-cue]"), setup: $("[data-setup-status]"),
  connection: $("[data-connection]"), cameraProblem: $("[data-camera-problem]"),
  cameraMessage: $("[data-camera-message]"), stopNotice: $("[data-stop-notice]"),
  painForm: $("[data-pain-form]"), model: $("[data-model-status]"), stopWhy: $("[data-stop-why]"),
};

const state = {
  mode: config.mode, item: null, steps: [], running: false, paused: false, stoppedItems: new Set(config.stopped),
  socket: null, skipped: 0, latencies: [], reps: [], resumes: 0, stopDemo: null,
  restTimer: null, setTimer: null, setStarted: 0, facing: "user", setupOk: false, serverTilt: null,
};
const loop = new PoseLoop(config, {
  video: el.video, overlay: el.overlay, paused: () => state.paused,
  onModel: (made) => { el.model.textContent = fill(T.model_ready, { variant: made.variant, delegate: made.delegate }); },
});
// The phone's tilt (brief §4.0): to the engine with the frames, and on the bubble level while setting up.
const level = new BubbleLevel($("[data-level-box]"), config.level_tolerance_deg);
const tiltSender = new TiltSender((message) => state.socket !== null && state.socket.sendControl(message));
const tilt = new TiltSensor({
  facing: () => state.facing,
  onTilt: (reading) => { level.update(reading, state.facing); tiltSender.offer(reading); },
  onStatus: (status) => { if (status !== "ok") level.unavailable(status); },
});
// Read by the end-to-end tests and `backcoach bench live`.
window.backcoachLive = {
  state,
  stats: () => ({ fps: loop.fps, frames: loop.frames, firstFrameAt: loop.firstFrameAt, now: performance.now(), skipped: state.skipped, variant: loop.variant,
                  delegate: loop.delegate, latencies: state.latencies.slice(), reps: state.reps.slice(),
                  resumes: state.resumes, tilt: tilt.last, tiltStatus: tilt.status, tiltSent: tiltSender.count,
                  serverTilt: state.serverTilt }),
  dropConnection: () => state.socket && state.socket.drop(),
};
setCaptionTarget(el.cue);

function show(element, visible) { if (element) element.hidden = !visible; }
function button(action) { return $(`[data-action="${action}"]`); }
function setButtons({ start, pause, resume, skip, end, pain }) {
  show(button("start-set"), start); show(button("pause"), pause); show(button("resume"), resume);
  show(button("skip"), skip); show(button("end"), end); show(button("pain"), pain);
}
function aiFor(item) { return state.mode === "ai" && item.tracked; }

// ---------------------------------------------------------------- exercises and sets
function buildSteps(item) {
  const steps = [];
  for (let set = 1; set <= item.sets; set += 1) {
    if (config.done.includes(`${item.plan_item_id}-${set}`)) continue;
    // Per-side exercises: one set per side, with the camera or ticked by hand.
    const sides = item.per_side ? ["left", "right"] : [null];
    for (const side of sides) {
      if (!config.done_sides.includes(`${item.plan_item_id}-${set}-${side}`)) steps.push({ set, side });
    }
  }
  return steps;
}

async function startExercise(item) {
  stopRest();
  state.item = item;
  state.steps = buildSteps(item);
  show(el.stage, true);
  show(el.aiBox, aiFor(item));
  state.setupOk = false;
  showLevel();
  el.title.textContent = item.name;
  el.keyPoints.replaceChildren(...item.key_points.map((point) => {
    const li = document.createElement("li"); li.textContent = point; return li;
  }));
  el.count.textContent = "0";
  el.target.textContent = item.reps ?? "–";
  el.hold.textContent = "0";
  show(el.grade, false);
  showStep();
  setButtons({ start: state.steps.length > 0, pause: false, resume: false, skip: false, end: false, pain: true });
  el.stage.scrollIntoView({ block: "start" });
  const intro = [item.name, ...item.instructions];
  if (item.key_points.length) intro.push(T.key_points, ...item.key_points);
  say(intro.join(" "), config.lang);
  await startDemo(item);
}

async function startDemo(item) {
  if (state.stopDemo) state.stopDemo();
  state.stopDemo = null;
  show(el.demo.closest("figure"), false);
  show(el.demoVideo, false);
  if (item.video_url) {  // the therapist's own demonstration replaces the generated one
    show(el.demo, false);
    el.demoVideo.src = item.video_url;
    show(el.demoVideo, true);
    show(el.demoVideo.closest("figure"), true);
    el.demoVideo.play().catch(() => {});  // autoplay may be refused: the controls stay
    state.stopDemo = () => { el.demoVideo.pause(); };
    return;
  }
  show(el.demo, true);
  const response = await fetch(`/live/demo/${item.exercise_id}.json?fps=15`);
  if (!response.ok) return;  // no reference motion for this exercise yet
  state.stopDemo = playDemo(el.demo, await response.json(), config.bones);
  show(el.demo.closest("figure"), true);
}

function showStep() {
  const step = state.steps[0];
  if (!step) { el.step.textContent = T.exercise_done; return; }
  const sideText = step.side ? ` · ${T[step.side]}` : "";
  el.step.textContent = fill(T.set_of, { n: step.set, total: state.item.sets }) + sideText;
}

async function startSet() {
  const item = state.item;
  const step = state.steps[0];
  if (!item || !step) return;
  stopRest();
  silence();
  setButtons({ start: false, pause: true, resume: false, skip: true, end: true, pain: true });
  el.count.textContent = "0";
  el.hold.textContent = "0";
  show(el.grade, false);
  if (!aiFor(item)) { startTimedSet(); return; }
  // Model and connection first, so the camera's first frames are already judged.
  if (!loop.loaded) {
    el.model.textContent = T.model_loading;
    await loop.load();
  }
  await ensureSocket();
  try {
    const stream = await openCamera(el.video);
    state.facing = stream.getVideoTracks()[0].getSettings().facingMode || "user";
  } catch (error) {
    offerVideoOnly(cameraProblem(error));
    return;
  }
  el.overlay.width = el.video.videoWidth;
  el.overlay.height = el.video.videoHeight;
  state.running = true;
  state.paused = false;
  state.socket.sendControl(startMessage());
  loop.start((captured, landmarks) => state.socket.sendFrame(packFrame(captured / 1000, landmarks)));
}

function startMessage() {
  const step = state.steps[0];
  return { action: "start_set", plan_item_id: state.item.plan_item_id, set_index: step.set, side: step.side,
           image_size: [el.video.videoWidth || 640, el.video.videoHeight || 480] };
}

async function ensureSocket() {
  if (state.socket) return;
  state.socket = new LiveSocket(config.socket_path, {
    onMessage: handleEvent,
    onState: (connection) => {
      el.connection.textContent = T[`connection_${connection}`] || "";
      if (connection === "open") tiltSender.force(tilt.last);  // a new connection knows no tilt yet
    },
    resumeMessage: () => (state.running ? startMessage() : null),
  });
  await state.socket.connect();
}

function stopFrames() {
  state.running = false;
  loop.stop();
}

// ---------------------------------------------------------------- video-only sets (timer + tick)
function startTimedSet() {
  state.setStarted = performance.now();
  state.running = true;
  state.setTimer = setInterval(() => {
    if (state.paused) return;
    el.hold.textContent = Math.floor((performance.now() - state.setStarted) / 1000);
  }, 250);
}

function csrfToken() { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"]; }

async function tickSet(set, side) {
  const token = csrfToken();
  const body = new FormData();
  body.set("plan_item_id", state.item.plan_item_id);
  body.set("set_index", set);
  if (side) body.set("side", side);
  const response = await fetch(`/sessions/${config.session_id}/sets`, {
    method: "POST", body, headers: { "X-CSRF-Token": token, "HX-Request": "true" },
  });
  if (!response.ok) return;
  const form = $(`[data-tick-set="${state.item.plan_item_id}-${set}${side ? `-${side}` : ""}"]`);
  if (form) form.closest("form").outerHTML = await response.text();
}

// ---------------------------------------------------------------- events from the server
function handleEvent(event) {
  // Engine events carry the capture time of the frame that caused them: capture-to-event latency.
  if (typeof event.t === "number") state.latencies.push({ type: event.type, ms: performance.now() - event.t * 1000 });
  switch (event.type) {
    case "ready":
      el.count.textContent = event.count;
      el.target.textContent = event.reps_planned;
      if (event.resumed) {
        state.resumes += 1;
        el.connection.textContent = fill(T.resumed, { count: event.count });
      }
      break;
    case "setup":
      el.setup.textContent = event.ok ? T.setup_ok : (event.issues[0] === "camera_not_level" ? T.setup_level : T.setup_fix);
      el.aiBox.dataset.setupOk = event.ok;
      state.setupOk = event.ok && !event.issues.includes("camera_not_level");
      showLevel();
      break;
    case "tilt_ok":
      state.serverTilt = { roll: event.roll_deg, pitch: event.pitch_deg };
      break;
    case "rep":
      state.reps.push(event);
      el.count.textContent = event.count;
      // Say on which side a form error was seen (e.g. "Not counted · right side").
      const sides = [...new Set(event.errors.map((error) => error.side).filter((side) => side === "left" || side === "right"))];
      el.grade.textContent = [event.counted ? T[`grade_${event.grade.replace(" ", "_")}`] : T.not_counted,
                              ...sides.map((side) => T[side])].join(" · ");
      el.grade.dataset.errorSides = sides.join(" ");
      el.grade.className = `badge ${event.counted ? "ok" : "warn"}`;
      el.grade.dataset.grade = event.counted ? event.grade : "not_counted";
      show(el.grade, true);
      break;
    case "hold":
      el.hold.textContent = Math.floor(event.elapsed_s);
      break;
    case "cue":
      say(event.text[textKey] || event.text.en, config.lang);
      el.cue.dataset.cueId = event.id;
      break;
    case "set_done":
      setDone(event);
      break;
    case "frame_skipped":
      state.skipped += 1;
      break;
    case "stop":
      if (event.rule === "tracking_lost") skipUntracked(event);
      else if (event.rule === "fall") { stopFrames(); location.assign(event.fall_url); }  // §5.4 rule 5a
      else stopForPain(event.recheck_url);
      break;
    case "tracking_lost":  // §5.4 rule 6: the timer pauses until the patient is back in the start position
      el.cue.dataset.cueId = "tracking_lost";
      say(event.text[textKey] || event.text.en, config.lang);
      break;
    case "tracking_resumed":
      say(T.tracking_back, config.lang);
      break;
    case "pain_ok":
      el.connection.textContent = T.pain_ok;
      break;
    case "paused": case "resumed":
      break;
    case "error":
      if (event.code === "not_tracked") { stopFrames(); startTimedSet(); }
      if (event.code === "recheck_pending") location.assign(config.recheck_path);
      el.connection.textContent = event.message;
      break;
    default:
      break;
  }
}

function setDone(event) {
  if (event && event.type === "set_done") el.count.textContent = event.counted;
  stopFrames();
  clearInterval(state.setTimer);
  state.setupOk = false;
  showLevel();
  const step = state.steps.shift();
  if (step && !aiFor(state.item) && !(event && event.skipped)) tickSet(step.set, step.side);
  if (step && aiFor(state.item)) markDone(step.set, step.side);
  if (state.steps.length === 0) { finishExercise(); return; }
  showStep();
  startRest(state.item.rest_s);
}

/** The bubble level shows while an AI-followed exercise is being set up (until the engine's set-up is fine). */
function showLevel() { level.show(Boolean(state.item && aiFor(state.item)) && !state.setupOk); }

function markDone(set, side) {
  const key = `${state.item.plan_item_id}-${set}${side ? `-${side}` : ""}`;
  if (side) config.done_sides.push(key);
  if (!side || side === "right") config.done.push(`${state.item.plan_item_id}-${set}`);
  const form = $(`[data-tick-set="${key}"]`);
  if (form) {
    const badge = document.createElement("span");
    badge.className = "badge ok"; badge.dataset.setDone = key; badge.textContent = fill(T.set_done, { n: set }) + (side ? ` · ${T[side]}` : "");
    form.closest("form").replaceWith(badge);
  }
}

function finishExercise() {
  setButtons({ start: false, pause: false, resume: false, skip: false, end: false, pain: true });
  el.step.textContent = T.exercise_done;
  say(T.exercise_done, config.lang);
  const entry = $(`[data-item="${state.item.plan_item_id}"]`);
  if (entry) entry.dataset.exerciseDone = "true";
}

function startRest(seconds) {
  setButtons({ start: true, pause: false, resume: false, skip: false, end: false, pain: true });
  let left = seconds;
  el.rest.textContent = fill(T.rest_left, { s: left });
  say(T.rest, config.lang);
  state.restTimer = setInterval(() => {
    left -= 1;
    el.rest.textContent = left > 0 ? fill(T.rest_left, { s: left }) : "";
    if (left <= 0) { stopRest(); say(T.rest_over, config.lang); }
  }, 1000);
}

function stopRest() { clearInterval(state.restTimer); state.restTimer = null; el.rest.textContent = ""; }

// §5.4 rule 2: the set has ended; rest in relief or rest positions, then the 5-minute re-check.
function stopForPain(recheckUrl) {
  stopFrames();
  clearInterval(state.setTimer);
  if (state.item) markStopped(state.item.plan_item_id);
  setButtons({ start: false, pause: false, resume: false, skip: false, end: false, pain: false });
  $("[data-recheck-link]").href = recheckUrl || config.recheck_path;
  show(el.stopNotice, true);
  say($("[data-stop-message]").textContent, config.lang);
  el.stopNotice.scrollIntoView({ block: "center" });
}

// Rule 6: not back in view within a minute; the set ended (set_done) and the exercise is skipped.
function skipUntracked(event) {
  if (state.item) markStopped(state.item.plan_item_id);
  state.steps = [];
  stopRest();
  setButtons({ start: false, pause: false, resume: false, skip: false, end: false, pain: true });
  el.step.textContent = T.tracking_skipped;
  say(T.tracking_skipped, config.lang);
}

function markStopped(planItemId) {
  state.stoppedItems.add(planItemId);
  const entry = $(`[data-item="${planItemId}"]`);
  if (entry) entry.dataset.exerciseStopped = "true";
}

function offerVideoOnly(problem) {
  setButtons({ start: true, pause: false, resume: false, skip: false, end: false, pain: true });
  el.cameraMessage.textContent = T[`camera_${problem}`];
  show(el.cameraProblem, true);
}

// ---------------------------------------------------------------- buttons
function control(action) {
  if (state.socket && aiFor(state.item)) state.socket.sendControl({ action });
}

document.addEventListener("click", (click) => {
  const target = click.target.closest("[data-start-exercise], [data-action], [data-pain]");
  if (!target) return;
  // iOS asks for the motion sensors only inside a tap: start them here, before anything is awaited.
  if (state.mode === "ai" && (target.dataset.startExercise || target.dataset.action === "start-set")) tilt.start();
  if (target.dataset.startExercise) {
    const item = config.items.find((i) => String(i.plan_item_id) === target.dataset.startExercise);
    if (item && !state.stoppedItems.has(item.plan_item_id)) startExercise(item);
    return;
  }
  if (target.dataset.pain !== undefined) {
    show(el.painForm, false);
    const nrs = Number(target.dataset.pain);
    if (state.socket && state.running && aiFor(state.item)) state.socket.sendControl({ action: "pain", nrs });
    else localPainCheck(nrs);
    return;
  }
  switch (target.dataset.action) {
    case "start-set": startSet(); break;
    case "pause":
      state.paused = true; control("pause");
      setButtons({ start: false, pause: false, resume: true, skip: true, end: true, pain: true });
      break;
    case "resume":
      state.paused = false; control("resume");
      setButtons({ start: false, pause: true, resume: false, skip: true, end: true, pain: true });
      break;
    case "skip": case "end":
      if (aiFor(state.item) && state.running) control(target.dataset.action);
      else setDone({ type: "set_done", skipped: target.dataset.action === "skip" });
      break;
    case "pain":
      // New leg symptoms stop the exercise being done (rule 1): it travels through the re-screen.
      if (state.item) $("[data-leg-symptoms]").search = `?item=${state.item.plan_item_id}`;
      show(el.painForm, el.painForm.hidden);
      break;
    case "video-only":
      switchToVideo();
      break;
    case "stop-why": show(el.stopWhy, el.stopWhy.hidden); break;
    default: break;
  }
});

// The camera was refused or missing: the rest of the session is video-only, and the store says so.
async function switchToVideo() {
  const body = new FormData();
  body.set("mode", "video");
  const response = await fetch(`/sessions/${config.session_id}/mode`, {
    method: "POST", body, headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
  });
  if (!response.ok) return;
  state.mode = "video"; show(el.cameraProblem, false); show(el.aiBox, false); tilt.stop();
  if (state.item) startExercise(state.item);
}

// Without a running set on the socket, the server checks the same stop rule over HTTP.
async function localPainCheck(nrs) {
  const token = csrfToken();
  const body = new FormData();
  body.set("nrs", nrs);
  if (state.item) body.set("plan_item_id", state.item.plan_item_id);
  const response = await fetch(`/sessions/${config.session_id}/pain`, {
    method: "POST", body, headers: { "X-CSRF-Token": token, Accept: "application/json" },
  });
  if (!response.ok) return;
  const verdict = await response.json();
  if (verdict.stop) stopForPain(verdict.recheck_url);
  else el.connection.textContent = T.pain_ok;
}

// Rule 5b: "why did you stop?" is a plain form; the running set is ended first, then the server
// stores the stop and sends the patient on (re-check, leg-symptom re-screen, or back here).
if (el.stopWhy) {
  el.stopWhy.addEventListener("submit", () => {
    if (state.item) el.stopWhy.querySelector("[name=plan_item_id]").value = state.item.plan_item_id;
    if (state.running) control("skip");
  });
}
for (const id of config.stopped) markStopped(id);
if (state.mode === "ai") el.model.textContent = T.model_idle;
document.documentElement.dataset.liveReady = "true";

// One guided camera test: instructions by voice and caption, the camera set-up check, the
// recording and its upload. Landmarks only leave the device (the live session's frame format);
// camera, pose model, skeleton and voice are the live session's modules.
import { cameraProblem, openCamera } from "../live/camera.js";
import { PoseLoop } from "../live/frames.js";
import { FRAME_BYTES, packFrame } from "../live/pose.js";
import { say, setCaptionTarget, silence } from "../live/speech.js";
import { BubbleLevel, TiltSensor } from "../live/tilt.js";

const config = JSON.parse(document.getElementById("camera-config").textContent);
const T = JSON.parse(document.getElementById("camera-strings").textContent);
/** Seconds of frames sent to each set-up check, and checks in a row that must pass. */
const CHECK_WINDOW_S = 1.0;
const CHECKS_TO_PASS = 2;
const COUNTDOWN_S = 3;

const $ = (selector) => document.querySelector(selector);
const el = {
  stage: $("[data-stage]"), video: $("[data-video]"), overlay: $("[data-overlay]"), box: $(".ai-box"),
  caption: $("[data-caption]"), seconds: $("[data-seconds]"), problem: $("[data-camera-problem]"),
  done: $("[data-action=done]"), tap: $("[data-action=tap]"), hurts: $("[data-action=hurts]"),
  start: $("[data-action=start]"), listen: $("[data-action=listen]"), pain: $("[data-pain-form]"),
  height: $("[data-height]"),
};
const state = {
  phase: "idle", window: [], recording: [], taps: [],
  checksPassed: 0, checking: false, recordStart: 0, imageSize: [640, 480], lastCue: "", facing: "user",
};
const loop = new PoseLoop(config, { video: el.video, overlay: el.overlay });
// The phone's tilt (brief §4.0): on the bubble level while the set-up is checked, and with each upload.
const level = new BubbleLevel($("[data-level-box]"), config.level_tolerance_deg);
const tilt = new TiltSensor({
  facing: () => state.facing,
  onTilt: (reading) => level.update(reading, state.facing),
  onStatus: (status) => { if (status !== "ok") level.unavailable(status); },
});
window.backcoachCamera = {
  state: () => ({ phase: state.phase, frames: state.recording.length, cue: state.lastCue, fps: loop.fps,
    model: loop.variant, delegate: loop.delegate, tilt: tilt.last, tiltStatus: tilt.status }),
};

function csrfToken() { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"]; }
function fill(text, values) { return text.replace(/%\((\w+)\)s/g, (_, key) => values[key]); }

function concat(frames) {
  const out = new Uint8Array(frames.length * FRAME_BYTES);
  frames.forEach((frame, i) => out.set(new Uint8Array(frame.buffer), i * FRAME_BYTES));
  return out;
}

async function post(url, frames, extra = {}) {
  const [w, h] = state.imageSize;
  // The phone stands still while a test records: its latest tilt goes with the frames (none: no sensor).
  const tilted = tilt.last ? { roll_deg: tilt.last.roll.toFixed(1), pitch_deg: tilt.last.pitch.toFixed(1) } : {};
  const query = new URLSearchParams({ w, h, ...tilted, ...extra });
  const response = await fetch(`${url}?${query}`, {
    method: "POST", body: concat(frames),
    headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json", "Content-Type": "application/octet-stream" },
  });
  const body = await response.json();
  if (!response.ok) throw new Error(`${body.detail} ${body.reason || ""}`);
  return body;
}

function cue(text) {
  if (text === state.lastCue) return;
  state.lastCue = text;
  say(text, config.lang);
}

async function checkSetup() {
  if (state.checking || state.phase !== "checking") return;
  const newest = state.window.length ? state.window[state.window.length - 1].t : 0;
  const frames = state.window.filter((f) => f.t >= newest - CHECK_WINDOW_S);
  if (frames.length < 2 || newest - frames[0].t < CHECK_WINDOW_S * 0.6) return;
  state.checking = true;
  try {
    const verdict = await post(config.check_url, frames);
    el.box.dataset.setupOk = String(verdict.ok);
    cue(verdict.cue);
    state.checksPassed = verdict.ok ? state.checksPassed + 1 : 0;
    if (state.checksPassed >= CHECKS_TO_PASS && state.phase === "checking") countdown();
  } catch (error) {
    el.caption.textContent = `${T.failed} ${error.message}`;
  } finally {
    state.checking = false;
  }
}

function countdown() {
  state.phase = "countdown";
  level.show(false);
  let left = COUNTDOWN_S;
  const tick = () => {
    if (state.phase !== "countdown") return;
    if (left === 0) { startRecording(); return; }
    cue(fill(T.countdown, { n: left }));
    left -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

function startRecording() {
  state.phase = "recording";
  state.recording = [];
  state.taps = [];
  state.recordStart = performance.now();
  el.done.disabled = false;
  if (el.tap) el.tap.disabled = false;
  cue(T.recording);
}

function onLandmarks(captured, landmarks) {
  const t = captured / 1000;
  const frame = { t, buffer: packFrame(t, landmarks) };
  if (state.phase === "checking") {
    state.window.push(frame);
    while (state.window.length && state.window[0].t < t - 2 * CHECK_WINDOW_S) state.window.shift();
    checkSetup();
  } else if (state.phase === "recording") {
    state.recording.push(frame);
    el.seconds.textContent = Math.floor((performance.now() - state.recordStart) / 1000);
    if (state.recording.length >= config.max_frames) { el.caption.textContent = T.full; finish(); }
  }
}

async function start() {
  tilt.start();  // inside the tap, before any await: iOS asks for the motion sensors only then
  el.start.disabled = true;
  el.problem.hidden = true;
  el.stage.hidden = false;
  setCaptionTarget(el.caption);
  say(config.spoken, config.lang);
  try {
    const stream = await openCamera(el.video);
    state.facing = stream.getVideoTracks()[0].getSettings().facingMode || "user";
  } catch (error) {
    el.stage.hidden = true;
    el.start.disabled = false;
    el.problem.textContent = T[`camera_${cameraProblem(error)}`];
    el.problem.hidden = false;
    return;
  }
  state.imageSize = [el.video.videoWidth || 640, el.video.videoHeight || 480];
  el.overlay.width = state.imageSize[0];
  el.overlay.height = state.imageSize[1];
  el.caption.textContent = T.checking;
  await loop.load();
  state.phase = "checking";
  level.show(true);
  loop.start(onLandmarks);
}

async function finish() {
  if (state.phase !== "recording") return;
  state.phase = "sending";
  el.done.disabled = true;
  if (el.tap) el.tap.disabled = true;
  loop.stop();
  cue(T.sending);
  const extra = {};
  if (el.height && el.height.value) extra.height_cm = el.height.value;
  if (state.taps.length) extra.taps = state.taps.map((t) => t.toFixed(3)).join(",");
  for (const name of ["pre_nrs", "pre_location"]) {  // the §3.5 ratings before the set, when given
    const checked = document.querySelector(`input[name=${name}]:checked`);
    if (checked) extra[name] = checked.value;
  }
  try {
    const result = await post(config.recording_url, state.recording, extra);
    state.phase = "done";
    location.assign(result.result_url);
  } catch (error) {
    state.phase = "failed";
    el.caption.textContent = `${T.failed} ${error.message}`;
    el.start.disabled = false;
  }
}

function hurts() {
  state.phase = "stopped";
  loop.stop();
  silence();
  el.stage.hidden = true;
  el.pain.hidden = false;
  say(T.pain, config.lang);
  el.pain.scrollIntoView();
}

if (el.start) el.start.addEventListener("click", start);
if (el.listen) el.listen.addEventListener("click", () => { setCaptionTarget(el.caption); say(config.spoken, config.lang); });
el.done.addEventListener("click", finish);
el.hurts.addEventListener("click", hurts);
if (el.tap) {
  el.tap.addEventListener("click", () => {
    if (state.phase !== "recording" || !state.recording.length) return;
    state.taps.push(performance.now() / 1000 - state.recording[0].t);
  });
}

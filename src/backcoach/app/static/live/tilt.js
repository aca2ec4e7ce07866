// The phone's tilt (brief §4.0 "Gravity reference"): gravity from the motion sensors, turned into
// the camera's roll and pitch as the server's frames carry them (Frame.camera_tilt):
//   roll_deg  the angle of true up in the camera image from the image's up direction, positive
//             toward image +x (the unmirrored image the pose model sees);
//   pitch_deg positive when the lens looks down below horizontal.
// Device axes (W3C): x to the right of the screen in its natural orientation, y up the screen,
// z out of the screen toward the viewer; at rest accelerationIncludingGravity points up.

const RAD = 180 / Math.PI;
/** Smoothing time constant of the gravity vector, ms (a hand bumping the stand settles in ~1 s). */
const SMOOTH_MS = 250;
/** Without a usable reading this long after start(), the device has no tilt sensor. */
const NO_SENSOR_MS = 1500;

/** Gravity's up direction in device axes from a deviceorientation event's beta and gamma (degrees). */
export function upFromOrientation(beta, gamma) {
  const b = beta / RAD;
  const g = gamma / RAD;
  return [-Math.cos(b) * Math.sin(g), Math.sin(b), Math.cos(b) * Math.cos(g)];
}

/**
 * The camera's image axes in device axes: the browser turns the picture upright with the screen
 * (`angle` = screen.orientation.angle, the screen's turn counter-clockwise from natural), the rear
 * camera ("environment") looks along -z, the front one ("user") along +z and sees left and right
 * swapped relative to the screen.
 */
export function cameraAxes(angle, facing) {
  const a = angle / RAD;
  const up = [Math.sin(a), Math.cos(a), 0];
  if (facing === "environment") return { right: [Math.cos(a), -Math.sin(a), 0], up, forward: [0, 0, -1] };
  return { right: [-Math.cos(a), Math.sin(a), 0], up, forward: [0, 0, 1] };
}

const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** Roll and pitch (degrees, the contract above) of a camera whose device feels gravity-up `up`. */
export function tiltFromUp(up, angle = 0, facing = "user") {
  const norm = Math.hypot(...up);
  if (!(norm > 0)) return null;
  const u = up.map((v) => v / norm);
  const axes = cameraAxes(angle, facing);
  const roll = Math.atan2(dot(u, axes.right), dot(u, axes.up)) * RAD;
  const pitch = Math.asin(Math.max(-1, Math.min(1, -dot(u, axes.forward)))) * RAD;
  return { roll, pitch };
}

/** The screen's current turn from its natural orientation, degrees (0, 90, 180, 270). */
export function screenAngle() {
  const angle = screen.orientation ? screen.orientation.angle : window.orientation;
  return Number(angle) || 0;
}

/**
 * Reads the device's gravity and reports the camera's tilt. `onTilt({roll, pitch})` for every
 * (smoothed) reading; `onStatus(status)`: "ok" (readings come), "none" (no sensor), "refused"
 * (permission denied). `facing()` names the camera in use ("user" or "environment").
 */
export class TiltSensor {
  constructor({ onTilt = () => {}, onStatus = () => {}, facing = () => "user" } = {}) {
    Object.assign(this, { onTilt, onStatus, facing });
    this.status = "idle";
    this.up = null;
    this.last = null;  // latest {roll, pitch}
    this.at = 0;
    this.fromOrientation = false;
    this.orientation = (event) => {
      if (event.beta == null || event.gamma == null) return;
      this.fromOrientation = true;  // the platform's fused angles beat raw acceleration
      this.read(upFromOrientation(event.beta, event.gamma), event.timeStamp);
    };
    this.motion = (event) => {
      const a = event.accelerationIncludingGravity;
      if (this.fromOrientation || !a || a.x == null || a.y == null || a.z == null) return;
      this.read([a.x, a.y, a.z], event.timeStamp);
    };
  }

  /**
   * Start listening. Call it from a tap (click handler) before any await: iOS asks the patient for
   * motion-sensor access only inside a user gesture.
   */
  start() {
    if (this.status !== "idle") return;
    this.status = "waiting";
    const asks = [globalThis.DeviceOrientationEvent, globalThis.DeviceMotionEvent]
      .filter((type) => type && typeof type.requestPermission === "function")
      .map((type) => type.requestPermission().catch(() => "denied"));
    Promise.all(asks).then((answers) => {
      if (answers.length && answers.every((answer) => answer !== "granted")) { this.setStatus("refused"); return; }
      window.addEventListener("deviceorientation", this.orientation);
      window.addEventListener("devicemotion", this.motion);
      setTimeout(() => { if (this.status === "waiting") this.setStatus("none"); }, NO_SENSOR_MS);
    });
  }

  stop() {
    window.removeEventListener("deviceorientation", this.orientation);
    window.removeEventListener("devicemotion", this.motion);
    this.status = "idle";
  }

  setStatus(status) { this.status = status; this.onStatus(status); }

  read(up, time) {
    if (!up.every(Number.isFinite) || Math.hypot(...up) === 0) return;
    const weight = this.up === null ? 1 : 1 - Math.exp(-Math.max(time - this.at, 0) / SMOOTH_MS);
    this.up = this.up === null ? up : this.up.map((v, i) => v + weight * (up[i] - v));
    this.at = time;
    const tilt = tiltFromUp(this.up, screenAngle(), this.facing());
    if (!tilt) return;
    this.last = tilt;
    if (this.status !== "ok") this.setStatus("ok");
    this.onTilt(tilt);
  }
}

/**
 * Sends the tilt as a `tilt` control message at most every `intervalMs`, when it moved > `step`
 * degrees; a smaller change is sent once it has lasted `settleMs` (so a phone that settles a
 * fraction of a degree from the last message is not left there).
 */
export class TiltSender {
  constructor(send, { intervalMs = 500, step = 0.5, settleMs = 2000 } = {}) {
    Object.assign(this, { send, intervalMs, step, settleMs });
    this.sent = null;
    this.sentAt = -Infinity;
    this.count = 0;
  }

  offer(tilt, now = performance.now()) {
    if (now - this.sentAt < this.intervalMs) return false;
    if (this.sent) {
      const moved = Math.max(Math.abs(tilt.roll - this.sent.roll), Math.abs(tilt.pitch - this.sent.pitch));
      const settled = now - this.sentAt >= this.settleMs && moved >= 0.05;  // still shows at 0.1 deg
      if (moved <= this.step && !settled) return false;
    }
    return this.force(tilt, now);
  }

  /** Send now whatever the last message was (a new connection knows nothing yet). */
  force(tilt, now = performance.now()) {
    if (!tilt) return false;
    const message = { action: "tilt", roll_deg: round(tilt.roll), pitch_deg: round(tilt.pitch) };
    if (!this.send(message)) return false;
    this.sent = tilt;
    this.sentAt = now;
    this.count += 1;
    return true;
  }
}

const round = (value) => Math.round(value * 10) / 10;

/**
 * The bubble level (templates/live/_level.html): the bubble sits where the phone's tilt puts it,
 * green within the tolerance; without a sensor it says the phone must stand level, and why.
 * Shown as the patient sees the screen: the picture is mirrored for the front camera, so the
 * sideways tilt is shown with the screen's left and right.
 */
export class BubbleLevel {
  constructor(root, tolerance) {
    this.root = root;
    this.tolerance = tolerance;
    this.range = 3 * this.tolerance;  // the bubble stops near the rim at three times the tolerance
    this.strings = JSON.parse(root.querySelector("[data-level-strings]").textContent);
    this.bubble = root.querySelector("[data-level-bubble]");
    this.text = root.querySelector("[data-level-text]");
    this.values = root.querySelector("[data-level-values]");
  }

  show(visible) { this.root.hidden = !visible; }

  update(tilt, facing = "user") {
    const sideways = facing === "environment" ? tilt.roll : -tilt.roll;
    const level = Math.abs(tilt.roll) <= this.tolerance && Math.abs(tilt.pitch) <= this.tolerance;
    const place = (value) => `${(50 + Math.max(-1, Math.min(1, value / this.range)) * 36).toFixed(1)}%`;  // inside the rim
    Object.assign(this.bubble.style, { left: place(sideways), top: place(-tilt.pitch) });
    Object.assign(this.root.dataset, { level: level ? "ok" : "off", roll: round(tilt.roll), pitch: round(tilt.pitch) });
    this.text.textContent = level ? this.strings.level : this.strings.tilted;
    this.values.textContent = this.strings.values.replace("{roll}", round(sideways)).replace("{pitch}", round(tilt.pitch));
  }

  /** No reading: "none" (no sensor) or "refused" (access denied). */
  unavailable(status) {
    Object.assign(this.root.dataset, { level: status });
    delete this.root.dataset.roll;
    delete this.root.dataset.pitch;
    Object.assign(this.bubble.style, { left: "", top: "" });
    this.text.textContent = this.strings[status];
    this.values.textContent = this.strings.why;
  }
}

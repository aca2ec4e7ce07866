// The camera frame loop of the live session and the camera tests: each new video frame goes
// through the on-device pose model, its skeleton is drawn, and the landmarks go to the page.
// The page's address may choose the model (?model=lite|full|heavy, ?delegate=GPU|CPU) and
// ?adapt=0 keeps it even on a slow device (the benchmark and the browser tests use these).

import { closeCamera } from "./camera.js";
import { drawSkeleton } from "./overlay.js";
import { createLandmarker, RateMeter, tooSlow } from "./pose.js";

const params = new URLSearchParams(location.search);
/** After this many frames below 10 frames/s on the full model, switch to lite. */
const ADAPT_AFTER_FRAMES = 60;

export class PoseLoop {
  /**
   * `config`: the page's model settings (see createLandmarker) and skeleton `bones`.
   * `video`, `overlay`: the camera's <video> and the <canvas> drawn over it.
   * `paused()`: true while frames should be left alone. `onModel({variant, delegate})`: a model
   * is ready (the first one, or lite on a slow device).
   */
  constructor(config, { video, overlay, paused = () => false, onModel = () => {} }) {
    Object.assign(this, { config, video, overlay, paused, onModel });
    this.adapt = params.get("adapt") !== "0";
    this.landmarker = null;
    this.variant = params.get("model") || config.model;
    this.delegate = null;
    this.rate = new RateMeter();
    this.frames = 0;
    this.firstFrameAt = undefined;
    this.generation = 0;  // a stopped loop's pending frame callback ends there, even after a restart
  }

  get loaded() { return this.landmarker !== null; }

  get fps() { return this.rate.fps; }

  /** Load the pose model, once. */
  async load() {
    if (this.landmarker) return;
    const forced = params.get("delegate");
    this.use(await createLandmarker(this.config, this.variant, forced ? forced === "GPU" : undefined));
  }

  use(made) {
    const old = this.landmarker;
    Object.assign(this, { landmarker: made.landmarker, delegate: made.delegate, variant: made.variant });
    this.onModel(made);
    if (old) old.close();
  }

  async switchToLite() {
    this.use(await createLandmarker(this.config, "lite", this.delegate === "GPU"));
  }

  /** Run until stop(): `onLandmarks(capturedMs, landmarks)` for each new frame (null: nobody found). */
  start(onLandmarks) {
    const video = this.video;
    const generation = ++this.generation;
    let lastTime = -1;
    const schedule = () => (video.requestVideoFrameCallback
      ? video.requestVideoFrameCallback(onFrame) : requestAnimationFrame(onFrame));
    const onFrame = () => {
      if (generation !== this.generation) return;
      // A frame the video has not moved on from is not sent twice (requestAnimationFrame fallback).
      if (!this.paused() && video.readyState >= 2 && video.currentTime !== lastTime) {
        lastTime = video.currentTime;
        const captured = performance.now();
        let landmarks = null;
        try {
          const result = this.landmarker.detectForVideo(video, captured);
          landmarks = result.landmarks && result.landmarks[0];
        } catch (error) {
          console.warn("pose model failed on a frame", error);  // sent as "no person"; the loop goes on
        }
        this.frames += 1;
        if (this.frames === 1) this.firstFrameAt = performance.now();
        this.rate.tick(performance.now());
        drawSkeleton(this.overlay, landmarks, this.config.bones);
        onLandmarks(captured, landmarks);
        if (this.adapt && this.frames === ADAPT_AFTER_FRAMES && tooSlow(this.variant, this.rate.fps)) this.switchToLite();
      }
      schedule();
    };
    schedule();
  }

  /** Stop the loop, close the camera and clear the skeleton. */
  stop() {
    this.generation += 1;
    closeCamera(this.video);
    drawSkeleton(this.overlay, null, []);
  }
}

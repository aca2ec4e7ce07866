// On-device pose: MediaPipe tasks-vision 1.1.0 with our .task bundles, all served by this app.

const LANDMARKS = 33;
/** Bytes per frame message: float64 time + 33 x 4 float32 (x, y, z, visibility), little-endian. */
export const FRAME_BYTES = 8 + LANDMARKS * 4 * 4;
/** Below this many frames per second on the full model, switch to lite. */
const SLOW_FPS = 10;

/**
 * True when WebGL runs on real graphics hardware. A software renderer (SwiftShader, llvmpipe:
 * headless browsers, some VMs) makes the GPU delegate far slower than the CPU one.
 */
export function hardwareGpu() {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    return !/swiftshader|llvmpipe|software|basic render/i.test(renderer);
  } catch (error) {
    return false;
  }
}

/**
 * Create a PoseLandmarker in VIDEO mode: GPU delegate when it works, CPU otherwise.
 * `config` holds vision_bundle, wasm_base, model_url ("{variant}" placeholder) and model.
 */
export async function createLandmarker(config, variant = config.model, preferGpu = hardwareGpu()) {
  const vision = await import(config.vision_bundle);
  const fileset = await vision.FilesetResolver.forVisionTasks(config.wasm_base);
  const options = (delegate) => ({
    baseOptions: { modelAssetPath: config.model_url.replace("{variant}", variant), delegate },
    runningMode: "VIDEO",
    numPoses: 1,
  });
  for (const delegate of preferGpu ? ["GPU", "CPU"] : ["CPU"]) {
    try {
      const landmarker = await vision.PoseLandmarker.createFromOptions(fileset, options(delegate));
      return { landmarker, delegate, variant };
    } catch (error) {
      if (delegate === "CPU") throw error;
      console.warn("GPU delegate unavailable, using CPU", error);
    }
  }
  throw new Error("no pose delegate");
}

/** True when measured speed on the full model is too low to follow movement well. */
export function tooSlow(variant, fps) {
  return variant === "full" && fps > 0 && fps < SLOW_FPS;
}

/**
 * Pack one result into a frame message. No person found -> NaN coordinates and visibility 0,
 * which the engine reads as "landmark missing" (so setup cues still come).
 */
export function packFrame(timeSeconds, landmarks) {
  const buffer = new ArrayBuffer(FRAME_BYTES);
  new DataView(buffer).setFloat64(0, timeSeconds, true);
  const values = new Float32Array(buffer, 8, LANDMARKS * 4);
  for (let i = 0; i < LANDMARKS; i += 1) {
    const point = landmarks && landmarks[i];
    values[i * 4] = point ? point.x : NaN;
    values[i * 4 + 1] = point ? point.y : NaN;
    values[i * 4 + 2] = point ? point.z : NaN;
    values[i * 4 + 3] = point ? Math.min(1, Math.max(0, point.visibility ?? 1)) : 0;
  }
  return buffer;
}

/** Frames per second over a sliding window of the last `size` frame times (ms). */
export class RateMeter {
  constructor(size = 30) { this.size = size; this.times = []; }
  tick(now) {
    this.times.push(now);
    if (this.times.length > this.size) this.times.shift();
  }
  get fps() {
    const n = this.times.length;
    return n < 2 ? 0 : ((n - 1) * 1000) / (this.times[n - 1] - this.times[0]);
  }
}

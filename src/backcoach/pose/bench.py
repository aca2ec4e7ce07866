"""Pose speed benchmark: per-frame latency of lite/full/heavy, and our pipeline's overhead.

Both measurements run on the same frames, decoded once into memory beforehand (decoding is not
timed). *Bare* is MediaPipe alone (``PoseLandmarker.detect_for_video`` on a ready RGB image);
*pipeline* is :meth:`PoseTracker.process` on the BGR frame as OpenCV decodes it (colour
conversion, inference, person choice, Frame validation). Passes alternate bare/pipeline with a
fresh tracker each, so both see the same tracking state and the same background load.

On a shared CPU the difference of two end-to-end timings is noisier than the overhead itself, so
the overhead is also measured directly: in a bare pass, the time of our own steps (BGR to RGB
conversion and :meth:`PoseTracker.to_frame` on the result just computed) per frame, divided by
the bare inference time of the same frame.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np

from backcoach.pose.bundles import MODELS
from backcoach.pose.video import PoseTracker, decode_frames

#: Goal from the issue: the pipeline adds at most this fraction over bare inference.
OVERHEAD_GOAL = 0.10


def _pass(frames: list[tuple[float, np.ndarray]], model: str, bare: bool) -> tuple[list[float], list[float]]:
    """Per-frame seconds of inference (bare) or of the whole pipeline, and of our own steps (bare only)."""
    latencies, own = [], []
    with PoseTracker(model) as tracker:
        for t, image in frames:
            if bare:
                rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
                start = time.perf_counter()
                result = tracker.detect(rgb, t)
                latencies.append(time.perf_counter() - start)
                start = time.perf_counter()
                tracker.to_frame(result, t, (image.shape[1], image.shape[0]))
                cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
                own.append(time.perf_counter() - start)
            else:
                start = time.perf_counter()
                tracker.process(image, t)
                latencies.append(time.perf_counter() - start)
    return latencies, own


def _stats(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "mean_ms": round(float(ms.mean()), 2),
        "median_ms": round(float(np.median(ms)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "fps": round(float(1000 / ms.mean()), 1),
    }


def benchmark_pose(video: Path, models: tuple[str, ...] = MODELS, repeats: int = 3) -> dict:
    """Latency statistics (milliseconds) and frames per second per model; see the module docstring."""
    frames = list(decode_frames(video))
    height, width = frames[0][1].shape[:2]
    results: dict = {"video": str(video), "frames": len(frames), "size": [width, height], "repeats": repeats, "models": {}}
    for model in models:
        bare: list[float] = []
        own: list[float] = []
        pipeline: list[float] = []
        for _ in range(repeats):
            inference, steps = _pass(frames, model, bare=True)
            bare += inference
            own += steps
            pipeline += _pass(frames, model, bare=False)[0]
        stats = {"bare": _stats(bare), "pipeline": _stats(pipeline), "own_steps": _stats(own)}
        stats["overhead_end_to_end"] = round(stats["pipeline"]["mean_ms"] / stats["bare"]["mean_ms"] - 1, 4)
        stats["overhead"] = round(float(np.sum(own) / np.sum(bare)), 4)
        results["models"][model] = stats
    results["overhead_goal"] = OVERHEAD_GOAL
    return results

"""Pose speed benchmark: per-frame latency of lite/full/heavy, and our pipeline's overhead.

Both measurements run on the same frames, decoded once into memory beforehand (decoding is not
timed). *Bare* is MediaPipe alone (``PoseLandmarker.detect_for_video`` on a ready RGB image);
*pipeline* is :meth:`PoseTracker.process` on the BGR frame as OpenCV decodes it (colour
conversion, inference, person choice, Frame validation). Passes alternate bare/pipeline with a
fresh tracker each, so both see the same tracking state and the same background load.
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


def _pass(frames: list[tuple[float, np.ndarray]], model: str, bare: bool) -> list[float]:
    latencies = []
    with PoseTracker(model) as tracker:
        for t, image in frames:
            start = time.perf_counter()
            if bare:
                tracker.detect(image, t)
            else:
                tracker.process(image, t)
            latencies.append(time.perf_counter() - start)
    return latencies


def benchmark_pose(video: Path, models: tuple[str, ...] = MODELS, repeats: int = 3) -> dict:
    """Latency statistics (milliseconds) and frames per second per model; see the module docstring."""
    frames = list(decode_frames(video))
    rgb = [(t, cv2.cvtColor(image, cv2.COLOR_BGR2RGB)) for t, image in frames]
    height, width = frames[0][1].shape[:2]
    results: dict = {"video": str(video), "frames": len(frames), "size": [width, height], "repeats": repeats, "models": {}}
    for model in models:
        bare: list[float] = []
        pipeline: list[float] = []
        for _ in range(repeats):
            bare += _pass(rgb, model, bare=True)
            pipeline += _pass(frames, model, bare=False)
        stats = {}
        for name, values in (("bare", bare), ("pipeline", pipeline)):
            ms = np.array(values) * 1000
            stats[name] = {
                "mean_ms": round(float(ms.mean()), 2),
                "median_ms": round(float(np.median(ms)), 2),
                "p95_ms": round(float(np.percentile(ms, 95)), 2),
                "fps": round(float(1000 / ms.mean()), 1),
            }
        stats["overhead"] = round(stats["pipeline"]["mean_ms"] / stats["bare"]["mean_ms"] - 1, 4)
        results["models"][model] = stats
    results["overhead_goal"] = OVERHEAD_GOAL
    return results

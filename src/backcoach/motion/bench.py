"""Engine speed and memory: frames per second on one core and bytes per live engine.

Streams come from the synthetic motion generator (30 fps, realistic reps with noise), generated
before timing so that only ``ExerciseEngine.push`` is timed. Memory is measured with
``tracemalloc`` over many live engines, after each has processed a full set.
"""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from typing import Any

from backcoach.exercises import load_library
from backcoach.motion.engine import ExerciseEngine, compiled_features

#: Goals from issue 3: about 660 live patients per core at 30 fps; under 1 MB per live session.
GOAL_FRAMES_PER_SECOND = 20_000
GOAL_BYTES_PER_ENGINE = 1_000_000
FPS = 30.0


def _stream(exercise_id: str, reps: int, seed: int) -> list:
    from backcoach.motion.synthetic.generate import generate

    recording = generate(exercise_id, reps=reps, noise_px=1.5, fps=FPS, seed=seed)
    return list(recording.sequence.frames())


def bench_exercise(exercise_id: str, reps: int = 5, repeats: int = 3, engines_for_memory: int = 50) -> dict[str, Any]:
    """Time one exercise: best-of-``repeats`` frames/s over a whole generated set, and memory."""
    frames = _stream(exercise_id, reps, seed=1)
    rates = []
    counted = 0
    for _ in range(repeats):
        engine = ExerciseEngine(exercise_id)
        started = time.perf_counter()
        for frame in frames:
            engine.push(frame)
        elapsed = time.perf_counter() - started
        rates.append(len(frames) / elapsed)
        counted = engine.count
    exercise = load_library()[exercise_id]
    compiled_features(exercise)  # shared by every engine on this exercise; not per-engine memory
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    engines = [ExerciseEngine(exercise) for _ in range(engines_for_memory)]
    for engine in engines:
        for frame in frames:
            engine.push(frame)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return {
        "exercise": exercise_id,
        "frames": len(frames),
        "frames_per_second": round(max(rates)),
        "us_per_frame": round(1e6 / max(rates), 1),
        "bytes_per_engine": round(grown / engines_for_memory),
        "reps_counted": counted,
        "reps_generated": reps,
    }


def bench_engine(exercise_ids: list[str] | None = None, reps: int = 5, repeats: int = 3) -> dict[str, Any]:
    """Benchmark every exercise (or the given ones) and summarise with the median frames/s."""
    from backcoach.motion.synthetic.motions import MotionFileError

    ids = exercise_ids or sorted(load_library())
    results, skipped = [], {}
    for exercise_id in ids:
        try:
            results.append(bench_exercise(exercise_id, reps=reps, repeats=repeats))
        except MotionFileError as error:
            skipped[exercise_id] = str(error)
    fps = [r["frames_per_second"] for r in results]
    memory = [r["bytes_per_engine"] for r in results]
    return {
        "exercises": results,
        "skipped": skipped,
        "frames_per_second": round(statistics.median(fps)) if fps else None,
        "bytes_per_engine_max": max(memory) if memory else None,
        "goal_frames_per_second": GOAL_FRAMES_PER_SECOND,
        "goal_bytes_per_engine": GOAL_BYTES_PER_ENGINE,
        "stream_fps": FPS,
    }

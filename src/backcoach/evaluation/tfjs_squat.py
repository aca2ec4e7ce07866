"""The tfjs pose-detection squat video: counted squats on a real, frontal, 5 fps recording.

``pose_squats.mp4`` shows two complete squats and a third descent cut off by the end of the video
(PROVENANCE.md), so a counter that counts on the return to standing must give 2. Measured from the
reference BlazePose landmarks shipped with the video and, unless quick, from our own pose pipeline
run on the video.
"""

from __future__ import annotations

import json

import numpy as np

from backcoach.evaluation.report import DatasetResult, Figure, Goal, command_for
from backcoach.evaluation.runner import run_set
from backcoach.paths import MODELS_DIR, SHARED_DATA
from backcoach.pose.frame import make_frame

NAME = "tfjs_squat"
FOLDER = SHARED_DATA / "tfjs_pose" / "pose-detection" / "test_data"
SIZE = (720, 1280)
FPS = 5.0
EXPECTED = 2


def reference_frames():
    """The reference landmarks (pixels) as frames."""
    landmarks = np.asarray(json.loads((FOLDER / "pose_squats.full.json").read_text()), dtype=np.float64)
    width, height = SIZE
    for i, points in enumerate(landmarks):
        xyz = np.column_stack([points[:, 0] / width, points[:, 1] / height, points[:, 2] / width])
        yield make_frame(i / FPS, xyz, np.ones(33), SIZE)


def evaluate(quick: bool = False) -> DatasetResult:
    """Count the squats from the reference landmarks (and from the video unless quick)."""
    result = DatasetResult(
        NAME, "tfjs pose-detection squat video (real, frontal, 5 fps)",
        method=[f"`shared/data/{FOLDER.relative_to(SHARED_DATA)}`: 2 complete squats plus a third descent cut off by the end; expected count {EXPECTED}. Exercise `squat`, counted when the knee returns to standing."],
    )  # fmt: skip
    if not FOLDER.is_dir():
        result.skipped = f"{FOLDER} is absent"
        return result
    command = command_for(NAME, quick)
    run = run_set("squat", reference_frames())
    result.figures.append(_figure(run, "reference landmarks", command))
    if quick:
        return result
    if not (MODELS_DIR / "pose_landmarker_full.task").is_file():
        result.notes.append("Video through our pose pipeline not measured: run `backcoach models build` first.")
        return result
    from backcoach.pose.video import analyse_video

    sequence = analyse_video(FOLDER / "pose_squats.mp4", model="full")
    result.figures.append(_figure(run_set("squat", sequence.frames()), "video, our pose pipeline (full model)", command))
    return result


def _figure(run, condition: str, command: str) -> Figure:
    return Figure(
        NAME, "count_error", abs(run.counted - EXPECTED), 1, Goal("<=", 0, f"exactly {EXPECTED} counted"), "squat",
        condition=condition, command=command, note=f"counted {run.counted}; {len(run.reps)} reps reported",
    )

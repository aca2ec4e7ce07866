"""Exercise-Correction plank frames: correct vs hips high vs hips sagging, with ``front_plank``'s rules.

``core/plank_model/test.csv`` holds 710 labelled frames of real MediaPipe landmarks (C correct,
H high lower back = piking, L low lower back = sagging). Each frame is judged alone by the
exercise's own thresholds: its ``hips_sagging`` rule (body line above +0.08 torso lengths) means
L, its ``hips_high`` rule (below -0.08) means H, otherwise C.
"""

from __future__ import annotations

import numpy as np

from backcoach.evaluation.report import DatasetResult, Figure, Goal, command_for
from backcoach.exercises import get_exercise
from backcoach.motion.engine import compiled_features
from backcoach.motion.features import FrameView
from backcoach.motion.geometry import Missing, distance, near_side, to_image_points
from backcoach.paths import SHARED_DATA
from backcoach.pose.formats import load_recording

NAME = "exercise_correction"
PATH = SHARED_DATA / "exercise_correction" / "core" / "plank_model" / "test.csv"
#: The CSV does not record the video size. Landscape 16:9 is assumed a priori (phone/webcam
#: video of a body lying sideways); the labels are not used to choose it. A label-free check: the
#: median horizontal thigh length over vertical upper-arm length is 0.85 in normalised units,
#: anthropometry gives about 1.3 physically, so width/height is about 1.5 (16:9 = 1.78, square 1.0).
IMAGE_SIZE = (1280, 720)
CLASSES = {"C": "correct", "H": "hips high", "L": "hips sagging"}
GOAL = Goal(">=", 0.85, "issue 4")


def body_line(frames, exercise_id: str = "front_plank") -> list[float | None]:
    """The exercise's ``body_line`` feature on the near side of each frame (None: not measurable)."""
    features = compiled_features(get_exercise(exercise_id))
    out: list[float | None] = []
    for frame in frames:
        points = to_image_points(frame.xyz, frame.image_size)
        vis = frame.visibility.tolist()
        side = near_side(vis)
        s, h = (11, 23) if side == "left" else (12, 24)
        refs = {"torso": distance(points[s], points[h]), "leg": 0.0, "shoulder_width": 0.0, "hip_width": 0.0}
        value = features.evaluate("body_line", side, FrameView(points, vis, refs))
        out.append(None if isinstance(value, Missing) else float(value))
    return out


def classify(values: list[float | None], exercise_id: str = "front_plank") -> list[str | None]:
    """C, H or L per body-line value by the exercise's ``hips_sagging`` and ``hips_high`` rules."""
    exercise = get_exercise(exercise_id)
    sag = next(r for r in exercise.errors if r.id == "hips_sagging").when.above
    pike = next(r for r in exercise.errors if r.id == "hips_high").when.below
    return [None if v is None else "L" if v > sag else "H" if v < pike else "C" for v in values]


def evaluate(quick: bool = False) -> DatasetResult:
    """Per-class accuracy (recall) of the plank rules on the labelled frames."""
    result = DatasetResult(
        NAME, "Exercise-Correction plank frames (real MediaPipe landmarks)",
        method=[
            f"`shared/data/{PATH.relative_to(SHARED_DATA)}` (MIT): 710 frames labelled C/H/L by the dataset's author; each frame judged alone by `front_plank`'s `hips_sagging` (body line > +0.08 torso lengths) and `hips_high` (< -0.08) rules, body line from shoulder-hip-ankle (straight knees).",
            f"Image size assumed {IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} (not recorded in the file; chosen a priori, see the module docstring).",
            "accuracy_<class>: share of that class's frames given that class (recall); the same in quick mode (the file is small).",
        ],
    )  # fmt: skip
    if not PATH.is_file():
        result.skipped = f"{PATH} is absent"
        return result
    sequence = load_recording(PATH, "exercise-correction", image_size=IMAGE_SIZE)
    labels = sequence.meta["labels"]
    values = body_line(sequence.frames())
    predicted = classify(values)
    command = command_for(NAME, quick)
    for code, label in CLASSES.items():
        rows = [p for p, t in zip(predicted, labels) if t == code]
        hits = sum(1 for p in rows if p == code)
        confusions = {c: sum(1 for p in rows if p == c) for c in (*CLASSES, None)}
        note = ", ".join(f"{CLASSES.get(c, 'not measurable') if c else 'not measurable'} {n}" for c, n in confusions.items() if n)
        result.figures.append(Figure(NAME, f"accuracy_{label.replace(' ', '_')}", hits / len(rows) if rows else None, len(rows),
                                     GOAL, "front_plank", condition="per frame", command=command, note=note))
    overall = sum(1 for p, t in zip(predicted, labels) if p == t) / len(labels)
    result.figures.append(Figure(NAME, "accuracy_all", overall, len(labels), None, "front_plank", condition="per frame", command=command))
    result.notes.append(
        "The 'correct' frames put the hip landmark about 0.2 torso lengths above the shoulder-ankle line, so the brief's "
        "+-0.08 band (an engineering default, [E]) calls nearly all of them piked; the dataset's still-image correct planks "
        "(kaggle.csv, not scored) sit at -0.04 median. The band needs calibrating on pilot recordings (not on this test file). "
        "The true image aspect is unknown (16:9 assumed); a single annotator labelled the frames."
    )
    for code, label in CLASSES.items():
        v = np.array([x for x, t in zip(values, labels) if t == code and x is not None])
        result.notes.append(f"Body line (torso lengths, + = hips below the shoulder-ankle line) of '{label}' frames: median {np.median(v):+.3f}, 10th-90th percentile {np.percentile(v, 10):+.3f} to {np.percentile(v, 90):+.3f}.")
    return result


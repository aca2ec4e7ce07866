"""Exercise-Correction plank frames: correct vs hips high vs hips sagging, with ``front_plank``'s rules.

``core/plank_model/test.csv`` holds 710 labelled frames of real MediaPipe landmarks (C correct,
H high lower back = piking, L low lower back = sagging). Each frame is judged alone by the
exercise's own thresholds: its ``hips_sagging`` rule (body line above +0.08 torso lengths) means
L, its ``hips_high`` rule (below -0.08) means H, otherwise C.

Why the correct frames fail the brief's band (checked, not a measurement error): the body line's
sign is right in both facing directions (L clips read +0.19, H clips -0.68); the near side, the far
side, the left/right midpoints and the heel instead of the ankle all put the correct clips' hips
0.16-0.32 torso lengths *above* the shoulder-ankle line (hip angle ang(S,H,K) 155-163 deg, knees
straight, forearm planks); the Kaggle still photos of correct planks sit at -0.04. So the recorded
subjects hold "correct" planks with the hips about 20 deg flexed, which the brief's +-0.08 band
([E]) calls piked. The image aspect only scales the figures (a square image gives -0.37).

The labels can therefore only be met with thresholds taken from data. The file has no subject or
video ids; consecutive rows of one recording move smoothly, so rows are cut into clips at label
changes and landmark jumps (:func:`clips`), and the clips into two halves in file order (a
recording session's C/L/H clips stay together): thresholds are chosen on the first half
(:func:`calibrate`) and scored on the second only. ``front_plank.toml`` keeps the brief's values.
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
from backcoach.pose.skeleton import Landmark

NAME = "exercise_correction"
PATH = SHARED_DATA / "exercise_correction" / "core" / "plank_model" / "test.csv"
#: The CSV does not record the video size. Landscape 16:9 is assumed a priori (phone/webcam
#: video of a body lying sideways); the labels are not used to choose it. A label-free check: the
#: median horizontal thigh length over vertical upper-arm length is 0.85 in normalised units,
#: anthropometry gives about 1.3 physically, so width/height is about 1.5 (16:9 = 1.78, square 1.0).
IMAGE_SIZE = (1280, 720)
CLASSES = {"C": "correct", "H": "hips high", "L": "hips sagging"}
GOAL = Goal(">=", 0.85, "issue 4")
#: A landmark moving more than this (normalised image units) between two rows starts a new clip:
#: within a recording consecutive rows move < 0.025 (95th percentile), across recordings > 0.1.
CLIP_JUMP = 0.05
_TRACKED = [Landmark[f"{s}_{p}"] for s in ("left", "right") for p in ("shoulder", "hip", "ankle")]
CALIBRATED = "per frame, calibrated on the first half"


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


def classify(values: list[float | None], exercise_id: str = "front_plank", thresholds: tuple[float, float] | None = None) -> list[str | None]:
    """C, H or L per body-line value by the exercise's ``hips_high`` and ``hips_sagging`` rules,
    or by ``thresholds`` = (pike, sag) when given (calibrated)."""
    if thresholds is None:
        exercise = get_exercise(exercise_id)
        pike = next(r for r in exercise.errors if r.id == "hips_high").when.below
        sag = next(r for r in exercise.errors if r.id == "hips_sagging").when.above
    else:
        pike, sag = thresholds
    return [None if v is None else "L" if v > sag else "H" if v < pike else "C" for v in values]


def clips(xy: np.ndarray, labels: list[str]) -> list[range]:
    """Row ranges of the recordings in the file: a new clip starts where the label changes or a
    shoulder, hip or ankle jumps by more than CLIP_JUMP. ``xy`` is (rows, 33, 2) normalised."""
    jumps = np.abs(np.diff(xy[:, _TRACKED], axis=0)).max(axis=(1, 2))
    label = np.asarray(labels)
    starts = [0, *(np.flatnonzero((jumps > CLIP_JUMP) | (label[1:] != label[:-1])) + 1).tolist(), len(labels)]
    return [range(a, b) for a, b in zip(starts, starts[1:])]


def halves(parts: list[range]) -> tuple[list[int], list[int]]:
    """Rows of the clips in the first and second half of the file (split at the clip boundary
    nearest the middle row)."""
    total = parts[-1].stop
    cut = min((p.start for p in parts[1:]), key=lambda start: abs(start - total / 2))
    return list(range(cut)), list(range(cut, total))


def _best_cut(below: np.ndarray, above: np.ndarray) -> float:
    """The threshold best separating two classes (mean recall of ``below`` < t and ``above`` >= t),
    at the midpoint between neighbouring values."""
    values = np.unique(np.concatenate([below, above]))
    candidates = (values[1:] + values[:-1]) / 2
    score = [np.mean(below < c) + np.mean(above >= c) for c in candidates]
    return float(candidates[int(np.argmax(score))])


def calibrate(values: list[float | None], labels: list[str]) -> tuple[float, float]:
    """(pike, sag) thresholds from labelled frames: pike separates H from C, sag C from L."""
    by = {c: np.array([v for v, t in zip(values, labels) if t == c and v is not None]) for c in CLASSES}
    return _best_cut(by["H"], by["C"]), _best_cut(by["C"], by["L"])


def _class_figures(predicted, labels, condition: str, command: str) -> list[Figure]:
    figures = []
    for code, label in CLASSES.items():
        rows = [p for p, t in zip(predicted, labels) if t == code]
        hits = sum(1 for p in rows if p == code)
        confusions = {c: sum(1 for p in rows if p == c) for c in (*CLASSES, None)}
        note = ", ".join(f"{CLASSES[c] if c else 'not measurable'} {n}" for c, n in confusions.items() if n)
        figures.append(Figure(NAME, f"accuracy_{label.replace(' ', '_')}", hits / len(rows) if rows else None, len(rows),
                              GOAL, "front_plank", condition=condition, command=command, note=note))
    overall = sum(1 for p, t in zip(predicted, labels) if p == t) / len(labels)
    figures.append(Figure(NAME, "accuracy_all", overall, len(labels), None, "front_plank", condition=condition, command=command))
    return figures


def evaluate(quick: bool = False) -> DatasetResult:
    """Per-class accuracy (recall) of the plank rules on the labelled frames: with the brief's band
    on every frame, and with thresholds calibrated on the first half scored on the second."""
    result = DatasetResult(
        NAME, "Exercise-Correction plank frames (real MediaPipe landmarks)",
        method=[
            f"`shared/data/{PATH.relative_to(SHARED_DATA)}` (MIT): 710 frames labelled C/H/L by the dataset's author; each frame judged alone by `front_plank`'s `hips_sagging` (body line > +0.08 torso lengths) and `hips_high` (< -0.08) rules, body line from shoulder-hip-ankle (straight knees).",
            f"Image size assumed {IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} (not recorded in the file; chosen a priori, see the module docstring).",
            "accuracy_<class>: share of that class's frames given that class (recall); the same in quick mode (the file is small).",
            f"'{CALIBRATED}': the rows are cut into recordings (a label change or a landmark jump > {CLIP_JUMP} of the image), the recordings into two halves in file order; the pike and sag thresholds that best separate the classes (mean recall) on the first half are scored on the second half only.",
        ],
    )  # fmt: skip
    if not PATH.is_file():
        result.skipped = f"{PATH} is absent"
        return result
    sequence = load_recording(PATH, "exercise-correction", image_size=IMAGE_SIZE)
    labels = sequence.meta["labels"]
    values = body_line(sequence.frames())
    command = command_for(NAME, quick)
    result.figures += _class_figures(classify(values), labels, "per frame", command)

    parts = clips(sequence.xyz[:, :, :2], labels)
    first, second = halves(parts)
    thresholds = calibrate([values[i] for i in first], [labels[i] for i in first])
    report_labels = [labels[i] for i in second]
    result.figures += _class_figures(classify([values[i] for i in second], thresholds=thresholds), report_labels, CALIBRATED, command)

    def counts(rows: list[int]) -> str:
        return ", ".join(f"{sum(1 for i in rows if labels[i] == c)} {c}" for c in CLASSES)

    result.notes.append(
        "The 'correct' frames put the hip landmark about 0.2 torso lengths above the shoulder-ankle line, so the brief's "
        "+-0.08 band (an engineering default, [E]) calls nearly all of them piked. Checked, not a measurement error: the "
        "sign holds in both facing directions (sagging clips +0.19, piked -0.68); the far side, the left/right midpoints, "
        "the shoulder-knee line and the heel instead of the ankle all give the correct clips -0.16 to -0.32; their hip angle "
        "ang(S,H,K) is 155-163 deg with straight knees, i.e. these subjects hold 'correct' planks with the hips ~20 deg "
        "flexed; the dataset's still-image correct planks (kaggle.csv, not scored) sit at -0.04 median. The image aspect "
        "only scales the values (square: -0.37). A single annotator labelled the frames."
    )
    result.notes.append(
        f"Calibration (issue 4: tune on one part, report on another): {len(parts)} recordings found in the file; first half "
        f"rows 0-{first[-1]} ({counts(first)}) chose pike < {thresholds[0]:+.3f} and sag > {thresholds[1]:+.3f} torso lengths; "
        f"the '{CALIBRATED}' figures are on rows {second[0]}-{second[-1]} ({counts(second)}) only. The halves come from the "
        "same small group of people (no subject ids), so this shows how separable the classes are once the band is centred "
        "on this population's 'correct', not how a new person would be judged. front_plank.toml keeps the brief's +-0.08: "
        "its synthetic pike (-0.13) would be missed by the calibrated band."
    )
    for code, label in CLASSES.items():
        v = np.array([x for x, t in zip(values, labels) if t == code and x is not None])
        result.notes.append(f"Body line (torso lengths, + = hips below the shoulder-ankle line) of '{label}' frames: median {np.median(v):+.3f}, 10th-90th percentile {np.percentile(v, 10):+.3f} to {np.percentile(v, 90):+.3f}.")
    return result

"""What the engine measures from the start position: near side, facing, reference lengths, and
the exercise's compiled features and the landmarks they need."""

from __future__ import annotations

import re

from backcoach.exercises import Exercise
from backcoach.motion.features import MIN_VISIBILITY, CompiledFeatures, feature_expression
from backcoach.motion.geometry import distance
from backcoach.motion.points import PointError, resolve_point, substitute

_NAME = re.compile(r"[a-z_{}]+")
_COMPILED: dict[int, tuple[Exercise, CompiledFeatures]] = {}


def compiled_features(exercise: Exercise) -> CompiledFeatures:
    """The exercise's compiled features, shared by every engine on the same exercise object."""
    entry = _COMPILED.get(id(exercise))
    if entry is None or entry[0] is not exercise:
        entry = _COMPILED[id(exercise)] = (exercise, CompiledFeatures(exercise))
    return entry[1]


def required_landmarks(exercise: Exercise, side: str) -> tuple[int, ...]:
    """Landmark indices the exercise's features read, with ``{side}`` resolved to ``side``."""
    found: set[int] = {11, 12, 23, 24}
    for feature in exercise.features.values():
        for token in _NAME.findall(feature_expression(feature)):
            try:
                found.update(resolve_point(substitute(token, side)))
            except PointError:
                continue  # a function, feature or reference name
    return tuple(sorted(found))


def facing_direction(points: list, vis: list, camera_view: str) -> float | None:
    """+1 or -1: the image direction the person faces in side view (nose ahead of the ears, else
    toes ahead of the heel), or toward their own left in front view; None when it cannot be told."""
    ok = [v >= MIN_VISIBILITY for v in vis]
    if camera_view == "front":
        if ok[11] and ok[12] and points[11][0] != points[12][0]:
            return 1.0 if points[11][0] > points[12][0] else -1.0
        return None
    ears = [points[i] for i in (7, 8) if ok[i]]
    if ok[0] and ears:
        dx = points[0][0] - sum(p[0] for p in ears) / len(ears)
        if dx:
            return 1.0 if dx > 0 else -1.0
    elif ok[29] and ok[31]:
        return 1.0 if points[31][0] > points[29][0] else -1.0
    return None


def reference_lengths(points: list, vis: list, near: str) -> dict[str, float]:
    """Torso (shoulder-mid to hip-mid, or the near side's shoulder to hip), leg (near hip to ankle),
    shoulder and hip widths: whichever the visible landmarks allow (brief §4.0)."""
    ok = [v >= MIN_VISIBILITY for v in vis]
    shoulder_i, hip_i, ankle_i = (11, 23, 27) if near == "left" else (12, 24, 28)
    lengths = {}
    if ok[11] and ok[12] and ok[23] and ok[24]:
        shoulder = tuple((a + b) / 2 for a, b in zip(points[11], points[12]))
        hip = tuple((a + b) / 2 for a, b in zip(points[23], points[24]))
        lengths["torso"] = distance(shoulder, hip)
        lengths["shoulder_width"] = distance(points[11], points[12])
        lengths["hip_width"] = distance(points[23], points[24])
    elif ok[shoulder_i] and ok[hip_i]:
        lengths["torso"] = distance(points[shoulder_i], points[hip_i])
    if ok[hip_i] and ok[ankle_i]:
        lengths["leg"] = distance(points[hip_i], points[ankle_i])
    return lengths

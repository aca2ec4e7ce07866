"""What the engine measures from the start position: near side, facing, reference lengths, and
the exercise's compiled features and the landmarks they need."""

from __future__ import annotations

import re
from dataclasses import dataclass

from backcoach.exercises import Exercise
from backcoach.motion.features import MIN_VISIBILITY, CompiledFeatures, feature_expression
from backcoach.motion.geometry import distance
from backcoach.motion.points import PointError, resolve_point, substitute

#: Seconds of consistent opposite readings before the facing direction measured in the start
#: position is replaced [E]. A reading can flip on single frames at rest: a nose hovering at
#: visibility 0.5 hands the reading to the toes, which point backward when kneeling (engine-issues
#: H3-2: a rep that started on such a frame read every incl_v feature mirrored).
FACING_DEBOUNCE_S = 0.5

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


#: Postures whose shins lie on the floor, so the toes point backward (away from the face).
TOES_BACKWARD = frozenset({"kneeling", "quadruped"})


def facing_direction(points: list, vis: list, camera_view: str, posture: str | None = None) -> float | None:
    """+1 or -1: the image direction the person faces in side view (nose ahead of the ears, else
    toes ahead of the heel, or behind it kneeling and on all fours, :data:`TOES_BACKWARD`), or
    toward their own left in front view; None when it cannot be told."""
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
    elif ok[29] and ok[31] and points[31][0] != points[29][0]:
        toes_ahead = 1.0 if points[31][0] > points[29][0] else -1.0
        return -toes_ahead if posture in TOES_BACKWARD else toes_ahead
    return None


@dataclass(slots=True)
class Facing:
    """The facing direction (+1 or -1) kept from per-frame readings (:func:`facing_direction`).

    While setting up, :meth:`vote` gives the majority of the readings since :meth:`restart` (a tie
    keeps the earlier value); at rest, :meth:`confirm` replaces it only after opposite readings
    held for FACING_DEBOUNCE_S, so one odd frame neither flips it nor starts a rep mirrored.
    Readings of None (cannot tell) change nothing.
    """

    value: float = 1.0
    votes: int = 0
    opposite_since: float | None = None

    def restart(self) -> None:
        """Forget the votes: the start position is being measured afresh."""
        self.votes, self.opposite_since = 0, None

    def vote(self, reading: float | None) -> float:
        """Count one setup frame's reading; return the majority so far."""
        if reading is not None:
            self.votes += 1 if reading > 0 else -1
            if self.votes:
                self.value = 1.0 if self.votes > 0 else -1.0
        return self.value

    def confirm(self, t: float, reading: float | None) -> float:
        """One frame's reading at rest (time ``t``, seconds); return the debounced value."""
        if reading is None:
            return self.value
        if reading == self.value:
            self.opposite_since = None
        elif self.opposite_since is None:
            self.opposite_since = t
        elif t - self.opposite_since >= FACING_DEBOUNCE_S:
            self.value, self.opposite_since, self.votes = reading, None, 0
        return self.value


def reference_lengths(points: list, vis: list, near: str, bent: bool = False) -> dict[str, float]:
    """Torso (shoulder-mid to hip-mid, or the near side's shoulder to hip), leg (near hip to ankle;
    thigh plus shank when ``bent``, measured in a posture with the knee bent such as a set begun
    seated), shoulder and hip widths: whichever the visible landmarks allow (brief §4.0)."""
    ok = [v >= MIN_VISIBILITY for v in vis]
    shoulder_i, hip_i, knee_i, ankle_i = (11, 23, 25, 27) if near == "left" else (12, 24, 26, 28)
    lengths = {}
    if ok[11] and ok[12] and ok[23] and ok[24]:
        shoulder = tuple((a + b) / 2 for a, b in zip(points[11], points[12]))
        hip = tuple((a + b) / 2 for a, b in zip(points[23], points[24]))
        lengths["torso"] = distance(shoulder, hip)
        lengths["shoulder_width"] = distance(points[11], points[12])
        lengths["hip_width"] = distance(points[23], points[24])
    elif ok[shoulder_i] and ok[hip_i]:
        lengths["torso"] = distance(points[shoulder_i], points[hip_i])
    if bent and ok[hip_i] and ok[knee_i] and ok[ankle_i]:
        lengths["leg"] = distance(points[hip_i], points[knee_i]) + distance(points[knee_i], points[ankle_i])
    elif ok[hip_i] and ok[ankle_i]:
        lengths["leg"] = distance(points[hip_i], points[ankle_i])
    return lengths

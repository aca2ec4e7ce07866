"""Running the engine over a whole recording and collecting what it said."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import re

from backcoach.exercises import Exercise, parse_exercise
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.features import feature_expression
from backcoach.motion.points import PointError, resolve_point, substitute
from backcoach.motion.events import FrameSkippedEvent, RepEvent, SetDoneEvent
from backcoach.pose.frame import Frame


@dataclass
class SetRun:
    """The engine's verdicts on one recording."""

    reps: list[RepEvent] = field(default_factory=list)
    done: SetDoneEvent | None = None
    skipped: int = 0
    #: Frame times at which the tracking guard did not trust the frames (setup cues instead of form).
    untrusted_t: list[float] = field(default_factory=list)
    frame_t: list[float] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(1 for r in self.reps if r.counted)

    @property
    def attempts(self) -> int:
        """Repetitions the engine saw start and return (counted or not)."""
        return sum(1 for r in self.reps if r.reason != "did not return to the start position")


def run_set(
    exercise: Exercise | str,
    frames: Iterable[Frame],
    *,
    use_world: bool = False,
    side: str | None = None,
    hold_s: float | None = None,
    reps_target: int | None = 0,
) -> SetRun:
    """Push every frame through a fresh engine and finish the set.

    ``reps_target`` 0 keeps the engine counting past the prescription (an evaluation counts every
    repetition in the recording).
    """
    engine = ExerciseEngine(exercise, use_world=use_world, side=side, hold_s=hold_s, reps_target=reps_target)
    run = SetRun()
    for frame in frames:
        events = engine.push(frame)
        run.frame_t.append(frame.t)
        if not engine.guard.trusted:
            run.untrusted_t.append(frame.t)
        _collect(run, events)
    _collect(run, engine.finish())
    return run


def _collect(run: SetRun, events: list) -> None:
    for event in events:
        if isinstance(event, RepEvent):
            run.reps.append(event)
        elif isinstance(event, SetDoneEvent):
            run.done = event
        elif isinstance(event, FrameSkippedEvent):
            run.skipped += 1


_NAME = re.compile(r"[a-z_{}]+")


def _landmarks_read(expression: str) -> set[int]:
    found: set[int] = set()
    for token in _NAME.findall(expression):
        for side in ("left", "right"):
            try:
                found.update(resolve_point(substitute(token, side)))
            except PointError:
                continue  # a function, feature or reference name
    return found


def restrict_exercise(exercise: Exercise, available: set[int]) -> tuple[Exercise, list[str]]:
    """The exercise without the features (and their standards and error rules) that read a landmark
    the recording format never has; and the ids of what was dropped.

    A format without heels cannot judge heel lift: the rule is not measurable there, which is
    different from the body being out of the picture (engine-issues #6).
    """
    features = exercise.features
    missing = {name for name, f in features.items() if not _landmarks_read(feature_expression(f)) <= available}
    changed = True
    while changed:  # features built on dropped features go too
        changed = False
        for name, f in features.items():
            if name not in missing and f.kind == "expr" and any(re.search(rf"\b{m}\b", f.expr) for m in missing):
                missing.add(name)
                changed = True
    if not missing:
        return exercise, []
    if exercise.phases.feature in missing:
        raise ValueError(f"{exercise.id}: the primary feature {exercise.phases.feature!r} needs landmarks this recording lacks")
    data = exercise.model_dump(by_alias=True, exclude_none=True)
    data["features"] = {k: v for k, v in data["features"].items() if k not in missing}
    data["standards"] = [s for s in data["standards"] if s["feature"] not in missing]
    dropped = [e["id"] for e in data["errors"] if e.get("when", {}).get("feature") in missing
               or any(re.search(rf"\b{m}\b", e.get("condition") or "") for m in missing)]
    data["errors"] = [e for e in data["errors"] if e["id"] not in dropped]
    return parse_exercise(data, f"{exercise.id} (restricted)"), sorted(missing) + dropped

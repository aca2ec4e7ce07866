"""Running the engine over a whole recording and shaping the result as a report.

``analyse(frames, exercise)`` feeds every frame to a fresh :class:`ExerciseEngine` and returns the
events and the report ``{"exercise", "reps": [...], "summary"}`` that ``backcoach analyze --json``
prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from backcoach.exercises import Exercise
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.events import Event, FrameSkippedEvent, RepEvent, SetDoneEvent
from backcoach.pose.frame import Frame


@dataclass
class Analysis:
    """Everything the engine said about one recording."""

    exercise: str
    events: list[Event] = field(default_factory=list)
    frames: int = 0

    @property
    def reps(self) -> list[RepEvent]:
        return [e for e in self.events if isinstance(e, RepEvent)]

    def report(self) -> dict[str, Any]:
        """The JSON report: exercise, one entry per rep, and a summary."""
        reps = [
            {
                "index": rep.index,
                "side": rep.side,
                "counted": rep.counted,
                "reason": rep.reason,
                "score": rep.score,
                "grade": rep.grade,
                "errors": [{"id": e.id, "side": e.side, "value": e.value, "threshold": e.threshold} for e in rep.errors],
                "not_judged": [{"id": n.id, "side": n.side, "reason": n.reason} for n in rep.not_judged],
                "metrics": rep.metrics,
            }
            for rep in self.reps
        ]
        done = next((e for e in self.events if isinstance(e, SetDoneEvent)), None)
        skipped = [e for e in self.events if isinstance(e, FrameSkippedEvent)]
        setups = [e for e in self.events if e.type == "setup"]
        summary = {
            "frames": self.frames,
            "frames_skipped": len(skipped),
            "counted": done.counted if done else sum(r["counted"] for r in reps),
            "attempts": len(reps),
            "counted_by_side": done.counted_by_side if done else {},
            "mean_score": done.mean_score if done else None,
            "form_score": done.form_score if done else None,
            "errors": _error_counts(self.reps),
            "setup_issues": sorted({issue for e in setups for issue in e.issues}),
        }
        return {"exercise": self.exercise, "reps": reps, "summary": summary}


def _error_counts(reps: list[RepEvent]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for rep in reps:
        for error in rep.errors:
            counts[error.id] = counts.get(error.id, 0) + 1
    return counts


def analyse(
    frames: Iterable[Frame],
    exercise: Exercise | str,
    on_frame: Callable[[Frame, list[Event], ExerciseEngine], None] | None = None,
    **engine_options: Any,
) -> Analysis:
    """Run a fresh engine over ``frames`` to the end of the set.

    Parameters
    ----------
    frames : iterable of Frame
    exercise : Exercise or str
    on_frame : callable, optional
        Called after each frame with the frame, its events and the engine (for drawing).
    **engine_options
        Passed to :class:`ExerciseEngine` (``hold_s``, ``reps_target``, ``setup_s``, ...).
    """
    engine = ExerciseEngine(exercise, **engine_options)
    result = Analysis(exercise=engine.exercise.id)
    for frame in frames:
        events = engine.push(frame)
        result.frames += 1
        result.events.extend(events)
        if on_frame is not None:
            on_frame(frame, events, engine)
    result.events.extend(engine.finish())
    return result

"""What the engine tells the outside world: plain dataclasses with ``to_dict()`` for JSON.

The web app streams these over a WebSocket; ``backcoach analyze`` prints them. Every event has
``t`` (the frame time it was produced at) and a ``type`` string in its dict form.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(slots=True)
class Event:
    type: ClassVar[str] = "event"
    t: float

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data, with its ``type``."""
        return {"type": self.type, **asdict(self)}


@dataclass(slots=True)
class SetupEvent(Event):
    """Camera and position check verdict; ``issues`` are setup cue ids (empty when all is well)."""

    type: ClassVar[str] = "setup"
    ok: bool
    issues: list[str] = field(default_factory=list)
    posture: str | None = None
    view: str | None = None


@dataclass(slots=True)
class PhaseEvent(Event):
    """The rep machine entered a phase: setup, start, out, end or return."""

    type: ClassVar[str] = "phase"
    phase: str
    side: str | None = None


@dataclass(slots=True)
class ErrorFound:
    """One error present in a rep: measured value vs threshold, on which side."""

    id: str
    side: str | None
    value: float | None
    threshold: float | list[float] | None
    severity: str
    cue: str


@dataclass(slots=True)
class NotJudged:
    """Something the rep could not be judged on, and why (e.g. ``"far-side limb hidden"``):
    neither an error nor a pass."""

    id: str
    side: str | None
    reason: str


@dataclass(slots=True)
class RepEvent(Event):
    """A finished repetition (counted or not, with the reason), its score, grade, errors, metrics."""

    type: ClassVar[str] = "rep"
    index: int
    side: str | None
    counted: bool
    reason: str | None
    score: float | None
    grade: str | None
    errors: list[ErrorFound] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, float] = field(default_factory=dict)
    count: int = 0
    not_judged: list[NotJudged] = field(default_factory=list)


@dataclass(slots=True)
class HoldEvent(Event):
    """Valid hold time so far in the current rep (only time with every critical standard met)."""

    type: ClassVar[str] = "hold"
    elapsed_s: float
    target_s: float
    side: str | None = None


@dataclass(slots=True)
class CueEvent(Event):
    """Something to say now: a language-independent id, its priority and its texts."""

    type: ClassVar[str] = "cue"
    id: str
    priority: str
    text: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class FrameSkippedEvent(Event):
    """A frame the engine could not use (bad data mid-stream); the stream goes on."""

    type: ClassVar[str] = "frame_skipped"
    index: int
    reason: str


@dataclass(slots=True)
class SetDoneEvent(Event):
    """The set ended: counted reps (per side when sided), attempts, mean score."""

    type: ClassVar[str] = "set_done"
    counted: int
    attempts: int
    counted_by_side: dict[str, int] = field(default_factory=dict)
    mean_score: float | None = None
    form_score: float | None = None

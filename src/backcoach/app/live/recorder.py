"""Writing a live set to the store as it happens: the set when it starts, each rep when it ends.

Every write is its own short transaction, committed before the browser hears of it, so a dropped
connection, a crashed worker or a reload never loses a counted rep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from backcoach.app.live import stops
from backcoach.app.portal.exercises import exercise_for_patient
from backcoach.app.portal.replay import TraceError, decode_trace
from backcoach.exercises import Exercise
from backcoach.store.models import ExerciseSession, ExerciseSet, SessionStatus
from backcoach.store.repo import plans, portal, training

#: (frame count, encoding, bytes) of a set's landmark trace, as ``TraceBuffer.encoded`` gives it.
EncodedTrace = tuple[int, str, bytes]


class LiveRefused(Exception):
    """The connection may not drive this session; ``code`` is the WebSocket close code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


#: WebSocket close codes (4000-4999 are for applications), one per refusal.
NOT_SIGNED_IN = 4401
NOT_ALLOWED = 4403
NOT_FOUND = 4404
FINISHED = 4409


@dataclass(frozen=True)
class SessionInfo:
    """What the live connection needs to know about the exercise session it drives."""

    session_id: int
    patient_id: int
    pain_before: int | None
    locale: str


@dataclass(frozen=True)
class OpenedSet:
    """A set ready to receive frames; ``prior_*`` are what was stored before this connection."""

    set_id: int
    exercise_id: str
    set_index: int
    side: str | None
    reps_planned: int | None
    hold_seconds_planned: int | None
    prior_attempts: int
    prior_counted: int
    resumed: bool
    #: Times (n,) and landmarks (n, 33, 4) stored before a dropped connection, if any.
    prior_trace: tuple[np.ndarray, np.ndarray] | None = None
    #: The movement definition this patient's sessions use (their therapist's saved version, else
    #: the library's); None when the library has none.
    exercise: Exercise | None = None


class StoreRecorder:
    """The store side of a live connection (one instance per WebSocket)."""

    def __init__(self, factory: sessionmaker[Session], info: SessionInfo) -> None:
        self.factory = factory
        self.info = info

    def open_set(self, plan_item_id: int, set_index: int, side: str | None) -> OpenedSet:
        """Start the planned set, or find it again when it was started and not finished.

        Raises
        ------
        LiveRefused
            When the plan item is not in this session's plan, the set index is beyond the
            planned sets, the session has ended, or the set was already finished.
        """
        with self.factory() as db, db.begin():
            session = training.get_session(db, self.info.session_id, self.info.patient_id)
            if session is None:
                raise LiveRefused(NOT_FOUND, "training session not found")
            if session.status != SessionStatus.IN_PROGRESS:
                raise LiveRefused(FINISHED, "this training session has already ended")
            plan_session = plans.get_plan_session(db, self.info.patient_id, session.plan_session_id or -1)
            item = next((i for i in (plan_session.items if plan_session else []) if i.id == plan_item_id), None)
            if item is None:
                raise LiveRefused(NOT_FOUND, f"plan item {plan_item_id} is not in this session's plan")
            if set_index > item.sets:
                raise LiveRefused(NOT_FOUND, f"set {set_index} is beyond the {item.sets} planned sets")
            if item.per_side and side is None:
                raise LiveRefused(NOT_FOUND, "this exercise is done per side: say which side (left or right)")
            side = side if item.per_side else None
            existing = _find_set(session, plan_item_id, set_index, side)
            if existing is not None and existing.ended_at is not None:
                raise LiveRefused(FINISHED, f"set {set_index} of this exercise is already finished")
            exercise_set = existing or training.start_set(
                db, session, exercise_id=item.exercise_id, set_index=set_index, side=side,
                reps_planned=item.reps, hold_seconds_planned=item.hold_seconds, plan_item_id=item.id)
            return OpenedSet(
                prior_trace=_stored_trace(db, exercise_set.id) if existing is not None else None,
                exercise=exercise_for_patient(db, self.info.patient_id, item.exercise_id),
                set_id=exercise_set.id, exercise_id=item.exercise_id, set_index=set_index, side=side,
                reps_planned=item.reps, hold_seconds_planned=item.hold_seconds,
                prior_attempts=len(exercise_set.reps),
                prior_counted=sum(1 for rep in exercise_set.reps if rep.counted),
                resumed=existing is not None,
            )

    def record_rep(self, set_id: int, rep: dict[str, Any]) -> None:
        """Store one rep event (already renumbered to the whole set)."""
        with self.factory() as db, db.begin():
            exercise_set = db.get(ExerciseSet, set_id)
            training.record_rep(
                db, exercise_set, index=rep["index"], counted=rep["counted"], score=rep["score"],
                grade=rep["grade"], errors=rep["errors"], metrics=rep["metrics"], side=rep["side"],
                reason=rep["reason"])

    def finish_set(self, set_id: int, *, hold_seconds_done: float | None = None, pain: int | None = None,
                   trace: EncodedTrace | None = None) -> None:
        """End the set, with its landmark trace ``(frame count, encoding, bytes)`` when frames came."""
        with self.factory() as db, db.begin():
            exercise_set = db.get(ExerciseSet, set_id)
            if exercise_set.ended_at is None:
                training.finish_set(db, exercise_set, hold_seconds_done=hold_seconds_done, pain=pain)
                if trace is not None:
                    _put_trace(db, exercise_set, trace)

    def keep_trace(self, set_id: int, trace: EncodedTrace) -> None:
        """Store the frames of a set still open when the connection dropped (the next one resumes them)."""
        with self.factory() as db, db.begin():
            exercise_set = db.get(ExerciseSet, set_id)
            if exercise_set is not None and exercise_set.ended_at is None:
                _put_trace(db, exercise_set, trace)


    def record_stop(self, rule: str, reason: str, plan_item_id: int | None, nrs: int | None = None) -> None:
        """Store a §5.4 stop of ``plan_item_id`` (see :mod:`~backcoach.app.live.stops`)."""
        with self.factory() as db, db.begin():
            session = training.get_session(db, self.info.session_id, self.info.patient_id)
            if session is not None:
                stops.record_stop(db, session, rule, reason, plan_item_id=plan_item_id, nrs=nrs)

    def refused_items(self) -> tuple[bool, set[int]]:
        """(a re-check or the fall questions are pending, the plan items skipped for the rest of the
        session after a stop)."""
        with self.factory() as db:
            session = training.get_session(db, self.info.session_id, self.info.patient_id)
            if session is None:
                return False, set()
            pending = stops.pending_recheck(db, session) or stops.pending_fall(db, session)
            return pending is not None, stops.stopped_items(db, session)


def _put_trace(db: Session, exercise_set: ExerciseSet, trace: EncodedTrace) -> None:
    """Write the set's trace, replacing a partial one kept from a dropped connection."""
    frame_count, encoding, data = trace
    stored = portal.trace_of(db, exercise_set.id)
    if stored is None:
        training.save_trace(db, exercise_set, frame_count=frame_count, encoding=encoding, data=data)
    else:
        stored.frame_count, stored.encoding, stored.data = frame_count, encoding, data


def _stored_trace(db: Session, set_id: int) -> tuple[np.ndarray, np.ndarray] | None:
    stored = portal.trace_of(db, set_id)
    if stored is None:
        return None
    try:
        t, values, _size = decode_trace(stored)
    except TraceError:
        return None  # an unreadable partial trace: the set's replay starts at the reconnect
    return t, values


def _find_set(session: ExerciseSession, plan_item_id: int, set_index: int, side: str | None) -> ExerciseSet | None:
    return next((s for s in session.sets
                 if s.plan_item_id == plan_item_id and s.set_index == set_index and s.side == side), None)

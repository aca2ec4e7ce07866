"""Exercise sessions, written as they happen: a set when it starts, each rep when it is counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from backcoach.store.base import utcnow
from backcoach.store.models import (
    ExerciseSession,
    ExerciseSet,
    LandmarkTrace,
    Rep,
    SessionMode,
    SessionStatus,
    TrainingReport,
)


def start_session(
    db: Session,
    *,
    patient_id: int,
    mode: SessionMode,
    pain_before: int | None,
    plan_session_id: int | None = None,
) -> ExerciseSession:
    session = ExerciseSession(
        patient_id=patient_id,
        plan_session_id=plan_session_id,
        mode=mode,
        pain_before=pain_before,
    )
    db.add(session)
    db.flush()
    return session


def get_session(db: Session, session_id: int, patient_id: int | None = None) -> ExerciseSession | None:
    """A session with its sets and reps; restricted to ``patient_id`` when given."""
    query = (
        select(ExerciseSession)
        .where(ExerciseSession.id == session_id)
        .options(selectinload(ExerciseSession.sets).selectinload(ExerciseSet.reps))
    )
    if patient_id is not None:
        query = query.where(ExerciseSession.patient_id == patient_id)
    return db.scalar(query)


def start_set(
    db: Session,
    session: ExerciseSession,
    *,
    exercise_id: str,
    set_index: int,
    side: str | None = None,
    reps_planned: int | None = None,
    hold_seconds_planned: int | None = None,
    plan_item_id: int | None = None,
) -> ExerciseSet:
    exercise_set = ExerciseSet(
        plan_item_id=plan_item_id,
        exercise_id=exercise_id,
        set_index=set_index,
        side=side,
        reps_planned=reps_planned,
        hold_seconds_planned=hold_seconds_planned,
    )
    session.sets.append(exercise_set)
    db.flush()
    return exercise_set


def record_rep(
    db: Session,
    exercise_set: ExerciseSet,
    *,
    index: int,
    counted: bool,
    score: float | None = None,
    grade: str | None = None,
    errors: list[Any] | None = None,
    metrics: dict[str, Any] | None = None,
    side: str | None = None,
    reason: str | None = None,
) -> Rep:
    """Write one rep now (call ``db.commit()`` right after, so nothing waits for the set's end)."""
    rep = Rep(
        index=index,
        side=side,
        counted=counted,
        reason=reason,
        score=score,
        grade=grade,
        errors=errors or [],
        metrics=metrics or {},
    )
    exercise_set.reps.append(rep)
    db.flush()
    return rep


def finish_set(
    db: Session,
    exercise_set: ExerciseSet,
    *,
    hold_seconds_done: float | None = None,
    pain: int | None = None,
    cr10: float | None = None,
) -> None:
    exercise_set.ended_at = utcnow()
    exercise_set.hold_seconds_done = hold_seconds_done
    exercise_set.pain = pain
    exercise_set.cr10 = cr10
    db.flush()


def save_trace(
    db: Session, exercise_set: ExerciseSet, *, frame_count: int, encoding: str, data: bytes
) -> LandmarkTrace:
    trace = LandmarkTrace(
        set_id=exercise_set.id, frame_count=frame_count, encoding=encoding, data=data
    )
    db.add(trace)
    db.flush()
    return trace


def finish_session(
    db: Session,
    session: ExerciseSession,
    *,
    status: SessionStatus,
    pain_after: int | None,
    cr10: float | None,
    stop_reason: str | None = None,
) -> None:
    session.status = status
    session.ended_at = utcnow()
    session.pain_after = pain_after
    session.cr10 = cr10
    session.stop_reason = stop_reason
    db.flush()


def save_report(db: Session, session: ExerciseSession, summary: dict[str, Any]) -> TrainingReport:
    report = TrainingReport(session_id=session.id, summary=summary)
    db.add(report)
    db.flush()
    return report


def get_report(db: Session, report_id: int) -> TrainingReport | None:
    return db.get(TrainingReport, report_id)


def report_for_session(db: Session, session_id: int) -> TrainingReport | None:
    return db.scalar(select(TrainingReport).where(TrainingReport.session_id == session_id))


def sessions_of(db: Session, patient_id: int, limit: int = 50) -> list[ExerciseSession]:
    return list(
        db.scalars(
            select(ExerciseSession)
            .where(ExerciseSession.patient_id == patient_id)
            .order_by(ExerciseSession.started_at.desc())
            .limit(limit)
        )
    )


def completed_sessions(db: Session, patient_id: int) -> list[ExerciseSession]:
    """Completed sessions, oldest first, with sets and reps loaded (for trends and reports)."""
    return list(
        db.scalars(
            select(ExerciseSession)
            .where(
                ExerciseSession.patient_id == patient_id,
                ExerciseSession.status == SessionStatus.COMPLETED,
            )
            .order_by(ExerciseSession.started_at)
            .options(selectinload(ExerciseSession.sets).selectinload(ExerciseSet.reps))
        )
    )


def mean_score(db: Session, session_id: int) -> float | None:
    return db.scalar(
        select(func.avg(Rep.score))
        .join(ExerciseSet)
        .where(ExerciseSet.session_id == session_id, Rep.counted)
    )

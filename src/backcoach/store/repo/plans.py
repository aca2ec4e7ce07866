"""Plans and their scheduled sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backcoach.store.models import ExerciseSession, Plan, PlanItem, PlanSession, SessionMode, SessionStatus


@dataclass(frozen=True)
class ItemSpec:
    """One exercise of a planned session, as the prescription produced it."""

    exercise_id: str
    block: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    rest_seconds: int
    expected_seconds: int
    level: int = 1
    per_side: bool = False


@dataclass(frozen=True)
class SessionSpec:
    week: int
    index_in_week: int
    scheduled_on: date
    items: tuple[ItemSpec, ...]


def create_plan(
    db: Session,
    *,
    patient_id: int,
    mode: SessionMode,
    starts_on: date,
    sessions: list[SessionSpec],
    weeks: int = 4,
    created_by_id: int | None = None,
    classification_id: int | None = None,
) -> Plan:
    """Store a new active plan, retiring the patient's previous one."""
    for old in db.scalars(select(Plan).where(Plan.patient_id == patient_id, Plan.active)):
        old.active = False
    plan = Plan(
        patient_id=patient_id,
        mode=mode,
        starts_on=starts_on,
        weeks=weeks,
        created_by_id=created_by_id,
        classification_id=classification_id,
    )
    plan.sessions.extend(_plan_session(spec) for spec in sessions)
    db.add(plan)
    db.flush()
    return plan


def _plan_session(spec: SessionSpec) -> PlanSession:
    plan_session = PlanSession(week=spec.week, index_in_week=spec.index_in_week, scheduled_on=spec.scheduled_on)
    plan_session.items = [
        PlanItem(position=position, **item.__dict__) for position, item in enumerate(spec.items, start=1)
    ]
    return plan_session


def add_sessions(db: Session, plan: Plan, sessions: list[SessionSpec]) -> None:
    """Append sessions to a stored plan (a reassessment's next block); ``plan.weeks`` grows to cover them."""
    plan.sessions.extend(_plan_session(spec) for spec in sessions)
    plan.weeks = max([plan.weeks, *(spec.week for spec in sessions)])
    db.flush()


def active_plan(db: Session, patient_id: int) -> Plan | None:
    return db.scalar(
        select(Plan)
        .where(Plan.patient_id == patient_id, Plan.active)
        .options(selectinload(Plan.sessions).selectinload(PlanSession.items))
    )


def get_plan_session(db: Session, patient_id: int, plan_session_id: int) -> PlanSession | None:
    """A session of the patient's active plan (None if it belongs to someone else)."""
    return db.scalar(
        select(PlanSession)
        .join(Plan)
        .where(PlanSession.id == plan_session_id, Plan.patient_id == patient_id, Plan.active)
        .options(selectinload(PlanSession.items))
    )


def completed_plan_session_ids(db: Session, patient_id: int) -> set[int]:
    return set(
        db.scalars(
            select(ExerciseSession.plan_session_id).where(
                ExerciseSession.patient_id == patient_id,
                ExerciseSession.status == SessionStatus.COMPLETED,
                ExerciseSession.plan_session_id.is_not(None),
            )
        )
    )

"""Queries for exporting a patient's clinical record (questionnaires and the active plan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from backcoach.store.repo import clinical, plans
from backcoach.trial.fhir_patient import PlannedItem, StoredResponse


@dataclass(frozen=True)
class PlanSnapshot:
    """The active plan's identity and every planned exercise, as plain values."""

    id: int
    starts_on: date
    weeks: int
    items: tuple[PlannedItem, ...]


def stored_responses(db: Session, patient_id: int) -> list[StoredResponse]:
    """Every questionnaire response of the patient, oldest first, with the raw answers."""
    return [
        StoredResponse(id=r.id, instrument=r.instrument, version=r.instrument_version, week=r.week,
                       completed_at=r.completed_at, answers=list((r.answers or {}).get("items", [])),
                       result=dict(r.result or {}))
        for r in clinical.responses_of(db, patient_id)
    ]


def active_plan_snapshot(db: Session, patient_id: int) -> PlanSnapshot | None:
    plan = plans.active_plan(db, patient_id)
    if plan is None:
        return None
    items = tuple(
        PlannedItem(session.scheduled_on, item.exercise_id, item.sets, item.reps, item.hold_seconds)
        for session in plan.sessions for item in session.items
    )
    return PlanSnapshot(plan.id, plan.starts_on, plan.weeks, items)

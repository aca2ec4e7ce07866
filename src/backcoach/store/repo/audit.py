"""The audit trail: one row for every access to a patient's health data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import AuditEvent


def record(
    db: Session,
    *,
    actor_id: int | None,
    subject_id: int | None,
    action: str,
    resource: str,
    reason: str,
    resource_id: str | int | None = None,
    path: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        subject_id=subject_id,
        action=action,
        resource=resource,
        resource_id=None if resource_id is None else str(resource_id),
        reason=reason,
        path=path,
    )
    db.add(event)
    db.flush()
    return event


def events_about(db: Session, subject_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_id == subject_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )

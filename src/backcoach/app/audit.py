"""Recording access to health data: every page that shows it calls :func:`audit_read`."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from backcoach.store.models import Role, User
from backcoach.store.repo import accounts
from backcoach.store.repo import audit as audit_repo

#: Why the data was opened; one fixed wording per purpose so the trail can be filtered.
OWN_RECORD = "patient viewing own record"
TREATING_THERAPIST = "treating therapist reviewing patient"
GROUP_SHARED = "report shared by the patient in the cohort group"


def reason_as_owner_or_therapist(db: Session, viewer: User, owner_id: int) -> str | None:
    """Why ``viewer`` may read ``owner_id``'s records directly: their own, or their treating therapist's."""
    if viewer.id == owner_id:
        return OWN_RECORD
    if viewer.role == Role.THERAPIST and accounts.follows(db, viewer.id, owner_id):
        return TREATING_THERAPIST
    return None


def _audit(
    action: str,
    db: Session,
    request: Request,
    actor: User,
    subject_id: int,
    resource: str,
    reason: str,
    resource_id: str | int | None,
) -> None:
    audit_repo.record(
        db,
        actor_id=actor.id,
        subject_id=subject_id,
        action=action,
        resource=resource,
        resource_id=resource_id,
        reason=reason,
        path=request.url.path,
    )


def audit_read(
    db: Session,
    request: Request,
    actor: User,
    subject_id: int,
    resource: str,
    reason: str,
    resource_id: str | int | None = None,
) -> None:
    """Record that ``actor`` opened ``subject_id``'s health data, and why."""
    _audit("read", db, request, actor, subject_id, resource, reason, resource_id)


def audit_write(
    db: Session,
    request: Request,
    actor: User,
    subject_id: int,
    resource: str,
    reason: str,
    resource_id: str | int | None = None,
) -> None:
    """Record that ``actor`` changed ``subject_id``'s health data, and why."""
    _audit("write", db, request, actor, subject_id, resource, reason, resource_id)

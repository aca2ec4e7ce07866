"""Users, clinics, therapist assignments, invitations and consents."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.base import utcnow
from backcoach.store.models import (
    Consent,
    ConsentKind,
    Invitation,
    Role,
    TherapistAssignment,
    User,
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def get_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    db: Session,
    *,
    email: str,
    password_hash: str,
    display_name: str,
    role: Role,
    clinic_id: int | None = None,
    locale: str = "en",
) -> User:
    user = User(
        email=normalise_email(email),
        password_hash=password_hash,
        display_name=display_name,
        role=role,
        clinic_id=clinic_id,
        locale=locale,
    )
    db.add(user)
    db.flush()
    return user


def assign_patient(db: Session, therapist: User, patient: User) -> TherapistAssignment:
    """Make ``therapist`` the patient's therapist, closing any earlier open assignment."""
    for open_assignment in db.scalars(
        select(TherapistAssignment).where(
            TherapistAssignment.patient_id == patient.id, TherapistAssignment.ended_at.is_(None)
        )
    ):
        open_assignment.ended_at = utcnow()
    assignment = TherapistAssignment(therapist_id=therapist.id, patient_id=patient.id)
    db.add(assignment)
    db.flush()
    return assignment


def patients_of(db: Session, therapist_id: int) -> list[User]:
    """The patients a therapist currently follows, by name."""
    return list(
        db.scalars(
            select(User)
            .join(TherapistAssignment, TherapistAssignment.patient_id == User.id)
            .where(
                TherapistAssignment.therapist_id == therapist_id,
                TherapistAssignment.ended_at.is_(None),
            )
            .order_by(User.display_name)
        )
    )


def therapist_of(db: Session, patient_id: int) -> User | None:
    return db.scalar(
        select(User)
        .join(TherapistAssignment, TherapistAssignment.therapist_id == User.id)
        .where(
            TherapistAssignment.patient_id == patient_id, TherapistAssignment.ended_at.is_(None)
        )
    )


def follows(db: Session, therapist_id: int, patient_id: int) -> bool:
    return (
        db.scalar(
            select(TherapistAssignment.id).where(
                TherapistAssignment.therapist_id == therapist_id,
                TherapistAssignment.patient_id == patient_id,
                TherapistAssignment.ended_at.is_(None),
            )
        )
        is not None
    )


def create_invitation(
    db: Session,
    *,
    token: str,
    therapist: User,
    lifetime: timedelta,
    group_id: int | None = None,
    note: str = "",
) -> Invitation:
    invitation = Invitation(
        token=token,
        therapist_id=therapist.id,
        clinic_id=therapist.clinic_id,
        group_id=group_id,
        note=note,
        expires_at=utcnow() + lifetime,
    )
    db.add(invitation)
    db.flush()
    return invitation


def get_invitation(db: Session, token: str) -> Invitation | None:
    return db.scalar(select(Invitation).where(Invitation.token == token))


def invitations_of(db: Session, therapist_id: int) -> list[Invitation]:
    return list(
        db.scalars(
            select(Invitation)
            .where(Invitation.therapist_id == therapist_id)
            .order_by(Invitation.created_at.desc())
        )
    )


def invitation_usable(invitation: Invitation, now: datetime) -> bool:
    return invitation.used_at is None and invitation.expires_at > now


def grant_consent(db: Session, user: User, kind: ConsentKind, statement_version: str) -> Consent:
    consent = Consent(user_id=user.id, kind=kind, statement_version=statement_version)
    db.add(consent)
    db.flush()
    return consent


def active_consent(db: Session, user_id: int, kind: ConsentKind) -> Consent | None:
    return db.scalar(
        select(Consent)
        .where(Consent.user_id == user_id, Consent.kind == kind, Consent.withdrawn_at.is_(None))
        .order_by(Consent.granted_at.desc())
    )


def consents_of(db: Session, user_id: int) -> list[Consent]:
    return list(
        db.scalars(select(Consent).where(Consent.user_id == user_id).order_by(Consent.granted_at))
    )


def withdraw_consent(db: Session, user_id: int, kind: ConsentKind) -> int:
    """Withdraw every active consent of ``kind``; returns how many were withdrawn."""
    now = utcnow()
    count = 0
    for consent in db.scalars(
        select(Consent).where(
            Consent.user_id == user_id, Consent.kind == kind, Consent.withdrawn_at.is_(None)
        )
    ):
        consent.withdrawn_at = now
        count += 1
    return count

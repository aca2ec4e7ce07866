"""People, clinics, invitations, consents and the audit trail of health-data access."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backcoach.store.base import Base, str_enum, utcnow


class Role(enum.StrEnum):
    PATIENT = "patient"
    THERAPIST = "therapist"
    RESEARCHER = "researcher"
    #: Sees coded arms only until unblinding.
    STATISTICIAN = "statistician"
    #: Blinded outcome assessor: never sees the arm.
    ASSESSOR = "assessor"
    ADMIN = "admin"


class ConsentKind(enum.StrEnum):
    HEALTH_DATA = "health_data"
    CAMERA = "camera"


class Clinic(Base):
    __tablename__ = "clinic"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    clinic: Mapped[Clinic | None] = relationship()


class TherapistAssignment(Base):
    """A therapist follows a patient from ``started_at`` until ``ended_at`` (open while None)."""

    __tablename__ = "therapist_assignment"
    __table_args__ = (Index("ix_assignment_patient_open", "patient_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])
    patient: Mapped[User] = relationship(foreign_keys=[patient_id])


class Invitation(Base):
    """A single-use link a therapist gives a new patient (shown as text and QR code)."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    therapist_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinic.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("cohort_group.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    therapist: Mapped[User] = relationship(foreign_keys=[therapist_id])


class Consent(Base):
    """One consent given at ``granted_at`` for one purpose; withdrawing stamps ``withdrawn_at``."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(str_enum(ConsentKind))
    #: Version of the statement the person agreed to (the text may change later).
    statement_version: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who touched whose health data, what, when and why. Rows are only ever added."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_subject_at", "subject_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The patient whose data it is.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(String(300))

"""Tables of the therapist and research portal: plan proposals and revisions, exercise-file
versions, and the trial's vault, reveal log, consents, withdrawals and adverse events.

The trial tables keep what :mod:`backcoach.trial` returns as JSON next to the few columns the
portal queries by, so the library's own verification (hash chain, seal) runs on exactly what was
stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backcoach.store.base import Base, utcnow


class PlanProposal(Base):
    """A reassessment's proposed plan change, waiting for a therapist's approval or rejection."""

    __tablename__ = "plan_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    week: Mapped[int]
    #: The clinical library's ``ReassessmentResult.to_dict()``.
    reassessment: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``plan_difference(...)`` as the clinical library returned it.
    difference: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The proposed items from ``from_week`` on: ``[{"week", "index_in_week", "items": [ItemSpec]}]``.
    proposed: Mapped[list[Any]] = mapped_column(JSON)
    #: pending, approved or rejected.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")


class PlanRevision(Base):
    """One change to a patient's active plan, who made it and what changed (kept forever)."""

    __tablename__ = "plan_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: therapist_edit or proposal.
    source: Mapped[str] = mapped_column(String(24))
    changes: Mapped[list[Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ExerciseVersion(Base):
    """A therapist-edited exercise file; the shipped library files are never overwritten."""

    __tablename__ = "exercise_version"
    __table_args__ = (UniqueConstraint("exercise_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    toml: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrialVault(Base):
    """The sealed allocation sequence and the arm codes: read only by the reveal service."""

    __tablename__ = "trial_vault"

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"), unique=True)
    #: ``sequence_to_dict(sealed)``.
    sequence: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``public_view(sealed)``: seal and commitments, safe to show.
    public: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Real arm -> neutral code for the statistician (``make_arm_codes``).
    arm_codes: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Hash of the last reveal record (the chain head), updated with every reveal.
    head: Mapped[str | None] = mapped_column(String(128))
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unblinded_at: Mapped[datetime | None]
    unblinded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class TrialReveal(Base):
    """One reveal record of the hash chain exactly as ``reveal_next`` returned it."""

    __tablename__ = "trial_reveal"
    __table_args__ = (UniqueConstraint("trial_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"), index=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("trial_allocation.id"), unique=True)
    index: Mapped[int]
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class TrialConsent(Base):
    """A signed consent to one version of the information sheet, and who took it."""

    __tablename__ = "trial_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), index=True)
    form_version: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[datetime]
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None]


class TrialWithdrawal(Base):
    __tablename__ = "trial_withdrawal"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), unique=True)
    on: Mapped[date]
    #: A ``backcoach.trial.events.WithdrawalReason`` value.
    reason: Mapped[str] = mapped_column(String(32))
    stops_intervention: Mapped[bool]
    stops_follow_up: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class TrialAdverseEvent(Base):
    __tablename__ = "trial_adverse_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), index=True)
    onset: Mapped[date]
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    serious: Mapped[bool]
    relatedness: Mapped[str] = mapped_column(String(16))
    resolved_on: Mapped[date | None]
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

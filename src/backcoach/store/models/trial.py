"""Where the randomised trial keeps its records.

The trial library (``backcoach.trial``) is pure: it computes sequences, schedules and analyses
from plain values. These tables only persist what it produces and what staff enter, with columns
named like its long-format data (``subject, arm, week, outcome, value``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backcoach.store.base import Base, utcnow


class TrialRecord(Base):
    __tablename__ = "trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The trial definition as the trial library serialises it (arms, ratio, strata, visits).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Head of the sealed allocation sequence's hash chain, fixed before the first enrolment.
    sequence_seal: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrialParticipant(Base):
    __tablename__ = "trial_participant"
    __table_args__ = (UniqueConstraint("trial_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"), index=True)
    #: Pseudonymous code used in analyses and exports (the ``subject`` column).
    code: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    stratum: Mapped[str | None] = mapped_column(String(64))
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)
    eligible: Mapped[bool]
    #: Each inclusion/exclusion criterion's answer and, when not eligible, the reasons.
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    consented_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class TrialAllocation(Base):
    """One revealed entry of the sealed sequence; ``chain_hash`` links it to the one before."""

    __tablename__ = "trial_allocation"
    __table_args__ = (UniqueConstraint("trial_id", "sequence_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trial.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), unique=True)
    sequence_index: Mapped[int]
    arm: Mapped[str] = mapped_column(String(32))
    chain_hash: Mapped[str] = mapped_column(String(128))
    revealed_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class TrialVisit(Base):
    __tablename__ = "trial_visit"
    __table_args__ = (UniqueConstraint("participant_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    week: Mapped[int]
    due_on: Mapped[date]
    window_opens_on: Mapped[date]
    window_closes_on: Mapped[date]
    done_at: Mapped[datetime | None]


class TrialOutcome(Base):
    """One outcome value at one week; repeated clinic measurements are kept in ``measurements``."""

    __tablename__ = "trial_outcome"
    __table_args__ = (UniqueConstraint("participant_id", "week", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("trial_participant.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("trial_visit.id"))
    week: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(32))
    value: Mapped[float]
    measurements: Mapped[list[float]] = mapped_column(JSON, default=list)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Self-assessment results: questionnaires, red-flag screenings, tests and classifications.

Raw answers are always kept beside the scored result and the instrument version, so a result can
be re-scored when an instrument's scoring is corrected.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backcoach.store.base import Base, utcnow


class QuestionnaireResponse(Base):
    __tablename__ = "questionnaire_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    instrument: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[str] = mapped_column(String(32))
    #: Weeks since the plan started (0 = baseline); None outside a plan.
    week: Mapped[int | None]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The headline score copied out of ``result`` for trends and sorting.
    total: Mapped[float | None]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RedFlagScreening(Base):
    __tablename__ = "red_flag_screening"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The screening's action term (e.g. ``CONTINUE``, ``REFER``, ``EMERGENCY``).
    outcome: Mapped[str] = mapped_column(String(32))
    #: Which flags fired, with their source tags, as the clinical library reported them.
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    screened_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assessment(Base):
    """A history form or a camera test (lumbar ROM, endurance hold) with its measured values."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClassificationResult(Base):
    __tablename__ = "classification_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    category: Mapped[str] = mapped_column(String(48))
    approach: Mapped[str | None] = mapped_column(String(48))
    #: The rules that fired and the inputs they used, for the plain-words explanation.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engine_version: Mapped[str] = mapped_column(String(32))
    classified_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A clinician's confirmation (required after a reclassification).
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None]

"""Exercise plans: weeks of scheduled sessions, each a list of exercises with their dosage."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backcoach.store.base import Base, str_enum, utcnow


class SessionMode(enum.StrEnum):
    #: Camera and on-device pose with real-time feedback.
    AI = "ai"
    #: Demonstrations and timers only (the trial's control arm).
    VIDEO = "video"


class Plan(Base):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    classification_id: Mapped[int | None] = mapped_column(ForeignKey("classification_result.id"))
    mode: Mapped[SessionMode] = mapped_column(str_enum(SessionMode))
    starts_on: Mapped[date]
    weeks: Mapped[int] = mapped_column(default=4)
    #: Only one plan per patient is active; replaced plans are kept for the record.
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[PlanSession]] = relationship(
        back_populates="plan", order_by="PlanSession.scheduled_on", cascade="all, delete-orphan"
    )


class PlanSession(Base):
    __tablename__ = "plan_session"
    __table_args__ = (UniqueConstraint("plan_id", "week", "index_in_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    week: Mapped[int]
    index_in_week: Mapped[int]
    scheduled_on: Mapped[date]

    plan: Mapped[Plan] = relationship(back_populates="sessions")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan_session", order_by="PlanItem.position", cascade="all, delete-orphan"
    )


class PlanItem(Base):
    """One exercise in a session with its dosage (reps or hold seconds, sets, rest)."""

    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_session_id: Mapped[int] = mapped_column(ForeignKey("plan_session.id"), index=True)
    position: Mapped[int]
    #: The session block: warm_up, category, motor_control, flexibility, cool_down.
    block: Mapped[str] = mapped_column(String(32))
    exercise_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(default=1)
    sets: Mapped[int]
    reps: Mapped[int | None]
    hold_seconds: Mapped[int | None]
    rest_seconds: Mapped[int] = mapped_column(default=30)
    #: Per-side exercises are done on the left and the right for each set.
    per_side: Mapped[bool] = mapped_column(default=False)
    expected_seconds: Mapped[int]

    plan_session: Mapped[PlanSession] = relationship(back_populates="items")

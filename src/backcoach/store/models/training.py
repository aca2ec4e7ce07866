"""What happened in each exercise session, stored rep by rep as it happens.

No video is ever stored; the optional landmark trace is enough to replay a set as a skeleton.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backcoach.store.base import Base, str_enum, utcnow
from backcoach.store.models.plans import SessionMode


class SessionStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    #: Ended early by a stop rule or by the patient.
    STOPPED = "stopped"


class ExerciseSession(Base):
    __tablename__ = "exercise_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    plan_session_id: Mapped[int | None] = mapped_column(ForeignKey("plan_session.id"))
    mode: Mapped[SessionMode] = mapped_column(str_enum(SessionMode))
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus), default=SessionStatus.IN_PROGRESS
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    #: Pain NRS 0-10 at check-in and at the end.
    pain_before: Mapped[int | None]
    pain_after: Mapped[int | None]
    #: Session exertion on the Borg CR10 (0-10 in 0.5 steps, 11 = "more than 10").
    cr10: Mapped[float | None]
    stop_reason: Mapped[str | None] = mapped_column(String(64))

    sets: Mapped[list[ExerciseSet]] = relationship(
        back_populates="session", order_by="ExerciseSet.id", cascade="all, delete-orphan"
    )


class ExerciseSet(Base):
    __tablename__ = "exercise_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exercise_session.id"), index=True)
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"))
    exercise_id: Mapped[str] = mapped_column(String(64))
    set_index: Mapped[int]
    #: left, right or None for bilateral exercises.
    side: Mapped[str | None] = mapped_column(String(8))
    reps_planned: Mapped[int | None]
    hold_seconds_planned: Mapped[int | None]
    #: Valid hold seconds reached (hold exercises).
    hold_seconds_done: Mapped[float | None]
    pain: Mapped[int | None]
    cr10: Mapped[float | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    session: Mapped[ExerciseSession] = relationship(back_populates="sets")
    reps: Mapped[list[Rep]] = relationship(
        back_populates="exercise_set", order_by="Rep.index", cascade="all, delete-orphan"
    )


class Rep(Base):
    """One repetition as the engine judged it, written the moment it is counted."""

    __tablename__ = "rep"
    __table_args__ = (UniqueConstraint("set_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exercise_set.id"), index=True)
    index: Mapped[int]
    side: Mapped[str | None] = mapped_column(String(8))
    counted: Mapped[bool]
    #: Why a rep was not counted (None when counted).
    reason: Mapped[str | None] = mapped_column(String(120))
    score: Mapped[float | None]
    #: qualified, good, excellent or super_excellent.
    grade: Mapped[str | None] = mapped_column(String(24))
    errors: Mapped[list[Any]] = mapped_column(JSON, default=list)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    exercise_set: Mapped[ExerciseSet] = relationship(back_populates="reps")


class LandmarkTrace(Base):
    """A set's landmarks for skeleton replay (float32 (n, 33, 4) bytes plus timestamps)."""

    __tablename__ = "landmark_trace"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exercise_set.id"), unique=True)
    frame_count: Mapped[int]
    #: Layout of ``data``, so readers can refuse what they do not understand.
    encoding: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TrainingReport(Base):
    """The summary shown after a session (and drawn as a PNG), frozen when the session ends."""

    __tablename__ = "training_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("exercise_session.id"), unique=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ExerciseSession] = relationship()

"""Visit reminders on their way to the participant: in-app notices and the delivery outbox.

``reminder_outbox`` holds one row per reminder and channel (the unique key makes sending
idempotent). ``backcoach reminders send`` delivers ``in_app`` rows itself, as a ``notification``
the patient reads at /notices; ``email`` rows wait for a mail worker, which takes pending rows,
delivers them and marks each sent (or records the error and tries again later).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backcoach.store.base import Base, utcnow


class Notification(Base):
    """A notice shown to one user in the app."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class ReminderOutbox(Base):
    """One visit reminder to deliver on one channel (``in_app`` or ``email``)."""

    __tablename__ = "reminder_outbox"
    __table_args__ = (UniqueConstraint("visit_id", "remind_on", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("trial_visit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    channel: Mapped[str] = mapped_column(String(16))
    #: The reminder's own day and kind (``before``, ``due``, ``closing``; trial.visits.ReminderKind).
    remind_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(16))
    #: Where the worker delivers it (the email address); None for in-app notices.
    address: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))

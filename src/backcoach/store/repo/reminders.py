"""Queries for visit reminders: the visits still open, the outbox and in-app notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backcoach.store.base import utcnow
from backcoach.store.models import (
    Notification,
    ReminderOutbox,
    TrialConsent,
    TrialParticipant,
    TrialVisit,
    TrialWithdrawal,
    User,
)


@dataclass(frozen=True)
class OpenVisit:
    visit: TrialVisit
    participant: TrialParticipant
    user: User | None  # the participant's patient account, when linked


def open_visits(db: Session, today: date) -> list[OpenVisit]:
    """Visits not done whose window has not closed, of participants still followed up.

    Left out: participants withdrawn from follow-up and those whose latest consent is withdrawn.
    """
    stopped = select(TrialWithdrawal.participant_id).where(TrialWithdrawal.stops_follow_up.is_(True))
    rows = db.execute(
        select(TrialVisit, TrialParticipant, User)
        .join(TrialParticipant, TrialParticipant.id == TrialVisit.participant_id)
        .outerjoin(User, User.id == TrialParticipant.user_id)
        .where(TrialVisit.done_at.is_(None), TrialVisit.window_closes_on >= today,
               TrialParticipant.id.not_in(stopped))
        .order_by(TrialVisit.due_on, TrialVisit.id))
    rows = list(rows)
    latest: dict[int, TrialConsent] = {}  # each participant's latest consent (rows come oldest first)
    for consent in db.scalars(select(TrialConsent)
                              .where(TrialConsent.participant_id.in_({p.id for _, p, _ in rows}))
                              .order_by(TrialConsent.signed_at, TrialConsent.id)):
        latest[consent.participant_id] = consent
    return [OpenVisit(visit, participant, user) for visit, participant, user in rows
            if participant.id in latest and latest[participant.id].withdrawn_at is None]


def enqueue(db: Session, *, visit_id: int, user_id: int, channel: str, remind_on: date, kind: str,
            address: str | None, locale: str, subject: str, body: str) -> ReminderOutbox | None:
    """Add a reminder to the outbox; None when this visit's reminder of that day is already there."""
    exists = db.scalar(select(ReminderOutbox.id).where(
        ReminderOutbox.visit_id == visit_id, ReminderOutbox.remind_on == remind_on, ReminderOutbox.channel == channel))
    if exists is not None:
        return None
    row = ReminderOutbox(visit_id=visit_id, user_id=user_id, channel=channel, remind_on=remind_on, kind=kind,
                         address=address, locale=locale, subject=subject, body=body)
    db.add(row)
    db.flush()
    return row


def reminders_of_visits(db: Session, visit_ids: list[int]) -> dict[int, list[ReminderOutbox]]:
    """Outbox rows (every channel, sent or not) of each of these visits."""
    out: dict[int, list[ReminderOutbox]] = {}
    for row in db.scalars(select(ReminderOutbox).where(ReminderOutbox.visit_id.in_(visit_ids))
                          .order_by(ReminderOutbox.id)):
        out.setdefault(row.visit_id, []).append(row)
    return out


def pending(db: Session, channel: str, limit: int | None = None) -> list[ReminderOutbox]:
    """Outbox rows of ``channel`` not sent yet, oldest first (what a worker drains)."""
    query = (select(ReminderOutbox).where(ReminderOutbox.channel == channel, ReminderOutbox.sent_at.is_(None))
             .order_by(ReminderOutbox.id))
    return list(db.scalars(query.limit(limit) if limit else query))


def mark_sent(db: Session, row: ReminderOutbox, at: datetime | None = None,
              notification_id: int | None = None) -> None:
    row.sent_at = at or utcnow()
    row.attempts += 1
    row.last_error = None
    row.notification_id = notification_id
    db.flush()


def mark_failed(db: Session, row: ReminderOutbox, error: str) -> None:
    """Keep the row pending (a later run tries again) and record why this attempt failed."""
    row.attempts += 1
    row.last_error = error
    db.flush()


def notify(db: Session, *, user_id: int, kind: str, subject: str, body: str) -> Notification:
    notice = Notification(user_id=user_id, kind=kind, subject=subject, body=body)
    db.add(notice)
    db.flush()
    return notice


def notifications_of(db: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(db: Session, user_id: int) -> None:
    db.execute(update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
               .values(read_at=utcnow()))

"""Sending trial visit reminders: the library picks the reminder and its text, the store keeps the
outbox, and this module connects them (``backcoach reminders send`` runs it once a day).

Delivery paths that exist on this platform: an in-app notice (the patient's /notices page),
delivered here; and email, queued in the outbox for a mail worker (:func:`smtp_mailer` is one,
used when ``--smtp-host`` is given). Every step is idempotent: the outbox holds one row per visit,
reminder day and channel, so running the command twice sends nothing twice.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from sqlalchemy.orm import Session

from backcoach.app.portal.trial import scheduled_visit
from backcoach.store.models import ReminderOutbox
from backcoach.store.repo import reminders as reminder_repo
from backcoach.trial.reminders import reminder_text, reminder_to_send

IN_APP = "in_app"
EMAIL = "email"
NOTICE_KIND = "visit_reminder"

Mailer = Callable[[ReminderOutbox], None]


@dataclass
class SendReport:
    queued: int = 0  # new outbox rows (all channels)
    delivered_in_app: int = 0
    emailed: int = 0
    email_failed: int = 0
    email_pending: int = 0  # email rows left for the mail worker after this run
    no_account: list[str] = field(default_factory=list)  # participant codes due a reminder, no linked account


def language_of(locale: str | None) -> str:
    """The reminder texts' language tag for an account locale (``zh_Hans`` -> ``zh-Hans``)."""
    return "zh-Hans" if locale == "zh_Hans" else "en"


def queue_due_reminders(db: Session, today: date, report: SendReport) -> None:
    """Put today's reminders in the outbox: an in-app notice and an email for each linked account."""
    for open_visit in reminder_repo.open_visits(db, today):
        reminder = reminder_to_send(scheduled_visit(open_visit.visit), today)
        if reminder is None:
            continue
        user = open_visit.user
        if user is None:
            report.no_account.append(open_visit.participant.code)
            continue
        language = language_of(user.locale)
        text = reminder_text(reminder, language)
        for channel, address in ((IN_APP, None), (EMAIL, user.email)):
            row = reminder_repo.enqueue(db, visit_id=open_visit.visit.id, user_id=user.id, channel=channel,
                                        remind_on=reminder.remind_on, kind=reminder.kind.value, address=address,
                                        locale=language, subject=text.subject, body=text.body)
            report.queued += row is not None


def deliver_in_app(db: Session, report: SendReport) -> None:
    """Turn every pending in-app row into a notice and mark it sent."""
    for row in reminder_repo.pending(db, IN_APP):
        notice = reminder_repo.notify(db, user_id=row.user_id, kind=NOTICE_KIND, subject=row.subject, body=row.body)
        reminder_repo.mark_sent(db, row, notification_id=notice.id)
        report.delivered_in_app += 1


def drain_email(db: Session, mailer: Mailer, report: SendReport) -> None:
    """Send pending email rows with ``mailer``; a failure stays pending with its error recorded."""
    for row in reminder_repo.pending(db, EMAIL):
        try:
            mailer(row)
        except (OSError, smtplib.SMTPException) as error:
            reminder_repo.mark_failed(db, row, f"{type(error).__name__}: {error}")
            report.email_failed += 1
        else:
            reminder_repo.mark_sent(db, row)
            report.emailed += 1


def send_due_reminders(db: Session, today: date, mailer: Mailer | None = None) -> SendReport:
    """Queue today's reminders, deliver the in-app ones, and send email when a mailer is given."""
    report = SendReport()
    queue_due_reminders(db, today, report)
    deliver_in_app(db, report)
    if mailer is not None:
        drain_email(db, mailer, report)
    report.email_pending = len(reminder_repo.pending(db, EMAIL))
    return report


def smtp_mailer(host: str, port: int, sender: str, timeout: float = 10.0) -> Mailer:
    """A mailer that hands each reminder to an SMTP server (plain SMTP, as to a local relay)."""

    def send(row: ReminderOutbox) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, row.address, row.subject
        message.set_content(row.body)
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(message)

    return send

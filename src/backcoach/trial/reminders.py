"""Which visit reminder to send, and its text in the participant's language.

Reminder days come from :mod:`backcoach.trial.visits` (3 days before, the due date, and the day
the window closes [E]). A sender that runs once a day sends each reminder on its day; a sender
that missed days sends only the latest reminder whose day has come (a "3 days before" reminder
is not worth sending after the due date), and nothing once the window has closed or the visit
is done. The baseline visit (week 0, at enrolment) has no reminder.

The texts (``data/reminders.toml``, English and Simplified Chinese, in our own words) hold no
arm, no score and no diagnosis: only the visit week, its mode and its dates.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from backcoach.trial.visits import ReminderKind, ScheduledVisit, reminder_days

TEXTS_FILE = Path(__file__).resolve().parent / "data" / "reminders.toml"
LANGUAGES = ("en", "zh-Hans")


@dataclass(frozen=True)
class Reminder:
    visit: ScheduledVisit
    remind_on: date  # the reminder's own day (the key that makes sending idempotent)
    kind: ReminderKind


@dataclass(frozen=True)
class ReminderText:
    subject: str
    body: str


def reminder_to_send(visit: ScheduledVisit, today: date, done_on: date | None = None) -> Reminder | None:
    """The reminder for ``today``: the latest reminder day reached, unless done, closed or baseline."""
    if done_on is not None or visit.visit.week == 0 or today > visit.closes:
        return None
    reached = [(day, kind) for day, kind in reminder_days(visit) if day <= today]
    if not reached:
        return None
    day, kind = reached[-1]
    return Reminder(visit, day, kind)


@cache
def _texts() -> dict:
    with TEXTS_FILE.open("rb") as f:
        return tomllib.load(f)


def reminder_text(reminder: Reminder, language: str) -> ReminderText:
    """Subject and body of a reminder in ``language`` (``en`` or ``zh-Hans``; others get English)."""
    lang = language if language in LANGUAGES else "en"
    visit = reminder.visit
    try:
        entry = _texts()[visit.visit.mode.value][reminder.kind.value]
        template = ReminderText(entry["subject"][lang], entry["body"][lang])
    except KeyError as missing:
        raise KeyError(f"{TEXTS_FILE}: no {visit.visit.mode.value}.{reminder.kind.value} text in {lang} "
                       f"(missing {missing})") from None
    values = {"week": visit.visit.week, "due": visit.due.isoformat(), "closes": visit.closes.isoformat()}
    return ReminderText(template.subject.format(**values), template.body.format(**values))

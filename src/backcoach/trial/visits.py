"""Visit schedule with windows and reminders.

Visits follow the paper (Methods [V]): face-to-face at baseline and week 4, web-based at weeks
2 and 8. Window widths and reminder days are engineering defaults [E].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum


class Mode(str, Enum):
    FACE_TO_FACE = "face_to_face"
    WEB = "web"


@dataclass(frozen=True)
class VisitDefinition:
    id: str
    week: int
    mode: Mode
    days_before: int  # window opens this many days before the due date [E]
    days_after: int  # and closes this many days after it [E]
    outcomes: tuple[str, ...]


NRS = ("nrs_worst", "nrs_mean", "nrs_current")
QUESTIONNAIRES = NRS + ("odi", "rmdq", "pcs")
CLINIC = ("tug", "tra_left", "tra_right", "mf_left", "mf_right")

SCHEDULE: tuple[VisitDefinition, ...] = (
    VisitDefinition("baseline", 0, Mode.FACE_TO_FACE, 0, 0, QUESTIONNAIRES + CLINIC),
    VisitDefinition("week2", 2, Mode.WEB, 2, 3, QUESTIONNAIRES),
    VisitDefinition("week4", 4, Mode.FACE_TO_FACE, 3, 7, QUESTIONNAIRES + CLINIC),
    VisitDefinition("week8", 8, Mode.WEB, 7, 7, NRS),
)
REMINDER_DAYS_BEFORE = (3, 0)  # reminders 3 days before and on the due date [E]


class VisitStatus(str, Enum):
    UPCOMING = "upcoming"
    OPEN = "open"
    DONE = "done"
    DONE_OUTSIDE_WINDOW = "done_outside_window"
    MISSED = "missed"


@dataclass(frozen=True)
class ScheduledVisit:
    visit: VisitDefinition
    due: date
    opens: date
    closes: date


def schedule_visits(baseline: date, schedule: tuple[VisitDefinition, ...] = SCHEDULE) -> list[ScheduledVisit]:
    """Due dates and windows of every visit, counted from the baseline visit."""
    out = []
    for visit in schedule:
        due = baseline + timedelta(weeks=visit.week)
        out.append(ScheduledVisit(visit, due, due - timedelta(days=visit.days_before), due + timedelta(days=visit.days_after)))
    return out


def visit_status(visit: ScheduledVisit, today: date, done_on: date | None = None) -> VisitStatus:
    """State of one visit on ``today``, given when (if ever) it was done."""
    if done_on is not None:
        in_window = visit.opens <= done_on <= visit.closes
        return VisitStatus.DONE if in_window else VisitStatus.DONE_OUTSIDE_WINDOW
    if today < visit.opens:
        return VisitStatus.UPCOMING
    if today <= visit.closes:
        return VisitStatus.OPEN
    return VisitStatus.MISSED


class ReminderKind(str, Enum):
    BEFORE = "before"
    DUE = "due"
    CLOSING = "closing"


def reminder_days(visit: ScheduledVisit) -> list[tuple[date, ReminderKind]]:
    """The visit's reminder days in date order (a day that is two kinds at once keeps the later)."""
    days = {visit.due - timedelta(days=d): ReminderKind.BEFORE if d else ReminderKind.DUE
            for d in REMINDER_DAYS_BEFORE}
    days[visit.closes] = ReminderKind.CLOSING
    return sorted(days.items())

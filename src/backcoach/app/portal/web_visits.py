"""A linked trial participant answers their web visit (weeks 2 and 8) in the app.

The visit must be open (inside its window, not done) and the participant still followed up with
consent; each questionnaire's scored answers become the visit's trial outcomes, and the visit is
done once every questionnaire it asks for is answered, which also stops its reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from backcoach.app.portal.trial import now_utc, scheduled_visit
from backcoach.store.models import TrialParticipant, TrialVisit, User
from backcoach.store.repo import reminders as reminder_repo
from backcoach.store.repo import trial as trial_repo
from backcoach.trial.web_visits import INSTRUMENT_OF, instruments_for, outcome_values


@dataclass(frozen=True)
class OpenWebVisit:
    participant: TrialParticipant
    visit: TrialVisit
    instruments: list[str]
    answered: set[str]  # instruments whose outcomes are stored for this visit

    @property
    def closes(self) -> date:
        return self.visit.window_closes_on


def open_web_visits(db: Session, user: User, today: date) -> list[OpenWebVisit]:
    """The user's web visits that can be answered today."""
    out = []
    for row in reminder_repo.open_visits(db, today):
        if row.user is None or row.user.id != user.id or today < row.visit.window_opens_on:
            continue
        instruments = instruments_for(scheduled_visit(row.visit).visit)
        if not instruments:
            continue
        stored = {o.outcome for o in trial_repo.outcomes_of(db, row.participant.id) if o.week == row.visit.week}
        answered = {i for i in instruments if {o for o, ins in INSTRUMENT_OF.items() if ins == i} <= stored}
        out.append(OpenWebVisit(row.participant, row.visit, instruments, answered))
    return out


def find(db: Session, user: User, visit_id: int, today: date) -> OpenWebVisit | None:
    return next((v for v in open_web_visits(db, user, today) if v.visit.id == visit_id), None)


def record(db: Session, user: User, open_visit: OpenWebVisit, instrument: str, result: dict) -> bool:
    """Store one questionnaire's outcomes for the visit; True when the visit is now complete."""
    for outcome, value in outcome_values(instrument, result).items():
        trial_repo.save_outcome(db, open_visit.participant, week=open_visit.visit.week, outcome=outcome,
                                value=value, measurements=[value], entered_by_id=user.id,
                                visit_id=open_visit.visit.id)
    complete = open_visit.answered | {instrument} >= set(open_visit.instruments)
    if complete:
        open_visit.visit.done_at = now_utc()
        db.flush()
    return complete

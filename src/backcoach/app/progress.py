"""Plan progress figures shown to patients and therapists (counts, not clinical decisions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from backcoach.store.models import ExerciseSession, Plan


@dataclass(frozen=True)
class PlanProgress:
    current_week: int
    sessions_planned: int
    sessions_done: int
    sessions_due: int
    #: Scheduled before today and not done.
    sessions_missed: int
    #: Completed sessions since the last missed scheduled session.
    streak: int
    next_session_id: int | None

    @property
    def adherence(self) -> float | None:
        """Sessions done / sessions due so far (brief §5.1 counts adherence over the 12)."""
        return None if self.sessions_due == 0 else min(1.0, self.sessions_done / self.sessions_due)

    @property
    def percent_done(self) -> int:
        return round(100 * self.sessions_done / self.sessions_planned) if self.sessions_planned else 0


def plan_progress(plan: Plan, done_ids: set[int], today: date) -> PlanProgress:
    days = (today - plan.starts_on).days
    current_week = max(1, min(plan.weeks, days // 7 + 1))
    due = [s for s in plan.sessions if s.scheduled_on <= today]
    streak = 0
    for plan_session in reversed(due):
        if plan_session.id in done_ids:
            streak += 1
        elif plan_session.scheduled_on < today:
            break
    upcoming = [s for s in plan.sessions if s.id not in done_ids]
    return PlanProgress(
        current_week=current_week,
        sessions_planned=len(plan.sessions),
        sessions_done=sum(1 for s in plan.sessions if s.id in done_ids),
        sessions_due=len(due),
        sessions_missed=sum(1 for s in due if s.scheduled_on < today and s.id not in done_ids),
        streak=streak,
        next_session_id=upcoming[0].id if upcoming else None,
    )


def pain_trend(sessions: list[ExerciseSession]) -> list[tuple[str, int]]:
    """(date, pain before) for each completed session, oldest first."""
    return [
        (s.started_at.date().isoformat(), s.pain_before)
        for s in sessions
        if s.pain_before is not None
    ]

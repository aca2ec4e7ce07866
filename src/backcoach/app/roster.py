"""One row of the therapist's roster: adherence, last session, trends and alerts for a patient.

The alert rules are the clinical library's (red-flag outcome, the §3.1 pain-rise re-screen
trigger); this module only gathers the stored values they need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from backcoach.app.i18n import N_
from backcoach.app.live.stops import review_alerts as stop_alerts
from backcoach.app.portal.quality import tracking_alert
from backcoach.app.progress import PlanProgress, plan_progress
from backcoach.clinical.redflags import needs_rescreen
from backcoach.store.models import ExerciseSession, User
from backcoach.store.repo import clinical, plans, portal, training

ALERT_RED_FLAG = N_("Red-flag screening needs review")
ALERT_PAIN_RISING = N_("Pain before the last session rose sharply")
ALERT_MISSED = N_("Missed sessions")
ALERT_NO_PLAN = N_("No plan yet")


@dataclass
class RosterRow:
    patient: User
    progress: PlanProgress | None
    last_session: ExerciseSession | None
    pain: list[int] = field(default_factory=list)
    form: list[float] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


def roster_row(db: Session, patient: User, today: date) -> RosterRow:
    plan = plans.active_plan(db, patient.id)
    done_sessions = training.completed_sessions(db, patient.id)
    progress = None
    if plan is not None:
        progress = plan_progress(plan, plans.completed_plan_session_ids(db, patient.id), today)
    row = RosterRow(patient=patient, progress=progress,
                    last_session=done_sessions[-1] if done_sessions else None)
    row.pain = [s.pain_before for s in done_sessions if s.pain_before is not None]
    for session in done_sessions:
        scores = [rep.score for s in session.sets for rep in s.reps if rep.counted and rep.score is not None]
        if scores:
            row.form.append(round(sum(scores) / len(scores), 1))

    screening = clinical.latest_screening(db, patient.id)
    if screening is not None and screening.outcome != "CONTINUE":
        row.alerts.append(ALERT_RED_FLAG)
    baseline = clinical.latest_response(db, patient.id, "nrs")
    if row.pain and baseline is not None and baseline.total is not None:
        onboarding = baseline.answers.get("items", [baseline.total])[0]
        if needs_rescreen(row.pain[-1], row.pain[:-1], float(onboarding if onboarding is not None else baseline.total)):
            row.alerts.append(ALERT_PAIN_RISING)
    if progress is not None and progress.sessions_missed > 0:
        row.alerts.append(ALERT_MISSED)
    if plan is None:
        row.alerts.append(ALERT_NO_PLAN)
    tracking = tracking_alert(portal.last_ai_session(db, patient.id))
    if tracking is not None:
        row.alerts.append(tracking)
    row.alerts.extend(stop_alerts(db, patient.id))  # §5.4: a stop that did not settle, reclassification due
    return row

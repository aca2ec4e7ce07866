"""The flare-up plan (clinical brief §5.5) at each session check-in.

The rules are the clinical library's (:func:`backcoach.clinical.progression.update_flare` and
``flare_adjust``, all [E]); this module keeps the state between check-ins (``Assessment`` of kind
``flare_state``: ``active``, ``started_day``, ``pre_flare_mean``, ``sessions``, ``events``, ``pre``)
and, while a flare is active, makes the session being started one level easier with half the sets.
That change is stored as a ``plan_change`` of action ``flare`` (one per exercise), so the patient
reads why and the therapist can undo it like any other automatic change. Only that session's items
change: the sessions after it keep their levels, so the plan returns to them when the flare ends.
While a flare is active :func:`backcoach.app.progression.review_session` makes no Progress.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from backcoach.app import progression
from backcoach.app.live import checkin
from backcoach.app.reassessment import measures, responses_for
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.progression import FlareState, flare_adjust, update_flare
from backcoach.clinical.thresholds import TH
from backcoach.store.models import ExerciseSession, PlanSession
from backcoach.store.repo import accounts, clinical, reminders

FLARE_KIND = progression.FLARE_KIND
FLARE_ACTION = progression.FLARE_ACTION
REVIEW_PREFIX = "CLINICIAN_REVIEW"


def at_checkin(db: Session, session: ExerciseSession, plan_session: PlanSession, today: date) -> FlareState:
    """Advance the flare state with this check-in's pre-session NRS; during a flare, lower this
    session's exercises (§5.5: one level easier, volume x 0.5)."""
    patient_id, pre = session.patient_id, session.pain_before
    earlier = checkin.previous_pre(db, patient_id)  # completed sessions: not the one starting now
    onboarding = measures(responses_for(db, patient_id, 0)).nrs_current  # the self-assessment's current NRS
    onboarding = pre if onboarding is None else onboarding
    state = update_flare(progression.flare_state(db, patient_id), pre, earlier, onboarding, today.toordinal())
    clinical.save_assessment(db, patient_id=patient_id, kind=FLARE_KIND, data={
        "active": state.active, "started_day": state.started_day, "pre_flare_mean": state.pre_flare_mean,
        "sessions": state.sessions, "events": state.events, "pre": pre, "session_id": session.id})
    therapist = accounts.therapist_of(db, patient_id)
    for event in state.events:
        if event.startswith(REVIEW_PREFIX) and therapist is not None:
            reminders.notify(db, user_id=therapist.id, kind=FLARE_KIND, subject=progression.NOTICE_SUBJECT,
                             body=f"{event}; /therapist/patients/{patient_id}/plan-changes")
    if state.active:
        _lower(db, session, plan_session)
    return state


def _lower(db: Session, session: ExerciseSession, plan_session: PlanSession) -> None:
    catalog = catalog_from_library()
    factor = TH["flare_volume_factor"]
    for item in plan_session.items:
        entry = catalog.get(item.exercise_id)
        if entry is None:
            continue
        snapshot = progression.snapshot(item)
        level, sets = flare_adjust(item.level, item.sets)
        if entry.modality == "flexibility":  # stretches keep their weekly hold (§4.0), only fewer sets
            level = item.level
            item.expected_seconds = round(item.expected_seconds / max(1, item.sets) * sets)
            item.sets = sets
        else:
            dose = entry.dose(level).scaled(factor)
            item.level, item.sets, item.reps = level, dose.sets, dose.reps
            item.hold_seconds, item.rest_seconds = round(dose.hold_s) or None, round(dose.rest_s)
            item.expected_seconds = round(dose.seconds(entry.sides))
        if progression.snapshot(item) == snapshot:
            continue
        clinical.save_assessment(db, patient_id=session.patient_id, kind=progression.CHANGE_KIND, data={
            "session_id": session.id, "plan_id": plan_session.plan_id, "exercise_id": item.exercise_id,
            "action": FLARE_ACTION, "row": None, "reason": "§5.5 flare-up plan: one level lower, volume x 0.5",
            "why": [progression.WHY[FLARE_ACTION]], "from_level": snapshot["level"], "to_level": level,
            "clinician_review": False, "items": [snapshot], "status": "applied",
            "source": TH.info("flare_volume_factor").source})
    db.flush()

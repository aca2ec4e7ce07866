"""The §5.4 stop pages of a session (included by ``app/routers/live.py``).

* ``POST /sessions/{id}/stops``: the patient tapped "Stop" and said why (rule 5b): pain -> rule 2's
  re-check; spreading or new leg symptoms -> the leg-symptom re-screen, then rule 1's re-check;
  chest pain, breathlessness, dizziness, fainting or palpitations -> rule 4: the session ends,
  exercise is locked until a clinician clears it (an ``URGENT_REFERRAL`` screening, shown on the
  roster) and the emergency-number button is shown at once; another reason -> the exercise is
  skipped and the session goes on.
* ``GET/POST /sessions/{id}/fall``: rule 5a, after the engine saw a fall: "are you hurt? did you
  hit your head? is your pain worse?" and the red-flag quick check; any yes -> the session ends
  and exercise is locked (``URGENT_REFERRAL``); all no -> the session ends and the therapist
  reviews it (next session the exercise is one level lower); no answer within 60 s -> a
  full-screen emergency-number prompt with an alarm (``static/live/fall.js``).
* ``GET/POST /sessions/{id}/recheck``: relief or rest positions, the 5-minute wait, then pain now
  and "leg symptoms beyond where they were before the session?". Settled: the exercise is
  skipped for the rest of the session and the others go on; not settled: the session ends
  (``stop_reason = not_settled``), its report is saved and the therapist's roster shows it.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.assessment import locale_key
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.exercise_names import exercise_name
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.i18n import N_
from backcoach.app.live import checkin, stops
from backcoach.app.progression import review_session
from backcoach.app.progress import plan_progress
from backcoach.app.reports import summarise
from backcoach.app.templating import render
from backcoach.clinical.progression import fall_unanswered, recheck_ready, safety_texts
from backcoach.clinical.redflags import checkin_questions, redflag_data
from backcoach.clinical.thresholds import TH
from backcoach.store.models import ExerciseSession, SessionStatus, TrainingReport, User
from backcoach.store.repo import clinical, plans, training

router = APIRouter()

RECHECK_TOO_EARLY = N_("Please rest until the 5 minutes are over, then answer.")
#: Shown for a 5b "pain" stop (the rule-2 text says the pain rose too much, which may not be so).
PAIN_STOP_MESSAGE = N_("You stopped because of pain. Rest in a comfortable position; we will check again in 5 minutes.")


#: The emergency-number button of rule 4 [E]: 120 in mainland China (as the page footer says);
#: 112 elsewhere, which mobile phones route to the local emergency service in most countries.
EMERGENCY_NUMBERS = {"zh-Hans": "120", "en": "112"}
#: The lock of rule 4: the screening outcome that pauses exercise until a clinician clears it.
RULE4_OUTCOME = "URGENT_REFERRAL"
RULE4_FLAG = "§5.4 rule 4: chest pain, breathlessness, dizziness, fainting or palpitations during a session"
RULE5A_FLAG = "§5.4 rule 5a: a fall during a session, with a 'yes' to the injury or red-flag questions"
#: The rule-5a questions (the §5.4 text asks all three; each gets its own yes/no).
FALL_QUESTIONS = {
    "hurt": N_("Are you hurt?"),
    "head": N_("Did you hit your head?"),
    "worse": N_("Is your back or leg pain worse?"),
}


class StopForm(BaseModel):
    reason: Literal["pain", "legs", "heart", "other"]
    plan_item_id: int | None = None


class RecheckForm(BaseModel):
    nrs: int = Field(ge=0, le=10)
    legs: Literal["yes", "no"]


def session_in_progress(db: Session, patient: User, session_id: int) -> ExerciseSession:
    """The patient's own session (404 otherwise), still in progress (409 otherwise)."""
    session = training.get_session(db, session_id, patient.id)
    if session is None:
        raise HTTPException(404, detail=errors.SESSION_NOT_FOUND)
    if session.status != SessionStatus.IN_PROGRESS:
        raise HTTPException(409, detail=errors.SESSION_FINISHED)
    return session


def plan_item_of(db: Session, patient: User, session: ExerciseSession, plan_item_id: int | None) -> int | None:
    """``plan_item_id`` when it is in this session's plan (404 otherwise); None stays None."""
    if plan_item_id is None:
        return None
    plan_session = plans.get_plan_session(db, patient.id, session.plan_session_id or -1)
    if not any(item.id == plan_item_id for item in (plan_session.items if plan_session else [])):
        raise HTTPException(404, detail=errors.PLAN_SESSION_NOT_FOUND)
    return plan_item_id


def finish_with_report(db: Session, patient: User, session: ExerciseSession, status: SessionStatus,
                       pain_after: int | None, cr10: float | None, stop_reason: str | None) -> TrainingReport:
    """End the session and save its training report (with the plan's streak)."""
    training.finish_session(db, session, status=status, pain_after=pain_after, cr10=cr10, stop_reason=stop_reason)
    review_session(db, session)  # §5.3: the next session already carries this one's decisions
    plan = plans.active_plan(db, patient.id)
    streak = 0
    if plan is not None:
        streak = plan_progress(plan, plans.completed_plan_session_ids(db, patient.id), date.today()).streak
    return training.save_report(db, session, summarise(session, streak))


@router.post("/sessions/{session_id}/stops", dependencies=CSRF)
async def stop_exercise(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """Rule 5b: the patient stopped the exercise; what follows depends on why."""
    session = session_in_progress(db, patient, session_id)
    data, _state = validate(StopForm, form_values(await request.form()))
    if data is None:
        raise HTTPException(400, detail=errors.FIELD_REQUIRED)
    item_id = plan_item_of(db, patient, session, data.plan_item_id)
    if data.reason == "legs":  # rule 1 after the re-screen (a red flag there ends the session)
        query = f"?item={item_id}" if item_id is not None else ""
        return RedirectResponse(f"/sessions/{session.id}/leg-symptoms{query}", status_code=303)
    if data.reason == "heart":
        return _rule4(request, db, patient, session, item_id)
    stops.record_stop(db, session, "5b", data.reason, plan_item_id=item_id)
    target = "recheck" if data.reason == "pain" else ""
    return RedirectResponse(f"/sessions/{session.id}/{target}".rstrip("/"), status_code=303)


@router.get("/sessions/{session_id}/recheck")
def recheck_page(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    session = session_in_progress(db, patient, session_id)
    stop = stops.pending_recheck(db, session)
    if stop is None:
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    return _recheck(request, db, patient, session, stop, FormState())


@router.post("/sessions/{session_id}/recheck", dependencies=CSRF)
async def answer_recheck(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    session = session_in_progress(db, patient, session_id)
    stop = stops.pending_recheck(db, session)
    if stop is None:
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    data, state = validate(RecheckForm, form_values(await request.form()))
    if data is not None and not recheck_ready(stops.seconds_since(stop, datetime.now(timezone.utc))):
        data, state.errors["_form"] = None, RECHECK_TOO_EARLY
    if data is None:
        return _recheck(request, db, patient, session, stop, state, status_code=400)
    if stops.answer_recheck(db, stop, session, data.nrs, data.legs == "yes"):
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    report = finish_with_report(db, patient, session, SessionStatus.STOPPED, data.nrs, None, stops.NOT_SETTLED)
    return render(request, "live/recheck.html", {"ended": True, "report": report, "session": session,
                                                 "form": FormState()})


@router.get("/sessions/{session_id}/fall")
def fall_page(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    session = session_in_progress(db, patient, session_id)
    stop = stops.pending_fall(db, session)
    if stop is None:
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    return _fall(request, session, stop, FormState())


@router.post("/sessions/{session_id}/fall", dependencies=CSRF)
async def answer_fall(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """Any yes: end the session and lock exercise (urgent referral); all no: end it for review."""
    session = session_in_progress(db, patient, session_id)
    stop = stops.pending_fall(db, session)
    if stop is None:
        return RedirectResponse(f"/sessions/{session.id}", status_code=303)
    values = form_values(await request.form())
    state = FormState(values=values)
    answers = {key: values.get(key) for key in (*FALL_QUESTIONS, *(checkin.PREFIX + q for q in checkin_questions()))}
    state.errors.update({key: errors.FIELD_REQUIRED for key, value in answers.items() if value not in ("yes", "no")})
    if state.errors:
        return _fall(request, session, stop, state, status_code=400)
    any_yes = "yes" in answers.values()
    stop.data = {**stop.data, "status": "urgent" if any_yes else "reviewed", "answers": answers,
                 "clinician_review": True}
    lang = locale_key(request.state.locale)
    if any_yes:
        earlier = clinical.latest_screening(db, patient.id)
        clinical.save_screening(db, patient_id=patient.id, answers=dict(earlier.answers) if earlier else {},
                                outcome=RULE4_OUTCOME, flags=[RULE5A_FLAG])
    report = finish_with_report(db, patient, session, SessionStatus.STOPPED, None, None, "fall")
    if any_yes:
        return render(request, "live/urgent.html", {
            "message": redflag_data()["messages"][RULE4_OUTCOME][lang], "number": EMERGENCY_NUMBERS[lang],
            "report": report})
    return render(request, "live/fall.html", {"ended": True, "report": report, "session": session,
                                              "form": FormState()})


def _fall(request: Request, session: ExerciseSession, stop, form: FormState, status_code: int = 200) -> Response:
    lang = locale_key(request.state.locale)
    waited = stops.seconds_since(stop, datetime.now(timezone.utc))
    return render(request, "live/fall.html", {
        "ended": False, "session": session, "form": form, "message": safety_texts()["stop"]["5a"][lang],
        "questions": FALL_QUESTIONS, "prefix": checkin.PREFIX,
        "checkin": {qid: text[lang] for qid, text in checkin_questions().items()},
        "alarm_in": 0 if fall_unanswered(waited) else round(TH["fall_answer_s"] - waited),
        "number": EMERGENCY_NUMBERS[lang],
    }, status_code=status_code)


def _rule4(request: Request, db: Session, patient: User, session: ExerciseSession, item_id: int | None) -> Response:
    """End the session, lock exercise until clearance, and show the emergency advice at once."""
    stops.record_stop(db, session, "4", "cardiorespiratory", plan_item_id=item_id)
    earlier = clinical.latest_screening(db, patient.id)  # its answers stay the intake's for the next check-in
    clinical.save_screening(db, patient_id=patient.id, answers=dict(earlier.answers) if earlier else {},
                            outcome=RULE4_OUTCOME, flags=[RULE4_FLAG])
    report = finish_with_report(db, patient, session, SessionStatus.STOPPED, None, None, "cardiorespiratory")
    lang = locale_key(request.state.locale)
    return render(request, "live/urgent.html", {"message": safety_texts()["stop"]["4"][lang],
                                                "number": EMERGENCY_NUMBERS[lang], "report": report})


def _recheck(request: Request, db: Session, patient: User, session: ExerciseSession, stop, form: FormState,
             status_code: int = 200) -> Response:
    lang = locale_key(request.state.locale)
    rule, reason = stop.data["rule"], stop.data["reason"]
    message = safety_texts()["stop"][rule][lang] if rule in stops.RECHECK_RULES else None
    waited = stops.seconds_since(stop, datetime.now(timezone.utc))
    exercise = stop.data.get("exercise_id")
    return render(request, "live/recheck.html", {
        "ended": False, "session": session, "form": form, "rule": rule, "message": message,
        "pain_stop": rule == "5b" and reason == "pain", "pain_stop_message": PAIN_STOP_MESSAGE,
        "relief": stops.relief_text(db, patient.id),
        "exercise": exercise_name(exercise, request.state.locale) if exercise else None,
        "wait_s": max(0, round(TH["recheck_s"] - waited)),
    }, status_code=status_code)

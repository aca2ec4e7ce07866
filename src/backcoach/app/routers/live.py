"""The training session: start (pain before), do the exercises, finish (pain after, CR10).

Two modes share one page (``templates/live/session.html`` and the ES modules in
``static/live/``): **AI** streams on-device pose landmarks over the WebSocket below to the
movement engine (:mod:`backcoach.app.live`), which counts, grades and cues; **video-only** (the
trial's control arm) shows the same demonstrations and timers and the patient ticks each set off.
This module also serves what the browser's pose model needs (the tasks-vision runtime and our
``.task`` bundles) and the demonstration motions, so nothing is fetched from a CDN.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from backcoach.app import errors, flare, progression
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.exercise_names import exercise_name
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.assessment import locale_key
from backcoach.app.live import checkin, endpoints, stop_routes, stops
from backcoach.app.live.page import page_config
from backcoach.app.live.safety import pain_stop
from backcoach.app.live.stop_routes import finish_with_report, plan_item_of, session_in_progress
from backcoach.app.portal.exercises import exercise_for_patient
from backcoach.app.routers.plan import plan_session_page
from backcoach.app.templating import render
from backcoach.clinical.progression import before_session, flare_plan_text
from backcoach.store.models import ExerciseSession, PlanItem, SessionMode, SessionStatus, User
from backcoach.store.repo import clinical, plans, training

router = APIRouter()
router.include_router(endpoints.router)
router.include_router(stop_routes.router)

#: CR10 answers: 0-10 in 0.5 steps, and 11 for "more than 10" (brief §2.8).
CR10_ABOVE_MAX = 11.0
#: ``stop_reason`` of a session ended by a red flag found during it (the pain rule's are its rule names).
STOP_RED_FLAG = "red_flag"


class StartForm(BaseModel):
    plan_session_id: int
    pain_before: int = Field(ge=0, le=10)
    mode: SessionMode
    #: §5.1: the last session's next-morning NRS, recalled at this check-in when it was not given.
    next_morning: int | None = Field(default=None, ge=0, le=10)
    next_morning_session: int | None = None


class SetDoneForm(BaseModel):
    plan_item_id: int
    set_index: int = Field(ge=1)
    #: Per-side exercises are ticked once per side.
    side: Literal["left", "right"] | None = None


class ModeForm(BaseModel):
    mode: Literal["video"]


def _sides(item: PlanItem) -> tuple[str | None, ...]:
    """The sides a set of ``item`` is done on (one tick each)."""
    return ("left", "right") if item.per_side else (None,)


class PainForm(BaseModel):
    nrs: int = Field(ge=0, le=10)
    #: The exercise being done, when there is one (it is the one the stop rule stops).
    plan_item_id: int | None = None


class FinishForm(BaseModel):
    pain_after: int = Field(ge=0, le=10)
    cr10: float = Field(ge=0, le=CR10_ABOVE_MAX, multiple_of=0.5)
    outcome: Literal["completed", "stopped"] = "completed"


def _session_or_404(db: DbSession, patient: User, session_id: int) -> ExerciseSession:
    session = training.get_session(db, session_id, patient.id)
    if session is None:
        raise HTTPException(404, detail=errors.SESSION_NOT_FOUND)
    return session


def _ensure_not_blocked(db: DbSession, patient: User) -> None:
    screening = clinical.latest_screening(db, patient.id)
    if screening is not None and screening.outcome != "CONTINUE":
        raise HTTPException(403, detail=errors.EXERCISE_LOCKED)


@router.post("/sessions", dependencies=CSRF)
async def start_session(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Start a planned session after the pain and safety check-in (brief §5.1, §3.1 re-screen)."""
    _ensure_not_blocked(db, patient)
    values = form_values(await request.form())
    data, state = validate(StartForm, values)
    plan_session = (
        plans.get_plan_session(db, patient.id, int(state.values["plan_session_id"]))
        if state.values.get("plan_session_id", "").isdigit() else None
    )
    if plan_session is None:
        raise HTTPException(404, detail=errors.PLAN_SESSION_NOT_FOUND)
    if data is None:
        return plan_session_page(request, db, patient, plan_session, state, status_code=400)
    answers, new_leg = checkin.read_answers(values)
    result = checkin.run_checkin(db, patient.id, answers, data.pain_before, bool(new_leg))
    if result.status == "ask" or (result.status == "continue" and new_leg is None):
        return _checkin_page(request, data, answers, new_leg, result)
    checkin.store_outcome(db, patient.id, result, answers)
    if result.status == "blocked":
        return RedirectResponse("/assessment/safety/result", status_code=303)
    if data.next_morning is not None:
        try:
            progression.record_next_morning(db, patient.id, data.next_morning_session or 0, data.next_morning,
                                            datetime.now(timezone.utc))
        except progression.ProgressionInputError as exc:
            raise HTTPException(400, detail=str(exc)) from None
    session = training.start_session(db, patient_id=patient.id, mode=data.mode,
                                     pain_before=data.pain_before, plan_session_id=plan_session.id)
    flare.at_checkin(db, session, plan_session, date.today())  # §5.5: may lower this session's exercises
    return RedirectResponse(f"/sessions/{session.id}", status_code=303)


def _checkin_page(request: Request, data: StartForm | None, answers: dict[str, bool], new_leg: bool | None,
                  result: checkin.CheckinResult, action: str = "/sessions") -> Response:
    """The yes/no safety questions still to answer; what was answered travels in hidden fields."""
    lang = locale_key(request.state.locale)
    return render(request, "live/checkin.html", {
        "start": data, "action": action, "answers": answers, "new_leg": new_leg, "prefix": checkin.PREFIX,
        "questions": {qid: text[lang] for qid, text in result.questions.items()},
        "message": result.message.get(lang) if result.status == "ask" else None,
        "rescreen": result.full_screen, "form": FormState(),
    })


@router.api_route("/sessions/{session_id}/leg-symptoms", methods=["GET", "POST"], dependencies=CSRF)
async def leg_symptoms(request: Request, db: DbSession, patient: CurrentPatient, session_id: int,
                       item: int | None = None) -> Response:
    """New leg symptoms during the session: the full re-screen (brief §3.1), then §5.4 rule 1.

    The live page is left (the open set of ``item``, the exercise being done, is ended by the
    stop). A red flag ends the session as stopped (``stop_reason = red_flag``) and locks exercise
    like at the check-in; otherwise it is a rule-1 stop (peripheralization): relief or rest
    positions and the 5-minute re-check.
    """
    session = session_in_progress(db, patient, session_id)
    item_id = plan_item_of(db, patient, session, item)
    values = form_values(await request.form()) if request.method == "POST" else {}
    answers, _leg = checkin.read_answers(values)
    result = checkin.run_checkin(db, patient.id, answers, session.pain_before, True)
    if result.status == "ask":
        query = f"?item={item_id}" if item_id is not None else ""
        return _checkin_page(request, None, answers, True, result,
                             action=f"/sessions/{session.id}/leg-symptoms{query}")
    checkin.store_outcome(db, patient.id, result, answers)
    if result.status == "blocked":
        training.finish_session(db, session, status=SessionStatus.STOPPED, pain_after=None, cr10=None,
                                stop_reason=STOP_RED_FLAG)
        return RedirectResponse("/assessment/safety/result", status_code=303)
    stops.record_stop(db, session, "1", "peripheralization", plan_item_id=item_id)
    return RedirectResponse(f"/sessions/{session.id}/recheck", status_code=303)


@router.get("/sessions/{session_id}")
def read_session(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """The session in progress (video-only mode: tick off each set)."""
    session = _session_or_404(db, patient, session_id)
    if session.status != SessionStatus.IN_PROGRESS:
        report = training.report_for_session(db, session.id)
        return RedirectResponse(f"/reports/{report.id}" if report else "/plan", status_code=303)
    if stops.pending_recheck(db, session) is not None:  # rest and answer the re-check first
        return RedirectResponse(f"/sessions/{session.id}/recheck", status_code=303)
    if stops.pending_fall(db, session) is not None:  # the fall questions first
        return RedirectResponse(f"/sessions/{session.id}/fall", status_code=303)
    audit_read(db, request, patient, patient.id, "exercise_session", OWN_RECORD, session.id)
    return render(request, "live/session.html", _session_context(db, request, patient, session, FormState()))


def _session_context(db: DbSession, request: Request, patient: User, session: ExerciseSession,
                     form: FormState) -> dict:
    plan_session = plans.get_plan_session(db, patient.id, session.plan_session_id or -1)
    items = plan_session.items if plan_session else []
    sides_done = {(s.plan_item_id, s.set_index, s.side) for s in session.sets}
    done = {(item.id, n) for item in items for n in range(1, item.sets + 1)
            if all((item.id, n, side) in sides_done for side in _sides(item))}
    locale = request.state.locale
    # §5.4 "before the session": with pain >= 7 at the check-in, relief positions and breathing only.
    high_pain = before_session(session.pain_before) if session.pain_before is not None else None
    return {
        "session": session, "form": form, "done": done, "sides_done": sides_done,
        "high_pain_message": high_pain["message"][locale_key(locale)] if high_pain else None,
        "flare_message": flare_plan_text()[locale_key(locale)] if progression.flare_state(db, patient.id).active
        else None,
        "items": [{"item": item, "name": exercise_name(item.exercise_id, locale), "sides": _sides(item)}
                  for item in items],
        "live_config": page_config(session.id, session.mode.value, locale, list(items), done, sides_done,
                                   stops.stopped_items(db, session), {
                                       item.exercise_id: exercise_for_patient(db, patient.id, item.exercise_id)
                                       for item in items},
                                   {item.exercise_id for item in items if endpoints.patient_video(
                                       request.app.state.settings, db, patient.id, item.exercise_id)}),
    }


@router.post("/sessions/{session_id}/sets", dependencies=CSRF)
async def tick_set(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """Store one set as done the moment it is ticked (never only at the end)."""
    session = session_in_progress(db, patient, session_id)
    data, _state = validate(SetDoneForm, form_values(await request.form()))
    plan_session = plans.get_plan_session(db, patient.id, session.plan_session_id or -1)
    item = next((i for i in (plan_session.items if plan_session else []) if data and i.id == data.plan_item_id), None)
    if data is None or item is None or data.set_index > item.sets:
        raise HTTPException(404, detail=errors.PLAN_SESSION_NOT_FOUND)
    side = data.side if item.per_side else None
    if item.per_side and side is None:
        raise HTTPException(400, detail=errors.FIELD_REQUIRED)  # which side was done
    if not any(s.plan_item_id == item.id and s.set_index == data.set_index and s.side == side for s in session.sets):
        exercise_set = training.start_set(
            db, session, exercise_id=item.exercise_id, set_index=data.set_index, side=side,
            reps_planned=item.reps, hold_seconds_planned=item.hold_seconds, plan_item_id=item.id)
        training.finish_set(db, exercise_set,
                            hold_seconds_done=float(item.hold_seconds) if item.hold_seconds else None)
    if request.headers.get("hx-request"):
        return render(request, "live/_set_done.html", {"item": item, "set_index": data.set_index, "side": side})
    return RedirectResponse(f"/sessions/{session.id}", status_code=303)


@router.post("/sessions/{session_id}/mode", dependencies=CSRF)
async def switch_mode(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """Continue video-only (the camera was refused or missing): the session's mode is stored as such."""
    session = session_in_progress(db, patient, session_id)
    data, _state = validate(ModeForm, form_values(await request.form()))
    if data is None:
        return JSONResponse({"detail": errors.FIELD_OUT_OF_RANGE}, status_code=400)
    session.mode = SessionMode.VIDEO
    return JSONResponse({"mode": session.mode.value})


@router.post("/sessions/{session_id}/pain", dependencies=CSRF)
async def rate_pain(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """An in-session pain rating, checked against the stop rule (clinical brief §5.4 rule 2).

    A stop is stored like one over the WebSocket (the first stop's rule is kept as the session's
    ``stop_reason``) and answered with the re-check page's address.
    """
    session = session_in_progress(db, patient, session_id)
    data, _state = validate(PainForm, form_values(await request.form()))
    if data is None:
        return JSONResponse({"detail": errors.FIELD_OUT_OF_RANGE}, status_code=400)
    verdict = pain_stop(session.pain_before, data.nrs)
    if verdict is not None:
        item_id = plan_item_of(db, patient, session, data.plan_item_id)
        stops.record_stop(db, session, "2", verdict.rule, plan_item_id=item_id, nrs=data.nrs)
    return JSONResponse({"stop": verdict is not None, "rule": verdict.rule if verdict else None,
                         "nrs": data.nrs, "pre": session.pain_before,
                         "recheck_url": f"/sessions/{session.id}/recheck" if verdict else None})


@router.post("/sessions/{session_id}/finish", dependencies=CSRF)
async def finish_session(request: Request, db: DbSession, patient: CurrentPatient, session_id: int) -> Response:
    """Pain after and exertion (CR10), then the training report."""
    session = session_in_progress(db, patient, session_id)
    data, state = validate(FinishForm, form_values(await request.form()))
    if data is None:
        return render(request, "live/session.html", _session_context(db, request, patient, session, state),
                      status_code=400)
    status = SessionStatus.COMPLETED if data.outcome == "completed" else SessionStatus.STOPPED
    report = finish_with_report(db, patient, session, status, data.pain_after, data.cr10,
                                session.stop_reason)  # keep a stop recorded earlier
    return RedirectResponse(f"/reports/{report.id}", status_code=303)

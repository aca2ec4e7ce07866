"""The week-2, 4 and 8 reassessment: safety questions and questionnaires again, then a proposal
for the therapist (nothing in the plan changes until they approve it)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcoach.app import camera_assessment, errors
from backcoach.app.assessment import build_intake, locale_key
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.forms import FormState, form_values
from backcoach.app.reassessment import (
    REASSESSMENT_INSTRUMENTS,
    due_week,
    propose,
    record_screening,
    responses_for,
    screening_for,
)
from backcoach.app.routers.patient import (
    questionnaire_form_page,
    read_questionnaire_answers,
    read_safety_answers,
    safety_form_page,
)
from backcoach.app.templating import render
from backcoach.clinical import instruments, redflags
from backcoach.store.models import Plan, User
from backcoach.store.repo import clinical, plans
from backcoach.store.repo import portal as portal_repo

router = APIRouter(dependencies=CSRF)


def _due(db: DbSession, patient: User) -> tuple[Plan, int]:
    """The active plan and the reassessment week due now; 404 when none is due."""
    plan = plans.active_plan(db, patient.id)
    week = None if plan is None else due_week(db, plan, date.today())
    if plan is None or week is None:
        raise HTTPException(404, detail=errors.REASSESSMENT_NOT_DUE)
    return plan, week


@router.get("/reassessment")
def overview(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """What to answer again this week, or the state of the last reassessment."""
    plan = plans.active_plan(db, patient.id)
    week = None if plan is None else due_week(db, plan, date.today())
    if plan is None or week is None:
        proposals = [] if plan is None else [p for p in portal_repo.proposals_of(db, patient.id) if p.plan_id == plan.id]
        if proposals:
            audit_read(db, request, patient, patient.id, "plan_proposal", OWN_RECORD, proposals[0].id)
        return render(request, "reassessment/overview.html", {"week": None, "last": proposals[0] if proposals else None})
    lang = locale_key(request.state.locale)
    done = set(responses_for(db, patient.id, week))
    return render(request, "reassessment/overview.html", {
        "week": week, "screened": screening_for(db, plan, week) is not None, "done": done,
        "camera": camera_assessment.outcomes(db, patient.id, week, plan.id), "camera_total": len(camera_assessment.STEPS),
        "instruments": REASSESSMENT_INSTRUMENTS,
        "titles": {i: instruments.load_instrument(i).title[lang] for i in REASSESSMENT_INSTRUMENTS},
    })


@router.get("/reassessment/safety")
def safety_page(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The red-flag questions again (brief §3.1: repeated at every reassessment)."""
    _due(db, patient)
    return safety_form_page(request, FormState(), action="/reassessment/safety")


@router.post("/reassessment/safety")
async def save_safety(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Screen the answers; a blocking outcome stops exercise and says what to do, as at intake."""
    plan, week = _due(db, patient)
    answers, state = read_safety_answers(form_values(await request.form()))
    if state.errors:
        return safety_form_page(request, state, status_code=400, action="/reassessment/safety")
    history = clinical.latest_assessment(db, patient.id, "history")
    result = redflags.screen(build_intake(history.data if history else None, answers, {}))
    screening = clinical.save_screening(db, patient_id=patient.id, answers=answers,
                                        outcome=result.outcome or "CONTINUE",
                                        flags=[finding.__dict__ for finding in result.findings])
    record_screening(db, plan, week, screening.id)
    if result.exercise_blocked:
        return RedirectResponse("/assessment/safety/result", status_code=303)
    return RedirectResponse("/reassessment", status_code=303)


def _instrument(instrument_id: str) -> str:
    if instrument_id not in REASSESSMENT_INSTRUMENTS:
        raise HTTPException(404, detail=errors.INSTRUMENT_NOT_FOUND)
    return instrument_id


@router.get("/reassessment/questionnaires/{instrument_id}")
def questionnaire_page(request: Request, db: DbSession, patient: CurrentPatient, instrument_id: str) -> Response:
    """One of the repeated questionnaires."""
    _due(db, patient)
    instrument_id = _instrument(instrument_id)
    return questionnaire_form_page(request, instrument_id, FormState(),
                                   action=f"/reassessment/questionnaires/{instrument_id}")


@router.post("/reassessment/questionnaires/{instrument_id}")
async def save_questionnaire(request: Request, db: DbSession, patient: CurrentPatient, instrument_id: str) -> Response:
    """Score and store the answers under the reassessment's week."""
    _plan, week = _due(db, patient)
    instrument = instruments.load_instrument(_instrument(instrument_id))
    scored, state = read_questionnaire_answers(instrument, form_values(await request.form()))
    if scored is None:
        return questionnaire_form_page(request, instrument.id, state, status_code=400,
                                       action=f"/reassessment/questionnaires/{instrument.id}")
    stored, score = scored
    clinical.save_response(db, patient_id=patient.id, instrument=instrument.id,
                           instrument_version=instrument.version, answers={"items": stored},
                           result=score.public(), total=score.total, week=week)
    return RedirectResponse("/reassessment", status_code=303)


@router.post("/reassessment/finish")
def finish(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Run the clinical reassessment and send its proposal to the therapist."""
    plan, week = _due(db, patient)
    screening = screening_for(db, plan, week)
    if screening is None or set(responses_for(db, patient.id, week)) < set(REASSESSMENT_INSTRUMENTS):
        return RedirectResponse("/reassessment", status_code=303)
    # Any blocking screen since (this one or a session check-in's) keeps exercise stopped.
    if clinical.latest_screening(db, patient.id).outcome in redflags.BLOCKING:
        return RedirectResponse("/assessment/safety/result", status_code=303)
    classification = clinical.latest_classification(db, patient.id)
    if classification is None:
        raise HTTPException(404, detail=errors.REASSESSMENT_NOT_DUE)
    propose(db, plan, week, classification, screening.answers)
    return RedirectResponse("/reassessment", status_code=303)

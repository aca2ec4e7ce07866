"""The self-assessment: history, safety questions (red-flag gate), questionnaires, result."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from backcoach.app import camera_assessment, errors
from backcoach.app.assessment import (
    CATEGORY_EXPLAINED,
    SELF_ASSESSMENT,
    build_intake,
    library_plan,
    locale_key,
    store_plan,
)
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.i18n import N_, gettext, set_locale
from backcoach.app.templating import render
from backcoach.clinical import instruments, redflags, scoring
from backcoach.clinical.catalog import PlanError
from backcoach.clinical.classify import classify
from backcoach.store.models import User
from backcoach.store.repo import accounts, clinical, plans

router = APIRouter(dependencies=CSRF)

LEG_AREAS = {
    "none": N_("No leg symptoms"),
    "buttock": N_("Buttock"),
    "thigh": N_("Thigh"),
    "below_knee": N_("Below the knee"),
    "foot": N_("Down to the foot"),
}
AGGRAVATORS = {
    "sitting_long": N_("Sitting for a long time"),
    "bending_forward": N_("Bending forward"),
    "lifting": N_("Lifting"),
    "rising_from_sitting": N_("Getting up from a chair"),
    "putting_on_socks": N_("Putting on socks or shoes"),
    "driving": N_("Driving"),
    "standing_long": N_("Standing for a long time"),
    "walking": N_("Walking"),
    "overhead_reaching": N_("Reaching overhead"),
    "lying_prone": N_("Lying on your stomach"),
    "arching_back": N_("Arching your back"),
    "twisting": N_("Twisting"),
    "turning_in_bed": N_("Turning in bed"),
    "carrying": N_("Carrying things"),
}
EASERS = {
    "sitting_or_bending_forward": N_("Sitting or bending forward"),
    "walking_standing_or_lying_prone": N_("Walking, standing or lying on your stomach"),
    "movement_rest_stiffens": N_("Moving around (rest makes it stiff)"),
    "heat_massage_stretching": N_("Heat, massage or stretching"),
    "nothing": N_("Nothing really helps"),
}
SEXES = {"female": N_("Female"), "male": N_("Male"), "other": N_("Other or prefer not to say")}


class HistoryForm(BaseModel):
    age: int = Field(ge=16, le=110)
    sex: Literal["female", "male", "other"] | None = None
    weight_kg: float | None = Field(None, gt=20, le=300)
    duration_weeks: float = Field(ge=0, le=2600)
    leg_left: Literal["none", "buttock", "thigh", "below_knee", "foot"] = "none"
    leg_right: Literal["none", "buttock", "thigh", "below_knee", "foot"] = "none"
    numbness: bool = False
    pins_and_needles: bool = False
    weakness: bool = False

    def to_intake(self, aggravating: list[str], easing: list[str]) -> dict[str, Any]:
        legs = {}
        for side, area in (("left", self.leg_left), ("right", self.leg_right)):
            if area != "none":
                legs[side] = {"pain_area": area, "numbness": self.numbness,
                              "pins_and_needles": self.pins_and_needles, "weakness": self.weakness}
        return {
            "patient": {"age": self.age, "sex": self.sex, "weight_kg": self.weight_kg},
            "history": {"duration_weeks": self.duration_weeks, "legs": legs,
                        "aggravating": aggravating, "easing": easing},
        }


def _steps(db: DbSession, patient: User) -> dict[str, Any]:
    history = clinical.latest_assessment(db, patient.id, "history")
    screening = clinical.latest_screening(db, patient.id)
    done = {i for i in SELF_ASSESSMENT if clinical.latest_response(db, patient.id, i) is not None}
    camera = camera_assessment.outcomes(db, patient.id, 0)
    return {"history": history, "screening": screening, "done": done, "camera": camera,
            "camera_total": len(camera_assessment.STEPS)}


@router.get("/assessment")
def overview(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The steps of the self-assessment and which are done."""
    steps = _steps(db, patient)
    titles = {i: instruments.load_instrument(i).title[locale_key(request.state.locale)] for i in SELF_ASSESSMENT}
    return render(request, "assessment/overview.html", {**steps, "instruments": SELF_ASSESSMENT, "titles": titles})


def _history_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(request, "assessment/history.html", {
        "form": form, "leg_areas": LEG_AREAS, "aggravators": AGGRAVATORS, "easers": EASERS, "sexes": SEXES,
    }, status_code=status_code)


@router.get("/assessment/history")
def history_page(request: Request, patient: CurrentPatient) -> Response:
    """The back-pain history form."""
    return _history_page(request, FormState())


@router.post("/assessment/history")
async def save_history(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Store the history; invalid fields come back with their message."""
    form = await request.form()
    values = form_values(form)
    aggravating = [v for v in form.getlist("aggravating") if v in AGGRAVATORS]
    easing = [v for v in form.getlist("easing") if v in EASERS]
    data, state = validate(HistoryForm, values)
    state.values["aggravating"], state.values["easing"] = aggravating, easing
    if data is None:
        return _history_page(request, state, status_code=400)
    clinical.save_assessment(db, patient_id=patient.id, kind="history", data=data.to_intake(aggravating, easing))
    return RedirectResponse("/assessment/safety", status_code=303)


def safety_form_page(request: Request, form: FormState, status_code: int = 200,
                     action: str = "/assessment/safety") -> Response:
    """The red-flag questions, posting to ``action`` (the self-assessment's or a reassessment's)."""
    lang = locale_key(request.state.locale)
    questions = {qid: q[lang] for qid, q in redflags.redflag_data()["questions"].items()}
    return render(request, "assessment/safety.html", {"form": form, "questions": questions, "action": action},
                  status_code=status_code)


def read_safety_answers(values: dict[str, Any]) -> tuple[dict[str, Any], FormState]:
    """The red-flag answers from a posted form, with one message per missing or bad field."""
    state = FormState(values=values)
    answers: dict[str, Any] = {}
    for qid in redflags.redflag_data()["questions"]:
        if values.get(qid) not in {"yes", "no"}:
            state.errors[qid] = errors.FIELD_REQUIRED
        answers[qid] = values.get(qid) == "yes"
    for number in ("weight_loss_kg", "weight_loss_months"):
        if values.get(number):
            try:
                answers[number] = float(values[number])
                if answers[number] < 0:
                    raise ValueError
            except ValueError:
                state.errors[number] = errors.FIELD_OUT_OF_RANGE
    return answers, state


@router.get("/assessment/safety")
def safety_page(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The red-flag questions, each answered yes or no."""
    if clinical.latest_assessment(db, patient.id, "history") is None:
        return RedirectResponse("/assessment/history", status_code=303)
    return safety_form_page(request, FormState())


@router.post("/assessment/safety")
async def save_safety(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Screen the answers; a blocking outcome stops exercise and says what to do."""
    history = clinical.latest_assessment(db, patient.id, "history")
    if history is None:
        return RedirectResponse("/assessment/history", status_code=303)
    answers, state = read_safety_answers(form_values(await request.form()))
    if state.errors:
        return safety_form_page(request, state, status_code=400)
    result = redflags.screen(build_intake(history.data, answers, {}))
    clinical.save_screening(db, patient_id=patient.id, answers=answers, outcome=result.outcome or "CONTINUE",
                            flags=[finding.__dict__ for finding in result.findings])
    if result.exercise_blocked:
        return RedirectResponse("/assessment/safety/result", status_code=303)
    return RedirectResponse("/assessment", status_code=303)


@router.get("/assessment/safety/result")
def safety_result(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The red-flag gate: what the answers mean and what to do now."""
    screening = clinical.latest_screening(db, patient.id)
    if screening is None:
        return RedirectResponse("/assessment/safety", status_code=303)
    audit_read(db, request, patient, patient.id, "red_flag_screening", OWN_RECORD, screening.id)
    message = redflags.redflag_data()["messages"][screening.outcome][locale_key(request.state.locale)]
    return render(request, "assessment/gate.html", {"screening": screening, "message": message,
                                                    "therapist": accounts.therapist_of(db, patient.id)})


def questionnaire_form_page(request: Request, instrument_id: str, form: FormState, status_code: int = 200,
                            action: str | None = None) -> Response:
    """A questionnaire from its data file, posting to ``action`` (default: the self-assessment's)."""
    instrument = instruments.load_instrument(instrument_id)
    lang = locale_key(request.state.locale)
    set_locale(request.state.locale)
    items = []
    for item in instrument.items:
        if instrument.kind == "options":
            options = [(str(v), t[lang]) for v, t in zip(item.options, item.option_text)]
        else:
            low, high = instrument.bounds
            options = [(str(v), str(v)) for v in range(int(low), int(high) + 1)]
        if item.not_applicable:
            options.append(("na", gettext("Not applicable")))
        items.append({"name": f"item{item.number}", "text": item.text[lang], "options": options})
    return render(request, "assessment/questionnaire.html", {
        "instrument": instrument, "title": instrument.title[lang], "items": items, "form": form,
        "action": action or f"/assessment/questionnaires/{instrument.id}",
    }, status_code=status_code)


def _self_assessment_instrument(instrument_id: str) -> str:
    if instrument_id not in SELF_ASSESSMENT:
        raise HTTPException(404, detail=errors.INSTRUMENT_NOT_FOUND)
    return instrument_id


def read_questionnaire_answers(instrument: Any, values: dict[str, Any]) -> tuple[tuple[list[Any], Any] | None, FormState]:
    """Check every answer and score with the clinical library: ((answers to store, score) or None, form)."""
    state = FormState(values=values)
    answers: list[Any] = []
    for item in instrument.items:
        name = f"item{item.number}"
        raw = values.get(name)
        if raw is None:
            state.errors[name] = errors.FIELD_REQUIRED
            answers.append(None)
            continue
        answers.append(raw)
    if not state.errors:
        for item, raw in zip(instrument.items, answers):
            try:
                instruments.validate_answers(instrument.id, [raw if i is item else None for i in instrument.items])
            except instruments.AnswerError:
                state.errors[f"item{item.number}"] = errors.FIELD_OUT_OF_RANGE
    if state.errors:
        return None, state
    answers = instruments.validate_answers(instrument.id, answers)
    score = scoring.score(instrument.id, answers)
    return (["na" if a is instruments.NA else a for a in answers], score), state


@router.get("/assessment/questionnaires/{instrument_id}")
def questionnaire_page(request: Request, patient: CurrentPatient, instrument_id: str) -> Response:
    """A questionnaire rendered from the instrument's data file."""
    return questionnaire_form_page(request, _self_assessment_instrument(instrument_id), FormState())


@router.post("/assessment/questionnaires/{instrument_id}")
async def save_questionnaire(request: Request, db: DbSession, patient: CurrentPatient, instrument_id: str) -> Response:
    """Check every answer, score with the clinical library, store answers and result together."""
    instrument = instruments.load_instrument(_self_assessment_instrument(instrument_id))
    scored, state = read_questionnaire_answers(instrument, form_values(await request.form()))
    if scored is None:
        return questionnaire_form_page(request, instrument.id, state, status_code=400)
    stored, score = scored
    clinical.save_response(db, patient_id=patient.id, instrument=instrument.id,
                           instrument_version=instrument.version, answers={"items": stored},
                           result=score.public(), total=score.total, week=0)
    return RedirectResponse("/assessment", status_code=303)


@router.post("/assessment/finish")
def finish(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Classify with the clinical library and, when the exercise library allows, build the plan."""
    steps = _steps(db, patient)
    if steps["history"] is None or steps["screening"] is None:
        return RedirectResponse("/assessment", status_code=303)
    questionnaires = {i: clinical.latest_response(db, patient.id, i).answers["items"] for i in steps["done"]}
    camera = camera_assessment.outcomes(db, patient.id, 0, counting=True)
    intake = build_intake(steps["history"].data, steps["screening"].answers, questionnaires,
                          camera_assessment.examination(camera))
    result = classify(intake)
    details = result.to_dict()
    details["camera_tests"] = camera_assessment.coverage(camera)
    if result.category is None:
        clinical.save_screening(db, patient_id=patient.id, answers=steps["screening"].answers,
                                outcome=result.outcome, flags=details["red_flags"]["findings"] if details["red_flags"] else [])
        return RedirectResponse("/assessment/safety/result", status_code=303)
    approach = result.approach or "movement_control"
    try:
        plan = library_plan(result.category, approach, details)
    except PlanError as exc:
        # The exercise library does not cover this plan yet: the therapist finishes it.
        details["plan_error"] = str(exc)
        plan = None
    saved = clinical.save_classification(db, patient_id=patient.id, category=result.category, approach=approach,
                                         details=details, engine_version=result.rule_table_version)
    if plan is not None:
        starts_on = date.today() + timedelta(days=(7 - date.today().weekday()) % 7)
        store_plan(db, patient.id, plan, starts_on, saved.id)
    return RedirectResponse("/assessment/result", status_code=303)


@router.get("/assessment/result")
def result_page(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The classification in plain words, the scores, and the way to the plan."""
    result = clinical.latest_classification(db, patient.id)
    if result is None:
        return RedirectResponse("/assessment", status_code=303)
    audit_read(db, request, patient, patient.id, "classification", OWN_RECORD, result.id)
    lang = locale_key(request.state.locale)
    scores = []
    for instrument_id in SELF_ASSESSMENT:
        response = clinical.latest_response(db, patient.id, instrument_id)
        if response is not None:
            scores.append({"title": instruments.load_instrument(instrument_id).title[lang],
                           "total": response.result.get("total"), "max": response.result.get("max"),
                           "band": response.result.get("band")})
    name = (result.details.get("category_name") or {}).get(lang, result.category)
    cover = result.details.get("camera_tests")
    not_measured = [camera_assessment.label(t, lang) for t in camera_assessment.not_measured(cover)] if cover else None
    return render(request, "assessment/result.html", {
        "result": result, "category_name": name, "explained": CATEGORY_EXPLAINED.get(result.category),
        "scores": scores, "has_plan": plans.active_plan(db, patient.id) is not None, "not_measured": not_measured,
    })

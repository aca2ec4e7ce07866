"""The therapist portal beyond the roster: progress plots, session replay, plan editing and
reassessment review, messages (moderation and the exercise editor: ``therapist_tools``).

Lives beside ``therapist.py`` (the roster and invitations) under the same ``/therapist`` prefix.
Every patient route first checks that the therapist follows the patient (404 otherwise, so ids of
other clinics' patients are not confirmed), and every read of health data is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from backcoach.app import camera_assessment as cam, errors, reassessment
from backcoach.app.audit import TREATING_THERAPIST, audit_read, audit_write
from backcoach.app.deps import CSRF, CurrentTherapist, DbSession, TreatedPatient
from backcoach.app.exercise_names import exercise_name
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.portal import camera_review, charts, exercises as editor
from backcoach.app.portal.quality import tracking_alert
from backcoach.app.portal.replay import TraceError, replay_payload
from backcoach.app.templating import render
from backcoach.store.models import SessionMode, User
from backcoach.store.repo import community, plans
from backcoach.store.repo import portal as portal_repo
from backcoach.store.repo.plans import ItemSpec

router = APIRouter(prefix="/therapist", dependencies=CSRF)

#: Instruments plotted on the patient page, with the y-axis maximum when the result has none.
PLOTTED = (("nrs", 10.0), ("odi", 100.0), ("rmdq", 24.0), ("pcs", 52.0))
PLAN_EDIT = "therapist_edit"


def _plotted_value(response) -> float | None:  # type: ignore[no-untyped-def]
    """The headline score; NRS keeps its three recall frames apart, so plot the 7-day average."""
    if response.total is not None:
        return float(response.total)
    average = (response.result.get("subscales") or {}).get("average")
    return float(average) if isinstance(average, (int, float)) else None


def _lang(request: Request) -> str:
    return "zh-Hans" if request.state.locale == "zh_Hans" else "en"


# ------------------------------------------------------------------------------ progress
@router.get("/patients/{patient_id}/progress")
def progress(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Scores over time, pain before sessions, quality per exercise and replayable sets."""
    audit_read(db, request, therapist, patient.id, "progress", TREATING_THERAPIST)
    plots = []
    for instrument, default_max in PLOTTED:
        series = [(r, _plotted_value(r)) for r in portal_repo.score_series(db, patient.id, instrument)]
        series = [(r, v) for r, v in series if v is not None]
        y_max = float(series[-1][0].result.get("max") or default_max) if series else default_max
        points = [charts.Point(r.completed_at.strftime("%m-%d"), v) for r, v in series]
        plots.append({"instrument": instrument, "n": len(points), "last": points[-1].value if points else None,
                      "svg": charts.line_chart(points, y_max, instrument.upper())})
    quality = portal_repo.quality_per_exercise(db, patient.id)
    locale = request.state.locale
    return render(request, "therapist/progress.html", {
        "patient": patient, "plots": plots,
        "quality": [(q, exercise_name(q.exercise_id, locale),
                     charts.line_chart([charts.Point(str(i + 1), v) for i, v in enumerate(q.trend)], 100, q.exercise_id))
                    for q in quality],
        "tracking": tracking_alert(portal_repo.last_ai_session(db, patient.id)),
        "traced": [(s, exercise_name(s.exercise_id, locale)) for s in portal_repo.traced_sets(db, patient.id)],
        "pending": sum(1 for p in portal_repo.proposals_of(db, patient.id) if p.status == "pending"),
    })


@router.get("/patients/{patient_id}/sets/{set_id}/replay")
def replay_page(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient, set_id: int) -> Response:
    """The set replayed as an animated skeleton with each rep's grade and cues."""
    exercise_set = portal_repo.set_of_patient(db, patient.id, set_id)
    if exercise_set is None or portal_repo.trace_of(db, set_id) is None:
        raise HTTPException(404, detail=errors.TRACE_NOT_FOUND)
    audit_read(db, request, therapist, patient.id, "landmark_trace", TREATING_THERAPIST, set_id)
    return render(request, "therapist/replay.html", {
        "patient": patient, "set": exercise_set, "name": exercise_name(exercise_set.exercise_id, request.state.locale),
        "data_url": f"/therapist/patients/{patient.id}/sets/{set_id}/replay.json",
    })


@router.get("/patients/{patient_id}/sets/{set_id}/replay.json")
def replay_data(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient, set_id: int) -> Response:
    """The stored landmarks and rep events of one set (for the replay canvas)."""
    exercise_set = portal_repo.set_of_patient(db, patient.id, set_id)
    trace = portal_repo.trace_of(db, set_id) if exercise_set else None
    if exercise_set is None or trace is None:
        raise HTTPException(404, detail=errors.TRACE_NOT_FOUND)
    audit_read(db, request, therapist, patient.id, "landmark_trace", TREATING_THERAPIST, set_id)
    try:
        return JSONResponse(replay_payload(exercise_set, trace, _lang(request)))
    except TraceError:
        raise HTTPException(404, detail=errors.TRACE_NOT_FOUND) from None


# ------------------------------------------------------------------------------ plan
class DoseForm(BaseModel):
    exercise_id: str = Field(min_length=1, max_length=64)
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    rest_seconds: int = Field(default=30, ge=0, le=600)

    @model_validator(mode="after")
    def _reps_or_hold(self) -> "DoseForm":
        if self.reps is None and self.hold_seconds is None:
            raise ValueError(errors.FIELD_REPS_OR_HOLD)
        return self


class AddForm(DoseForm):
    block: Literal["warm_up", "category", "motor_control", "flexibility", "cool_down"]
    per_side: bool = False


class ModeForm(BaseModel):
    mode: SessionMode


def _plan_context(db: Session, patient: User):  # type: ignore[no-untyped-def]
    plan = plans.active_plan(db, patient.id)
    if plan is None:
        raise HTTPException(404, detail=errors.PLAN_NOT_FOUND)
    return plan, portal_repo.future_sessions(plan, plans.completed_plan_session_ids(db, patient.id))


def _plan_page(request: Request, db: Session, therapist: User, patient: User, forms: dict[str, FormState] | None = None,
               status_code: int = 200) -> Response:
    plan, future = _plan_context(db, patient)
    current: dict[str, object] = {}
    for session in future:
        for item in session.items:
            current.setdefault(item.exercise_id, item)
    locale = request.state.locale
    forms = forms or {}
    proposals = portal_repo.proposals_of(db, patient.id)
    return render(request, "therapist/plan.html", {
        "patient": patient, "plan": plan, "future": future,
        "items": [(item, exercise_name(eid, locale), _dose_state(item, forms, eid)) for eid, item in current.items()],
        "library": [(eid, exercise_name(eid, locale)) for eid in editor.shipped_ids()],
        "proposals": proposals, "revisions": portal_repo.revisions_of(db, plan.id),
        "proposal_cameras": {p.id: camera_review.at_reassessment(db, p, _lang(request)) for p in proposals},
        "skip_reasons": cam.SKIP_REASONS, "pain_answers": cam.PAIN_ANSWERS,
        "add_form": forms.get("add", FormState()),
    }, status_code=status_code)


def _dose_state(item, forms: dict, exercise_id: str) -> FormState:  # type: ignore[no-untyped-def]
    """The submitted form for the exercise that failed validation; the stored dose for the others."""
    if forms.get("dose_for") == exercise_id:
        return forms["dose"]
    return FormState(values={"sets": item.sets, "reps": item.reps or "", "hold_seconds": item.hold_seconds or "",
                             "rest_seconds": item.rest_seconds})


@router.get("/patients/{patient_id}/plan")
def plan_page(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """The plan from today on, its edits, and the reassessment proposals to review."""
    audit_read(db, request, therapist, patient.id, "plan", TREATING_THERAPIST)
    return _plan_page(request, db, therapist, patient)


def _edited(request: Request, db: Session, therapist: User, patient: User, plan, changes: list) -> Response:  # type: ignore[no-untyped-def]
    portal_repo.add_revision(db, plan, therapist.id, PLAN_EDIT, changes)
    audit_write(db, request, therapist, patient.id, "plan", TREATING_THERAPIST, plan.id)
    return RedirectResponse(f"/therapist/patients/{patient.id}/plan", status_code=303)


@router.post("/patients/{patient_id}/plan/dose")
async def change_dose(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Change an exercise's dosage in every session still to come."""
    values = form_values(await request.form())
    data, state = validate(DoseForm, values)
    if data is None:
        return _plan_page(request, db, therapist, patient, {"dose": state, "dose_for": values.get("exercise_id")}, 400)
    plan, future = _plan_context(db, patient)
    changed = portal_repo.set_dose(future, data.exercise_id, sets=data.sets, reps=data.reps,
                                   hold_seconds=data.hold_seconds, rest_seconds=data.rest_seconds)
    if not changed:
        raise HTTPException(404, detail=errors.EXERCISE_NOT_FOUND)
    return _edited(request, db, therapist, patient, plan, [{"change": "dose", **data.model_dump(), "sessions": changed}])


@router.post("/patients/{patient_id}/plan/remove")
async def remove_exercise(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Remove an exercise from every session still to come."""
    exercise_id = (await request.form()).get("exercise_id")
    plan, future = _plan_context(db, patient)
    removed = portal_repo.remove_exercise(db, future, str(exercise_id))
    if not removed:
        raise HTTPException(404, detail=errors.EXERCISE_NOT_FOUND)
    return _edited(request, db, therapist, patient, plan, [{"change": "remove", "exercise": exercise_id, "sessions": removed}])


@router.post("/patients/{patient_id}/plan/add")
async def add_exercise(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Add a library exercise to every session still to come."""
    data, state = validate(AddForm, form_values(await request.form()))
    if data is not None and data.exercise_id not in editor.shipped_ids():
        state.errors["exercise_id"] = errors.FIELD_OUT_OF_RANGE
        data = None
    if data is None:
        return _plan_page(request, db, therapist, patient, {"add": state}, 400)
    plan, future = _plan_context(db, patient)
    work = (data.reps or 1) * (data.hold_seconds or 4) if data.reps else (data.hold_seconds or 0)
    sides = 2 if data.per_side else 1
    spec = ItemSpec(exercise_id=data.exercise_id, block=data.block, sets=data.sets, reps=data.reps,
                    hold_seconds=data.hold_seconds, rest_seconds=data.rest_seconds, per_side=data.per_side,
                    expected_seconds=data.sets * sides * work + data.rest_seconds * (data.sets * sides - 1))
    added = portal_repo.add_exercise(db, future, spec)
    return _edited(request, db, therapist, patient, plan, [{"change": "add", **data.model_dump(), "sessions": added}])


@router.post("/patients/{patient_id}/plan/mode")
async def change_mode(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Switch the plan between camera-guided and video-only sessions."""
    data, _state = validate(ModeForm, form_values(await request.form()))
    if data is None:
        return _plan_page(request, db, therapist, patient, status_code=400)
    plan, _future = _plan_context(db, patient)
    old, plan.mode = plan.mode, data.mode
    return _edited(request, db, therapist, patient, plan, [{"change": "mode", "from": old.value, "to": data.mode.value}])


@router.post("/patients/{patient_id}/proposals/{proposal_id}/{decision}")
async def review_proposal(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient,
                          proposal_id: int, decision: Literal["approve", "reject"]) -> Response:
    """Approve (apply from its week on) or reject a reassessment's proposed plan change."""
    proposal = portal_repo.proposal_of(db, patient.id, proposal_id)
    if proposal is None:
        raise HTTPException(404, detail=errors.PROPOSAL_NOT_FOUND)
    if proposal.status != "pending":
        raise HTTPException(409, detail=errors.PROPOSAL_REVIEWED)
    note = str((await request.form()).get("note", ""))[:500]
    plan, future = _plan_context(db, patient)
    if decision == "approve":
        reassessment.apply_proposal(db, plan, future, proposal, date.today())
        portal_repo.add_revision(db, plan, therapist.id, "proposal", proposal.difference.get("changes", []))
    portal_repo.review_proposal(proposal, therapist.id, decision == "approve", note)
    audit_write(db, request, therapist, patient.id, "plan_proposal", TREATING_THERAPIST, proposal.id)
    return RedirectResponse(f"/therapist/patients/{patient.id}/plan", status_code=303)


# ------------------------------------------------------------------------------ messages
class MessageForm(BaseModel):
    body: str = Field(min_length=1, max_length=2000)


def _messages_page(request: Request, db: Session, therapist: User, patient: User, form: FormState,
                   status_code: int = 200) -> Response:
    portal_repo.mark_conversation_read(db, therapist.id, patient.id)
    return render(request, "therapist/messages.html", {
        "patient": patient, "messages": portal_repo.conversation(db, therapist.id, patient.id), "form": form,
    }, status_code=status_code)


@router.get("/patients/{patient_id}/messages")
def messages(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """The conversation with one patient."""
    audit_read(db, request, therapist, patient.id, "messages", TREATING_THERAPIST)
    return _messages_page(request, db, therapist, patient, FormState())


@router.post("/patients/{patient_id}/messages")
async def send_message(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """Send a message to the patient."""
    data, state = validate(MessageForm, form_values(await request.form()))
    if data is None:
        return _messages_page(request, db, therapist, patient, state, status_code=400)
    community.send_message(db, therapist.id, patient.id, data.body)
    audit_write(db, request, therapist, patient.id, "messages", TREATING_THERAPIST)
    return RedirectResponse(f"/therapist/patients/{patient.id}/messages", status_code=303)

"""§5.3 progression in the app: the next-morning pain rating, "why my plan changed" for the
patient, and the therapist's list of automatic plan changes with an undo.

The work is :mod:`backcoach.app.progression`'s; this module only reads forms and renders pages.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcoach.app import errors, progression
from backcoach.app.audit import OWN_RECORD, TREATING_THERAPIST, audit_read, audit_write
from backcoach.app.deps import CSRF, CurrentPatient, CurrentTherapist, DbSession, TreatedPatient
from backcoach.app.exercise_names import exercise_name
from backcoach.app.forms import form_values
from backcoach.app.templating import render
from backcoach.store.models import User

router = APIRouter(dependencies=CSRF)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _rows(request: Request, changes: list) -> list[dict]:  # type: ignore[type-arg]
    return [{"change": c, "name": exercise_name(c.data["exercise_id"], request.state.locale),
             "action": progression.ACTION_TEXT[c.data["action"]]} for c in changes]


@router.post("/plan/next-morning")
async def next_morning(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The pain rating the morning after a session (or recalled at the next check-in)."""
    values = form_values(await request.form())
    try:
        session_id, nrs = int(values.get("session_id", "")), int(values.get("nrs", ""))
    except ValueError:
        return _prompt_error(request, db, patient, "nrs: choose a number from 0 to 10")
    try:
        progression.record_next_morning(db, patient.id, session_id, nrs, _now())
    except progression.ProgressionInputError as exc:
        return _prompt_error(request, db, patient, str(exc))
    audit_write(db, request, patient, patient.id, "next_morning_nrs", OWN_RECORD, session_id)
    return RedirectResponse("/plan/changes", status_code=303)


def _prompt_error(request: Request, db: DbSession, patient: User, message: str) -> Response:
    return render(request, "progress_check/next_morning.html",
                  {"next_morning": progression.pending_next_morning(db, patient.id, _now()), "error": message},
                  status_code=400)


@router.get("/plan/next-morning")
def next_morning_page(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    return render(request, "progress_check/next_morning.html",
                  {"next_morning": progression.pending_next_morning(db, patient.id, _now()), "error": None})


@router.get("/plan/changes")
def plan_changes(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Why my plan changed: every automatic change, newest first, with its reasons."""
    audit_read(db, request, patient, patient.id, "plan_changes", OWN_RECORD)
    return render(request, "progress_check/changes.html",
                  {"rows": _rows(request, progression.changes_of(db, patient.id))})


@router.get("/therapist/patients/{patient_id}/plan-changes")
def therapist_changes(request: Request, db: DbSession, therapist: CurrentTherapist,
                      patient: TreatedPatient) -> Response:
    audit_read(db, request, therapist, patient.id, "plan_changes", TREATING_THERAPIST)
    return render(request, "progress_check/therapist_changes.html",
                  {"patient": patient, "rows": _rows(request, progression.changes_of(db, patient.id))})


@router.post("/therapist/patients/{patient_id}/plan-changes/{change_id}/undo")
def undo(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient,
         change_id: int) -> Response:
    """Put the plan back as it was before an automatic change."""
    try:
        progression.undo_change(db, patient.id, change_id, therapist.id)
    except progression.ProgressionInputError as exc:
        raise HTTPException(409, detail=str(exc)) from None
    audit_write(db, request, therapist, patient.id, "plan", TREATING_THERAPIST, change_id)
    return RedirectResponse(f"/therapist/patients/{patient.id}/plan-changes", status_code=303)

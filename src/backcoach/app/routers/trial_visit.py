"""A trial participant's web visit (weeks 2 and 8), answered in the app.

Only a patient linked to a participant reaches it, and only while the visit's window is open;
anything else is 404. Answers are scored by the clinical library and stored as trial outcomes.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from backcoach.app import errors
from backcoach.app.assessment import locale_key
from backcoach.app.audit import OWN_RECORD, audit_read, audit_write
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.forms import FormState, form_values
from backcoach.app.portal import web_visits
from backcoach.app.routers.patient import questionnaire_form_page, read_questionnaire_answers
from backcoach.app.templating import render
from backcoach.clinical import instruments
from backcoach.store.models import User

router = APIRouter(dependencies=CSRF)

RESOURCE = "trial_web_visit"


@router.get("/study")
def study(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """The participant's open web visits and which questionnaires are still to answer."""
    visits = web_visits.open_web_visits(db, patient, date.today())
    audit_read(db, request, patient, patient.id, RESOURCE, OWN_RECORD)
    lang = locale_key(request.state.locale)
    titles = {i: instruments.load_instrument(i).title[lang] for v in visits for i in v.instruments}
    return render(request, "study.html", {"visits": visits, "titles": titles})


def _open(db: DbSession, patient: User, visit_id: int, instrument_id: str) -> web_visits.OpenWebVisit:
    found = web_visits.find(db, patient, visit_id, date.today())
    if found is None or instrument_id not in found.instruments:
        raise HTTPException(404, detail=errors.INSTRUMENT_NOT_FOUND)
    return found


@router.get("/study/visits/{visit_id}/{instrument_id}")
def questionnaire(request: Request, db: DbSession, patient: CurrentPatient, visit_id: int,
                  instrument_id: str) -> Response:
    """One questionnaire of the web visit."""
    _open(db, patient, visit_id, instrument_id)
    return questionnaire_form_page(request, instrument_id, FormState(),
                                   action=f"/study/visits/{visit_id}/{instrument_id}")


@router.post("/study/visits/{visit_id}/{instrument_id}")
async def answer(request: Request, db: DbSession, patient: CurrentPatient, visit_id: int,
                 instrument_id: str) -> Response:
    """Score the answers and store them as the visit's trial outcomes."""
    found = _open(db, patient, visit_id, instrument_id)
    instrument = instruments.load_instrument(instrument_id)
    scored, state = read_questionnaire_answers(instrument, form_values(await request.form()))
    if scored is None:
        return questionnaire_form_page(request, instrument_id, state, status_code=400,
                                       action=f"/study/visits/{visit_id}/{instrument_id}")
    _answers, score = scored
    web_visits.record(db, patient, found, instrument_id, score.public())
    audit_write(db, request, patient, patient.id, RESOURCE, OWN_RECORD, f"{found.participant.code}/{instrument_id}")
    return RedirectResponse("/study", status_code=303)

"""The patient's side of the conversation with their therapist (the therapist's is in the portal)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.templating import render
from backcoach.store.models import User
from backcoach.store.repo import accounts, community
from backcoach.store.repo import portal as portal_repo

router = APIRouter(dependencies=CSRF)


class MessageForm(BaseModel):
    body: str = Field(min_length=1, max_length=2000)


def _therapist(db: Session, patient: User) -> User:
    therapist = accounts.therapist_of(db, patient.id)
    if therapist is None:
        raise HTTPException(404, detail=errors.NO_THERAPIST)
    return therapist


def _inbox(request: Request, db: Session, patient: User, therapist: User, form: FormState,
           status_code: int = 200) -> Response:
    portal_repo.mark_conversation_read(db, patient.id, therapist.id)
    return render(request, "messages/inbox.html", {
        "therapist": therapist, "messages": portal_repo.conversation(db, patient.id, therapist.id), "form": form,
    }, status_code=status_code)


@router.get("/messages")
def inbox(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Messages with the patient's therapist."""
    therapist = _therapist(db, patient)
    audit_read(db, request, patient, patient.id, "messages", OWN_RECORD)
    return _inbox(request, db, patient, therapist, FormState())


@router.post("/messages")
async def send(request: Request, db: DbSession, patient: CurrentPatient) -> Response:
    """Write to the therapist."""
    therapist = _therapist(db, patient)
    data, state = validate(MessageForm, form_values(await request.form()))
    if data is None:
        return _inbox(request, db, patient, therapist, state, status_code=400)
    community.send_message(db, patient.id, therapist.id, data.body)
    return RedirectResponse("/messages", status_code=303)

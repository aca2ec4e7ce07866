"""The therapist portal: roster, patient page, invitations with QR codes."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from io import BytesIO

import qrcode
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from backcoach.app import errors
from backcoach.app import camera_assessment as cam
from backcoach.app.assessment import locale_key
from backcoach.app.audit import TREATING_THERAPIST, audit_read
from backcoach.app.deps import CSRF, CurrentTherapist, DbSession, TreatedPatient
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.portal import camera_review
from backcoach.app.roster import roster_row
from backcoach.app.session_labels import MODE_LABELS, STATUS_LABELS
from backcoach.app.templating import render
from backcoach.store.models import User
from backcoach.store.repo import accounts, audit, clinical, community, training

router = APIRouter(prefix="/therapist", dependencies=CSRF)


class InvitationForm(BaseModel):
    note: str = Field(default="", max_length=200)


@router.get("")
def roster(request: Request, db: DbSession, therapist: CurrentTherapist) -> Response:
    """Every patient the therapist follows, with adherence, trends and alerts."""
    rows = []
    for patient in accounts.patients_of(db, therapist.id):
        audit_read(db, request, therapist, patient.id, "roster_summary", TREATING_THERAPIST)
        rows.append(roster_row(db, patient, date.today()))
    return render(request, "therapist/roster.html", {"rows": rows})


@router.get("/patients/{patient_id}")
def read_patient(request: Request, db: DbSession, therapist: CurrentTherapist, patient: TreatedPatient) -> Response:
    """One patient: plan progress, sessions, questionnaires, screening and the audit trail."""
    audit_read(db, request, therapist, patient.id, "patient_record", TREATING_THERAPIST)
    classification = clinical.latest_classification(db, patient.id)
    return render(request, "therapist/patient.html", {
        "patient": patient, "row": roster_row(db, patient, date.today()),
        "sessions": training.sessions_of(db, patient.id, limit=20),
        "responses": clinical.responses_of(db, patient.id),
        "screening": clinical.latest_screening(db, patient.id),
        "classification": classification,
        "camera_tests": camera_review.at_intake(db, classification, locale_key(request.state.locale)),
        "skip_reasons": cam.SKIP_REASONS, "pain_answers": cam.PAIN_ANSWERS,
        "consents": accounts.consents_of(db, patient.id),
        "audit": audit.events_about(db, patient.id, limit=20),
        "mode_labels": MODE_LABELS, "status_labels": STATUS_LABELS,
    })


def _invitations_page(request: Request, db: DbSession, therapist: User, form: FormState,
                      status_code: int = 200) -> Response:
    settings = request.app.state.settings
    return render(request, "therapist/invitations.html", {
        "invitations": accounts.invitations_of(db, therapist.id), "form": form,
        "base_url": settings.public_url.rstrip("/"),
    }, status_code=status_code)


@router.get("/invitations")
def list_invitations(request: Request, db: DbSession, therapist: CurrentTherapist) -> Response:
    """Invitation links with their QR codes."""
    return _invitations_page(request, db, therapist, FormState())


@router.post("/invitations")
async def create_invitation(request: Request, db: DbSession, therapist: CurrentTherapist) -> Response:
    """A new single-use invitation into the therapist's first cohort group."""
    data, state = validate(InvitationForm, form_values(await request.form()))
    if data is None:
        return _invitations_page(request, db, therapist, state, status_code=400)
    groups = community.groups_of(db, therapist.id)
    accounts.create_invitation(
        db, token=secrets.token_urlsafe(24), therapist=therapist,
        lifetime=timedelta(days=request.app.state.settings.invitation_days),
        group_id=groups[0].id if groups else None, note=data.note,
    )
    return RedirectResponse("/therapist/invitations", status_code=303)


@router.get("/invitations/{token}/qr.png")
def invitation_qr(request: Request, db: DbSession, therapist: CurrentTherapist, token: str) -> Response:
    """The invitation link as a QR code to scan with a phone."""
    invitation = accounts.get_invitation(db, token)
    if invitation is None or invitation.therapist_id != therapist.id:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    url = f"{request.app.state.settings.public_url.rstrip('/')}/join/{invitation.token}"
    image = qrcode.make(url, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), media_type="image/png")

"""From the therapist's invitation to an account with separate, withdrawable consents."""

from __future__ import annotations

from typing import Self

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field, model_validator

from backcoach.app import errors
from backcoach.app.deps import CSRF, AnyPatient, DbSession
from backcoach.app.forms import Email, FormState, NewPassword, form_values, validate
from backcoach.app.routers.auth import sign_in
from backcoach.app.security import hash_password
from backcoach.app.templating import render
from backcoach.store.base import utcnow
from backcoach.store.models import ConsentKind, Invitation, Role
from backcoach.store.repo import accounts, community

router = APIRouter(dependencies=CSRF)

#: Version of the consent statements shown on the consent page; bump when their text changes.
CONSENT_VERSION = "2026-11"


class AccountForm(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    email: Email
    password: NewPassword
    password_confirm: str

    @model_validator(mode="after")
    def _same_password(self) -> Self:
        if self.password != self.password_confirm:
            raise ValueError(errors.FIELD_PASSWORDS_DIFFER)
        return self


class ConsentForm(BaseModel):
    health_data: str | None = None
    camera: str | None = None

    @model_validator(mode="after")
    def _health_data_given(self) -> Self:
        if self.health_data != "yes":
            raise ValueError(errors.FIELD_CONSENT_REQUIRED)
        return self


def _usable_invitation(db: DbSession, token: str) -> Invitation:
    invitation = accounts.get_invitation(db, token)
    if invitation is None or not accounts.invitation_usable(invitation, utcnow()):
        raise HTTPException(410, detail=errors.INVITATION_INVALID)
    return invitation


@router.get("/join/{token}")
def join_page(request: Request, db: DbSession, token: str) -> Response:
    """The account form behind an invitation link."""
    invitation = _usable_invitation(db, token)
    return render(request, "onboarding/join.html", {"invitation": invitation, "form": FormState()})


@router.post("/join/{token}")
async def join(request: Request, db: DbSession, token: str) -> Response:
    """Create the patient's account, link it to the therapist and the cohort group."""
    invitation = _usable_invitation(db, token)
    data, state = validate(AccountForm, form_values(await request.form()))
    if "_form" in state.errors:  # the two passwords differ: show it beside the second one
        state.errors["password_confirm"] = state.errors.pop("_form")
    if data is not None and accounts.get_user_by_email(db, data.email) is not None:
        state.errors["email"] = errors.EMAIL_TAKEN
        return render(request, "onboarding/join.html", {"invitation": invitation, "form": state},
                      status_code=409)
    if data is None:
        return render(request, "onboarding/join.html", {"invitation": invitation, "form": state},
                      status_code=400)
    patient = accounts.create_user(
        db, email=data.email, password_hash=hash_password(data.password),
        display_name=data.display_name, role=Role.PATIENT, clinic_id=invitation.clinic_id,
        locale=request.state.locale,
    )
    accounts.assign_patient(db, invitation.therapist, patient)
    if invitation.group_id is not None:
        community.join_group(db, invitation.group_id, patient.id)
    invitation.used_at = utcnow()
    invitation.used_by_id = patient.id
    sign_in(request, patient)
    return RedirectResponse("/welcome/consent", status_code=303)


@router.get("/welcome/consent")
def consent_page(request: Request, patient: AnyPatient) -> Response:
    """Separate consents for health data and for the camera, with the privacy statement."""
    return render(request, "onboarding/consent.html", {"form": FormState()})


@router.post("/welcome/consent")
async def give_consent(request: Request, db: DbSession, patient: AnyPatient) -> Response:
    """Record each consent separately, with the time and the statement version."""
    data, state = validate(ConsentForm, form_values(await request.form()))
    if data is None:
        state.errors = {"health_data": state.errors.pop("_form")}
        return render(request, "onboarding/consent.html", {"form": state}, status_code=400)
    if accounts.active_consent(db, patient.id, ConsentKind.HEALTH_DATA) is None:
        accounts.grant_consent(db, patient, ConsentKind.HEALTH_DATA, CONSENT_VERSION)
    if data.camera == "yes" and accounts.active_consent(db, patient.id, ConsentKind.CAMERA) is None:
        accounts.grant_consent(db, patient, ConsentKind.CAMERA, CONSENT_VERSION)
    return RedirectResponse("/assessment", status_code=303)


@router.get("/settings")
def settings_page(request: Request, db: DbSession, patient: AnyPatient) -> Response:
    """The patient's consents, each withdrawable."""
    return render(request, "onboarding/settings.html", {
        "consents": accounts.consents_of(db, patient.id),
        "active": {kind.value for kind in ConsentKind if accounts.active_consent(db, patient.id, kind)},
    })


@router.post("/settings/consents/{kind}/withdraw")
def withdraw(request: Request, db: DbSession, patient: AnyPatient, kind: str) -> Response:
    """Withdraw one consent; health-data pages stay closed until it is given again."""
    try:
        consent_kind = ConsentKind(kind)
    except ValueError:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND) from None
    accounts.withdraw_consent(db, patient.id, consent_kind)
    return RedirectResponse("/settings", status_code=303)

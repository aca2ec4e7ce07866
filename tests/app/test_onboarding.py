from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.store.base import utcnow
from backcoach.store.models import Consent, ConsentKind, Role, User
from backcoach.store.repo import accounts, community

from .conftest import csrf_of, sign_in


def _invitation(db: Session, days: int = 14) -> str:
    therapist = accounts.get_user_by_email(db, "therapist@demo.backcoach")
    group = community.groups_of(db, therapist.id)[0]
    invitation = accounts.create_invitation(db, token=f"tok-{days}", therapist=therapist,
                                            lifetime=timedelta(days=days), group_id=group.id)
    db.commit()
    return invitation.token


ACCOUNT = {"display_name": "Li Lei", "email": "li.lei@example.org",
           "password": "a-long-password", "password_confirm": "a-long-password"}


def test_invitation_creates_linked_patient_and_asks_consent(client: TestClient, db: Session) -> None:
    token = _invitation(db)
    page = client.get(f"/join/{token}")
    assert page.status_code == 200 and "Dr. Lin Mei" in page.text
    response = client.post(f"/join/{token}", data={**ACCOUNT, "csrf_token": csrf_of(client, f"/join/{token}")})
    assert response.status_code == 303 and response.headers["location"] == "/welcome/consent"
    db.expire_all()
    patient = accounts.get_user_by_email(db, "li.lei@example.org")
    assert patient.role == Role.PATIENT
    assert accounts.therapist_of(db, patient.id).email == "therapist@demo.backcoach"
    assert [g.name for g in community.groups_of(db, patient.id)] == ["Spring cohort"]
    # Used once only.
    again = client.get(f"/join/{token}")
    assert again.status_code == 410 and errors.INVITATION_INVALID in again.text


def test_expired_and_unknown_invitations_are_refused(client: TestClient, db: Session) -> None:
    token = _invitation(db, days=-1)
    for path in (f"/join/{token}", "/join/no-such-token"):
        response = client.get(path)
        assert response.status_code == 410
        assert errors.INVITATION_INVALID in response.text


def test_invalid_account_form_keeps_values_and_marks_fields(client: TestClient, db: Session) -> None:
    token = _invitation(db)
    data = {**ACCOUNT, "email": "not-an-email", "password": "short", "password_confirm": "short",
            "csrf_token": csrf_of(client, f"/join/{token}")}
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 400
    assert errors.FIELD_INVALID_EMAIL in response.text
    assert errors.FIELD_PASSWORD_SHORT in response.text
    assert 'value="Li Lei"' in response.text and 'value="not-an-email"' in response.text


def test_mismatched_passwords_are_flagged_on_the_second_field(client: TestClient, db: Session) -> None:
    token = _invitation(db)
    data = {**ACCOUNT, "password_confirm": "another-long-one", "csrf_token": csrf_of(client, f"/join/{token}")}
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 400
    assert 'id="e-password_confirm"' in response.text
    assert errors.FIELD_PASSWORDS_DIFFER in response.text


def test_taken_email_is_409_beside_the_field(client: TestClient, db: Session) -> None:
    token = _invitation(db)
    data = {**ACCOUNT, "email": "week1@demo.backcoach", "csrf_token": csrf_of(client, f"/join/{token}")}
    response = client.post(f"/join/{token}", data=data)
    assert response.status_code == 409
    assert 'id="e-email"' in response.text and errors.EMAIL_TAKEN in response.text


def test_health_consent_is_required_and_camera_is_separate(client: TestClient, db: Session) -> None:
    sign_in(client, "new@demo.backcoach")
    token = csrf_of(client, "/welcome/consent")
    refused = client.post("/welcome/consent", data={"csrf_token": token, "camera": "yes"})
    assert refused.status_code == 400
    assert 'id="e-health_data"' in refused.text and errors.FIELD_CONSENT_REQUIRED in refused.text
    assert client.post("/welcome/consent", data={"csrf_token": token, "health_data": "yes"}).status_code == 303
    db.expire_all()
    patient = accounts.get_user_by_email(db, "new@demo.backcoach")
    kinds = [c.kind for c in db.scalars(select(Consent).where(Consent.user_id == patient.id))]
    assert kinds == [ConsentKind.HEALTH_DATA]
    assert client.get("/assessment").status_code == 200


def test_withdrawing_health_consent_closes_health_pages(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    token = csrf_of(client, "/settings")
    response = client.post("/settings/consents/health_data/withdraw", data={"csrf_token": token})
    assert response.status_code == 303
    db.expire_all()
    patient = accounts.get_user_by_email(db, "week1@demo.backcoach")
    consent = db.scalar(select(Consent).where(Consent.user_id == patient.id,
                                              Consent.kind == ConsentKind.HEALTH_DATA))
    assert consent.withdrawn_at is not None and consent.withdrawn_at <= utcnow()
    assert client.get("/plan").headers["location"] == "/welcome/consent"
    assert accounts.active_consent(db, patient.id, ConsentKind.CAMERA) is not None


def test_unknown_consent_kind_is_404(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    response = client.post("/settings/consents/biometrics/withdraw", data={"csrf_token": csrf_of(client, "/settings")})
    assert response.status_code == 404

from __future__ import annotations

from io import BytesIO

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import TREATING_THERAPIST
from backcoach.app.roster import ALERT_MISSED, ALERT_NO_PLAN
from backcoach.app.security import hash_password
from backcoach.store.models import Invitation, Role
from backcoach.store.repo import accounts

from .conftest import audit_rows, csrf_of, sign_in, user_id


def test_roster_lists_only_own_patients_with_alerts(client: TestClient, db: Session) -> None:
    other = accounts.create_user(db, email="t2@x.org", password_hash=hash_password("another-pass"),
                                 display_name="Other", role=Role.THERAPIST)
    stranger = accounts.create_user(db, email="s@x.org", password_hash="x", display_name="Stranger",
                                    role=Role.PATIENT)
    accounts.assign_patient(db, other, stranger)
    db.commit()
    sign_in(client, "therapist@demo.backcoach")
    page = client.get("/therapist")
    assert page.status_code == 200
    assert page.text.count("data-patient=") == 3 and "Stranger" not in page.text
    week3_row = page.text.split(f'data-patient="{user_id(db, "week3@demo.backcoach")}"')[1].split("</tr>")[0]
    # 16 days in: 8 sessions scheduled up to today, 6 done, one before today missed.
    assert "6 / 8" in week3_row and ALERT_MISSED in week3_row
    new_row = page.text.split(f'data-patient="{user_id(db, "new@demo.backcoach")}"')[1].split("</tr>")[0]
    assert ALERT_NO_PLAN in new_row
    assert len(audit_rows(db, resource="roster_summary")) == 3


def test_patient_page_is_audited_and_limited_to_own_patients(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "therapist@demo.backcoach")
    page = client.get(f"/therapist/patients/{patient}")
    assert page.status_code == 200 and "Sam Rivera" in page.text
    rows = audit_rows(db, resource="patient_record", subject_id=patient)
    assert [(r.action, r.reason, r.path) for r in rows] == [("read", TREATING_THERAPIST, f"/therapist/patients/{patient}")]
    missing = client.get("/therapist/patients/99999")
    assert missing.status_code == 404 and errors.PATIENT_NOT_FOUND in missing.text


def test_other_therapist_cannot_see_the_patient(client: TestClient, db: Session) -> None:
    accounts.create_user(db, email="t2@x.org", password_hash=hash_password("another-pass"),
                         display_name="Other", role=Role.THERAPIST)
    db.commit()
    sign_in(client, "t2@x.org", "another-pass")
    response = client.get(f"/therapist/patients/{user_id(db, 'week3@demo.backcoach')}")
    assert response.status_code == 404 and errors.PATIENT_NOT_FOUND in response.text


def test_patient_cannot_open_the_roster(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    response = client.get("/therapist")
    assert response.status_code == 403 and errors.NOT_ALLOWED in response.text


def test_invitation_link_and_qr_code(client: TestClient, db: Session) -> None:
    sign_in(client, "therapist@demo.backcoach")
    response = client.post("/therapist/invitations",
                           data={"csrf_token": csrf_of(client, "/therapist/invitations"), "note": "Mr Zhang"})
    assert response.status_code == 303
    invitation = db.scalar(select(Invitation).where(Invitation.note == "Mr Zhang"))
    page = client.get("/therapist/invitations")
    assert f"https://clinic.example/join/{invitation.token}" in page.text
    qr = client.get(f"/therapist/invitations/{invitation.token}/qr.png")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/png"
    assert Image.open(BytesIO(qr.content)).size[0] > 100
    assert client.get("/therapist/invitations/nope/qr.png").status_code == 404


def test_invitation_note_too_long_is_kept_and_flagged(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    note = "x" * 201
    response = client.post("/therapist/invitations",
                           data={"csrf_token": csrf_of(client, "/therapist/invitations"), "note": note})
    assert response.status_code == 400
    assert errors.FIELD_TOO_LONG in response.text and f'value="{note}"' in response.text


def test_patient_page_shows_session_mode_and_status_as_words(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "therapist@demo.backcoach")
    rows = client.get(f"/therapist/patients/{patient}").text.split("<h2>Sessions</h2>")[1].split("</table>")[0]
    assert "<td>Camera-guided (AI)</td><td>Completed</td>" in rows  # the demo's sessions are camera sessions
    assert "<td>ai</td>" not in rows and "<td>video</td>" not in rows and "<td>completed</td>" not in rows
    client.cookies.set("lang", "zh_Hans")
    chinese = client.get(f"/therapist/patients/{patient}").text
    assert "<td>摄像头指导（AI）</td><td>已完成</td>" in chinese

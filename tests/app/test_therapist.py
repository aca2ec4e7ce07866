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


# ------------------------------------------------------------------ camera tests (demo: app/camera_demo.py)
def _camera_row(page: str, test_id: str) -> str:
    return page.split(f'data-camera-test="{test_id}"')[1].split("</tr>")[0]


def test_patient_page_shows_the_camera_tests_the_classification_used(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "therapist@demo.backcoach")
    page = client.get(f"/therapist/patients/{patient}").text
    intake = page.split("data-intake-camera")[1].split("</section>")[0]
    assert intake.count("data-camera-test=") == 11  # every offered test, the one not done included
    flexion = _camera_row(intake, "rom_flexion")
    assert 'data-outcome="measured"' in flexion and "Forward bend" in flexion and "74.5°" in flexion
    assert "fingertips 16.0 cm above the floor" in flexion and "good (96% of frames)" in flexion and "90° [U]" in flexion
    assert "No instability catch" in _camera_row(intake, "t5_front_bend")
    plank = _camera_row(intake, "hold_prone_plank")
    assert "42.0 s" in plank and "men 124 s, women 83 s [V]" in plank
    turn = _camera_row(intake, "rom_rotation_left")
    assert 'data-outcome="inconclusive"' in turn and "poor (58% of frames)" in turn
    assert "2 of 5 repetitions detected (need 4)" in turn and "31.0°" not in turn
    assert "Skipped: I have no camera, or it does not work" in _camera_row(intake, "rom_rotation_right")
    assert "Stopped by pain (NRS 6): The pain got worse" in _camera_row(intake, "hold_side_bridge_left")
    assert "Not done" in _camera_row(intake, "hold_trunk_flexor")
    assert [(r.action, r.reason) for r in audit_rows(db, resource="patient_record", subject_id=patient)] == [
        ("read", TREATING_THERAPIST)]
    # a classification made without camera tests (the demo's week-1 patient) shows no section
    assert "data-intake-camera" not in client.get(f"/therapist/patients/{user_id(db, 'week1@demo.backcoach')}").text


def test_plan_page_shows_the_reassessment_camera_tests_and_trend(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "therapist@demo.backcoach")
    page = client.get(f"/therapist/patients/{patient}/plan").text
    camera = page.split("data-proposal-camera")[1].split("</details>")[0]
    trend = {row.split('"')[1]: row for row in camera.split("data-trend=")[1:]}
    assert list(trend) == ["rom_flexion", "rom_extension", "hold_prone_plank"]
    assert all(v in trend["rom_flexion"] for v in ("Forward bend", "74.5°", "81.0°", "+6.5°"))
    assert all(v in trend["hold_prone_plank"] for v in ("42.0 s", "55.0 s", "+13.0 s"))
    assert "81.0°" in _camera_row(camera, "rom_flexion") and "Not done" in _camera_row(camera, "t5_front_bend")
    assert len(audit_rows(db, resource="plan", subject_id=patient)) == 1


def test_camera_tests_use_the_therapists_language(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "therapist@demo.backcoach")
    client.get("/lang/zh_Hans?next=/therapist")
    page = client.get(f"/therapist/patients/{patient}").text
    assert "向前弯腰" in _camera_row(page, "rom_flexion") and "Forward bend" not in page
    assert "平板支撑" in client.get(f"/therapist/patients/{patient}/plan").text.split("data-proposal-camera")[1]


def test_camera_tests_are_only_for_the_treating_therapist(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    accounts.create_user(db, email="t2@x.org", password_hash=hash_password("another-pass"),
                         display_name="Other", role=Role.THERAPIST)
    db.commit()
    sign_in(client, "t2@x.org", "another-pass")
    for path in (f"/therapist/patients/{patient}", f"/therapist/patients/{patient}/plan"):
        response = client.get(path)
        assert response.status_code == 404 and "74.5" not in response.text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    sign_in(client, "week3@demo.backcoach")
    for path in (f"/therapist/patients/{patient}", f"/therapist/patients/{patient}/plan"):
        response = client.get(path)
        assert response.status_code == 403 and "74.5" not in response.text
    assert audit_rows(db, resource="patient_record", subject_id=patient) == []


def test_demo_patient_sees_the_seeded_camera_tests(client: TestClient) -> None:
    sign_in(client, "week3@demo.backcoach")
    overview = client.get("/assessment/camera")
    assert overview.status_code == 200 and 'data-value="74.5"' in overview.text
    result = client.get("/assessment/camera/hold_prone_plank/result")
    assert result.status_code == 200 and "You held the position for 42.0 seconds." in result.text

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import OWN_RECORD
from backcoach.store.repo import plans

from .conftest import audit_rows, sign_in, user_id


def test_plan_page_shows_four_weeks_and_progress(client: TestClient, db: Session) -> None:
    sign_in(client, "week3@demo.backcoach")
    response = client.get("/plan")
    assert response.status_code == 200
    assert response.text.count("data-plan-session=") == 12
    # The demo patient is 16 days in: 7 sessions were due, one of them missed.
    assert "6/12" in response.text
    assert "Week 3 of 4" in response.text
    patient = user_id(db, "week3@demo.backcoach")
    rows = audit_rows(db, subject_id=patient, resource="plan")
    assert [(r.actor_id, r.action, r.reason) for r in rows] == [(patient, "read", OWN_RECORD)]


def test_plan_page_in_chinese(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    client.cookies.set("lang", "zh_Hans")
    response = client.get("/plan")
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in response.text
    assert "第 1 周，共 4 周" in response.text


def test_patient_without_plan_is_sent_to_the_assessment(client: TestClient, db: Session) -> None:
    sign_in(client, "new@demo.backcoach")
    # No health-data consent yet: onboarding first.
    response = client.get("/plan")
    assert response.status_code == 303
    assert response.headers["location"] == "/welcome/consent"


def test_plan_session_lists_exercises_with_dosage(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    plan = plans.active_plan(db, user_id(db, "week1@demo.backcoach"))
    first = plan.sessions[0]
    response = client.get(f"/plan/sessions/{first.id}")
    assert response.status_code == 200
    assert response.text.count("data-exercise=") == len(first.items)
    # Week 1 of the prescription for stability deficiency (clinical library): breathing and drawing-in.
    assert "2 × 18 reps" in response.text
    assert "2 × 10 reps, hold 10 s" in response.text


def test_other_patients_plan_session_is_404(client: TestClient, db: Session) -> None:
    other = plans.active_plan(db, user_id(db, "week3@demo.backcoach")).sessions[0].id
    sign_in(client, "week1@demo.backcoach")
    response = client.get(f"/plan/sessions/{other}")
    assert response.status_code == 404
    assert errors.PLAN_SESSION_NOT_FOUND in response.text


def test_malformed_id_is_404(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    response = client.get("/plan/sessions/abc")
    assert response.status_code == 404
    assert errors.PAGE_NOT_FOUND in response.text


def test_therapist_cannot_open_patient_pages(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    response = client.get("/plan")
    assert response.status_code == 403
    assert errors.NOT_ALLOWED in response.text


def test_plan_page_lists_the_next_sessions_exercises(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week1@demo.backcoach")
    done = plans.completed_plan_session_ids(db, patient)
    upcoming = next(s for s in plans.active_plan(db, patient).sessions if s.id not in done)
    sign_in(client, "week1@demo.backcoach")
    page = client.get("/plan").text
    assert page.count("data-next-exercise=") == len(upcoming.items)
    assert f'href="/plan/sessions/{upcoming.id}" data-next-session' in page
    assert "2 × 10 reps" in page

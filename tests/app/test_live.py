from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.store.models import ExerciseSession, ExerciseSet, SessionStatus
from backcoach.store.repo import plans

from .conftest import csrf_of, sign_in, user_id


def _next_session(db: Session, email: str):
    patient = user_id(db, email)
    done = plans.completed_plan_session_ids(db, patient)
    return next(s for s in plans.active_plan(db, patient).sessions if s.id not in done)


def _start(client: TestClient, plan_session_id: int, pain: str = "3", mode: str = "video"):
    token = csrf_of(client, f"/plan/sessions/{plan_session_id}")
    return client.post("/sessions", data={"csrf_token": token, "plan_session_id": str(plan_session_id),
                                          "pain_before": pain, "mode": mode})


def test_video_only_session_from_start_to_report(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    plan_session = _next_session(db, "week1@demo.backcoach")
    response = _start(client, plan_session.id)
    assert response.status_code == 303
    session_url = response.headers["location"]
    session_id = int(session_url.rsplit("/", 1)[1])

    page = client.get(session_url)
    assert page.status_code == 200
    item = plan_session.items[2]  # abdominal drawing-in, 2 sets of 10
    token = csrf_of(client, session_url)
    ticked = client.post(f"/sessions/{session_id}/sets",
                         data={"csrf_token": token, "plan_item_id": str(item.id), "set_index": "1"},
                         headers={"HX-Request": "true"})
    assert ticked.status_code == 200
    assert f'data-set-done="{item.id}-1"' in ticked.text
    # Stored at once, before the session ends.
    db.expire_all()
    sets = db.scalars(select(ExerciseSet).where(ExerciseSet.session_id == session_id)).all()
    assert [(s.exercise_id, s.set_index, s.reps_planned) for s in sets] == [(item.exercise_id, 1, 10)]

    finished = client.post(f"/sessions/{session_id}/finish",
                           data={"csrf_token": token, "pain_after": "2", "cr10": "3.5", "outcome": "completed"})
    assert finished.status_code == 303
    report = client.get(finished.headers["location"])
    assert report.status_code == 200
    assert "3 → 2" in report.text
    db.expire_all()
    session = db.get(ExerciseSession, session_id)
    assert session.status == SessionStatus.COMPLETED and session.cr10 == 3.5 and session.pain_after == 2


def test_finish_with_invalid_values_keeps_them_and_explains(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    started = _start(client, _next_session(db, "week1@demo.backcoach").id)
    session_url = started.headers["location"]
    token = csrf_of(client, session_url)
    response = client.post(f"{session_url}/finish",
                           data={"csrf_token": token, "pain_after": "4", "cr10": "3.3"})
    assert response.status_code == 400
    assert errors.FIELD_OUT_OF_RANGE in response.text
    assert 'name="pain_after" value="4"\n      checked' in response.text or 'value="4"\n      checked' in response.text


def test_start_without_pain_rating_comes_back_with_message(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    plan_session = _next_session(db, "week1@demo.backcoach")
    token = csrf_of(client, f"/plan/sessions/{plan_session.id}")
    response = client.post("/sessions", data={"csrf_token": token, "plan_session_id": str(plan_session.id),
                                              "mode": "ai"})
    assert response.status_code == 400
    assert errors.FIELD_REQUIRED in response.text


def test_someone_elses_session_is_404(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    other = db.scalar(select(ExerciseSession.id).where(
        ExerciseSession.patient_id == user_id(db, "week3@demo.backcoach")))
    response = client.get(f"/sessions/{other}")
    assert response.status_code == 404
    assert errors.SESSION_NOT_FOUND in response.text


def test_finished_session_cannot_be_changed(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    started = _start(client, _next_session(db, "week1@demo.backcoach").id)
    session_url = started.headers["location"]
    token = csrf_of(client, session_url)
    client.post(f"{session_url}/finish", data={"csrf_token": token, "pain_after": "1", "cr10": "2"})
    response = client.post(f"{session_url}/finish", data={"csrf_token": token, "pain_after": "1", "cr10": "2"})
    assert response.status_code == 409
    assert errors.SESSION_FINISHED in response.text

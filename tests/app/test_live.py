from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.roster import ALERT_RED_FLAG, roster_row
from backcoach.clinical.progression import safety_texts
from backcoach.clinical.redflags import checkin_questions, redflag_data
from backcoach.store import db as store_db
from backcoach.store.models import ExerciseSession, ExerciseSet, PlanItem, SessionMode, SessionStatus, User
from backcoach.store.repo import clinical, plans, training

from .conftest import csrf_of, sign_in, user_id


def _next_session(db: Session, email: str):
    patient = user_id(db, email)
    done = plans.completed_plan_session_ids(db, patient)
    return next(s for s in plans.active_plan(db, patient).sessions if s.id not in done)


def _all_no(questions=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The check-in answered "no" throughout (the short set unless ``questions`` are given)."""
    return {f"checkin_{q}": "no" for q in (questions or checkin_questions())} | {"new_leg_symptoms": "no"}


def _start(client: TestClient, plan_session_id: int, pain: str = "3", mode: str = "video",
           answers: dict[str, str] | None = None):
    token = csrf_of(client, f"/plan/sessions/{plan_session_id}")
    return client.post("/sessions", data={"csrf_token": token, "plan_session_id": str(plan_session_id),
                                          "pain_before": pain, "mode": mode,
                                          **(_all_no() if answers is None else answers)})


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


# ---------------------------------------------------------------- safety check-in (brief §5.1, §3.1)
def _sessions_of(db: Session, email: str) -> int:
    db.expire_all()
    return len(db.scalars(select(ExerciseSession).where(ExerciseSession.patient_id == user_id(db, email))).all())


@pytest.mark.parametrize(("email", "lang"), [("week3@demo.backcoach", "en"), ("week1@demo.backcoach", "zh-Hans")])
def test_the_short_safety_check_in_is_asked_before_the_session_starts(
        client: TestClient, db: Session, email: str, lang: str) -> None:
    client.cookies.set("lang", "zh_Hans" if lang == "zh-Hans" else "en")
    sign_in(client, email)
    plan_session = _next_session(db, email)
    before = _sessions_of(db, email)
    asked = _start(client, plan_session.id, answers={})
    assert asked.status_code == 200 and "data-checkin" in asked.text
    texts = redflag_data()["questions"]
    for qid in checkin_questions():
        assert f'name="checkin_{qid}"' in asked.text and texts[qid][lang] in asked.text
    assert 'name="new_leg_symptoms"' in asked.text
    assert _sessions_of(db, email) == before  # nothing starts before the answers

    started = _start(client, plan_session.id)
    assert started.status_code == 303 and started.headers["location"].startswith("/sessions/")
    assert _sessions_of(db, email) == before + 1
    screening = clinical.latest_screening(db, user_id(db, email))
    assert screening.outcome == "CONTINUE"
    assert all(screening.answers[q] is False for q in checkin_questions())  # today's raw answers kept


@pytest.mark.parametrize(("email", "lang"), [("week3@demo.backcoach", "en"), ("week1@demo.backcoach", "zh-Hans")])
def test_saddle_numbness_at_the_check_in_blocks_the_session_and_alerts_the_therapist(
        client: TestClient, db: Session, email: str, lang: str) -> None:
    client.cookies.set("lang", "zh_Hans" if lang == "zh-Hans" else "en")
    sign_in(client, email)
    plan_session = _next_session(db, email)
    before = _sessions_of(db, email)
    answers = _all_no() | {"checkin_saddle_numbness": "yes"}
    blocked = _start(client, plan_session.id, answers=answers)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/assessment/safety/result"
    assert _sessions_of(db, email) == before
    patient = user_id(db, email)
    screening = clinical.latest_screening(db, patient)
    assert screening.outcome == "EMERGENCY" and screening.answers["saddle_numbness"] is True
    gate = client.get("/assessment/safety/result")
    assert redflag_data()["messages"]["EMERGENCY"][lang] in gate.text
    # Exercise is locked from now on, and the supervising therapist's roster shows the alert.
    assert _start(client, plan_session.id).status_code == 403
    assert ALERT_RED_FLAG in roster_row(db, db.get(User, patient), date.today()).alerts


def test_a_sharp_pain_rise_asks_the_full_screen_before_the_session_starts(client: TestClient, db: Session) -> None:
    email = "week3@demo.backcoach"
    sign_in(client, email)
    patient = user_id(db, email)
    earlier = [s.pain_before for s in training.completed_sessions(db, patient)][-3:]
    assert len(earlier) == 3 and 10 - sum(earlier) / 3 >= 3  # the demo history makes 10 a sharp rise
    plan_session = _next_session(db, email)
    rescreen = _start(client, plan_session.id, pain="10")
    assert rescreen.status_code == 200 and "data-rescreen" in rescreen.text
    assert redflag_data()["messages"]["RESCREEN"]["en"] in rescreen.text
    rest = [q for q in redflag_data()["questions"] if q not in checkin_questions()]
    assert rest and all(f'name="checkin_{q}"' in rescreen.text for q in rest)
    assert f'name="checkin_{next(iter(checkin_questions()))}" value="no"' in rescreen.text  # kept as given
    started = _start(client, plan_session.id, pain="10", answers=_all_no(list(redflag_data()["questions"])))
    assert started.status_code == 303 and started.headers["location"].startswith("/sessions/")
    # Pain 10 (>= 7): the session page says to do relief positions and breathing only (§5.4).
    page = client.get(started.headers["location"]).text
    assert "data-high-pain" in page and safety_texts()["before_session_high_pain"]["en"] in page


def test_no_high_pain_notice_below_seven(client: TestClient, db: Session) -> None:
    sign_in(client, "week3@demo.backcoach")
    started = _start(client, _next_session(db, "week3@demo.backcoach").id, pain="3")
    assert "data-high-pain" not in client.get(started.headers["location"]).text


# ---------------------------------------------------------------- video-only fallback and per-side ticks
def _video_session(client: TestClient, db: Session, email: str = "week1@demo.backcoach", mode: str = "video"):
    sign_in(client, email)
    plan_session = _next_session(db, email)
    response = _start(client, plan_session.id, mode=mode)
    session_url = response.headers["location"]
    return plan_session, session_url, int(session_url.rsplit("/", 1)[1]), csrf_of(client, session_url)


def test_switching_to_video_only_after_a_refused_camera_is_stored(client: TestClient, db: Session) -> None:
    _plan_session, session_url, session_id, token = _video_session(client, db, mode="ai")
    assert db.get(ExerciseSession, session_id).mode == SessionMode.AI
    bad = client.post(f"{session_url}/mode", data={"mode": "ai"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400
    switched = client.post(f"{session_url}/mode", data={"mode": "video"}, headers={"X-CSRF-Token": token})
    assert switched.json() == {"mode": "video"}
    db.expire_all()
    assert db.get(ExerciseSession, session_id).mode == SessionMode.VIDEO
    # The live socket now refuses the session like any video-only one (close code 4403).
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        assert ws.receive_json()["code"] == "refused"


def test_a_per_side_exercise_gets_one_tick_per_side(client: TestClient, db: Session) -> None:
    plan_session, session_url, session_id, token = _video_session(client, db)
    with store_db.transaction(client.app.state.sessionmaker) as tx:
        item = PlanItem(plan_session_id=plan_session.id, position=len(plan_session.items) + 1, block="main",
                        exercise_id="side_plank", sets=1, reps=None, hold_seconds=20, rest_seconds=30,
                        per_side=True, expected_seconds=90)
        tx.add(item)
        tx.flush()
        item_id = item.id
    page = client.get(session_url).text
    assert f'data-tick-set="{item_id}-1-left"' in page and f'data-tick-set="{item_id}-1-right"' in page

    def tick(**side: str):  # type: ignore[no-untyped-def]
        return client.post(f"{session_url}/sets", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "plan_item_id": str(item_id), "set_index": "1", **side})

    assert tick().status_code == 400  # which side?
    left = tick(side="left")
    assert left.status_code == 200 and f'data-set-done="{item_id}-1-left"' in left.text
    assert tick(side="left").status_code == 200  # the same tick twice stores one set
    config = client.get(session_url).text
    assert f'"{item_id}-1-left"' in config and f'"{item_id}-1"' not in config  # only the right side left to do
    tick(side="right")
    db.expire_all()
    sets = db.scalars(select(ExerciseSet).where(ExerciseSet.session_id == session_id,
                                                ExerciseSet.plan_item_id == item_id)).all()
    assert sorted((s.set_index, s.side, s.hold_seconds_done) for s in sets) == [(1, "left", 20.0), (1, "right", 20.0)]
    page = client.get(session_url).text
    assert f'data-set-done="{item_id}-1-left"' in page and f'data-set-done="{item_id}-1-right"' in page
    assert f'"{item_id}-1"' in page  # the set is done on both sides


def test_new_leg_symptoms_during_the_session_ask_the_full_screen_then_the_recheck(client: TestClient, db: Session) -> None:
    _plan_session, session_url, session_id, token = _video_session(client, db, email="week3@demo.backcoach")
    assert f'href="{session_url}/leg-symptoms"' in client.get(session_url).text
    asked = client.get(f"{session_url}/leg-symptoms")
    assert asked.status_code == 200 and "data-rescreen" in asked.text
    assert all(f'name="checkin_{q}"' in asked.text for q in redflag_data()["questions"])
    assert f'action="{session_url}/leg-symptoms"' in asked.text
    back = client.post(f"{session_url}/leg-symptoms",
                       data={"csrf_token": token, **_all_no(list(redflag_data()["questions"]))})
    # No red flag: a §5.4 rule-1 stop (peripheralization), so rest and the 5-minute re-check first.
    assert back.status_code == 303 and back.headers["location"] == f"{session_url}/recheck"
    db.expire_all()
    session = db.get(ExerciseSession, session_id)
    assert (session.status, session.stop_reason) == (SessionStatus.IN_PROGRESS, "peripheralization")


def test_a_red_flag_during_the_session_stops_it_and_alerts_the_therapist(client: TestClient, db: Session) -> None:
    email = "week3@demo.backcoach"
    _plan_session, session_url, session_id, token = _video_session(client, db, email=email)
    answers = _all_no(list(redflag_data()["questions"])) | {"checkin_saddle_numbness": "yes"}
    stopped = client.post(f"{session_url}/leg-symptoms", data={"csrf_token": token, **answers})
    assert stopped.status_code == 303 and stopped.headers["location"] == "/assessment/safety/result"
    db.expire_all()
    session = db.get(ExerciseSession, session_id)
    assert (session.status, session.stop_reason) == (SessionStatus.STOPPED, "red_flag")
    patient = user_id(db, email)
    assert clinical.latest_screening(db, patient).outcome == "EMERGENCY"
    assert ALERT_RED_FLAG in roster_row(db, db.get(User, patient), date.today()).alerts
    assert client.get(f"{session_url}/leg-symptoms").status_code == 409

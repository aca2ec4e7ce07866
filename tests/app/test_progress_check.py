"""The next-morning prompt, "why my plan changed" and the therapist's undo, through HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import progression
from backcoach.app.live import checkin, stops
from backcoach.clinical.catalog import catalog_from_library
from backcoach.clinical.prescription import build_plan, substitute
from backcoach.clinical.redflags import checkin_questions, redflag_data
from backcoach.store.models import ExerciseSession, SessionMode, SessionStatus
from backcoach.store.repo import clinical, plans, training

from .conftest import csrf_of, sign_in, user_id

PATIENT = "week1@demo.backcoach"


def _red_session_yesterday(db: Session) -> tuple[ExerciseSession, str]:
    """A completed session ended yesterday in which a laddered exercise's pain rose by 4 (zone red)."""
    patient = user_id(db, PATIENT)
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    plan_session = next(s for s in plan.sessions if s.id not in done)
    catalog = catalog_from_library()
    item = next(i for i in plan_session.items
                if catalog[i.exercise_id].modality == "core" and i.level > 1)
    session = training.start_session(db, patient_id=patient, mode=SessionMode.VIDEO, pain_before=2,
                                     plan_session_id=plan_session.id)
    session.started_at = datetime.now(timezone.utc) - timedelta(days=1, hours=1)
    exercise_set = training.start_set(db, session, exercise_id=item.exercise_id, set_index=1, plan_item_id=item.id)
    training.finish_set(db, exercise_set, pain=6)
    training.finish_session(db, session, status=SessionStatus.COMPLETED, pain_after=3, cr10=3)
    session.ended_at = datetime.now(timezone.utc) - timedelta(days=1)
    progression.review_session(db, session)
    db.commit()
    return session, item.exercise_id


def test_patient_answers_the_morning_prompt_and_reads_why(client: TestClient, db: Session) -> None:
    session, exercise_id = _red_session_yesterday(db)
    sign_in(client, PATIENT)
    page = client.get("/plan")
    assert f'data-next-morning="{session.id}"' in page.text
    token = csrf_of(client, "/plan")
    bad = client.post("/plan/next-morning", data={"csrf_token": token, "session_id": session.id, "nrs": "12"})
    assert bad.status_code == 400 and "nrs: 12 is not a whole number from 0 to 10" in bad.text
    ok = client.post("/plan/next-morning", data={"csrf_token": token, "session_id": session.id, "nrs": "3"})
    assert (ok.status_code, ok.headers["location"]) == (303, "/plan/changes")
    db.expire_all()
    assert progression.next_mornings(db, session.patient_id)[session.id].data["nrs"] == 3
    assert "data-next-morning" not in client.get("/plan").text
    changes = client.get("/plan/changes")
    assert f'data-change="regress" data-exercise="{exercise_id}"' in changes.text
    assert "your pain went up too much during the exercise or by the next morning" in changes.text
    chinese = client.get("/plan/changes", headers={"Accept-Language": "zh-CN"})
    assert "从下次训练起降低一级难度" in chinese.text and "练习时或第二天早上您的疼痛上升过多" in chinese.text


def test_therapist_sees_and_undoes_a_change(client: TestClient, db: Session) -> None:
    session, exercise_id = _red_session_yesterday(db)
    (change,) = progression.changes_of(db, session.patient_id)
    before = change.data["items"]
    sign_in(client, "therapist@demo.backcoach")
    url = f"/therapist/patients/{session.patient_id}/plan-changes"
    page = client.get(url)
    assert f'data-change-id="{change.id}" data-status="applied"' in page.text
    undone = client.post(f"{url}/{change.id}/undo", data={"csrf_token": csrf_of(client, url)})
    assert undone.status_code == 303
    db.expire_all()
    plan = plans.active_plan(db, session.patient_id)
    levels = {i.id: i.level for s in plan.sessions for i in s.items}
    assert all(levels[row["id"]] == row["level"] for row in before)
    again = client.post(f"{url}/{change.id}/undo", data={"csrf_token": csrf_of(client, url)})
    assert again.status_code == 409


def test_next_check_in_asks_the_recalled_rating_and_stores_it(client: TestClient, db: Session) -> None:
    session, _exercise_id = _red_session_yesterday(db)
    session.ended_at -= timedelta(days=1)  # two days ago: outside any morning window
    db.commit()
    plan = plans.active_plan(db, session.patient_id)
    done = plans.completed_plan_session_ids(db, session.patient_id)
    next_session = next(s for s in plan.sessions if s.id not in done)
    sign_in(client, PATIENT)
    page = client.get(f"/plan/sessions/{next_session.id}")
    assert f'data-recalled-next-morning="{session.id}"' in page.text
    start = {"csrf_token": csrf_of(client, f"/plan/sessions/{next_session.id}"), "plan_session_id": next_session.id,
             "pain_before": "3", "mode": "video", "new_leg_symptoms": "no", "next_morning_session": session.id,
             **{f"{checkin.PREFIX}{qid}": "no" for qid in checkin_questions()}}
    bad = client.post("/sessions", data={**start, "next_morning": "11"})
    assert bad.status_code == 400 and 'name="next_morning"' in bad.text
    response = client.post("/sessions", data={**start, "next_morning": "4"})
    assert response.status_code == 303 and response.headers["location"].startswith("/sessions/")
    db.expire_all()
    assert progression.next_mornings(db, session.patient_id)[session.id].data == {
        "session_id": session.id, "nrs": 4, "recalled": True}
    # Once the new session has started, the old one is not asked again: it stays as answered or missing.
    assert progression.pending_next_morning(db, session.patient_id, datetime.now(timezone.utc)) is None


def test_high_pain_at_check_in_starts_the_flare_plan_on_the_session_page(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    next_session = next(s for s in plan.sessions if s.id not in done)
    sign_in(client, PATIENT)
    token = csrf_of(client, f"/plan/sessions/{next_session.id}")
    response = client.post("/sessions", data={
        "csrf_token": token, "plan_session_id": next_session.id, "pain_before": "8", "mode": "video",
        "new_leg_symptoms": "no", **{f"{checkin.PREFIX}{qid}": "no" for qid in redflag_data()["questions"]}})
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "data-flare-plan" in page.text
    db.expire_all()
    assert progression.flare_state(db, patient).active
    assert {c.data["action"] for c in progression.changes_of(db, patient)} == {"flare"}


def test_removal_puts_the_librarys_substitute_in_its_place_and_undo_takes_it_out(db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    plan_session = next(s for s in plan.sessions if s.id not in done)
    catalog = catalog_from_library()
    item = next(i for i in plan_session.items if catalog[i.exercise_id].modality == "core")
    exercise_id, position = item.exercise_id, item.position
    session = training.start_session(db, patient_id=patient, mode=SessionMode.VIDEO, pain_before=2,
                                     plan_session_id=plan_session.id)
    training.finish_set(db, training.start_set(db, session, exercise_id=exercise_id, set_index=1,
                                               plan_item_id=item.id), pain=2)
    stops.record_stop(db, session, "1", "peripheralization", plan_item_id=item.id)
    training.finish_session(db, session, status=SessionStatus.COMPLETED, pain_after=2, cr10=3)
    classified = clinical.latest_classification(db, patient)
    expected = substitute(build_plan(classified.category, catalog, approach=classified.approach), exercise_id,
                          plan_session.week, catalog)
    assert expected is not None  # the demo category's motor block has an easier exercise

    change = next(c for c in progression.review_session(db, session) if c.data["exercise_id"] == exercise_id)
    assert (change.data["action"], change.data["substitute"]) == ("remove", expected.id)
    db.expire_all()
    future = [s for s in plans.active_plan(db, patient).sessions if s.id not in done | {plan_session.id}]
    with_old = [s for s in future if any(i.exercise_id == exercise_id for i in s.items)]
    placed = [i for s in future for i in s.items if i.id in change.data["added"]]
    assert with_old == [] and len(placed) == len(change.data["items"])
    assert {(i.exercise_id, i.level, i.position) for i in placed} == {(expected.id, 1, position)}

    progression.undo_change(db, patient, change.id, by_user_id=patient)
    db.expire_all()
    future = [s for s in plans.active_plan(db, patient).sessions if s.id not in done | {plan_session.id}]
    assert all(any(i.exercise_id == exercise_id for i in s.items) for s in future if s.week == plan_session.week)
    assert not any(i.id in change.data["added"] for s in future for i in s.items)


def test_a_pain_stop_before_any_set_regresses_the_exercise_when_the_session_finishes(
        client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    plan = plans.active_plan(db, patient)
    done = plans.completed_plan_session_ids(db, patient)
    plan_session = next(s for s in plan.sessions if s.id not in done)
    catalog = catalog_from_library()
    item = next(i for i in plan_session.items if catalog[i.exercise_id].modality == "core" and i.level > 1)
    level = item.level
    sign_in(client, PATIENT)
    token = csrf_of(client, f"/plan/sessions/{plan_session.id}")
    started = client.post("/sessions", data={
        "csrf_token": token, "plan_session_id": plan_session.id, "pain_before": "2", "mode": "video",
        "new_leg_symptoms": "no", **{f"{checkin.PREFIX}{qid}": "no" for qid in checkin_questions()}})
    session_url = started.headers["location"]
    stop = client.post(f"{session_url}/pain", data={"csrf_token": token, "nrs": "6", "plan_item_id": item.id})
    assert stop.json()["stop"] is True  # a rise of 4 over pre: §5.4 rule 2
    finished = client.post(f"{session_url}/finish", data={"csrf_token": token, "pain_after": "3", "cr10": "3"})
    assert finished.status_code == 303
    db.expire_all()
    (change,) = [c for c in progression.changes_of(db, patient) if c.data["exercise_id"] == item.exercise_id]
    assert (change.data["action"], change.data["from_level"], change.data["to_level"]) == ("regress", level, level - 1)

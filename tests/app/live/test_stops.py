"""§5.4 stops in a session: the 5-minute re-check, "why did you stop?" (5b), rule 1 after the
leg-symptom re-screen, and the escalation to reclassification."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.live import stops
from backcoach.app.roster import ALERT_RED_FLAG, roster_row
from backcoach.clinical.progression import safety_texts
from backcoach.clinical.redflags import redflag_data
from backcoach.store import db as store_db
from backcoach.store.models import Assessment, SessionMode, SessionStatus, User
from backcoach.store.repo import clinical, training

from ..conftest import csrf_of, user_id
from .conftest import PATIENT, session_of, settle_recheck

CONFIG_RE = re.compile(r'<script type="application/json" id="live-config">(.*?)</script>', re.S)


def _pain(client: TestClient, session_id: int, nrs: int, item_id: int | None) -> dict:
    token = csrf_of(client, f"/sessions/{session_id}")
    data = {"nrs": str(nrs)} | ({"plan_item_id": str(item_id)} if item_id else {})
    return client.post(f"/sessions/{session_id}/pain", data=data, headers={"X-CSRF-Token": token}).json()


def _stop_records(db: Session, session_id: int) -> list[dict]:
    db.expire_all()
    return [s.data for s in stops.session_stops(db, session_of(db, session_id))]


def _page_config(client: TestClient, session_id: int) -> dict:
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200, page.headers.get("location")
    return json.loads(CONFIG_RE.search(page.text).group(1))


def test_a_pain_stop_rests_then_a_settled_recheck_skips_the_exercise_and_the_others_go_on(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    assert _pain(patient_client, session_id, 8, item_id)["recheck_url"] == f"/sessions/{session_id}/recheck"
    # The session page sends the patient to the re-check until it is answered.
    assert patient_client.get(f"/sessions/{session_id}").headers["location"] == f"/sessions/{session_id}/recheck"
    page = patient_client.get(f"/sessions/{session_id}/recheck")
    assert safety_texts()["stop"]["2"]["en"] in page.text
    assert 'data-wait="300"' in page.text and "Rest positions: lie on your back" in page.text
    token = csrf_of(patient_client, f"/sessions/{session_id}/recheck")
    early = patient_client.post(f"/sessions/{session_id}/recheck",
                                data={"csrf_token": token, "nrs": "4", "legs": "no"})
    assert early.status_code == 400 and "Please rest until the 5 minutes are over" in early.text
    assert 'value="4"\n      checked' in early.text  # the answer is kept
    assert _stop_records(db, session_id)[0]["status"] == "recheck"

    settled = settle_recheck(patient_client, db, session_id, nrs=4)  # pre 3 + 1
    assert settled.status_code == 303 and settled.headers["location"] == f"/sessions/{session_id}"
    (record,) = _stop_records(db, session_id)
    assert (record["rule"], record["reason"], record["nrs"], record["status"], record["recheck"]) == (
        "2", "pain_high", 8, "settled", {"nrs": 4, "legs": False})
    assert _page_config(patient_client, session_id)["stopped"] == [item_id]
    session = session_of(db, session_id)
    assert session.status == SessionStatus.IN_PROGRESS and session.stop_reason == "pain_high"
    assert stops.stop_flags(db, session, "squat") == stops.StopFlags(peripheralized=False, rule2_stop=True)


@pytest.mark.parametrize("nrs, legs", [(5, "no"), (3, "yes")], ids=["pain-2-above-pre", "leg-symptoms-further"])
def test_an_unsettled_recheck_ends_the_session_and_tells_the_therapist(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int], nrs: int, legs: str) -> None:
    session_id, item_id = squat_session
    _pain(patient_client, session_id, 7, item_id)
    ended = settle_recheck(patient_client, db, session_id, nrs=nrs, legs=legs)
    assert ended.status_code == 200 and "data-not-settled" in ended.text
    report = training.report_for_session(db, session_id)
    assert f'href="/reports/{report.id}"' in ended.text
    session = session_of(db, session_id)
    assert (session.status, session.stop_reason, session.pain_after) == (SessionStatus.STOPPED, "not_settled", nrs)
    assert _stop_records(db, session_id)[0]["clinician_review"] is True
    patient = db.get(User, user_id(db, PATIENT))
    assert stops.ALERT_NOT_SETTLED in roster_row(db, patient, date.today()).alerts


def test_why_did_you_stop(patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    token = csrf_of(patient_client, f"/sessions/{session_id}")
    post = lambda **data: patient_client.post(f"/sessions/{session_id}/stops", data={"csrf_token": token, **data})  # noqa: E731
    assert post(reason="bored").status_code == 400
    assert 'value="heart"' in patient_client.get(f"/sessions/{session_id}").text  # the four reasons are offered
    assert post(reason="other", plan_item_id="999999").status_code == 404
    legs = post(reason="legs", plan_item_id=str(item_id))  # rule 1, after the red-flag re-screen
    assert legs.headers["location"] == f"/sessions/{session_id}/leg-symptoms?item={item_id}"
    assert _stop_records(db, session_id) == []
    other = post(reason="other", plan_item_id=str(item_id))  # skip it, go on: no re-check
    assert other.status_code == 303 and other.headers["location"] == f"/sessions/{session_id}"
    assert [(r["rule"], r["reason"], r["status"]) for r in _stop_records(db, session_id)] == [("5b", "other", "skipped")]
    assert _page_config(patient_client, session_id)["stopped"] == [item_id]
    pain = post(reason="pain")  # whatever the NRS: rule 2's re-check
    assert pain.headers["location"] == f"/sessions/{session_id}/recheck"
    page = patient_client.get(pain.headers["location"])
    assert "You stopped because of pain." in page.text
    assert session_of(db, session_id).stop_reason == "patient_stop"


def test_new_leg_symptoms_stop_the_exercise_by_rule_1_then_the_recheck(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    url = f"/sessions/{session_id}/leg-symptoms?item={item_id}"
    asked = patient_client.get(url)
    assert f'action="{url}"' in asked.text  # the exercise travels through the re-screen
    token = csrf_of(patient_client, url)
    answers = {f"checkin_{q}": "no" for q in redflag_data()["questions"]}
    back = patient_client.post(url, data={"csrf_token": token, **answers})
    assert back.headers["location"] == f"/sessions/{session_id}/recheck"
    page = patient_client.get(back.headers["location"])
    assert safety_texts()["stop"]["1"]["en"] in page.text
    (record,) = _stop_records(db, session_id)
    assert (record["rule"], record["plan_item_id"], record["exercise_id"]) == ("1", item_id, "squat")
    assert stops.stop_flags(db, session_of(db, session_id), "squat").peripheralized


def test_the_recheck_page_speaks_chinese(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    _pain(patient_client, session_id, 9, item_id)
    patient_client.cookies.set("lang", "zh_Hans")
    page = patient_client.get(f"/sessions/{session_id}/recheck").text
    assert safety_texts()["stop"]["2"]["zh-Hans"] in page
    assert "休息" in page and "Rest positions" not in page


# ------------------------------------------------------------------ escalation (§5.3/§5.4)
def _session_with_stop(app: FastAPI, rule: str, days_ago: int, email: str = PATIENT) -> None:
    with store_db.transaction(app.state.sessionmaker) as db:
        patient = db.scalar(select(User).where(User.email == email))
        session = training.start_session(db, patient_id=patient.id, mode=SessionMode.AI, pain_before=2)
        reason = {"1": "peripheralization", "2": "pain_high", "5b": "other"}[rule]
        stop = stops.record_stop(db, session, rule, reason, plan_item_id=None, nrs=8)
        stop.assessed_at -= timedelta(days=days_ago)
        training.finish_session(db, session, status=SessionStatus.STOPPED, pain_after=3, cr10=None)


def _flags(db: Session) -> list[dict]:
    db.expire_all()
    return [a.data for a in db.scalars(select(Assessment).where(Assessment.kind == stops.RECLASSIFY_KIND))]


@pytest.mark.parametrize("rules", [("2", "2"), ("1", "1"), ("1", "2")])
def test_two_rule_1_or_2_stops_within_7_days_flag_reclassification(app: FastAPI, db: Session, rules) -> None:
    _session_with_stop(app, rules[0], days_ago=6)
    assert _flags(db) == []
    _session_with_stop(app, rules[1], days_ago=0)
    (flag,) = _flags(db)
    assert flag["rules"] == list(rules) and flag["outcome"] == "CLINICIAN_REVIEW"
    patient = db.get(User, user_id(db, PATIENT))
    assert stops.ALERT_RECLASSIFY in roster_row(db, patient, date.today()).alerts
    _session_with_stop(app, "2", days_ago=0)  # one open flag at a time
    assert len(_flags(db)) == 1
    # A new classification (the clinician's reclassification) closes it.
    clinical.save_classification(db, patient_id=patient.id, category="STABILITY_DEFICIENCY", approach=None,
                                 details={}, engine_version="test")
    db.commit()
    assert stops.ALERT_RECLASSIFY not in roster_row(db, patient, date.today()).alerts


def test_stops_8_days_apart_do_not_flag_reclassification(app: FastAPI, db: Session) -> None:
    _session_with_stop(app, "1", days_ago=8)
    _session_with_stop(app, "2", days_ago=0)
    assert _flags(db) == []


def test_a_patient_stop_for_another_reason_is_not_a_rule_1_or_2_stop(app: FastAPI, db: Session) -> None:
    _session_with_stop(app, "5b", days_ago=1)
    _session_with_stop(app, "2", days_ago=0)
    assert _flags(db) == []


@pytest.mark.parametrize("lang, number", [("en", "112"), ("zh_Hans", "120")])
def test_chest_pain_or_dizziness_ends_the_session_locks_exercise_and_shows_the_emergency_number(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int], lang: str, number: str) -> None:
    session_id, item_id = squat_session
    patient = user_id(db, PATIENT)
    intake_answers = clinical.latest_screening(db, patient).answers
    patient_client.cookies.set("lang", lang)
    token = csrf_of(patient_client, f"/sessions/{session_id}")
    page = patient_client.post(f"/sessions/{session_id}/stops",
                               data={"csrf_token": token, "reason": "heart", "plan_item_id": str(item_id)})
    assert page.status_code == 200
    assert safety_texts()["stop"]["4"]["zh-Hans" if lang == "zh_Hans" else "en"] in page.text
    assert f'href="tel:{number}"' in page.text and "data-emergency-number" in page.text
    session = session_of(db, session_id)
    assert (session.status, session.stop_reason) == (SessionStatus.STOPPED, "cardiorespiratory")
    assert training.report_for_session(db, session_id) is not None
    assert [(r["rule"], r["status"]) for r in _stop_records(db, session_id)] == [("4", "skipped")]
    screening = clinical.latest_screening(db, patient)
    assert screening.outcome == "URGENT_REFERRAL" and screening.answers == intake_answers
    # Exercise is locked until a clinician clears it; the roster shows it.
    plan_session = session.plan_session_id
    blocked = patient_client.post("/sessions", data={"csrf_token": csrf_of(patient_client, "/plan"),
                                                     "plan_session_id": str(plan_session), "pain_before": "2",
                                                     "mode": "ai"})
    assert blocked.status_code == 403
    assert ALERT_RED_FLAG in roster_row(db, db.get(User, patient), date.today()).alerts

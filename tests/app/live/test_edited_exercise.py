"""A therapist's saved exercise version is what their patients' live sessions run."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from backcoach.app.portal import exercises as editor
from backcoach.app.portal.exercises import exercise_for_patient, shipped_toml
from backcoach.exercises import get_exercise
from backcoach.store.models import Role
from backcoach.store.repo import accounts, portal

from ..conftest import csrf_of, sign_in, user_id
from .conftest import PATIENT, send_frames, squat_messages, start_set

THERAPIST = "therapist@demo.backcoach"
CONFIG_RE = re.compile(r'<script type="application/json" id="live-config">(.*?)</script>', re.S)
#: The docs' example: a 5-degree trunk-lean bound flags every clean squat.
STRICT_TRUNK = ('when = { feature = "trunk_lean", above = 50 }', 'when = { feature = "trunk_lean", above = 5 }')
RENAMED = ('[name]\nen = "Squat"', '[name]\nen = "Clinic squat"')


def _save(client: TestClient, text: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client, "/therapist/exercises/squat")
    return client.post("/therapist/exercises/squat", data={"toml": text, "note": "strict", "csrf_token": token})


def _edited() -> str:
    text = shipped_toml("squat")
    for old, new in (STRICT_TRUNK, RENAMED):
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _rep_errors(client: TestClient, session_id: int, item_id: int) -> list[list[str]]:
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        events = send_frames(ws, squat_messages())
    return [[error["id"] for error in e["errors"]] for e in events if e["type"] == "rep"]


def test_the_patients_live_session_runs_the_therapists_saved_version(
        client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    sign_in(client, PATIENT)
    shipped = _rep_errors(client, session_id, item_id)
    assert len(shipped) == 3 and not any("trunk_too_far_forward" in errors for errors in shipped)

    client.cookies.clear()
    sign_in(client, THERAPIST)
    assert _save(client, _edited()).status_code == 303
    client.cookies.clear()
    sign_in(client, PATIENT)
    client.cookies.set("lang", "en")
    config = json.loads(CONFIG_RE.search(client.get(f"/sessions/{session_id}").text).group(1))
    assert next(i for i in config["items"] if i["plan_item_id"] == item_id)["name"] == "Clinic squat"
    # The second set of the same session: every rep now leans "too far" under the edited bound.
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id, set_index=2))
        assert ws.receive_json()["type"] == "ready"
        events = send_frames(ws, squat_messages())
    edited = [[error["id"] for error in e["errors"]] for e in events if e["type"] == "rep"]
    assert len(edited) == 3 and all("trunk_too_far_forward" in errors for errors in edited)


def test_only_the_patients_own_therapists_version_counts(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    # Another clinician's saved version (the newest one) does not change this patient's squat.
    portal.save_exercise_version(db, "squat", _edited(), user_id(db, "admin@demo.backcoach"), "elsewhere")
    db.commit()
    assert exercise_for_patient(db, patient, "squat") == get_exercise("squat")
    sign_in(client, THERAPIST)
    assert _save(client, _edited()).status_code == 303
    db.expire_all()
    assert exercise_for_patient(db, patient, "squat").name.en == "Clinic squat"
    assert exercise_for_patient(db, patient, "no_such_exercise") is None


def test_the_patients_therapist_gets_their_own_latest_version_in_one_query(db: Session) -> None:
    patient = user_id(db, PATIENT)
    therapist = user_id(db, THERAPIST)
    colleague = accounts.create_user(db, email="colleague@demo.backcoach", password_hash="x",
                                     display_name="Colleague", role=Role.THERAPIST).id
    first = portal.save_exercise_version(db, "squat", _edited(), therapist, "first")
    own = portal.save_exercise_version(db, "squat", _edited(), therapist, "second")
    portal.save_exercise_version(db, "squat", _edited(), colleague, "the colleague's, newest")
    portal.save_exercise_version(db, "bird_dog", shipped_toml("bird_dog"), therapist, "another exercise")
    db.commit()
    assert (first.version, own.version) == (1, 2)

    statements: list[str] = []

    def listen(conn, cursor, statement, *rest):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.get_bind(), "before_cursor_execute", listen)
    try:
        found = portal.treating_therapist_version(db, patient, "squat")
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listen)
    assert (found.version, found.author_id, found.note) == (2, therapist, "second")
    assert len(statements) == 1
    assert portal.treating_therapist_version(db, user_id(db, "admin@demo.backcoach"), "squat") is None  # no therapist


def test_a_file_the_engine_cannot_run_is_refused_at_save_time(client: TestClient, db: Session,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(exercise):  # type: ignore[no-untyped-def]
        raise ValueError("feature trunk_lean has no landmarks on this body")

    monkeypatch.setattr(editor, "_engine_for", refuse)
    sign_in(client, THERAPIST)
    refused = _save(client, _edited())
    assert refused.status_code == 400
    assert "the movement engine cannot use this file: feature trunk_lean has no landmarks" in refused.text
    assert exercise_for_patient(db, user_id(db, PATIENT), "squat") == get_exercise("squat")

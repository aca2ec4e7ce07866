"""The WebSocket (through the real app and store) and the files the browser's pose model needs."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from backcoach.app.live.protocol import encode_frame
from backcoach.motion.engine import ExerciseEngine
from backcoach.paths import MODELS_DIR
from backcoach.store.models import PlanItem, SessionMode, SessionStatus
from backcoach.store.repo import training

from ..conftest import sign_in, user_id
from .conftest import (
    OTHER_PATIENT, PATIENT, SQUAT_REPS, add_squat, receive_until, send_frames, session_of, settle_recheck,
    squat_messages, squat_recording, start_set,
)


def _reps(db: Session, session_id: int) -> list[tuple[int, bool, str | None]]:
    session = session_of(db, session_id)
    return [(rep.index, rep.counted, rep.grade) for s in session.sets for rep in sorted(s.reps, key=lambda r: r.index)]


def _first_rep_end() -> int:
    """Index of the frame after the first rep's return to standing (from the synthetic truth)."""
    times, _landmarks, _size = squat_recording()
    return next(i for i, t in enumerate(times) if t > 10.0)


def test_squats_are_counted_graded_and_each_rep_stored_as_it_happens(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["count"] == 0 and ready["reps_planned"] == SQUAT_REPS
        assert ready["resumed"] is False and ready["exercise_id"] == "squat"

        first = send_frames(ws, squat_messages(0, _first_rep_end()))
        reps = [e for e in first if e["type"] == "rep"]
        assert [(r["index"], r["counted"], r["count"]) for r in reps] == [(1, True, 1)]
        assert reps[0]["grade"] in {"qualified", "good", "excellent", "super excellent"}
        assert _reps(db, session_id) == [(1, True, reps[0]["grade"])]  # stored before the set ends

        rest = send_frames(ws, squat_messages(_first_rep_end()))
    kinds = [e["type"] for e in first + rest]
    assert {"setup", "phase", "cue"} <= set(kinds)
    done = next(e for e in rest if e["type"] == "set_done")
    assert (done["counted"], done["attempts"], done["skipped"]) == (SQUAT_REPS, SQUAT_REPS, False)
    assert [index for index, counted, _ in _reps(db, session_id) if counted] == [1, 2, 3]
    assert session_of(db, session_id).sets[0].ended_at is not None


def test_bad_frames_are_skipped_and_reported_and_the_socket_goes_on(
        patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_bytes(squat_messages(0, 1)[0])
        early = ws.receive_json()
        assert early == {"type": "frame_skipped", "index": 0,
                         "reason": "no set is running: send start_set before frames"}
        ws.send_text("{broken")
        assert ws.receive_json()["message"].startswith("control message is not JSON")
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        ws.send_bytes(b"\x01\x02\x03")
        assert ws.receive_json() == {"type": "frame_skipped", "index": 1,
                                     "reason": "frame message has 3 bytes, expected 536 "
                                               "(float64 time + 33 x 4 float32)"}
        good = squat_messages(0, 3)
        ws.send_bytes(good[0])
        ws.send_bytes(good[0])  # same time again: the engine refuses time that does not move on
        repeat = receive_until(ws, "frame_skipped")[-1]
        assert "time goes backwards or repeats" in repeat["reason"]
        events = send_frames(ws, squat_messages(1))
    assert sum(e["type"] == "rep" and e["counted"] for e in events) == SQUAT_REPS


def test_a_dropped_connection_resumes_the_same_set_without_losing_reps(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    cut = _first_rep_end()
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        send_frames(ws, squat_messages(0, cut))
    # The connection dropped mid-set (no "end"); a new one picks the set up from the store.
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ready = ws.receive_json()
        assert (ready["resumed"], ready["count"], ready["attempts"]) == (True, 1, 1)
        # The second and third squats again, as the camera keeps running (times keep increasing).
        times, _landmarks, _size = squat_recording()
        rest = send_frames(ws, squat_messages(0, None, t_offset=times[-1] + 1.0))
    counted = [(e["index"], e["count"]) for e in rest if e["type"] == "rep" and e["counted"]]
    assert counted == [(2, 2), (3, 3)]  # the set needed 3: it ends after 2 more
    assert next(e for e in rest if e["type"] == "set_done")["counted"] == SQUAT_REPS
    assert [index for index, counted_, _ in _reps(db, session_id) if counted_] == [1, 2, 3]
    assert len(session_of(db, session_id).sets) == 1


def test_a_finished_set_cannot_be_started_again(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        ws.send_json({"action": "end"})
        done = ws.receive_json()
        assert (done["type"], done["counted"], done["skipped"]) == ("set_done", 0, False)
        ws.send_json(start_set(item_id))
        assert ws.receive_json() == {"type": "error", "code": "set_refused",
                                     "message": "set 1 of this exercise is already finished"}
        ws.send_json(start_set(item_id, set_index=3))
        assert ws.receive_json()["message"] == "set 3 is beyond the 2 planned sets"
        ws.send_json(start_set(999_999))
        assert ws.receive_json()["message"] == "plan item 999999 is not in this session's plan"


def test_skip_keeps_counted_reps_and_marks_the_set_skipped(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        send_frames(ws, squat_messages(0, _first_rep_end()))
        ws.send_json({"action": "skip"})
        done = receive_until(ws, "set_done")[-1]
    assert (done["counted"], done["skipped"]) == (1, True)
    assert [counted for _, counted, _ in _reps(db, session_id)] == [True]


def test_frames_while_paused_are_not_judged(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        ws.send_json({"action": "pause"})
        assert ws.receive_json() == {"type": "paused"}
        assert send_frames(ws, squat_messages()) == []
        ws.send_json({"action": "resume"})
        assert ws.receive_json() == {"type": "resumed"}
        ws.send_json({"action": "end"})
        done = ws.receive_json()
    assert (done["type"], done["attempts"]) == ("set_done", 0)


@pytest.mark.parametrize("nrs, expected", [
    pytest.param(4, {"type": "pain_ok", "nrs": 4, "pre": 3}, id="small-rise"),
    pytest.param(6, {"type": "stop", "rule": "pain_rise", "nrs": 6, "pre": 3,
                     "source": "§5.4 rule 2: rise of >= 3 above pre",
                     "recheck_url": "/sessions/{id}/recheck"}, id="rise-of-3"),
])
def test_pain_rating_applies_the_stop_rule(patient_client: TestClient, db: Session,
                                           squat_session: tuple[int, int], nrs: int, expected: dict) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        ws.send_json({"action": "pain", "nrs": nrs})
        events = receive_until(ws, expected["type"])
        if "recheck_url" in expected:
            expected = {**expected, "recheck_url": expected["recheck_url"].format(id=session_id)}
        assert events[-1] == expected
        if expected["type"] == "stop":
            assert events[0]["type"] == "set_done" and events[0]["skipped"] is True
            ws.send_json(start_set(item_id, set_index=2))
            assert ws.receive_json()["code"] == "recheck_pending"  # rest and re-check first
            settle_recheck(patient_client, db, session_id, nrs=4)  # pre 3 + 1: settled
            ws.send_json(start_set(item_id, set_index=2))
            assert ws.receive_json() == {"type": "error", "code": "stopped", "message":
                                         "this exercise was stopped by a stop rule; it is skipped for the rest "
                                         "of the session"}
            other = add_item(db, item_id, exercise_id="squat")
            ws.send_json(start_set(other))  # the other exercises go on
            assert ws.receive_json()["type"] == "ready"
    session = session_of(db, session_id)
    if expected["type"] == "stop":
        assert session.sets[0].pain == nrs
    # The rule that stopped exercise stays on the session for the therapist (None when none fired).
    assert session.stop_reason == expected.get("rule")


def _close_code(client: TestClient, path: str, **kwargs) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    with client.websocket_connect(path, **kwargs) as ws:
        refusal = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return refusal, closed.value.code


def test_someone_elses_session_is_refused(client: TestClient, app: FastAPI) -> None:
    session_id, _item = add_squat(app, PATIENT)
    sign_in(client, OTHER_PATIENT)
    refusal, code = _close_code(client, f"/sessions/{session_id}/live")
    assert code == 4404 and refusal == {"type": "error", "code": "refused", "message": "training session not found"}


def test_not_signed_in_is_refused(client: TestClient, app: FastAPI) -> None:
    session_id, _item = add_squat(app, PATIENT)
    assert _close_code(client, f"/sessions/{session_id}/live")[1] == 4401


def test_another_site_is_refused(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, _item = squat_session
    refusal, code = _close_code(patient_client, f"/sessions/{session_id}/live",
                                headers={"origin": "https://evil.example"})
    assert code == 4403 and refusal["message"] == "connection from another site refused"


def test_video_only_and_finished_sessions_are_refused(patient_client: TestClient, db: Session, app: FastAPI) -> None:
    with app.state.sessionmaker() as own, own.begin():
        video = training.start_session(own, patient_id=user_id(own, PATIENT), mode=SessionMode.VIDEO, pain_before=2)
        video_id = video.id
    assert _close_code(patient_client, f"/sessions/{video_id}/live") == (
        {"type": "error", "code": "refused", "message": "this session is in video-only mode"}, 4403)
    session_id, _item = add_squat(app, PATIENT)
    with app.state.sessionmaker() as own, own.begin():
        training.finish_session(own, training.get_session(own, session_id), status=SessionStatus.COMPLETED,
                                pain_after=2, cr10=3)
    assert _close_code(patient_client, f"/sessions/{session_id}/live")[1] == 4409


def test_an_exercise_without_movement_definition_is_answered_not_tracked(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, squat_item = squat_session
    untracked = add_item(db, squat_item, exercise_id="not_in_the_library")
    per_side = add_item(db, squat_item, exercise_id="squat", per_side=True)
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(untracked))
        reply = ws.receive_json()
        assert (reply["type"], reply["code"]) == ("error", "not_tracked")
        assert "'not_in_the_library' has no movement definition" in reply["message"]
        ws.send_json(start_set(per_side))
        assert ws.receive_json()["message"] == "this exercise is done per side: say which side (left or right)"
        ws.send_json({**start_set(per_side), "side": "right"})
        ready = ws.receive_json()
        assert (ready["type"], ready["side"]) == ("ready", "right")


def add_item(db: Session, beside_item: int, *, exercise_id: str, per_side: bool = False) -> int:
    """Another item in the same planned session as ``beside_item``."""
    beside = db.get(PlanItem, beside_item)
    item = PlanItem(plan_session_id=beside.plan_session_id, position=beside.position + 1, block="main",
                    exercise_id=exercise_id, sets=1, reps=5, hold_seconds=None, rest_seconds=5,
                    per_side=per_side, expected_seconds=30)
    db.add(item)
    db.commit()
    return item.id


def test_pose_runtime_and_models_are_served_locally(client: TestClient) -> None:
    wasm = client.get("/live/vendor/tasks-vision/wasm/vision_wasm_internal.wasm")
    assert wasm.status_code == 200 and wasm.headers["content-type"] == "application/wasm"
    assert wasm.content[:4] == b"\x00asm"
    bundle = client.get("/live/vendor/tasks-vision/vision_bundle.mjs")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    model = client.get("/live/models/pose_landmarker_full.task")
    assert model.status_code == 200
    assert model.content == (MODELS_DIR / "pose_landmarker_full.task").read_bytes()
    for path in ("/live/vendor/tasks-vision/package.json", "/live/vendor/tasks-vision/../../../etc/passwd",
                 "/live/models/pose_landmarker_huge.task"):
        assert client.get(path).status_code == 404, path


def test_demonstration_is_one_reference_rep_of_33_points(client: TestClient) -> None:
    demo = client.get("/live/demo/squat.json?fps=10").json()
    assert demo["fps"] == 10 and demo["image_size"] == [720, 1280]
    assert len(demo["frames"]) > 20 and all(len(frame) == 33 for frame in demo["frames"])
    assert all(0 <= x <= 1 and 0 <= y <= 1 for frame in demo["frames"] for x, y in frame)
    assert client.get("/live/demo/no_such_exercise.json").status_code == 404
    assert client.get("/live/demo/squat.json?fps=500").status_code == 404


def test_pain_over_http_uses_the_same_rule(patient_client: TestClient, db: Session,
                                           squat_session: tuple[int, int]) -> None:
    session_id, _item = squat_session
    page = patient_client.get(f"/sessions/{session_id}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    ok = patient_client.post(f"/sessions/{session_id}/pain", data={"nrs": "4"}, headers={"X-CSRF-Token": token})
    assert ok.json() == {"stop": False, "rule": None, "nrs": 4, "pre": 3, "recheck_url": None}
    stop = patient_client.post(f"/sessions/{session_id}/pain", data={"nrs": "8"}, headers={"X-CSRF-Token": token})
    assert stop.json() == {"stop": True, "rule": "pain_high", "nrs": 8, "pre": 3,
                           "recheck_url": f"/sessions/{session_id}/recheck"}
    assert patient_client.post(f"/sessions/{session_id}/pain", data={"nrs": "4"}).status_code == 403
    assert session_of(db, session_id).stop_reason == "pain_high"
    # Ending the session as stopped keeps the recorded rule.
    finished = patient_client.post(f"/sessions/{session_id}/finish", data={
        "csrf_token": token, "pain_after": "6", "cr10": "4", "outcome": "stopped"})
    assert finished.status_code == 303
    session = session_of(db, session_id)
    assert (session.status, session.stop_reason) == (SessionStatus.STOPPED, "pain_high")


def test_ai_session_page_says_video_stays_on_the_device_and_carries_its_config(
        patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    page = patient_client.get(f"/sessions/{session_id}", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert "data-privacy" in page.text
    assert 'src="/static/live/session.js"' in page.text
    assert f'"socket_path": "/sessions/{session_id}/live"' in page.text
    assert f'"plan_item_id": {item_id}' in page.text and '"tracked": true' in page.text
    assert patient_client.get("/static/live/session.js").status_code == 200


def test_frames_after_the_set_is_done_are_ignored(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        ws.send_json({"action": "end"})
        ws.receive_json()
        ws.send_bytes(encode_frame(99.0, squat_recording()[1][0]))  # still in flight when the set ended
        ws.send_json({"action": "ping"})
        assert ws.receive_json() == {"type": "pong"}


def test_an_engine_fault_on_one_frame_is_reported_and_the_stream_goes_on(
        patient_client: TestClient, squat_session: tuple[int, int], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    session_id, item_id = squat_session
    original = ExerciseEngine.push
    calls = {"n": 0}

    def faulty_once(self, frame):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("boom")
        return original(self, frame)

    monkeypatch.setattr(ExerciseEngine, "push", faulty_once)
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        events = send_frames(ws, squat_messages())
    skipped = [e for e in events if e["type"] == "frame_skipped"]
    assert skipped == [{"type": "frame_skipped", "index": 4,
                        "reason": "the movement engine could not use this frame (logged on the server)"}]
    assert sum(e["type"] == "rep" and e["counted"] for e in events) == SQUAT_REPS
    assert "movement engine failed on frame 4" in caplog.text

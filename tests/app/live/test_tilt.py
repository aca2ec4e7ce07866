"""The phone's tilt (brief §4.0 "Gravity reference") from the browser to the engine's frames: the
``tilt`` control message of the live WebSocket and the ``roll_deg``/``pitch_deg`` of the camera-test
uploads, and what bad readings are answered."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backcoach.app import camera_assessment as cam
from backcoach.app.live.protocol import ProtocolError, Tilt, decode_frame, encode_frame, parse_control
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.synthetic import generate as synthetic
from backcoach.store import db as store_db
from backcoach.store.models import PlanItem

from ..test_camera_assessment import _ready_patient, frames_body
from .conftest import SQUAT_REPS, receive_until, send_frames, squat_messages, start_set


def test_tilt_message_is_read_as_the_contracts_roll_and_pitch() -> None:
    control = parse_control('{"action": "tilt", "roll_deg": -2.5, "pitch_deg": 4}')
    assert isinstance(control, Tilt) and control.camera_tilt == (-2.5, 4.0)


@pytest.mark.parametrize(("text", "message"), [
    ('{"action": "tilt", "roll_deg": 0, "pitch_deg": 91}',
     "tilt: field 'pitch_deg': Input should be less than or equal to 90"),
    ('{"action": "tilt", "roll_deg": -180.5, "pitch_deg": 0}',
     "tilt: field 'roll_deg': Input should be greater than or equal to -180"),
    ('{"action": "tilt", "roll_deg": NaN, "pitch_deg": 0}', "tilt: field 'roll_deg': Input should be a finite number"),
    ('{"action": "tilt", "roll_deg": 1}', "tilt: field 'pitch_deg': Field required"),
    ('{"action": "tilt", "roll_deg": 1, "pitch_deg": 2, "yaw_deg": 3}', "tilt: field 'yaw_deg': Extra inputs"),
])
def test_bad_tilt_messages_name_the_field(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message.replace("(", r"\(")):
        parse_control(text)


def test_a_decoded_frame_carries_the_tilt_given_for_it() -> None:
    landmarks = np.zeros((33, 4), dtype=np.float32)
    landmarks[:, :2], landmarks[:, 3] = 0.5, 1.0
    assert decode_frame(encode_frame(1.0, landmarks), (640, 480), (3.0, -1.5)).camera_tilt == (3.0, -1.5)
    assert decode_frame(encode_frame(1.0, landmarks), (640, 480)).camera_tilt is None


@pytest.fixture
def engine_tilts(monkeypatch: pytest.MonkeyPatch) -> list:
    """The ``camera_tilt`` of every frame the movement engine is given."""
    seen: list = []
    push = ExerciseEngine.push

    def spy(self, frame):  # type: ignore[no-untyped-def]
        seen.append(frame.camera_tilt)
        return push(self, frame)

    monkeypatch.setattr(ExerciseEngine, "push", spy)
    return seen


def test_the_latest_tilt_reaches_every_frame_the_engine_judges(
        patient_client: TestClient, squat_session: tuple[int, int], engine_tilts: list) -> None:
    session_id, item_id = squat_session
    frames = squat_messages()
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json({"action": "tilt", "roll_deg": 1.5, "pitch_deg": -0.5})  # the phone on its stand first
        assert ws.receive_json() == {"type": "tilt_ok", "roll_deg": 1.5, "pitch_deg": -0.5}
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        send_frames(ws, frames[:10])
        ws.send_json({"action": "tilt", "roll_deg": 2.0, "pitch_deg": 0.0})  # knocked: a new reading
        receive_until(ws, "tilt_ok")
        events = send_frames(ws, frames[10:])
    judged = len(engine_tilts)  # up to the last rep's end: later frames come after the set is done
    assert judged > len(frames) // 2
    assert engine_tilts == [(1.5, -0.5)] * 10 + [(2.0, 0.0)] * (judged - 10)
    done = next(e for e in events if e["type"] == "set_done")
    assert done["counted"] == SQUAT_REPS


def test_without_a_tilt_sensor_the_frames_carry_none(
        patient_client: TestClient, squat_session: tuple[int, int], engine_tilts: list) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        send_frames(ws, squat_messages(0, 5))
    assert engine_tilts == [None] * 5


def test_a_bad_tilt_is_answered_with_the_field_and_the_set_goes_on(
        patient_client: TestClient, squat_session: tuple[int, int], engine_tilts: list) -> None:
    session_id, item_id = squat_session
    frames = squat_messages()
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        ws.send_json({"action": "tilt", "roll_deg": 0.5, "pitch_deg": 1.0})
        receive_until(ws, "tilt_ok")
        send_frames(ws, frames[:20])
        ws.send_json({"action": "tilt", "roll_deg": 0.5, "pitch_deg": 120})
        error = receive_until(ws, "error")[-1]
        assert error == {"type": "error", "code": "bad_message",
                         "message": "tilt: field 'pitch_deg': Input should be less than or equal to 90"}
        events = send_frames(ws, frames[20:])
    # The bad reading is dropped: the frames keep the last good one, and every squat is counted.
    assert set(engine_tilts) == {(0.5, 1.0)}
    done = next(e for e in events if e["type"] == "set_done")
    assert (done["counted"], done["skipped"]) == (SQUAT_REPS, False)


# ---------------------------------------------------------------- camera tests (uploaded recordings)
@pytest.fixture
def uploaded(monkeypatch: pytest.MonkeyPatch) -> list:
    """The sequences the set-up check and the measurement are given."""
    seen: list = []
    check, measure = cam.setup_check, cam.measure
    monkeypatch.setattr(cam, "setup_check", lambda seq, *a, **k: seen.append(seq) or check(seq, *a, **k))
    monkeypatch.setattr(cam, "measure", lambda seq, *a, **k: seen.append(seq) or measure(seq, *a, **k))
    return seen


def _upload(client: TestClient, token: str, kind: str, seq, **query: object):  # type: ignore[no-untyped-def]
    w, h = seq.image_size
    return client.post(f"/assessment/camera/rom_extension/{kind}", params={"w": w, "h": h, **query},
                       content=frames_body(seq), headers={"X-CSRF-Token": token, "Accept": "application/json"})


def test_camera_test_uploads_carry_the_phones_tilt_on_every_frame(client: TestClient, uploaded: list) -> None:
    token = _ready_patient(client)
    seq = synthetic.generate("standing_extension", reps=3, seed=1, setup=False).sequence
    assert _upload(client, token, "check", seq, roll_deg=-1.0, pitch_deg=2.5).status_code == 200
    assert _upload(client, token, "recording", seq, roll_deg=0.5, pitch_deg=-0.5).status_code == 200
    assert _upload(client, token, "recording", seq).status_code == 200  # no sensor: no tilt
    checked, measured, untilted = uploaded
    assert checked.camera_tilt.shape == (len(seq), 2) and set(map(tuple, checked.camera_tilt)) == {(-1.0, 2.5)}
    assert [f.camera_tilt for f in measured.frames()] == [(0.5, -0.5)] * len(seq)
    assert untilted.camera_tilt is None


@pytest.mark.parametrize(("query", "reason"), [
    ({"roll_deg": 2.0}, "query parameter roll_deg needs pitch_deg with it"),
    ({"roll_deg": 2.0, "pitch_deg": -95}, "pitch_deg = -95 is not a number in -90-90"),
    ({"roll_deg": "level", "pitch_deg": 0}, "roll_deg = level is not a number in -180-180"),
])
def test_a_bad_tilt_in_an_upload_is_refused_naming_the_parameter(client: TestClient, query: dict, reason: str) -> None:
    token = _ready_patient(client)
    seq = synthetic.generate("standing_extension", reps=1, seed=1, setup=False).sequence
    response = _upload(client, token, "check", seq, **query)
    assert response.status_code == 400 and response.json()["reason"] == reason


def test_a_rolled_phones_tilt_makes_the_camera_test_measure_true_vertical(client: TestClient) -> None:
    """The generator's phone turned 8 deg reports that roll; the backward bend measured through the
    upload with it equals the level phone's, without it the roll biases the angle by 8 deg."""
    token = _ready_patient(client)
    level = synthetic.generate("standing_extension", reps=3, seed=1, setup=False).sequence
    rolled = synthetic.generate("standing_extension", reps=3, seed=1, setup=False, view_roll_deg=8.0).sequence
    roll, pitch = rolled.camera_tilt[0]
    assert (roll, pitch) == pytest.approx((8.0, 0.0))
    truth = _upload(client, token, "recording", level).json()["value"]
    with_tilt = _upload(client, token, "recording", rolled, roll_deg=roll, pitch_deg=pitch).json()["value"]
    without = _upload(client, token, "recording", rolled).json()["value"]
    assert with_tilt == pytest.approx(truth, abs=0.2)
    assert abs(without - truth) == pytest.approx(8.0, abs=0.5)


def test_the_set_up_check_reads_the_posture_upright_with_the_phones_roll(client: TestClient) -> None:
    """Standing, seen by a phone turned 45 deg: upright again with the roll, "not in the start
    position" without it."""
    token = _ready_patient(client)
    rolled = synthetic.generate("standing_extension", reps=1, seed=1, setup=False, view_roll_deg=45.0).sequence
    assert _upload(client, token, "check", rolled, roll_deg=45.0, pitch_deg=0.0).json()["issues"] == []
    assert _upload(client, token, "check", rolled).json()["issues"] == ["wrong_position"]


def _side_plank_item(app: FastAPI, beside_item: int) -> int:
    with store_db.transaction(app.state.sessionmaker) as db:
        beside = db.get(PlanItem, beside_item)
        item = PlanItem(plan_session_id=beside.plan_session_id, position=beside.position + 1, block="main",
                        exercise_id="side_plank", sets=2, reps=1, hold_seconds=5, rest_seconds=5, per_side=True,
                        expected_seconds=60)
        db.add(item)
        db.flush()
        return item.id


def _side_plank_set(ws, item_id: int, set_index: int, tilt: tuple[float, float] | None) -> list[dict]:  # type: ignore[no-untyped-def]
    """One left side plank filmed by a phone looking 10 deg down; its tilt sent first when given."""
    seq = synthetic.generate("side_plank", reps=1, side="left", view_pitch_deg=10.0, fps=10.0).sequence
    if tilt is not None:
        ws.send_json({"action": "tilt", "roll_deg": tilt[0], "pitch_deg": tilt[1]})
        receive_until(ws, "tilt_ok")
    ws.send_json({"action": "start_set", "plan_item_id": item_id, "set_index": set_index, "side": "left",
                  "image_size": list(seq.image_size)})
    assert ws.receive_json()["type"] == "ready"
    landmarks = np.concatenate([seq.xyz, seq.visibility[..., None]], axis=2)
    return send_frames(ws, [encode_frame(float(t), landmarks[i]) for i, t in enumerate(seq.t)][:90])


def test_a_pitched_phone_gets_the_engines_camera_not_level_cue(
        app: FastAPI, patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    """side_plank's rolling-back rule needs a level camera: the phone's reported 10 deg pitch is a
    set-up issue with its cue; without a reading the page's bubble level is all there is."""
    session_id, squat_item = squat_session
    item_id = _side_plank_item(app, squat_item)
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        unread = _side_plank_set(ws, item_id, 1, None)
        pitched = _side_plank_set(ws, item_id, 2, (0.0, 10.0))
    cue = next(e for e in pitched if e["type"] == "cue" and e["id"] == "camera_not_level")
    assert cue["text"]["en"].startswith("Set the phone straight") and cue["text"]["zh-Hans"]
    assert any("camera_not_level" in e["issues"] for e in pitched if e["type"] == "setup")
    assert not any(e.get("id") == "camera_not_level" or "camera_not_level" in e.get("issues", []) for e in unread)

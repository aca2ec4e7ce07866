"""§5.4 rule 6 over the real WebSocket: tracking lost > 5 s while holding a plank."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app.live import stops
from backcoach.app.live.protocol import encode_frame
from backcoach.clinical.progression import safety_texts
from backcoach.motion.synthetic.generate import generate
from backcoach.store import db as store_db
from backcoach.store.models import PlanItem

from .conftest import send_frames, session_of, squat_messages, squat_recording

PLANK_FPS = 10.0
#: In the synthetic planks (10 frames/s) the first hold is reached at frame 91 (t = 9.1 s) and
#: held to frame 206; frames 60-86 rest prone in the start position.
MID_FIRST_HOLD = 120
AT_REST_PRONE = 75


@lru_cache(maxsize=1)
def plank_recording() -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    sequence = generate("front_plank", reps=2, fps=PLANK_FPS).sequence
    return sequence.t, np.concatenate([sequence.xyz, sequence.visibility[..., None]], axis=2), sequence.image_size


def _frames(indices, t0: float) -> list[bytes]:  # type: ignore[no-untyped-def]
    """Recording frames ``indices`` (repeats allowed) re-timed from ``t0`` at 10 frames/s."""
    _t, landmarks, _size = plank_recording()
    return [encode_frame(t0 + k / PLANK_FPS, landmarks[i]) for k, i in enumerate(indices)]


def _nobody(count: int, t0: float) -> list[bytes]:
    """What the page sends when the model finds no person: NaN positions, visibility 0."""
    empty = np.zeros((33, 4), dtype=np.float32)
    empty[:, :3] = np.nan
    return [encode_frame(t0 + k / PLANK_FPS, empty) for k in range(count)]


def _item(app: FastAPI, beside_item: int, exercise_id: str, reps: int, hold: int | None) -> int:
    with store_db.transaction(app.state.sessionmaker) as db:
        beside = db.get(PlanItem, beside_item)
        item = PlanItem(plan_session_id=beside.plan_session_id, position=beside.position + 1, block="main",
                        exercise_id=exercise_id, sets=1, reps=reps, hold_seconds=hold, rest_seconds=5,
                        per_side=False, expected_seconds=60)
        db.add(item)
        db.flush()
        return item.id


def _start(ws, item_id: int) -> dict:  # type: ignore[no-untyped-def]
    _t, _landmarks, size = plank_recording()
    ws.send_json({"action": "start_set", "plan_item_id": item_id, "set_index": 1, "image_size": list(size)})
    return ws.receive_json()


def _lose_tracking_mid_hold(ws) -> tuple[list[dict], float]:  # type: ignore[no-untyped-def]
    """Frames up to the middle of the first hold, then 7 s without the patient; returns (events, next t)."""
    times, _landmarks, _size = plank_recording()
    before = send_frames(ws, _frames(range(MID_FIRST_HOLD), float(times[0])))
    assert [e["phase"] for e in before if e["type"] == "phase"][-1] == "end"
    t = float(times[MID_FIRST_HOLD])
    lost = send_frames(ws, _nobody(70, t))
    return before + lost, t + 7.0


def test_tracking_lost_holding_a_plank_pauses_then_resumes_from_the_start_position(
        app: FastAPI, patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, squat_item = squat_session
    plank = _item(app, squat_item, "front_plank", reps=2, hold=10)
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        assert _start(ws, plank)["type"] == "ready"
        events, t = _lose_tracking_mid_hold(ws)
        (paused,) = [e for e in events if e["type"] == "tracking_lost"]
        # Paused once tracking was lost for more than 5 s (the first empty frame is t = 12.0).
        assert 17.0 < paused["t"] <= 17.2 and paused["text"] == {
            "en": safety_texts()["stop"]["6"]["en"], "zh-Hans": safety_texts()["stop"]["6"]["zh-Hans"]}
        assert not any(e["type"] in ("rep", "hold") and e.get("t", 0) > 17.1 for e in events)
        # Back, lying prone in the start position: 3 s of it resumes the set.
        back = send_frames(ws, _frames([AT_REST_PRONE] * 40, t))
        (resumed,) = [e for e in back if e["type"] == "tracking_resumed"]
        assert resumed["t"] == t + 3.0
        # The interrupted hold is not scored: the fresh engine counts both planks from here.
        times, _landmarks, _size = plank_recording()
        rest = send_frames(ws, _frames(range(len(times)), t + 4.0))
    done = next(e for e in rest if e["type"] == "set_done")
    assert (done["counted"], done["attempts"], done["skipped"]) == (2, 2, False)
    (exercise_set,) = [s for s in session_of(db, session_id).sets if s.plan_item_id == plank]
    assert [rep.counted for rep in exercise_set.reps] == [True, True]
    assert stops.session_stops(db, session_of(db, session_id)) == []


def test_not_back_within_60_s_skips_the_plank_for_the_rest_of_the_session(
        app: FastAPI, patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, squat_item = squat_session
    plank = _item(app, squat_item, "front_plank", reps=2, hold=10)
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        _start(ws, plank)
        _events, t = _lose_tracking_mid_hold(ws)
        still_gone = send_frames(ws, _nobody(600, t))  # paused at 17.1 s: 60 s later it is skipped
        done = next(e for e in still_gone if e["type"] == "set_done")
        assert (done["counted"], done["attempts"], done["skipped"]) == (0, 0, True)
        stop = still_gone[-1]
        assert (stop["type"], stop["rule"]) == ("stop", "tracking_lost")
        assert stop["source"].startswith("§5.4 rule 6")
        assert _start(ws, plank)["code"] == "stopped"
        assert _start(ws, squat_item)["type"] == "ready"  # the others go on
    (record,) = [s.data for s in stops.session_stops(db, session_of(db, session_id))]
    assert (record["rule"], record["status"], record["plan_item_id"]) == ("6", "skipped", plank)
    (exercise_set,) = [s for s in session_of(db, session_id).sets if s.plan_item_id == plank]
    assert exercise_set.reps == [] and exercise_set.ended_at is not None  # the interrupted set is not scored


def test_losing_sight_of_a_squat_is_not_rule_6(patient_client: TestClient, squat_session: tuple[int, int]) -> None:
    session_id, squat_item = squat_session
    times, _landmarks, size = squat_recording()
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json({"action": "start_set", "plan_item_id": squat_item, "set_index": 1, "image_size": list(size)})
        ws.receive_json()
        events = send_frames(ws, squat_messages(0, 240))  # at the bottom of the second squat
        events += send_frames(ws, _nobody(70, times[240]))
    assert not any(e["type"] in ("tracking_lost", "stop") for e in events)

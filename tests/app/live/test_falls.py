"""§5.4 rule 5a: a fall seen in the landmarks ends the set and asks the fall questions."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app.live import stops
from backcoach.app.live.falls import FallWatch
from backcoach.app.live.protocol import encode_frame
from backcoach.app.roster import ALERT_RED_FLAG, roster_row
from backcoach.clinical.progression import safety_texts
from backcoach.clinical.redflags import checkin_questions, redflag_data
from backcoach.motion.synthetic.generate import generate
from backcoach.pose.frame import make_frame
from backcoach.store.models import SessionStatus, User
from backcoach.store.repo import clinical, training

from ..conftest import csrf_of, user_id
from .conftest import FPS, PATIENT, send_frames, session_of, squat_recording, start_set

STANDING = 80  # a squat recording frame at rest, standing


@lru_cache(maxsize=1)
def lying_pose() -> tuple[np.ndarray, np.ndarray]:
    """A body lying on its back (the synthetic bridge at rest): landmarks (33, 3), visibility (33,)."""
    sequence = generate("glute_bridge", reps=1, fps=20.0).sequence
    return sequence.xyz[150], sequence.visibility[150]


def _drop(seconds: float, still_s: float = 2.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Standing 1 s, then onto the floor in ``seconds``, then lying ``still_s`` (frames at FPS)."""
    _t, landmarks, _size = squat_recording()
    stand_xyz, stand_vis = landmarks[STANDING, :, :3], landmarks[STANDING, :, 3]
    lie_xyz, lie_vis = lying_pose()
    steps = max(1, round(seconds * FPS))
    frames = [(stand_xyz, stand_vis)] * round(FPS)
    frames += [(stand_xyz + (lie_xyz - stand_xyz) * k / steps, np.minimum(stand_vis, lie_vis)) for k in range(1, steps + 1)]
    return frames + [(lie_xyz, lie_vis)] * round(still_s * FPS)


def _watch(frames, t0: float = 0.0) -> list[int]:  # type: ignore[no-untyped-def]
    _t, _landmarks, size = squat_recording()
    watch = FallWatch()
    return [k for k, (xyz, vis) in enumerate(frames)
            if watch.update(make_frame(t0 + k / FPS, xyz.astype(np.float32), vis.astype(np.float32), size))]


def test_a_quick_drop_to_the_floor_is_one_fall() -> None:
    fired = _watch(_drop(0.4))
    assert len(fired) == 1 and round(FPS) < fired[0] <= round(FPS) + round(0.4 * FPS) + 1


def test_squats_and_lying_down_slowly_are_not_falls() -> None:
    times, landmarks, size = squat_recording()
    watch = FallWatch()
    assert not any(watch.update(make_frame(t, landmarks[i, :, :3], landmarks[i, :, 3], size)) for i, t in enumerate(times))
    assert _watch(_drop(4.0)) == []  # 4 s to lie down: no hip-speed spike


def _fall_messages(t0: float) -> list[bytes]:
    return [encode_frame(t0 + k / FPS, np.concatenate([xyz, vis[:, None]], axis=1).astype(np.float32))
            for k, (xyz, vis) in enumerate(_drop(0.4))]


def _fall_in_session(client: TestClient, session_id: int, item_id: int) -> list[dict]:
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        events = send_frames(ws, _fall_messages(0.0))
        ws.send_json(start_set(item_id, set_index=2))
        events.append(ws.receive_json())
    return events


def test_a_fall_ends_the_set_and_asks_the_fall_questions(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    events = _fall_in_session(patient_client, session_id, item_id)
    done = next(e for e in events if e["type"] == "set_done")
    stop = next(e for e in events if e["type"] == "stop")
    assert done["skipped"] is True and done["attempts"] == 0
    assert (stop["rule"], stop["fall_url"]) == ("fall", f"/sessions/{session_id}/fall")
    assert stop["text"]["en"] == safety_texts()["stop"]["5a"]["en"]
    assert events[-1]["code"] == "recheck_pending"  # nothing goes on before the answers
    assert [(r["rule"], r["status"]) for r in map(lambda a: a.data, stops.session_stops(db, session_of(db, session_id)))] \
        == [("5a", "fall_check")]
    assert patient_client.get(f"/sessions/{session_id}").headers["location"] == f"/sessions/{session_id}/fall"
    page = patient_client.get(f"/sessions/{session_id}/fall").text
    assert 'name="hurt"' in page and 'name="head"' in page and 'name="worse"' in page
    assert all(f'name="checkin_{q}"' in page for q in checkin_questions())
    assert 'data-alarm-in="60"' in page and "data-fall-alarm" in page


def _answers(**yes: str) -> dict[str, str]:
    answers = {"hurt": "no", "head": "no", "worse": "no"} | {f"checkin_{q}": "no" for q in checkin_questions()}
    return answers | yes


def test_all_no_ends_the_session_for_the_therapists_review(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    _fall_in_session(patient_client, session_id, item_id)
    token = csrf_of(patient_client, f"/sessions/{session_id}/fall")
    missing = patient_client.post(f"/sessions/{session_id}/fall", data={"csrf_token": token, "hurt": "no"})
    assert missing.status_code == 400 and 'value="no"\n      checked' in missing.text
    ended = patient_client.post(f"/sessions/{session_id}/fall", data={"csrf_token": token, **_answers()})
    assert ended.status_code == 200 and "data-fall-reviewed" in ended.text
    session = session_of(db, session_id)
    assert (session.status, session.stop_reason) == (SessionStatus.STOPPED, "fall")
    assert training.report_for_session(db, session_id) is not None
    (record,) = [a.data for a in stops.session_stops(db, session)]
    assert (record["status"], record["clinician_review"]) == ("reviewed", True)
    assert stops.stop_flags(db, session, "squat").fell
    patient = db.get(User, user_id(db, PATIENT))
    assert stops.ALERT_FALL in roster_row(db, patient, date.today()).alerts
    assert clinical.latest_screening(db, patient.id).outcome == "CONTINUE"  # not locked


@pytest.mark.parametrize("yes", [{"head": "yes"}, {"checkin_saddle_numbness": "yes"}], ids=["hit-head", "red-flag"])
def test_any_yes_ends_the_session_and_locks_exercise(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int], yes: dict[str, str]) -> None:
    session_id, item_id = squat_session
    _fall_in_session(patient_client, session_id, item_id)
    token = csrf_of(patient_client, f"/sessions/{session_id}/fall")
    urgent = patient_client.post(f"/sessions/{session_id}/fall", data={"csrf_token": token, **_answers(**yes)})
    assert redflag_data()["messages"]["URGENT_REFERRAL"]["en"] in urgent.text
    assert 'href="tel:112"' in urgent.text
    patient = db.get(User, user_id(db, PATIENT))
    assert clinical.latest_screening(db, patient.id).outcome == "URGENT_REFERRAL"
    assert ALERT_RED_FLAG in roster_row(db, patient, date.today()).alerts


def test_no_answer_within_60_s_shows_the_emergency_prompt(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    _fall_in_session(patient_client, session_id, item_id)
    db.expire_all()
    for stop in stops.session_stops(db, session_of(db, session_id)):
        stop.assessed_at -= timedelta(seconds=61)
    db.commit()
    page = patient_client.get(f"/sessions/{session_id}/fall").text
    assert 'data-alarm-in="0"' in page and 'href="tel:112"' in page
    alarm = page[page.index("data-fall-alarm"):page.index("</div>", page.index("data-fall-alarm"))]
    assert "hidden" not in alarm.split(">")[0]  # shown at once

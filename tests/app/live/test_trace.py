"""The live set's landmark trace: kept in bounded memory, stored at set end, replayable in the portal."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.live.trace import DEFAULT_STEP_S, TraceBuffer
from backcoach.pose.frame import make_frame
from backcoach.store.models import LandmarkTrace

from ..conftest import sign_in, user_id
from .conftest import PATIENT, SQUAT_REPS, send_frames, session_of, squat_messages, squat_recording, start_set

THERAPIST = "therapist@demo.backcoach"


def _frame(t: float, x: float = 0.5):  # type: ignore[no-untyped-def]
    xyz = np.full((33, 3), x, dtype=np.float32)
    return make_frame(t, xyz, np.ones(33, dtype=np.float32), (640, 480))


def test_a_short_set_keeps_every_frame_with_times_from_its_first_frame() -> None:
    trace = TraceBuffer(max_frames=8)
    for i in range(5):
        trace.add(_frame(100.0 + i / 10, x=i / 10))
    n, encoding, data = trace.encoded()
    assert (n, encoding, trace.stride) == (5, "f32-txyzv-640x480", 1)
    t = np.frombuffer(data, "<f4")[:n]
    np.testing.assert_allclose(t, [0.0, 0.1, 0.2, 0.3, 0.4], atol=1e-5)
    assert trace.relative(100.25) == pytest.approx(0.25)


def test_a_long_set_is_downsampled_evenly_and_never_exceeds_the_cap() -> None:
    trace = TraceBuffer(max_frames=4)
    for i in range(10):  # frames 0..9 at 1 s apart
        trace.add(_frame(float(i)))
        assert trace.count <= 4
    # 4 frames fill the buffer; the 5th halves it (stride 2: 0, 2, 4), the 7th (frame 6) fills it,
    # frame 8 halves again (stride 4: 0, 4, 8); frame 9 is off the stride.
    n, _encoding, data = trace.encoded()
    assert trace.stride == 4
    np.testing.assert_allclose(np.frombuffer(data, "<f4")[:n], [0.0, 4.0, 8.0])


def test_no_frame_means_no_trace() -> None:
    assert TraceBuffer().encoded() is None


def test_a_live_set_is_replayable_in_the_portal_with_its_reps_and_frames(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    frames = squat_messages()
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        events = send_frames(ws, frames)
    rep_events = [e for e in events if e["type"] == "rep"]
    assert sum(e["counted"] for e in rep_events) == SQUAT_REPS
    exercise_set = session_of(db, session_id).sets[0]
    trace = db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == exercise_set.id))
    times, _landmarks, size = squat_recording()
    # The set ends on the frame of its last planned rep; every frame up to it is kept (well under the cap).
    set_frames = times.index(rep_events[-1]["t"]) + 1
    assert trace.frame_count == set_frames < len(frames)

    patient_client.cookies.clear()
    sign_in(patient_client, THERAPIST)
    patient = user_id(db, PATIENT)
    data = patient_client.get(f"/therapist/patients/{patient}/sets/{exercise_set.id}/replay.json").json()
    assert len(data["frames"]) == len(data["t"]) == set_frames
    assert (data["width"], data["height"]) == tuple(size)
    assert data["t"][-1] == pytest.approx(times[set_frames - 1] - times[0], abs=1e-3)
    assert len(data["reps"]) == len(rep_events)
    # Each rep sits on the replay's time line where the engine reported it.
    assert [r["t"] for r in data["reps"]] == [round(e["t"] - times[0], 3) for e in rep_events]


def test_a_resumed_set_continues_the_trace_stored_when_the_connection_dropped(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    times, _landmarks, _size = squat_recording()
    cut = next(i for i, t in enumerate(times) if t > 10.0)  # just after the first squat
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        first = send_frames(ws, squat_messages(0, cut))
    exercise_set = session_of(db, session_id).sets[0]
    partial = db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == exercise_set.id))
    assert exercise_set.ended_at is None and partial.frame_count == cut  # kept at the drop

    # A reloaded page: the device clock starts again from 0.
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["resumed"] is True
        rest = send_frames(ws, squat_messages(0, None))
    db.expire_all()
    trace = db.scalar(select(LandmarkTrace).where(LandmarkTrace.set_id == exercise_set.id))
    second_reps = [e for e in rest if e["type"] == "rep"]
    second_frames = times.index(second_reps[-1]["t"]) + 1
    assert trace.id == partial.id and trace.frame_count == cut + second_frames

    patient_client.cookies.clear()
    sign_in(patient_client, THERAPIST)
    data = patient_client.get(f"/therapist/patients/{user_id(db, PATIENT)}/sets/{exercise_set.id}/replay.json").json()
    step = times[1] - times[0]
    resumed_at = times[cut - 1] - times[0] + step  # the first frame after the drop, one frame later
    assert data["t"][cut] == pytest.approx(resumed_at, abs=1e-3)
    assert all(b > a for a, b in zip(data["t"], data["t"][1:]))  # one time line across both connections
    first_rep = next(e for e in first if e["type"] == "rep")
    assert [r["t"] for r in data["reps"]] == [round(first_rep["t"] - times[0], 3)] + [
        round(resumed_at + e["t"] - times[0], 3) for e in second_reps]


def test_a_finished_camera_session_with_stored_trace_has_its_report(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    with patient_client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ws.receive_json()
        send_frames(ws, squat_messages())
    page = patient_client.get(f"/sessions/{session_id}").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    finished = patient_client.post(f"/sessions/{session_id}/finish", data={
        "csrf_token": token, "pain_after": "2", "cr10": "3.5", "outcome": "completed"})
    assert finished.status_code == 303
    assert patient_client.get(finished.headers["location"]).status_code == 200


def test_frame_step_is_the_camera_interval_also_after_downsampling() -> None:
    buffer = TraceBuffer(max_frames=4)
    assert buffer.frame_step() == DEFAULT_STEP_S  # nothing to measure yet
    for i in range(9):  # 0.1 s apart: the buffer halves twice, keeping every 4th frame
        buffer.add(_frame(5.0 + 0.1 * i))
    assert buffer.stride == 4 and buffer.frame_step() == pytest.approx(0.1)

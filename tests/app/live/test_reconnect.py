"""A real WebSocket drop in the middle of a rep: the reconnect goes on with the same rep."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app.live.parking import ParkedSets

from .conftest import SQUAT_REPS, send_frames, session_of, squat_messages, squat_recording, start_set

#: Frame 240 of the synthetic squats (t = 12.0 s) is at the bottom of the second squat: the engine
#: saw it go out at frame 219 and reach the end at frame 227; it returns at 259 and counts at 271.
MID_SECOND_REP = 240


def _drop_mid_rep(client: TestClient, session_id: int, item_id: int) -> None:
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        assert ws.receive_json()["type"] == "ready"
        events = send_frames(ws, squat_messages(0, MID_SECOND_REP))
        assert [e["count"] for e in events if e["type"] == "rep"] == [1]
        assert [e["phase"] for e in events if e["type"] == "phase"][-1] == "end"
    # Leaving the block closes the socket: the server sees the disconnect, the browser reconnects.


def _reconnect(client: TestClient, session_id: int, item_id: int, t_offset: float) -> tuple[dict, list[dict]]:
    with client.websocket_connect(f"/sessions/{session_id}/live") as ws:
        ws.send_json(start_set(item_id))
        ready = ws.receive_json()
        return ready, send_frames(ws, squat_messages(MID_SECOND_REP, None, t_offset=t_offset))


def _stored_reps(db: Session, session_id: int) -> list[tuple[int, bool]]:
    (exercise_set,) = session_of(db, session_id).sets
    return sorted((rep.index, rep.counted) for rep in exercise_set.reps)


def test_the_rep_in_progress_continues_after_a_reconnect(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    _drop_mid_rep(patient_client, session_id, item_id)
    ready, events = _reconnect(patient_client, session_id, item_id, t_offset=0.0)  # the device clock goes on
    assert (ready["resumed"], ready["count"], ready["attempts"], ready["phase"]) == (True, 1, 1, "end")
    assert [(e["index"], e["count"]) for e in events if e["type"] == "rep"] == [(2, 2), (3, 3)]
    done = next(e for e in events if e["type"] == "set_done")
    assert (done["counted"], done["attempts"]) == (SQUAT_REPS, SQUAT_REPS)  # no lost attempt
    assert _stored_reps(db, session_id) == [(1, True), (2, True), (3, True)]


def test_a_reloaded_page_restarting_its_clock_continues_the_rep_and_the_trace(
        patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    times, _landmarks, _size = squat_recording()
    _drop_mid_rep(patient_client, session_id, item_id)
    # The new page's performance.now() starts again near 0, far before the engine's last 11.95 s.
    ready, events = _reconnect(patient_client, session_id, item_id, t_offset=0.5 - times[MID_SECOND_REP])
    assert ready["phase"] == "end"
    assert [(e["index"], e["count"]) for e in events if e["type"] == "rep"] == [(2, 2), (3, 3)]
    assert _stored_reps(db, session_id) == [(1, True), (2, True), (3, True)]
    # One time line in the trace: the rep events' times keep increasing over both connections.
    (exercise_set,) = session_of(db, session_id).sets
    rep_times = [rep.metrics["t"] for rep in sorted(exercise_set.reps, key=lambda r: r.index)]
    assert rep_times == sorted(rep_times) and rep_times[1] - rep_times[0] > 4.0


def test_past_the_grace_period_the_set_resumes_from_the_store_and_the_rep_in_progress_is_lost(
        app: FastAPI, patient_client: TestClient, db: Session, squat_session: tuple[int, int]) -> None:
    session_id, item_id = squat_session
    app.state.live_parked_sets = ParkedSets(grace_s=-1.0)  # every dropped set has already expired
    _drop_mid_rep(patient_client, session_id, item_id)
    ready, events = _reconnect(patient_client, session_id, item_id, t_offset=0.0)
    assert (ready["resumed"], ready["count"], "phase" in ready) == (True, 1, False)
    # A fresh engine never saw the second squat begin: only the third is counted (as the 2nd rep),
    # and the set still needs one more.
    assert [e["count"] for e in events if e["type"] == "rep" and e["counted"]] == [2]
    assert not any(e["type"] == "set_done" for e in events)
    assert _stored_reps(db, session_id) == [(1, True), (2, True)]

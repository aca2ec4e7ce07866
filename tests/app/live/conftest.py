"""Helpers for the live-session tests: an AI session with a squat in its plan, synthetic squats."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from backcoach.app.live import stops
from backcoach.app.live.protocol import encode_frame
from backcoach.motion.synthetic.generate import generate
from backcoach.store import db as store_db
from backcoach.store.models import ExerciseSession, PlanItem, SessionMode, User
from backcoach.store.repo import plans, training

from ..conftest import sign_in

PATIENT = "week1@demo.backcoach"
OTHER_PATIENT = "week3@demo.backcoach"
SQUAT_REPS = 3
#: Synthetic frames per second; the engine sees the same timing as a phone camera would give.
FPS = 20.0


@lru_cache(maxsize=1)
def squat_recording() -> tuple[tuple[float, ...], np.ndarray, tuple[int, int]]:
    """Three clean squats (known answer: 3 counted reps) as (times, 33 x 4 landmarks, image size)."""
    sequence = generate("squat", reps=SQUAT_REPS, fps=FPS).sequence
    landmarks = np.concatenate([sequence.xyz, sequence.visibility[..., None]], axis=2)
    return tuple(float(t) for t in sequence.t), landmarks, sequence.image_size


def squat_messages(start: int = 0, stop: int | None = None, t_offset: float = 0.0) -> list[bytes]:
    times, landmarks, _size = squat_recording()
    return [encode_frame(t + t_offset, landmarks[i]) for i, t in enumerate(times)][start:stop]


def add_squat(app: FastAPI, email: str = PATIENT, *, sets: int = 2, reps: int = SQUAT_REPS) -> tuple[int, int]:
    """Put a squat item in the patient's next planned session and start an AI session there.

    Returns (exercise session id, plan item id).
    """
    with store_db.transaction(app.state.sessionmaker) as db:
        patient = db.scalar(select(User).where(User.email == email))
        done = plans.completed_plan_session_ids(db, patient.id)
        plan_session = next(s for s in plans.active_plan(db, patient.id).sessions if s.id not in done)
        item = PlanItem(plan_session_id=plan_session.id, position=len(plan_session.items) + 1, block="main",
                        exercise_id="squat", sets=sets, reps=reps, hold_seconds=None, rest_seconds=5,
                        per_side=False, expected_seconds=60)
        db.add(item)
        db.flush()
        session = training.start_session(db, patient_id=patient.id, mode=SessionMode.AI, pain_before=3,
                                         plan_session_id=plan_session.id)
        return session.id, item.id


def start_set(plan_item_id: int, set_index: int = 1) -> dict:
    _times, _landmarks, size = squat_recording()
    return {"action": "start_set", "plan_item_id": plan_item_id, "set_index": set_index,
            "image_size": list(size)}


def receive_until(ws, kind: str, limit: int = 2000) -> list[dict]:  # type: ignore[no-untyped-def]
    """Events up to and including the first of type ``kind``."""
    seen = []
    for _ in range(limit):
        event = ws.receive_json()
        seen.append(event)
        if event["type"] == kind:
            return seen
    raise AssertionError(f"no {kind!r} event in {limit} messages: {[e['type'] for e in seen]}")


def send_frames(ws, messages: list[bytes]) -> list[dict]:  # type: ignore[no-untyped-def]
    """Send frames; a ``ping`` round trip at the end collects every reply they produced."""
    for message in messages:
        ws.send_bytes(message)
    ws.send_json({"action": "ping"})
    return receive_until(ws, "pong")[:-1]


@pytest.fixture
def squat_session(app: FastAPI) -> tuple[int, int]:
    return add_squat(app)


def session_of(db, session_id: int) -> ExerciseSession:  # type: ignore[no-untyped-def]
    db.expire_all()
    return training.get_session(db, session_id)


@pytest.fixture
def patient_client(client: TestClient) -> TestClient:
    sign_in(client, PATIENT)
    return client


def backdate_stops(db, session_id: int, seconds: float = 301.0) -> None:  # type: ignore[no-untyped-def]
    """Move this session's stops ``seconds`` into the past (the re-check waits 5 minutes)."""
    db.expire_all()
    session = training.get_session(db, session_id)
    for stop in stops.session_stops(db, session):
        stop.assessed_at = stop.assessed_at - timedelta(seconds=seconds)
    db.commit()


def settle_recheck(client: TestClient, db, session_id: int, nrs: int, legs: str = "no"):  # type: ignore[no-untyped-def]
    """Answer the pending re-check after the 5 minutes; returns the response."""
    backdate_stops(db, session_id)
    page = client.get(f"/sessions/{session_id}/recheck")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(f"/sessions/{session_id}/recheck", data={"csrf_token": token, "nrs": str(nrs), "legs": legs})

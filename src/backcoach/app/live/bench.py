"""Figures for ``backcoach bench live``: server handling time per frame, browser pose speed and
frame-capture-to-cue latency. They print numbers; nothing here is a pass/fail test.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import uvicorn
from sqlalchemy import event, func, select, text

from backcoach.app.demo import DEMO_PASSWORD, seed_demo
from backcoach.app.live.protocol import encode_frame
from backcoach.app.live.recorder import SessionInfo, StoreRecorder
from backcoach.app.live.session import LiveSession
from backcoach.app.main import create_app
from backcoach.app.settings import Settings
from backcoach.motion.synthetic.generate import generate
from backcoach.store import db as store_db
from backcoach.store.models import LandmarkTrace, PlanItem, SessionMode, User
from backcoach.store.repo import plans, training

BENCH_PATIENT = "week3@demo.backcoach"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--use-fake-device-for-media-stream",
                  "--use-fake-ui-for-media-stream", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: Goals from the issue: server p95 frame-to-event, browser full-model frames/s (headless CPU).
SERVER_P95_GOAL_MS = 10.0
BROWSER_FPS_GOAL = 12.0


def percentiles(values_ms: list[float]) -> dict[str, float]:
    array = np.asarray(values_ms, dtype=float)
    return {"n": int(array.size), "p50_ms": float(np.percentile(array, 50)), "p95_ms": float(np.percentile(array, 95)),
            "p99_ms": float(np.percentile(array, 99)), "max_ms": float(array.max())}


def _demo_app(directory: Path, reps: int):  # type: ignore[no-untyped-def]
    """An app on a fresh demo database with a squat set in the bench patient's next session."""
    app = create_app(Settings(environment="test", database_url=f"sqlite:///{directory / 'bench.db'}",
                              secret_key="bench-secret-not-for-production"))
    with store_db.transaction(app.state.sessionmaker) as db:
        seed_demo(db)
        patient = db.scalar(select(User).where(User.email == BENCH_PATIENT))
        done = plans.completed_plan_session_ids(db, patient.id)
        plan_session = next(s for s in plans.active_plan(db, patient.id).sessions if s.id not in done)
        item = PlanItem(plan_session_id=plan_session.id, position=0, block="main", exercise_id="squat", sets=1,
                        reps=reps, hold_seconds=None, rest_seconds=10, per_side=False, expected_seconds=60)
        db.add(item)
        db.flush()
        session = training.start_session(db, patient_id=patient.id, mode=SessionMode.AI, pain_before=3,
                                         plan_session_id=plan_session.id)
        ids = {"session_id": session.id, "patient_id": patient.id, "plan_item_id": item.id,
               "plan_session_id": plan_session.id}
    return app, ids


def _rollback_journal(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=DELETE")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def server_latency(reps: int = 10, fps: float = 30.0, noise_px: float = 2.0, rollback: bool = False) -> dict[str, Any]:
    """Time from a frame message received to its events ready to send (decode, validate, engine,
    store write of any finished rep, JSON encoding), over synthetic squats.

    The bench database runs as the store sets SQLite up (WAL, ``synchronous=NORMAL``); ``rollback``
    switches it back to SQLite's default rollback journal for comparison. The frame that ends the
    set also writes the set's landmark trace (``set_end_ms``, ``trace_bytes``).
    """
    sequence = generate("squat", reps=reps, fps=fps, noise_px=noise_px, seed=1).sequence
    landmarks = np.concatenate([sequence.xyz, sequence.visibility[..., None]], axis=2)
    messages = [encode_frame(float(t), landmarks[i]) for i, t in enumerate(sequence.t)]
    with tempfile.TemporaryDirectory() as tmp:
        app, ids = _demo_app(Path(tmp), reps)
        if rollback:
            event.listen(app.state.engine, "connect", _rollback_journal)
            app.state.engine.dispose()  # reconnect with the pragmas
        live = LiveSession(StoreRecorder(app.state.sessionmaker, SessionInfo(ids["session_id"], ids["patient_id"], 3, "en")))
        (ready,) = live.on_text(json.dumps({"action": "start_set", "plan_item_id": ids["plan_item_id"], "set_index": 1,
                                            "image_size": list(sequence.image_size)}))
        all_ms, rep_ms, counted, set_end_ms, set_end_frame = [], [], 0, None, None
        for index, message in enumerate(messages):
            start = time.perf_counter()
            replies = [json.dumps(reply) for reply in live.on_bytes(message)]
            elapsed = (time.perf_counter() - start) * 1000
            all_ms.append(elapsed)
            if any('"type": "rep"' in reply for reply in replies):
                rep_ms.append(elapsed)
                counted += sum('"counted": true' in reply for reply in replies)
            if any('"type": "set_done"' in reply for reply in replies):
                set_end_ms, set_end_frame = elapsed, index
        with app.state.sessionmaker() as db:
            trace_bytes = db.scalar(select(func.length(LandmarkTrace.data)).where(LandmarkTrace.set_id == ready["set_id"]))
            journal = db.execute(text("PRAGMA journal_mode")).scalar()
        app.state.engine.dispose()
    return {"frames": len(messages), "reps_counted": counted, "reps_generated": reps, "journal_mode": journal,
            "all_frames": percentiles(all_ms), "frames_with_rep_write": percentiles(rep_ms),
            "set_end_frame": set_end_frame, "set_end_ms": set_end_ms, "trace_bytes": trace_bytes, "goal_p95_ms": SERVER_P95_GOAL_MS}


def socket_latency(reps: int = 10, fps: float = 30.0, noise_px: float = 2.0) -> dict[str, Any]:
    """The same frames over a real WebSocket to uvicorn: frame received -> its events sent, as the
    endpoint measures and logs it per connection (adds the thread hop and the socket writes)."""
    import httpx
    from websockets.sync.client import connect

    sequence = generate("squat", reps=reps, fps=fps, noise_px=noise_px, seed=1).sequence
    landmarks = np.concatenate([sequence.xyz, sequence.visibility[..., None]], axis=2)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    endpoint_logger = logging.getLogger("backcoach.app.live.endpoints")
    endpoint_logger.addHandler(handler)
    previous_level = endpoint_logger.level
    endpoint_logger.setLevel(logging.INFO)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app, ids = _demo_app(Path(tmp), reps)
            with serving(app) as url, httpx.Client(base_url=url) as client:
                page = client.get("/login").text
                token = page.split('name="csrf_token" value="')[1].split('"')[0]
                client.post("/login", data={"email": BENCH_PATIENT, "password": DEMO_PASSWORD, "csrf_token": token})
                cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
                address = url.replace("http://", "ws://") + f"/sessions/{ids['session_id']}/live"
                counted = 0
                with connect(address, additional_headers={"Cookie": cookie}) as ws:
                    ws.send(json.dumps({"action": "start_set", "plan_item_id": ids["plan_item_id"], "set_index": 1,
                                        "image_size": list(sequence.image_size)}))
                    for i, t in enumerate(sequence.t):
                        ws.send(encode_frame(float(t), landmarks[i]))
                    ws.send(json.dumps({"action": "ping"}))
                    while (event := json.loads(ws.recv()))["type"] != "pong":
                        counted += event["type"] == "rep" and event["counted"]
            app.state.engine.dispose()
    finally:
        endpoint_logger.removeHandler(handler)
        endpoint_logger.setLevel(previous_level)
    frame_ms = next(record.frame_ms for record in records if hasattr(record, "frame_ms"))
    return {"frames": len(frame_ms), "reps_counted": counted, "frame_to_events_sent": percentiles(frame_ms),
            "goal_p95_ms": SERVER_P95_GOAL_MS}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Run ``app`` with uvicorn in a background thread; yields its address."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the bench server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def camera_file(source: Path, target: Path, fps: int = 30) -> Path:
    """The clip as a y4m fake camera at ``fps`` (held first frame 3 s, the clip, last frame 20 s)."""
    video_filter = ("tpad=start_duration=3:start_mode=clone:stop_duration=20:stop_mode=clone,"
                    f"scale=360:640,fps={fps}")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-vf", video_filter, "-pix_fmt", "yuv420p",
                    str(target)], check=True)
    return target


def browser_figures(clip: Path, variant: str, seconds: float) -> dict[str, Any]:
    """Run the live page in headless Chromium (CPU delegate) on ``clip`` as the camera for ``seconds``."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        camera = camera_file(clip, Path(tmp) / "camera.y4m")
        app, ids = _demo_app(Path(tmp), reps=50)
        with serving(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, f"--use-file-for-fake-video-capture={camera}"])
            page = browser.new_context(base_url=url, locale="en-GB").new_page()
            page.goto("/login")
            page.fill("input[name=email]", BENCH_PATIENT)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("form button[type=submit]").click()
            page.wait_for_load_state("networkidle")
            page.goto(f"/sessions/{ids['session_id']}?model={variant}&adapt=0&delegate=CPU")
            page.wait_for_selector("html[data-live-ready=true]")
            page.locator(f"[data-start-exercise='{ids['plan_item_id']}']").click()
            page.locator("[data-action=start-set]").click()
            page.wait_for_function("window.backcoachLive.stats().frames > 0", timeout=120_000)
            page.wait_for_timeout(seconds * 1000)
            stats = page.evaluate("window.backcoachLive.stats()")
            browser.close()
        app.state.engine.dispose()
    cues = [entry["ms"] for entry in stats["latencies"] if entry["type"] == "cue"]
    events = [entry["ms"] for entry in stats["latencies"]]
    return {"variant": variant, "delegate": stats["delegate"], "frames": stats["frames"],
            "fps": stats["frames"] / ((stats["now"] - stats["firstFrameAt"]) / 1000),
            "reps_counted": sum(r["counted"] for r in stats["reps"]),
            "capture_to_cue": percentiles(cues) if cues else None,
            "capture_to_any_event": percentiles(events) if events else None, "goal_fps": BROWSER_FPS_GOAL}

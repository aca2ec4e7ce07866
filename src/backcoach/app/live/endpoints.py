"""HTTP and WebSocket endpoints of the live session (included by ``app/routers/live.py``).

* ``/sessions/{id}/live``: the WebSocket (see :mod:`backcoach.app.live.protocol`).
* ``/live/vendor/tasks-vision/...`` and ``/live/models/...``: the browser's pose runtime and
  our ``.task`` bundles, served by the app because clinics may be offline and no CDN is used.
* ``/live/demo/{exercise_id}.json``: the generator's reference motion for the demonstration.
* ``/live/videos/{exercise_id}``: the patient's therapist's demonstration video, when there is one.
"""

from __future__ import annotations

import logging
import math
import time
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from backcoach.app import errors
from backcoach.app.deps import SESSION_USER_KEY, CurrentPatient, DbSession
from backcoach.app.i18n import LANG_COOKIE, choose_locale
from backcoach.app.live.recorder import (
    FINISHED, NOT_ALLOWED, NOT_FOUND, NOT_SIGNED_IN, LiveRefused, SessionInfo, StoreRecorder,
)
from backcoach.app.live.parking import ParkedSets
from backcoach.app.live.session import LiveSession
from backcoach.app.portal import videos
from backcoach.exercises import UnknownExerciseError
from backcoach.motion.synthetic.generate import SyntheticError, demo_frames
from backcoach.motion.synthetic.motions import MotionFileError
from backcoach.paths import MODELS_DIR, NODE_MODULES
from backcoach.store.models import ConsentKind, Role, SessionMode, SessionStatus
from backcoach.store.repo import accounts, training

router = APIRouter()
logger = logging.getLogger(__name__)

TASKS_VISION_DIR = NODE_MODULES / "@mediapipe" / "tasks-vision"
#: The runtime files the browser loads, with their media types (wasm must be application/wasm).
TASKS_VISION_FILES = {
    "vision_bundle.mjs": "text/javascript",
    "wasm/vision_wasm_internal.js": "text/javascript",
    "wasm/vision_wasm_internal.wasm": "application/wasm",
    "wasm/vision_wasm_nosimd_internal.js": "text/javascript",
    "wasm/vision_wasm_nosimd_internal.wasm": "application/wasm",
    "wasm/vision_wasm_module_internal.js": "text/javascript",
    "wasm/vision_wasm_module_internal.wasm": "application/wasm",
}
MODEL_VARIANTS = ("lite", "full", "heavy")
DEMO_FPS_RANGE = (5.0, 60.0)
_IMMUTABLE = {"Cache-Control": "public, max-age=86400"}


@router.get("/live/vendor/tasks-vision/{path:path}", include_in_schema=False)
def tasks_vision_file(path: str) -> FileResponse:
    """The MediaPipe tasks-vision 1.1.0 runtime from ``node_modules``."""
    media_type = TASKS_VISION_FILES.get(path)
    if media_type is None or not (TASKS_VISION_DIR / path).is_file():
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    return FileResponse(TASKS_VISION_DIR / path, media_type=media_type, headers=_IMMUTABLE)


@router.get("/live/models/pose_landmarker_{variant}.task", include_in_schema=False)
def model_bundle(variant: str) -> FileResponse:
    """A PoseLandmarker bundle built by ``backcoach models build``."""
    path = MODELS_DIR / f"pose_landmarker_{variant}.task"
    if variant not in MODEL_VARIANTS or not path.is_file():
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    return FileResponse(path, media_type="application/octet-stream", headers=_IMMUTABLE)


@router.get("/live/demo/{exercise_id}.json", include_in_schema=False)
def demonstration(exercise_id: str, fps: float = Query(15.0, ge=DEMO_FPS_RANGE[0], le=DEMO_FPS_RANGE[1])) -> JSONResponse:
    """One clean reference repetition as landmark frames, for the demonstration canvas."""
    try:
        payload = _demo_payload(exercise_id, fps)
    except (UnknownExerciseError, MotionFileError, SyntheticError):
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND) from None
    return JSONResponse(payload, headers=_IMMUTABLE)


@router.get("/live/videos/{exercise_id}", include_in_schema=False)
def therapist_video(request: Request, db: DbSession, patient: CurrentPatient, exercise_id: str) -> FileResponse:
    """The demonstration video the patient's own therapist uploaded for this exercise."""
    video = patient_video(request.app.state.settings, db, patient.id, exercise_id)
    if video is None:
        raise HTTPException(404, detail=errors.PAGE_NOT_FOUND)
    return FileResponse(video.path, media_type=video.media_type)


def patient_video(settings, db, patient_id: int, exercise_id: str) -> videos.StoredVideo | None:  # type: ignore[no-untyped-def]
    """The current therapist's video of ``exercise_id`` for this patient, if they uploaded one."""
    therapist = accounts.therapist_of(db, patient_id)
    if therapist is None:
        return None
    try:
        return videos.find_video(videos.media_root(settings), therapist.id, exercise_id)
    except ValueError:  # not an exercise id
        return None


@lru_cache(maxsize=64)
def _demo_payload(exercise_id: str, fps: float) -> dict:
    sequence = demo_frames(exercise_id, fps)
    frames = [[[_round(x), _round(y)] for x, y, _z in frame] for frame in sequence.xyz.tolist()]
    return {"exercise_id": exercise_id, "fps": fps, "image_size": list(sequence.image_size), "frames": frames}


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


@router.websocket("/sessions/{session_id}/live")
async def live_socket(websocket: WebSocket, session_id: int) -> None:
    """Landmarks in, engine events out, for one in-progress AI session of the signed-in patient."""
    await websocket.accept()
    try:
        info = await run_in_threadpool(_authorise, websocket, session_id)
    except LiveRefused as refused:
        await websocket.send_json({"type": "error", "code": "refused", "message": refused.message})
        await websocket.close(code=refused.code)
        return
    live = LiveSession(StoreRecorder(websocket.app.state.sessionmaker, info), parked=_parked_sets(websocket.app.state))
    frame_ms: list[float] = []  # frame received -> its events sent, per frame
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            received = time.perf_counter()
            if message.get("bytes") is not None:
                replies = await run_in_threadpool(live.on_bytes, message["bytes"])
            else:
                replies = await run_in_threadpool(live.on_text, message.get("text") or "")
            for reply in replies:
                await websocket.send_json(reply)
            if message.get("bytes") is not None:
                frame_ms.append((time.perf_counter() - received) * 1000)
    except WebSocketDisconnect:
        return
    finally:
        try:
            await run_in_threadpool(live.on_close)
        except Exception:  # the socket's edge: a failed trace write must not hide why it closed
            logger.exception("live session %d: could not keep the open set's landmark trace", session_id)
        _log_connection(session_id, live, frame_ms)


def _parked_sets(state: Any) -> ParkedSets:
    """This process's dropped sets, created with the first connection."""
    if not hasattr(state, "live_parked_sets"):
        state.live_parked_sets = ParkedSets()
    return state.live_parked_sets


def _log_connection(session_id: int, live: LiveSession, frame_ms: list[float]) -> None:
    """One line per closed connection: how many frames, how many skipped, how fast they were handled."""
    if not frame_ms:
        return
    ordered = sorted(frame_ms)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    logger.info("live session %d: %d frames (%d skipped), frame-to-events p50 %.3f ms, p95 %.3f ms, max %.3f ms",
                session_id, len(ordered), live.frames_skipped, ordered[len(ordered) // 2], p95, ordered[-1],
                extra={"frame_ms": frame_ms})


def _authorise(websocket: WebSocket, session_id: int) -> SessionInfo:
    """Who may drive this session: its own patient, signed in, consented, same site, in progress."""
    origin = websocket.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != websocket.headers.get("host"):
        raise LiveRefused(NOT_ALLOWED, "connection from another site refused")
    user_id = websocket.session.get(SESSION_USER_KEY)
    with websocket.app.state.sessionmaker() as db:
        user = accounts.get_user(db, user_id) if isinstance(user_id, int) else None
        if user is None or not user.is_active:
            raise LiveRefused(NOT_SIGNED_IN, "please sign in")
        if user.role != Role.PATIENT or accounts.active_consent(db, user.id, ConsentKind.HEALTH_DATA) is None:
            raise LiveRefused(NOT_ALLOWED, "this account cannot run a training session")
        if accounts.active_consent(db, user.id, ConsentKind.CAMERA) is None:
            raise LiveRefused(NOT_ALLOWED, "camera consent is needed for the AI-guided mode")
        session = training.get_session(db, session_id, user.id)
        if session is None:
            raise LiveRefused(NOT_FOUND, "training session not found")
        if session.status != SessionStatus.IN_PROGRESS:
            raise LiveRefused(FINISHED, "this training session has already ended")
        if session.mode != SessionMode.AI:
            raise LiveRefused(NOT_ALLOWED, "this session is in video-only mode")
        locale = choose_locale(websocket.cookies.get(LANG_COOKIE), websocket.headers.get("accept-language"))
        return SessionInfo(session.id, user.id, session.pain_before, locale)

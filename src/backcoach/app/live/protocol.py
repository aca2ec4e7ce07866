"""The live protocol: what the browser sends over the WebSocket and how the server reads it.

Browser -> server
    * **binary** message = one pose frame, little-endian: ``float64`` timestamp in seconds (the
      capture time on the device's monotonic clock) followed by 33 x 4 ``float32``
      (x, y, z, visibility) in normalised image coordinates, x right, y down: 536 bytes.
    * **text** message = a JSON control object with an ``action`` (see :data:`ACTIONS`), among them
      ``tilt`` (the phone's roll and pitch, attached to the frames that follow).

Server -> browser
    JSON objects with a ``type``: the engine's events (``setup``, ``phase``, ``rep``, ``hold``,
    ``cue``, ``set_done``) and the session's own (``ready``, ``frame_skipped``, ``paused``,
    ``resumed``, ``pain_ok``, ``stop``, ``tilt_ok``, ``pong``, ``error``).
"""

from __future__ import annotations

import json
import struct
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from backcoach.pose.frame import TILT_LIMITS_DEG, Frame, FrameError, make_frame
from backcoach.pose.skeleton import NUM_LANDMARKS

_HEADER = struct.Struct("<d")
#: Bytes in one binary frame message.
FRAME_BYTES = _HEADER.size + NUM_LANDMARKS * 4 * 4


class ProtocolError(ValueError):
    """A message the server cannot use; the text says what was wrong (sent back to the browser)."""


class _Control(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartSet(_Control):
    """Start a planned set, or resume it when it was started before and not finished."""

    action: Literal["start_set"]
    plan_item_id: int
    set_index: int = Field(ge=1)
    side: Literal["left", "right"] | None = None
    image_size: tuple[Annotated[int, Field(gt=0)], Annotated[int, Field(gt=0)]]


class Pause(_Control):
    action: Literal["pause"]


class Resume(_Control):
    action: Literal["resume"]


class Skip(_Control):
    """Leave the set now; reps already counted stay counted."""

    action: Literal["skip"]


class End(_Control):
    """The patient finished the set (a rep still in progress is reported as not counted)."""

    action: Literal["end"]


class Pain(_Control):
    """An in-session pain rating (NRS 0-10), checked against the stop rule."""

    action: Literal["pain"]
    nrs: int = Field(ge=0, le=10)


class Ping(_Control):
    """Answered with ``pong`` once every earlier message has been handled (keep-alive, latency)."""

    action: Literal["ping"]


class Tilt(_Control):
    """The phone's latest tilt reading (brief §4.0 "Gravity reference"): attached to every frame after it
    as ``Frame.camera_tilt`` until the next one. Sent at most twice a second, when it changed by more
    than half a degree; a page without a tilt sensor sends none."""

    action: Literal["tilt"]
    roll_deg: float = Field(ge=-TILT_LIMITS_DEG[0], le=TILT_LIMITS_DEG[0], allow_inf_nan=False)
    pitch_deg: float = Field(ge=-TILT_LIMITS_DEG[1], le=TILT_LIMITS_DEG[1], allow_inf_nan=False)

    @property
    def camera_tilt(self) -> tuple[float, float]:
        return self.roll_deg, self.pitch_deg


class Resize(_Control):
    """The camera's image size changed (rotation)."""

    action: Literal["resize"]
    image_size: tuple[Annotated[int, Field(gt=0)], Annotated[int, Field(gt=0)]]


Control = Annotated[StartSet | Pause | Resume | Skip | End | Pain | Resize | Tilt | Ping,
                    Field(discriminator="action")]
_CONTROL = TypeAdapter(Control)
#: Every control action the server understands.
ACTIONS = ("start_set", "pause", "resume", "skip", "end", "pain", "resize", "tilt", "ping")


def parse_control(text: str) -> StartSet | Pause | Resume | Skip | End | Pain | Resize | Tilt | Ping:
    """Read one JSON control message.

    Raises
    ------
    ProtocolError
        When the text is not JSON, has no known ``action`` or a field is missing or invalid.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"control message is not JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict) or data.get("action") not in ACTIONS:
        action = data.get("action") if isinstance(data, dict) else None
        raise ProtocolError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    try:
        return _CONTROL.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise ProtocolError(f"{data['action']}: field {where!r}: {first['msg']}") from None


def decode_frame(data: bytes, image_size: tuple[int, int], camera_tilt: tuple[float, float] | None = None) -> Frame:
    """One binary frame message as a validated :class:`~backcoach.pose.frame.Frame`, with the camera
    tilt last reported for it (``Frame.camera_tilt``; None when the device has sent none).

    Raises
    ------
    FrameError
        When the message has the wrong length or its values fail ``make_frame``'s checks.
    """
    if len(data) != FRAME_BYTES:
        raise FrameError(f"frame message has {len(data)} bytes, expected {FRAME_BYTES} "
                         f"(float64 time + {NUM_LANDMARKS} x 4 float32)")
    (t,) = _HEADER.unpack_from(data)
    values = np.frombuffer(data, dtype="<f4", offset=_HEADER.size).reshape(NUM_LANDMARKS, 4)
    return make_frame(t, values[:, :3], values[:, 3], image_size, camera_tilt=camera_tilt)


def encode_frame(t: float, landmarks: np.ndarray) -> bytes:
    """The binary message for ``landmarks`` (33 x 4: x, y, z, visibility) at time ``t``."""
    values = np.asarray(landmarks, dtype="<f4")
    if values.shape != (NUM_LANDMARKS, 4):
        raise ValueError(f"landmarks have shape {values.shape}, expected ({NUM_LANDMARKS}, 4)")
    return _HEADER.pack(t) + values.tobytes()

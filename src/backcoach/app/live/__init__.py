"""The live AI-guided session: WebSocket protocol, per-connection session and its store writes.

The browser runs the pose model and sends landmarks only (never video); the server runs the
movement engine and answers with events. See ``docs/live-session.md``.
"""

from backcoach.app.live.protocol import FRAME_BYTES, ProtocolError, decode_frame, encode_frame, parse_control
from backcoach.app.live.recorder import LiveRefused, OpenedSet, SessionInfo, StoreRecorder
from backcoach.app.live.session import LiveSession

__all__ = [
    "FRAME_BYTES",
    "LiveRefused",
    "LiveSession",
    "OpenedSet",
    "ProtocolError",
    "SessionInfo",
    "StoreRecorder",
    "decode_frame",
    "encode_frame",
    "parse_control",
]

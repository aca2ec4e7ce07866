from __future__ import annotations

import math
import struct

import numpy as np
import pytest

from backcoach.app.live.protocol import (
    FRAME_BYTES, End, Pain, ProtocolError, StartSet, decode_frame, encode_frame, parse_control,
)
from backcoach.pose.frame import FrameError


def _landmarks() -> np.ndarray:
    values = np.zeros((33, 4), dtype=np.float32)
    values[:, 0] = np.linspace(0.1, 0.9, 33)
    values[:, 1] = 0.5
    values[:, 3] = 0.75
    return values


def test_frame_message_is_536_bytes_time_then_33_by_4_floats() -> None:
    message = encode_frame(12.25, _landmarks())
    assert FRAME_BYTES == 536 and len(message) == 536
    assert struct.unpack_from("<d", message)[0] == 12.25
    assert struct.unpack_from("<4f", message, 8 + 32 * 16) == pytest.approx((0.9, 0.5, 0.0, 0.75))


def test_decode_round_trips_into_a_validated_frame() -> None:
    frame = decode_frame(encode_frame(3.5, _landmarks()), (640, 480))
    assert frame.t == 3.5 and frame.image_size == (640, 480)
    assert frame.xyz[32].tolist() == pytest.approx([0.9, 0.5, 0.0])
    assert frame.visibility[0] == pytest.approx(0.75)


def test_a_person_not_found_decodes_as_missing_landmarks() -> None:
    values = np.full((33, 4), np.nan, dtype=np.float32)
    values[:, 3] = 0.0
    frame = decode_frame(encode_frame(1.0, values), (640, 480))
    assert np.isnan(frame.xyz).all() and (frame.visibility == 0).all()


@pytest.mark.parametrize("data, reason", [
    pytest.param(b"\x00" * 10, "frame message has 10 bytes, expected 536", id="short"),
    pytest.param(b"\x00" * 540, "frame message has 540 bytes, expected 536", id="long"),
    pytest.param(encode_frame(math.inf, _landmarks()), "timestamp inf is not finite", id="infinite-time"),
    pytest.param(encode_frame(1.0, np.where(np.arange(33)[:, None] == 4, np.inf, _landmarks())),
                 "landmark 4 has an infinite coordinate", id="infinite-landmark"),
    pytest.param(encode_frame(1.0, _landmarks() * np.array([640, 1, 1, 1], dtype=np.float32)),
                 "coordinates must be normalised", id="pixels"),
])
def test_bad_frames_raise_frame_error_with_the_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        decode_frame(data, (640, 480))


def test_parse_control_reads_each_action() -> None:
    start = parse_control('{"action": "start_set", "plan_item_id": 7, "set_index": 2, "image_size": [640, 480]}')
    assert start == StartSet(action="start_set", plan_item_id=7, set_index=2, side=None, image_size=(640, 480))
    assert parse_control('{"action": "end"}') == End(action="end")
    assert parse_control('{"action": "pain", "nrs": 6}') == Pain(action="pain", nrs=6)


@pytest.mark.parametrize("text, message", [
    pytest.param("{not json", "control message is not JSON", id="not-json"),
    pytest.param('{"action": "dance"}', "unknown action 'dance'; expected one of start_set, pause", id="unknown"),
    pytest.param("[1, 2]", "unknown action None", id="not-an-object"),
    pytest.param('{"action": "start_set", "plan_item_id": 1, "set_index": 1}', "start_set: field 'image_size'",
                 id="missing-field"),
    pytest.param('{"action": "pain", "nrs": 11}', "pain: field 'nrs'", id="out-of-range"),
    pytest.param('{"action": "end", "extra": 1}', "end: field 'extra'", id="extra-field"),
])
def test_parse_control_rejects_bad_messages_saying_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        parse_control(text)

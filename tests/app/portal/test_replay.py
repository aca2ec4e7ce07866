from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import numpy as np
import pytest

from backcoach.app.portal.replay import TraceError, decode_trace, encode_trace, replay_payload


def _trace(n: int = 3, size: tuple[int, int] = (640, 480)) -> SimpleNamespace:
    t = np.arange(n) / 10
    xyz = np.random.default_rng(0).random((n, 33, 3)).astype(np.float32)
    visibility = np.full((n, 33), 0.9, np.float32)
    xyz[1, 5] = np.nan  # a landmark the tracker lost
    encoding, data = encode_trace(t, xyz, visibility, size)
    return SimpleNamespace(id=1, encoding=encoding, frame_count=n, data=data, xyz=xyz)


def test_trace_round_trip_keeps_values_and_image_size() -> None:
    trace = _trace()
    t, values, size = decode_trace(trace)
    assert trace.encoding == "f32-txyzv-640x480" and size == (640, 480)
    assert t.tolist() == pytest.approx([0.0, 0.1, 0.2])
    np.testing.assert_array_equal(values[0, :, :3], trace.xyz[0])
    assert values.shape == (3, 33, 4) and values[2, 7, 3] == pytest.approx(0.9)


@pytest.mark.parametrize("encoding, cut, message", [
    pytest.param("f16-other-1x1", 0, "unknown encoding 'f16-other-1x1'", id="unknown-encoding"),
    pytest.param(None, 4, "bytes, expected", id="truncated"),
])
def test_unreadable_traces_are_refused_with_the_reason(encoding: str | None, cut: int, message: str) -> None:
    trace = _trace()
    trace.encoding = encoding or trace.encoding
    trace.data = trace.data[: len(trace.data) - cut]
    with pytest.raises(TraceError, match=message):
        decode_trace(trace)


def test_payload_draws_lost_landmarks_invisible_and_times_reps_from_the_set_start() -> None:
    trace = _trace()
    start = datetime(2026, 1, 1, 10, tzinfo=timezone.utc)
    reps = [SimpleNamespace(index=1, counted=True, grade="good", score=71.0, reason=None, metrics={"t": 0.15},
                            errors=[{"id": "trunk_too_far_forward", "cue": "chest_up"}], at=start),
            SimpleNamespace(index=2, counted=False, grade=None, score=None, reason="too shallow", metrics={},
                            errors=[], at=start + timedelta(seconds=0.2))]
    exercise_set = SimpleNamespace(exercise_id="squat", started_at=start, reps=reps)
    payload = replay_payload(exercise_set, trace, "zh-Hans")
    assert payload["frames"][1][5] == [0.0, 0.0, 0.0]
    assert [(r["t"], r["cues"]) for r in payload["reps"]] == [(0.15, ["保持挺胸。"]), (0.2, [])]

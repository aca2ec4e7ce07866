"""The camera check on hand-built frames, and its debouncing."""

from __future__ import annotations

import math

import pytest

from backcoach.motion.guard import Guard, frame_issues

REQUIRED = (11, 12, 23, 24, 25, 27)


def body(scale: float = 0.8, shift: float = 0.0, vis: float = 0.9):
    """33 y-up points of a standing body spanning ``scale`` of a square image, centred."""
    points = [[0.5 + shift, 0.5]] * 33
    for i in range(33):
        height = 0.5 + scale * (0.5 - (i / 32))  # spread the landmarks over the body's height
        points[i] = [0.5 + shift + (0.02 if i % 2 else -0.02), height]
    return points, [vis] * 33


def test_good_frame_has_no_issues():
    points, vis = body()
    assert frame_issues(points, vis, 1.0, REQUIRED, "side", ("side",), "standing", "standing") == []


@pytest.mark.parametrize(
    "kwargs, view, posture, expected",
    [
        pytest.param(dict(scale=0.2), "side", "standing", "too_far", id="too-far"),
        pytest.param(dict(shift=0.6), "side", "standing", "out_of_frame", id="out-of-frame"),
        pytest.param(dict(vis=0.4), "side", "standing", "no_person", id="no-person"),
        pytest.param({}, "front", "standing", "wrong_view", id="wrong-view"),
        pytest.param({}, "side", "sitting", "wrong_position", id="wrong-position"),
    ],
)
def test_each_issue(kwargs, view, posture, expected):
    points, vis = body(**kwargs)
    assert expected in frame_issues(points, vis, 1.0, REQUIRED, view, ("side",), posture, "standing")


def test_low_visibility_of_required_landmarks():
    points, vis = body()
    for i in REQUIRED:
        vis[i] = 0.3
    assert "low_visibility" in frame_issues(points, vis, 1.0, REQUIRED, "side", ("side",), None, "standing")


def test_nan_landmark_is_not_out_of_frame():
    points, vis = body()
    points[27] = [math.nan, math.nan]
    vis[27] = 0.0
    assert "out_of_frame" not in frame_issues(points, vis, 1.0, REQUIRED, "side", ("side",), None, "standing")


def test_guard_debounces_half_a_second():
    guard = Guard()
    assert guard.update(0.0, []) == ()
    assert guard.update(0.1, ["too_far"]) is None
    assert guard.update(0.4, ["too_far"]) is None
    assert guard.update(0.6, ["too_far"]) == ("too_far",)
    assert not guard.trusted
    assert guard.update(0.7, []) is None  # one good frame does not clear it
    assert guard.update(0.8, ["too_far"]) is None
    assert guard.issues == ("too_far",)


def test_wrong_position_alone_keeps_tracking_trusted():
    guard = Guard()
    guard.update(0.0, ["wrong_position"])
    assert guard.trusted

"""The camera check on hand-built frames, and its debouncing."""

from __future__ import annotations

import math

import numpy as np

import pytest

from backcoach.motion.guard import STILL_SPEED, STILL_WINDOW_S, Guard, Stillness, frame_issues

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


@pytest.mark.parametrize("pitch, limit, expected", [(10.0, 3.0, True), (-3.5, 3.0, True), (3.0, 3.0, False), (None, 3.0, False), (10.0, None, False)])
def test_camera_not_level_only_with_a_known_pitch_beyond_the_limit(pitch, limit, expected):
    points, vis = body()
    issues = frame_issues(points, vis, 1.0, REQUIRED, "side", ("side",), "sitting", "standing", pitch, limit)
    assert ("camera_not_level" in issues) is expected
    # Level the phone before getting into position: the camera cue comes first.
    assert issues[0] == ("camera_not_level" if expected else "wrong_position")


def test_a_camera_not_level_keeps_tracking_trusted():
    guard = Guard()
    guard.update(0.0, ["camera_not_level"])
    assert guard.trusted


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


def standing_hips(x: float, y: float = 0.5) -> list:
    """y-up points with only what Stillness reads: shoulders 0.2 above the hips (torso 0.2), ankles
    0.4 below them (leg 0.4, the body length), mid-hip at (x, y)."""
    points = [[math.nan, math.nan]] * 33
    for shoulder, hip, ankle, dx in ((11, 23, 27, 0.02), (12, 24, 28, -0.02)):
        points[shoulder] = [x + dx, y + 0.2]
        points[hip] = [x + dx, y]
        points[ankle] = [x + dx, y - 0.4]
    return points


def test_still_body_with_landmark_noise_is_still():
    # 3 px of noise on a 720 px image (0.004 image heights) on a 0.4-high leg: never moving.
    rng = np.random.default_rng(0)
    stillness = Stillness()
    verdicts = [stillness.update(i / 30, standing_hips(0.5 + rng.normal(0, 0.004), 0.5 + rng.normal(0, 0.004)), "side")
                for i in range(150)]
    assert all(verdicts)


def test_walking_in_is_not_still_until_the_hips_have_stopped():
    # Walking at 0.5 body lengths (0.2 image heights) per second for 2 s, then standing at x = 0.9.
    stillness = Stillness()
    walking = [stillness.update(i / 30, standing_hips(0.5 + 0.2 * i / 30), "side") for i in range(61)]
    assert not any(walking[15:])  # once half a window of the walk is in view (~3x STILL_SPEED)
    settled = [(i / 30, stillness.update(i / 30, standing_hips(0.9), "side")) for i in range(61, 120)]
    first_still = next(t for t, still in settled if still)
    # Both halves of the window must have caught up with the stop: the speed between their mean
    # positions falls under STILL_SPEED once about 0.4 s of the 0.5 s window is standing.
    assert 2.0 + 0.3 < first_still < 2.0 + STILL_WINDOW_S
    assert all(still for t, still in settled if t >= first_still)


def test_a_change_of_camera_view_unsettles_for_one_window():
    stillness = Stillness()
    assert stillness.update(0.0, standing_hips(0.5), "front")  # the first view seen is no change
    assert stillness.update(1.0, standing_hips(0.5), "unknown")  # turning: unknown is no view
    assert not stillness.update(1.1, standing_hips(0.5), "side")
    assert not stillness.update(1.1 + STILL_WINDOW_S - 0.01, standing_hips(0.5), "side")
    assert stillness.update(1.1 + STILL_WINDOW_S, standing_hips(0.5), "side")


def test_speed_at_five_frames_per_second():
    # 5 fps: the window holds 3 frames 0.2 s apart; the halves are its first and last frame, 0.4 s
    # apart. Moving 0.1 body lengths per second is still, 0.25 is not (STILL_SPEED 0.16).
    for speed, expected in ((0.1, True), (0.25, False)):
        stillness = Stillness()
        for i in range(5):
            verdict = stillness.update(i / 5, standing_hips(0.5 + speed * 0.4 * i / 5), "front")
        assert verdict is expected
    assert 0.1 < STILL_SPEED < 0.25


def test_frame_without_hips_keeps_the_verdict():
    stillness = Stillness()
    for i in range(20):
        stillness.update(i / 30, standing_hips(0.5 + 0.5 * i / 30), "side")
    assert not stillness.still
    assert not stillness.update(20 / 30, [[math.nan, math.nan]] * 33, "unknown")

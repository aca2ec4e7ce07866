"""Start-position measurements: facing direction, reference lengths, required landmarks."""

from __future__ import annotations

import pytest

from backcoach.exercises import get_exercise
from backcoach.motion.context import FACING_DEBOUNCE_S, Facing, facing_direction, reference_lengths, required_landmarks
from backcoach.pose.skeleton import INDEX


def body(**points):
    pts = [[0.0, 0.0] for _ in range(33)]
    vis = [0.0] * 33
    for name, point in points.items():
        pts[INDEX[name]] = list(point)
        vis[INDEX[name]] = 1.0
    return pts, vis


@pytest.mark.parametrize(
    "points, view, posture, expected",
    [
        pytest.param(dict(nose=(0.6, 1.0), left_ear=(0.5, 1.0)), "side", "standing", 1.0, id="nose-ahead-right"),
        pytest.param(dict(nose=(0.4, 1.0), left_ear=(0.5, 1.0)), "side", "standing", -1.0, id="nose-ahead-left"),
        pytest.param(dict(left_heel=(0.5, 0.0), left_foot_index=(0.4, 0.0)), "side", "standing", -1.0,
                     id="toes-when-face-hidden"),
        # Kneeling the shins lie on the floor and the toes point backward (engine-issues H3-2).
        pytest.param(dict(left_heel=(0.5, 0.2), left_foot_index=(0.4, 0.2)), "side", "kneeling", 1.0,
                     id="kneeling-toes-point-back"),
        pytest.param(dict(left_heel=(0.5, 0.2), left_foot_index=(0.4, 0.2)), "side", "quadruped", 1.0,
                     id="all-fours-toes-point-back"),
        pytest.param(dict(nose=(0.4, 1.0), left_ear=(0.5, 1.0), left_heel=(0.5, 0.2), left_foot_index=(0.6, 0.2)),
                     "side", "kneeling", -1.0, id="kneeling-nose-first"),
        pytest.param(dict(left_shoulder=(0.6, 0.8), right_shoulder=(0.4, 0.8)), "front", "standing", 1.0,
                     id="front-subject-left"),
        pytest.param({}, "side", "standing", None, id="nothing-visible"),
    ],
)
def test_facing_direction(points, view, posture, expected):
    assert facing_direction(*body(**points), view, posture) == expected


def test_reference_lengths_from_both_sides_or_the_near_side():
    both = dict(left_shoulder=(0.4, 1.0), right_shoulder=(0.6, 1.0), left_hip=(0.45, 0.5), right_hip=(0.55, 0.5),
                left_ankle=(0.45, 0.1))
    lengths = reference_lengths(*body(**both), "left")
    assert lengths["torso"] == pytest.approx(0.5)
    assert lengths["shoulder_width"] == pytest.approx(0.2)
    assert lengths["hip_width"] == pytest.approx(0.1)
    assert lengths["leg"] == pytest.approx(0.4)
    side_only = reference_lengths(*body(left_shoulder=(0.3, 1.0), left_hip=(0.0, 0.6)), "left")
    assert side_only == {"torso": pytest.approx(0.5)}


def test_required_landmarks_resolve_the_side():
    left = required_landmarks(get_exercise("squat"), "left")
    assert INDEX["left_knee"] in left and INDEX["right_knee"] in left  # knee_gap reads both knees
    assert INDEX["left_heel"] in left and INDEX["right_heel"] not in left


def test_facing_in_setup_is_the_majority_of_the_readings():
    facing = Facing()
    assert [facing.vote(r) for r in (-1.0, 1.0, 1.0, None, -1.0, -1.0, -1.0)] == [-1, -1, 1, 1, 1, -1, -1]
    facing.restart()
    assert facing.vote(1.0) == 1.0  # a fresh start: the votes before it no longer count


def test_facing_at_rest_ignores_single_opposite_frames_and_follows_a_held_turn():
    facing = Facing(value=1.0)
    # One opposite frame every 0.3 s (a nose hovering at visibility 0.5, H3-2): never replaced.
    readings = [(i / 30, -1.0 if i % 9 == 0 else 1.0) for i in range(90)]
    assert {facing.confirm(t, r) for t, r in readings} == {1.0}
    # Opposite readings (or none) from 3.0 s: replaced once they have held FACING_DEBOUNCE_S.
    assert facing.confirm(3.0, -1.0) == 1.0
    assert facing.confirm(3.1, None) == 1.0
    assert facing.confirm(3.0 + FACING_DEBOUNCE_S - 0.01, -1.0) == 1.0
    assert facing.confirm(3.0 + FACING_DEBOUNCE_S, -1.0) == -1.0

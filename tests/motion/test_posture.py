"""Posture and view recognition on hand-built skeletons (y-up points, torso length 0.3)."""

from __future__ import annotations

import pytest

from backcoach.motion.posture import recognise
from backcoach.pose.skeleton import INDEX


def skeleton(parts: dict[str, tuple[float, float]], width: float = 0.0, hidden: tuple[str, ...] = ()):
    """Points for every landmark from named body parts; the right side is offset by ``width`` in x
    (0 = seen side-on, both sides overlapping)."""
    points, vis = [[0.0, 0.0]] * 33, [0.0] * 33
    points = [list(p) for p in points]
    for name, index in INDEX.items():
        base = name.removeprefix("left_").removeprefix("right_")
        base = {"eye_inner": "eye", "eye_outer": "eye", "pinky": "wrist", "index": "wrist", "thumb": "wrist",
                "heel": "ankle", "foot_index": "ankle"}.get(base, base)
        if name.startswith("mouth"):
            base = "nose"
        x, y = parts[base]
        points[index] = [x + (width if name.startswith("right_") else 0.0), y]
        vis[index] = 0.0 if base in hidden else 0.95
    return points, vis


STANDING = dict(nose=(0.52, 0.92), eye=(0.51, 0.93), ear=(0.49, 0.92), shoulder=(0.5, 0.85), elbow=(0.5, 0.7),
                wrist=(0.5, 0.58), hip=(0.5, 0.55), knee=(0.5, 0.3), ankle=(0.5, 0.05))
SITTING = dict(STANDING, hip=(0.5, 0.55), knee=(0.75, 0.55), ankle=(0.75, 0.3))
KNEELING = dict(STANDING, knee=(0.5, 0.28), ankle=(0.25, 0.26))
QUADRUPED = dict(nose=(0.85, 0.55), eye=(0.84, 0.56), ear=(0.8, 0.57), shoulder=(0.75, 0.55), elbow=(0.75, 0.4),
                 wrist=(0.75, 0.27), hip=(0.45, 0.55), knee=(0.45, 0.27), ankle=(0.2, 0.27))
SUPINE = dict(nose=(0.88, 0.2), eye=(0.87, 0.19), ear=(0.84, 0.16), shoulder=(0.75, 0.15), elbow=(0.65, 0.14),
              wrist=(0.55, 0.14), hip=(0.45, 0.15), knee=(0.3, 0.3), ankle=(0.18, 0.15))
PRONE = dict(SUPINE, nose=(0.88, 0.13), eye=(0.87, 0.14), knee=(0.25, 0.15), ankle=(0.05, 0.15))


@pytest.mark.parametrize(
    "parts, width, expected",
    [
        pytest.param(STANDING, 0.0, ("standing", "side"), id="standing-side"),
        pytest.param(STANDING, 0.24, ("standing", "front"), id="standing-front"),
        pytest.param(SITTING, 0.0, ("sitting", "side"), id="sitting-side"),
        pytest.param(KNEELING, 0.0, ("kneeling", "side"), id="kneeling-side"),
        pytest.param(QUADRUPED, 0.0, ("quadruped", "side"), id="quadruped-side"),
        pytest.param(SUPINE, 0.0, ("supine", "side"), id="crook-lying-knees-up"),
        pytest.param(PRONE, 0.0, ("prone", "side"), id="prone"),
    ],
)
def test_posture_and_view(parts, width, expected):
    result = recognise(*skeleton(parts, width))
    assert (result.posture, result.view) == expected


def test_side_lying_seen_from_the_front_has_stacked_shoulders():
    points, vis = skeleton(SUPINE)
    # Shoulders 0.24 apart (0.8 torso) and hips 0.15 apart, one above the other.
    for (left, right), gap in ((("left_shoulder", "right_shoulder"), 0.24), (("left_hip", "right_hip"), 0.15)):
        points[INDEX[right]] = [points[INDEX[left]][0], points[INDEX[left]][1] + gap]
    assert recognise(points, vis).posture == "side_lying"


def test_camera_above_a_supine_body_is_not_side_lying():
    # A pitched camera separates the shoulders vertically a little (here 0.12 torso), the hips less.
    points, vis = skeleton(SUPINE)
    points[INDEX["right_shoulder"]] = [points[INDEX["left_shoulder"]][0], points[INDEX["left_shoulder"]][1] + 0.12]
    points[INDEX["right_hip"]] = [points[INDEX["left_hip"]][0], points[INDEX["left_hip"]][1] + 0.05]
    assert recognise(points, vis).posture == "supine"


def test_trunk_pointing_at_the_camera_on_all_fours():
    # Filmed from behind: shoulders and hips almost on top of each other, 0.3 wide; hands and knees low.
    parts = dict(nose=(0.5, 0.6), eye=(0.5, 0.61), ear=(0.45, 0.6), shoulder=(0.35, 0.55), elbow=(0.35, 0.45),
                 wrist=(0.35, 0.3), hip=(0.37, 0.56), knee=(0.37, 0.3), ankle=(0.37, 0.3))
    result = recognise(*skeleton(parts, width=0.3))
    assert (result.posture, result.view) == ("quadruped", "front")


def test_hidden_trunk_is_unknown_with_reason():
    result = recognise(*skeleton(STANDING, hidden=("shoulder", "hip")))
    assert result.posture == "unknown" and "not visible" in result.reason

"""Exercise features read the body the way a real camera sees it: turned, pitched, from one side.

Hand-built frames (y-up points in image heights) with known answers; the synthetic sets under the
same cameras are in tests/motion/test_synthetic_accuracy.py.
"""

from __future__ import annotations

import math

import pytest

from backcoach.exercises import get_exercise
from backcoach.motion.features import CompiledFeatures, FrameView
from backcoach.pose.skeleton import INDEX

REFS = {"torso": 0.5, "leg": 0.9, "shoulder_width": 0.25, "hip_width": 0.2}


def view(**points) -> FrameView:
    """A frame view with the named landmarks at the given (X, Y) points, all visible."""
    pts = [(0.0, 0.0)] * 33
    vis = [0.0] * 33
    for name, point in points.items():
        pts[INDEX[name]] = point
        vis[INDEX[name]] = 1.0
    return FrameView(points=pts, vis=vis, refs=dict(REFS))


def feature(exercise_id: str, name: str, side: str | None, frame: FrameView) -> float:
    return CompiledFeatures(get_exercise(exercise_id)).evaluate(name, side, frame)


def along(origin, length, incl_deg):
    """The point ``length`` from ``origin`` toward the left of the image at ``incl_deg`` from horizontal."""
    a = math.radians(incl_deg)
    return (origin[0] - length * math.cos(a), origin[1] + length * math.sin(a))


def supine(tilt_deg: float, thigh_deg: float, hip_up: float = 0.0) -> FrameView:
    """Lying on the back, head to the right, stretching the left leg (right leg resting). The whole
    body line slopes ``tilt_deg`` in the image (perspective); the resting thigh is at ``thigh_deg``
    from the image horizontal; ``hip_up`` raises both hips above that line."""
    shoulder_mid = (1.2, 0.31)
    line_hip = along(shoulder_mid, 0.5, tilt_deg)
    hip_mid = (line_hip[0], line_hip[1] + hip_up)
    return view(
        left_shoulder=(1.2, 0.30), right_shoulder=(1.2, 0.32),
        left_hip=(hip_mid[0], hip_mid[1] - 0.01), right_hip=(hip_mid[0], hip_mid[1] + 0.01),
        right_knee=along((hip_mid[0], hip_mid[1] + 0.01), 0.45, thigh_deg),
    )  # fmt: skip


@pytest.mark.parametrize(
    "tilt, thigh, hip_up, expected",
    [
        pytest.param(-11.0, -11.0, 0.0, 0.0, id="flat-leg-camera-turned"),  # the old abs(incl_h) read 11
        pytest.param(0.0, 0.0, 0.0, 0.0, id="flat-leg-level-camera"),
        pytest.param(-11.0, 9.0, 0.0, 20.0, id="leg-lifted-20-camera-turned"),
        pytest.param(0.0, 20.0, 0.0, 20.0, id="leg-lifted-20"),
        # Hips 0.07 up with the knee on the floor: trunk +7.97 deg, thigh -8.84 deg.
        pytest.param(0.0, -math.degrees(math.atan(0.07 / 0.45)), 0.07, -16.81, id="hips-lifted-knee-down"),
    ],
)
def test_hamstring_resting_thigh_is_read_against_the_lying_trunk(tilt, thigh, hip_up, expected):
    """S16: the resting leg lifts when it rises off the line of the trunk, not off the image horizontal."""
    assert feature("hamstring_stretch", "other_thigh", "left", supine(tilt, thigh, hip_up)) == pytest.approx(expected, abs=0.01)

import math

import numpy as np
import pytest

from backcoach.motion.geometry import to_image_points
from backcoach.motion.gravity import camera_level, level_image_points, level_points


def test_a_point_straight_above_another_stays_above_once_the_roll_is_undone():
    # A landscape phone (1280 x 720) rolled so that true up leans 30 deg toward image +x. Point A
    # is at the image centre; B is 100 px straight above A in the world, so in the picture it sits
    # 100 px along (sin 30, cos 30) from A (y up): x + 50 px, y - 86.60 px (y down).
    width, height = 1280, 720
    a = (640.0, 360.0)
    b = (640.0 + 50.0, 360.0 - 100.0 * math.cos(math.radians(30)))
    xyz = np.array([[a[0] / width, a[1] / height], [b[0] / width, b[1] / height]])
    points = level_image_points(to_image_points(xyz, (width, height)), 30.0, width / height)
    # Image heights, y up: A fixed at the centre, B 100 px = 100/720 image heights right above it.
    assert points[0] == pytest.approx([width / height / 2, 0.5], abs=1e-9)
    assert points[1] == pytest.approx([width / height / 2, 0.5 + 100 / 720], abs=1e-9)


def test_the_turn_is_the_roll_counter_clockwise_and_keeps_depth_and_nan():
    # True up at -90 deg (toward image -x): a point left of the centre is above it.
    out = level_points([[-2.0, 0.0, 0.7], [float("nan"), float("nan"), float("nan")]], -90.0, (0.0, 0.0))
    assert out[0] == pytest.approx([0.0, 2.0, 0.7], abs=1e-12)
    assert all(math.isnan(v) for v in out[1])
    # Undoing a roll of 0 changes nothing; about another centre the centre itself stays put.
    assert level_points([[0.3, 0.4]], 0.0, (9.0, 9.0)) == [[0.3, 0.4]]
    assert level_points([[1.0, 2.0]], 45.0, (1.0, 2.0))[0] == pytest.approx([1.0, 2.0])


@pytest.mark.parametrize("tilt, level", [(None, None), ((25.0, 2.9), True), ((0.0, -3.0), True), ((0.0, -3.5), False), ((0.0, 10.0), False)])
def test_camera_level_reads_the_pitch_only(tilt, level):
    assert camera_level(tilt) is level

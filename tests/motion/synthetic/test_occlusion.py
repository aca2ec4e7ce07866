"""Occlusion by the body: hand-worked rays past a capsule, and bodies seen from the side."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.motion.synthetic.body import BodyShape
from backcoach.motion.synthetic.occlusion import EDGE, blocked, hidden
from backcoach.motion.synthetic.postures import POSTURES, place
from backcoach.pose.skeleton import Landmark as L

UNIT = np.eye(3)[None]
AXIS = (np.zeros((1, 3)), np.array([[0.0, 0.0, 1.0]]))  # unit-radius capsule along z from 0 to 1
EYE = np.array([10.0, 0.0, 0.5])


def block(points, eye=EYE):
    world = np.asarray(points, float)[None]
    return blocked(np.asarray(eye, float), world, *AXIS, UNIT)[0]


def offset_for(gap):
    """y of a point at x = -5 whose ray from (10, 0) passes ``gap`` from the z axis.

    The line through (10, 0) and (-5, y) lies 10 |y| / sqrt(15^2 + y^2) from the origin.
    """
    return 15 * gap / np.sqrt(100 - gap**2)


def test_a_ray_through_the_capsule_is_blocked_and_one_past_it_is_not():
    inside, edge, outside = 1 - EDGE - 0.01, 1.0, 1 + EDGE + 0.01
    points = [[-5.0, offset_for(g), 0.5] for g in (0.0, inside, edge, outside)]
    np.testing.assert_allclose(block(points), [1.0, 1.0, 0.5, 0.0], atol=1e-9)


def test_the_rounded_end_blocks_as_far_as_its_radius():
    # Past the top end (z = 1) the capsule is a unit hemisphere: level rays at z = 1.5 and 2.5
    # pass 0.5 and 1.5 from it.
    assert block([[-5.0, 0.0, 1.5]], eye=[10.0, 0.0, 1.5])[0] == 1.0
    assert block([[-5.0, 0.0, 2.5]], eye=[10.0, 0.0, 2.5])[0] == 0.0


def test_a_point_on_the_cameras_side_of_the_axis_is_in_sight_even_inside_the_solid():
    # Between the camera and the capsule, resting on its near half, and on its far half.
    np.testing.assert_allclose(block([[5.0, 0.0, 0.5], [0.5, 0.0, 0.5], [-0.5, 0.0, 0.5]]), [0.0, 0.0, 1.0])


def test_an_elliptic_map_scales_each_axis():
    # Half width 2 along y: a ray passing 1.5 from the axis along y is still inside.
    scale = np.diag([1.0, 0.5, 1.0])[None]
    points = np.array([[[-5.0, offset_for(1.5), 0.5]]])
    assert blocked(EYE, points, *AXIS, scale)[0, 0] == pytest.approx(1.0)


def standing_world():
    shape = BodyShape()
    points, _ = place(shape, POSTURES["standing"], POSTURES["standing"].pose())
    return shape, points[None]


def test_a_side_camera_sees_the_near_limbs_and_not_the_far_ones():
    shape, world = standing_world()
    hip = world[0, L.left_hip]
    from_left = hidden(hip + [0.0, 3.0, 0.0], world, shape)[0]  # the subject faces +x, left is +y
    for name in ("elbow", "wrist", "knee", "ankle"):
        assert from_left[L[f"left_{name}"]] == 0.0, name
        assert from_left[L[f"right_{name}"]] > 0.95, name  # the far toes peep out in front
    from_front = hidden(hip + [3.0, 0.0, 0.0], world, shape)[0]
    heels = [L.left_heel, L.right_heel]  # behind the ankles, seen from the front at hip height
    assert from_front[heels].min() > 0.5
    assert np.delete(from_front, heels)[L.left_shoulder:].max() == 0.0


def test_a_hand_on_the_chest_of_someone_lying_on_the_back_is_in_sight_of_a_floor_camera():
    # Lying face up, the far (right) hand rests on the chest; the camera is on the left, 27 cm high.
    shape = BodyShape()
    pose = POSTURES["supine"].pose({"right_shoulder_flex": -15.0, "right_elbow_flex": 140.0, "right_shoulder_abd": -30.0})
    world = place(shape, POSTURES["supine"], pose)[0][None]
    wrist = world[0, L.right_wrist]
    chest_top = (world[0, L.left_shoulder, 2] + world[0, L.left_hip, 2]) / 2 + 0.055 * shape.height
    assert wrist[2] > chest_top  # on top of the chest in the stick body too
    eye = np.array([wrist[0], 1.5, 0.27])
    seen = hidden(eye, world, shape)[0]
    # The hand is in sight; of the wrist's neighbourhood only the forearm dipping behind the chest
    # is hidden (one of three points: visibility 0.98 - 0.66 / 3, readable).
    assert seen[L.right_index] == 0.0
    assert seen[L.right_wrist] == pytest.approx(1 / 3)
    assert seen[L.right_knee] == 1.0  # the far leg lies behind the near one

"""The articulated body: constant bone lengths, angles recovered exactly, postures on the floor."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.motion.synthetic.body import BodyShape, forward_kinematics, plant_limb, pose_vector
from backcoach.motion.synthetic.postures import POSTURES, place
from backcoach.motion.synthetic.truth import world_angles
from backcoach.pose.skeleton import Landmark as L

BONES = [
    ("left_hip", "left_knee", "thigh"), ("right_knee", "right_ankle", "shank"),
    ("left_shoulder", "left_elbow", "upper_arm"), ("right_elbow", "right_wrist", "forearm"),
]  # fmt: skip


def length(points, a, b):
    return float(np.linalg.norm(points[L[a]] - points[L[b]]))


def test_standing_body_has_the_anthropometric_heights():
    body = BodyShape(height=1.80)
    points, origin = place(body, POSTURES["standing"], POSTURES["standing"].pose())
    # Winter (2009) Fig 4.1: hip 0.530 H, knee 0.285 H, ankle 0.039 H, shoulder 0.818 H.
    assert origin[2] == pytest.approx(0.530 * 1.80, abs=1e-9)
    assert points[L.left_knee, 2] == pytest.approx(0.285 * 1.80, abs=1e-9)
    assert points[L.left_ankle, 2] == pytest.approx(0.039 * 1.80, abs=1e-9)
    assert points[L.left_shoulder, 2] == pytest.approx(0.818 * 1.80, abs=1e-9)
    assert length(points, "left_shoulder", "right_shoulder") == pytest.approx(0.259 * 1.80)


@pytest.mark.parametrize("seed", range(5))
def test_bone_lengths_do_not_depend_on_the_joint_angles(seed):
    rng = np.random.default_rng(seed)
    body = BodyShape(height=1.62, leg_scale=1.1, arm_scale=0.9)
    pose = rng.uniform(-60, 60, size=pose_vector().shape)
    points = forward_kinematics(body, pose, np.eye(3), np.zeros(3)).points
    for a, b, segment in BONES:
        assert length(points, a, b) == pytest.approx(body.length(segment), rel=1e-12)


@pytest.mark.parametrize("flex", [0.0, 30.0, 90.0, 120.0])
def test_hip_and_knee_angles_are_recovered_exactly_in_3d(flex):
    body = BodyShape()
    pose = pose_vector({"left_hip_flex": flex, "left_knee_flex": flex / 2, "right_elbow_flex": flex})
    points = forward_kinematics(body, pose, np.eye(3), np.zeros(3)).points[None]
    angles = world_angles(points)
    # H->S = (0, d, T) with d the half-width difference of shoulders and hips, T the trunk;
    # H->K = thigh * (sin f, 0, -cos f). So cos(ang) = -T cos f / sqrt(d^2 + T^2).
    d = (body.length("shoulder_width") - body.length("hip_width")) / 2
    trunk = body.length("trunk")
    expected = np.degrees(np.arccos(-trunk * np.cos(np.radians(flex)) / np.hypot(d, trunk)))
    assert angles["left_hip"][0] == pytest.approx(expected, abs=1e-9)
    assert angles["left_knee"][0] == pytest.approx(180.0 - flex / 2, abs=1e-9)
    assert angles["right_elbow"][0] == pytest.approx(180.0 - flex, abs=1e-9)


def test_trunk_flexion_leans_the_shoulders_forward_by_its_angle():
    body = BodyShape()
    points = forward_kinematics(body, pose_vector({"trunk_flex": 40.0}), np.eye(3), np.zeros(3)).points[None]
    assert world_angles(points)["trunk_incl_v"][0] == pytest.approx(40.0, abs=1e-9)
    mid = (points[0, L.left_shoulder] + points[0, L.right_shoulder]) / 2
    assert mid[0] > 0  # forward is +x


def test_shoulder_flexion_raises_the_arm_forward_and_abduction_sideways():
    body = BodyShape()
    forward = forward_kinematics(body, pose_vector({"left_shoulder_flex": 90.0}), np.eye(3), np.zeros(3)).points
    sideways = forward_kinematics(body, pose_vector({"left_shoulder_abd": 90.0}), np.eye(3), np.zeros(3)).points
    arm = body.length("upper_arm")
    np.testing.assert_allclose(forward[L.left_elbow] - forward[L.left_shoulder], [arm, 0, 0], atol=1e-12)
    np.testing.assert_allclose(sideways[L.left_elbow] - sideways[L.left_shoulder], [0, arm, 0], atol=1e-12)


@pytest.mark.parametrize("name", sorted(POSTURES))
def test_postures_rest_on_the_floor(name):
    body = BodyShape()
    posture = POSTURES[name]
    points, _ = place(body, posture, posture.pose())
    gap = points[:, 2] - body.clearance
    assert gap.min() == pytest.approx(0.0, abs=1e-12)  # nothing below the floor
    for contact in posture.contacts:
        assert gap[L[contact]] < 0.03, f"{name}: {contact} is {gap[L[contact]]:.3f} m above the floor"


def test_lying_postures_are_horizontal_and_upright_ones_vertical():
    body = BodyShape()
    for name, expected in [("standing", 90.0), ("sitting", 90.0), ("supine", 0.0), ("prone", 0.0)]:
        points, _ = place(body, POSTURES[name], POSTURES[name].pose())
        assert world_angles(points[None])["trunk_incl_h"][0] == pytest.approx(expected, abs=1e-9), name


def test_sitting_puts_the_hips_on_a_seat_at_knee_height():
    body = BodyShape()
    points, origin = place(body, POSTURES["sitting"], POSTURES["sitting"].pose())
    assert origin[2] == pytest.approx(points[L.left_knee, 2], abs=1e-9)
    assert world_angles(points[None])["left_knee"][0] == pytest.approx(90.0, abs=1e-9)


def test_planted_limb_keeps_bone_lengths_and_reaches_the_target():
    body = BodyShape()
    pose = pose_vector({"left_knee_flex": 40.0, "left_hip_flex": 40.0})
    points = forward_kinematics(body, pose, np.eye(3), np.zeros(3)).points
    target = points[L.left_ankle] + np.array([0.05, 0.0, 0.10])
    distal = points[[L.left_heel, L.left_foot_index]] + np.array([0.05, 0.0, 0.10])
    plant_limb(points, body, "left_leg", target, distal)
    np.testing.assert_allclose(points[L.left_ankle], target, atol=1e-9)
    assert length(points, "left_hip", "left_knee") == pytest.approx(body.length("thigh"))
    assert length(points, "left_knee", "left_ankle") == pytest.approx(body.length("shank"))
    assert points[L.left_knee, 0] > points[L.left_hip, 0]  # the knee still bends forward


def test_body_shape_rejects_impossible_sizes():
    with pytest.raises(ValueError, match="height 3.0 m is outside"):
        BodyShape(height=3.0)
    with pytest.raises(ValueError, match="leg_scale = 2.0 is outside"):
        BodyShape(leg_scale=2.0)

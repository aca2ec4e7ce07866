"""KERAAL angles against the Vicon: camera, alignment and angle definitions with known answers,
then the real session (skipped locally without the shared data)."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.evaluation import keraal, keraal_angles as ka
from backcoach.pose.formats import load_recording
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

SIZE = (960, 540)
#: A level camera looking along the Vicon's -x (subject faces +x), 190 px per metre, like KERAAL's.
LEVEL = np.array([[0.0, 190.0, 0.0, 480.0], [0.0, 0.0, -190.0, 500.0]])


def test_camera_fit_recovers_a_known_affine_camera_and_its_axes():
    points = np.random.default_rng(1).uniform(-1.0, 1.0, (50, 3))
    camera = ka.Camera.fit(points @ LEVEL[:, :3].T + LEVEL[:, 3], points)
    np.testing.assert_allclose(camera.matrix, LEVEL, atol=1e-9)
    np.testing.assert_allclose(camera.axes, [[0, 1, 0], [0, 0, -1], [-1, 0, 0]], atol=1e-12)
    assert camera.tilt_deg == pytest.approx(0.0, abs=1e-6)


def test_camera_tilt_is_the_angle_of_the_image_down_axis_from_gravity():
    tilt = np.radians(10.0)  # the camera pitched down: image-down leans toward the camera's own view direction
    down = np.array([-np.sin(tilt), 0.0, -np.cos(tilt)])
    camera = ka.Camera(np.array([[0.0, 190.0, 0.0, 0.0], [*(190.0 * down), 0.0]]))
    assert camera.tilt_deg == pytest.approx(10.0)


def test_camera_fit_needs_enough_points():
    with pytest.raises(ValueError, match="3 usable point pairs"):
        ka.Camera.fit(np.zeros((3, 2)), np.zeros((3, 3)))


def test_alignment_recovers_a_known_lag_and_time_stretch():
    t = np.arange(190) / 20.0  # our clock
    tv = np.arange(420) / 40.0  # theirs: ours * 1.04 + 0.35
    signal = lambda u: np.sin(1.3 * u) + 0.5 * np.sin(3.1 * u + 1.0)  # noqa: E731
    ours = [signal(t * 1.04 + 0.35), np.cos(0.7 * (t * 1.04 + 0.35))]
    theirs = [signal(tv), np.cos(0.7 * tv)]
    lag, scale, score = ka.align(ours, t, theirs, tv)
    assert (lag, scale) == pytest.approx((0.35, 1.04), abs=0.026)
    assert score > 0.99


@pytest.mark.parametrize("offset, expected", [((0, 10), 0.0), ((10, 0), 90.0), ((-10, 0), 90.0), ((0, -10), 180.0), ((10, -10), 135.0)])
def test_image_arm_elevation_is_measured_from_straight_down(offset, expected):
    pixels = np.zeros((1, 2, 2))
    pixels[0, 1] = offset  # y grows downwards
    assert ka.image_arm_elevation(pixels, 0, 1)[0] == pytest.approx(expected)


def test_shoulder_turn_and_lateral_flexion_signs():
    # Left shoulder 0.2 m further from the camera than the right, 0.2 m across: turned 45 deg.
    assert ka.shoulder_turn(np.array([[0.2, 0.0, 0.2]]), np.array([[0.0, 0.0, 0.0]]))[0] == pytest.approx(45.0)
    # Shoulders 100 px above the hips and 100 px to the image right: 45 deg toward the right.
    assert ka.image_lateral_flexion(np.array([[0.0, 0.0]]), np.array([[100.0, -100.0]]))[0] == pytest.approx(45.0)
    assert ka.elevation_from_down(np.array([[1.0, 0.0, 0.0]]), np.array([0.0, 0.0, -1.0]))[0] == pytest.approx(90.0)


def _synthetic_execution(tmp_path, lag: float):
    """A Vicon file of arms rising sideways and forward, and the BlazePose a perfect level camera
    would give of it, started ``lag`` seconds after the mocap."""
    tv = np.arange(400) / 40.0
    targets = np.zeros((len(tv), 17, 3))
    t_ = {name: i for i, name in enumerate(ka.TARGETS)}
    for name, y in (("left", 0.2), ("right", -0.2)):
        targets[:, t_[f"{name}_shoulder"]] = [0.0, y, 1.1]
        angle = np.radians(80.0 * (1 - np.cos(2 * np.pi * tv / 5.0)))  # 0 -> 160 deg and back
        reach = 0.55 * np.stack([np.sin(angle) * 0.94, np.sign(y) * np.sin(angle) * 0.34, -np.cos(angle)], axis=1)
        targets[:, t_[f"{name}_hand"]] = targets[:, t_[f"{name}_shoulder"]] + reach
    targets[:, t_["hips"]] = [0.0, 0.0, 0.6]
    targets[:, t_["head"]] = [0.05, 0.0, 1.35]
    rows = np.concatenate([targets * 1000.0, np.tile([0.0, 0.0, 0.0, 1.0], (len(tv), 17, 1))], axis=2)
    path = tmp_path / "SkeletonVicon_synthetic.txt"
    np.savetxt(path, rows.reshape(len(tv), -1), fmt="%.4f")

    t = np.arange(180) / 20.0
    at = ka.resample(tv, targets, t + lag)
    camera = ka.Camera(LEVEL)
    xyz = np.full((len(t), 33, 3), np.nan)
    world = np.full((len(t), 33, 3), np.nan)
    cam = at @ camera.axes.T
    for landmark, target in (*ka.PAIRS, ("left_hip", "hips"), ("right_hip", "hips")):
        px = camera.project(at[:, t_[target]])
        xyz[:, INDEX[landmark], 0], xyz[:, INDEX[landmark], 1] = px[:, 0] / SIZE[0], px[:, 1] / SIZE[1]
        xyz[:, INDEX[landmark], 2] = 190.0 * cam[:, t_[target], 2] / SIZE[0]
        world[:, INDEX[landmark]] = cam[:, t_[target]]
    visibility = np.where(np.isnan(xyz[..., 0]), 0.0, 1.0)
    return path, PoseSequence(t, xyz.astype(np.float32), visibility.astype(np.float32), SIZE, {}, world.astype(np.float32)), camera


@pytest.mark.parametrize("use_world", [False, True])
def test_a_perfect_view_of_the_vicon_compares_at_zero_degrees_after_alignment(tmp_path, use_world):
    path, sequence, camera = _synthetic_execution(tmp_path, lag=0.6)
    comparison = ka.compare(sequence, path, camera, use_world=use_world)
    assert comparison.lag == pytest.approx(0.6, abs=0.026) and comparison.scale == pytest.approx(1.0)
    for name, value in comparison.rmse.items():
        assert value < 0.5, name
    # The arms swing through the camera's line of sight (forward and up): those frames are left out.
    assert 0.5 < comparison.covered["left"] < 1.0


def test_session_camera_and_alignment_on_the_real_recordings(shared_data):
    executions = {label: (bp, vi) for label, _, bp, vi in keraal.executions("cacheTete")}
    camera, residual = ka.calibrate(load_recording(executions["Correct0"][0], "keraal-blazepose"), executions["Correct0"][1])
    assert residual < 8.0 and camera.tilt_deg < 3.0  # measured 6.2 px, 0.4 deg
    # Error1Bodypart1_0's BlazePose lacks the first 13 video frames: its clock starts ~0.65 s late.
    late = ka.compare(load_recording(executions["Error1Bodypart1_0"][0], "keraal-blazepose"), executions["Error1Bodypart1_0"][1], camera)
    assert late.lag == pytest.approx(0.6, abs=0.1) and late.score > 0.8
    clean = ka.compare(load_recording(executions["Correct1"][0], "keraal-blazepose"), executions["Correct1"][1], camera)
    assert abs(clean.lag) <= 0.15 and clean.score > 0.95
    # Measured 2026-11-25: image-plane arm elevation 6.7 / 6.2 deg, lateral flexion 1.3 deg.
    assert clean.rmse["arm_elevation_left"] < 8.0 and clean.rmse["arm_elevation_right"] < 8.0
    assert clean.rmse["trunk_lateral_flexion"] < 2.0

"""The pinhole camera: projections worked out by hand, views and visibility."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.motion.synthetic.body import BodyShape
from backcoach.motion.synthetic.camera import PORTRAIT, Camera, focal_for, look_at, place_camera, view_direction, visibility
from backcoach.motion.synthetic.postures import POSTURES, place
from backcoach.pose.skeleton import Landmark as L


def side_camera():
    # At x = 0, y = 2, z = 1 looking along -y at (0, 0, 1): image right = world -x... check below.
    eye = np.array([0.0, 2.0, 1.0])
    return Camera(position=eye, rotation=look_at(eye, np.array([0.0, 0.0, 1.0])), focal=1000.0, image_size=(1280, 720))


def test_target_projects_to_the_image_centre_with_zero_depth():
    camera = side_camera()
    xyz = camera.project(np.array([[0.0, 0.0, 1.0]]), np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(xyz, [[0.5, 0.5, 0.0]], atol=1e-12)


def test_known_points_project_by_hand():
    camera = side_camera()
    # Camera looks along -y; its right is forward x cross up z -> (0,-1,0) x (0,0,1) = (-1, 0, 0).
    # A point 0.2 m to world -x (camera right) at depth 2 m: u = 640 + 1000 * 0.2 / 2 = 740 px.
    # A point 0.1 m up: v = 360 - 1000 * 0.1 / 2 = 310 px.
    points = np.array([[-0.2, 0.0, 1.0], [0.0, 0.0, 1.1], [0.0, 1.0, 1.0]])
    xyz = camera.project(points, np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(xyz[0, :2], [740 / 1280, 0.5], atol=1e-12)
    np.testing.assert_allclose(xyz[1, :2], [0.5, 310 / 720], atol=1e-12)
    # 1 m closer than the reference at depth 2: z = 1000 * (1 - 2) / (2 * 1280).
    assert xyz[2, 2] == pytest.approx(-1000 / 2560)


def test_focal_length_gives_the_field_of_view():
    # 70 deg across 1280 px: f = 640 / tan(35 deg).
    assert focal_for((1280, 720)) == pytest.approx(640 / np.tan(np.radians(35)))


def test_views_place_the_camera_on_the_expected_side():
    heading, left, anterior = np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), np.array([1.0, 0, 0])
    np.testing.assert_allclose(view_direction("side", heading, left, anterior, "left"), [0, 1, 0])
    np.testing.assert_allclose(view_direction("side", heading, left, anterior, "right"), [0, -1, 0])
    np.testing.assert_allclose(view_direction("front", heading, left, anterior, "left"), [1, 0, 0])
    # Lying face up (anterior vertical): a front view looks from the feet, as does foot_end.
    up = np.array([0, 0, 1.0])
    np.testing.assert_allclose(view_direction("front", heading, left, up, "left"), [-1, 0, 0])
    np.testing.assert_allclose(view_direction("head_end", heading, left, up, "left"), [1, 0, 0])
    np.testing.assert_allclose(view_direction("foot_end", heading, left, up, "left"), [-1, 0, 0])
    with pytest.raises(ValueError, match="unknown camera view 'top'"):
        view_direction("top", heading, left, anterior, "left")


def test_yaw_and_pitch_move_the_camera_around_the_target():
    target = np.array([0.0, 0.0, 1.0])
    camera = place_camera(target, np.array([0.0, 1.0, 0.0]), 2.0, (1280, 720), yaw_deg=90.0, pitch_deg=30.0)
    # Yaw +90 turns +y to -x; pitch 30 raises it by 2 sin 30 = 1 m and pulls it in to 2 cos 30.
    np.testing.assert_allclose(camera.position, [-2 * np.cos(np.radians(30)), 0.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(camera.project(target[None], target)[0, :2], [0.5, 0.5], atol=1e-12)


def test_without_occlusion_far_side_landmarks_lose_visibility_in_a_side_view():
    camera = side_camera()
    world = np.zeros((1, 33, 3))
    world[0, :, 2] = 1.0
    world[0, 13] = [0.0, 0.2, 1.2]  # left elbow, nearer the camera (at y = 2)
    world[0, 14] = [0.0, -0.2, 1.2]  # right elbow, hidden behind the body
    world[0, 23] = [0.0, 0.1, 1.0]  # hips: the far one stays visible, as in real MediaPipe output
    world[0, 24] = [0.0, -0.1, 1.0]
    vis = visibility(camera, world, head_forward=np.array([[0.0, 1.0, 0.0]]), body=BodyShape())
    assert vis[0, 13] == pytest.approx(0.98)
    assert vis[0, 14] == pytest.approx(0.98 - 0.66)
    assert vis[0, 24] == pytest.approx(0.98 - 0.02)


def test_landmarks_hidden_by_the_body_lose_visibility_in_a_side_view():
    shape = BodyShape()
    world = place(shape, POSTURES["standing"], POSTURES["standing"].pose())[0][None]
    hip = world[0, L.left_hip]
    eye = hip + np.array([0.0, 2.5, 0.0])  # on the subject's left, at hip height
    camera = Camera(position=eye, rotation=look_at(eye, hip), focal=focal_for(PORTRAIT), image_size=PORTRAIT)
    vis = visibility(camera, world, head_forward=np.array([[1.0, 0.0, 0.0]]), body=shape, occlusion=True)[0]
    assert vis[L.left_elbow] == pytest.approx(0.98)
    assert vis[L.right_elbow] == pytest.approx(0.98 - 0.66)  # behind the trunk
    assert vis[L.right_knee] == pytest.approx(0.98 - 0.68)  # behind the near knee
    assert vis[L.right_hip] == pytest.approx(0.98 - 0.02)  # hidden, but real MediaPipe keeps it near 1
    # The face keeps its side-on model: the far eye loses FAR_SIDE_LOSS_FACE; the near one only
    # what a face seen side-on loses (0.6).
    assert vis[L.right_eye] == pytest.approx(0.98 - 0.45)
    assert vis[L.left_eye] == pytest.approx(0.6, abs=0.02)


@pytest.mark.parametrize("yaw, pitch, roll", [(0.0, 0.0, 12.0), (30.0, 20.0, -15.0), (-45.0, 5.0, 90.0)])
def test_a_rolled_camera_reports_its_tilt_and_turning_back_by_the_roll_makes_vertical_vertical(yaw, pitch, roll):
    target = np.array([0.0, 0.0, 1.0])
    camera = place_camera(target, np.array([0.0, 1.0, 0.0]), 2.0, (1280, 720), yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll)
    # The lens (1 + 2 sin(pitch) m high) looks down at the target by exactly the pitch.
    assert camera.tilt == pytest.approx((roll, pitch))
    # A vertical line through the target: in pixels, y up about the image centre, it leans by the roll...
    xyz = camera.project(np.array([target, target + [0.0, 0.0, 0.5]]), target)
    x, y = (xyz[:, 0] - 0.5) * 1280, (0.5 - xyz[:, 1]) * 720
    up = np.array([x[1] - x[0], y[1] - y[0]])
    assert np.degrees(np.arctan2(up[0], up[1])) == pytest.approx(roll)
    # ...and turning it back counter-clockwise by the roll stands it upright.
    c, s = np.cos(np.radians(roll)), np.sin(np.radians(roll))
    assert c * up[0] - s * up[1] == pytest.approx(0.0, abs=1e-9)
    assert s * up[0] + c * up[1] > 0


def test_a_camera_raised_above_the_target_reports_the_pitch_it_looks_down_at():
    # A lens kept 25 cm above the floor looking at a point 10 cm high, 1.5 m away: atan(0.15 / 1.5).
    target = np.array([0.0, 0.0, 0.10])
    camera = place_camera(target, np.array([0.0, 1.0, 0.0]), 1.5, (1280, 720))
    roll, pitch = camera.tilt
    assert roll == pytest.approx(0.0, abs=1e-9)
    assert pitch == pytest.approx(np.degrees(np.arctan2(0.15, 1.5)))

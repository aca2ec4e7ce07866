"""Geometry helpers on hand-built points with hand-computed values (brief §4.0 conventions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backcoach.motion import geometry as g
from backcoach.motion.geometry import Missing

S3 = math.sqrt(3)


@pytest.mark.parametrize(
    "a, b, c, expected",
    [
        pytest.param((0, 1), (0, 0), (1, 0), 90.0, id="right-angle"),
        pytest.param((0, 1), (0, 0), (0, -1), 180.0, id="straight"),
        pytest.param((1, 0), (0, 0), (1, 0), 0.0, id="folded"),
        pytest.param((1, 0), (0, 0), (0.5, S3 / 2), 60.0, id="sixty"),
        pytest.param((1, 0), (0, 0), (-S3 / 2, 0.5), 150.0, id="one-fifty"),
        pytest.param((1, 0, 0), (0, 0, 0), (0, 0, 1), 90.0, id="3d-right-angle"),
        pytest.param((1, 1, 0), (0, 0, 0), (0, 1, 1), 60.0, id="3d-sixty"),
    ],
)
def test_ang_interior_angle_at_b(a, b, c, expected):
    assert g.ang(a, b, c) == pytest.approx(expected, abs=1e-9)


def test_ang_with_coincident_points_is_missing_with_reason():
    reading = g.ang((0, 0), (0, 0), (1, 0))
    assert isinstance(reading, Missing) and not reading
    assert "coincide" in reading.reason


@pytest.mark.parametrize(
    "p, q, facing, expected",
    [
        pytest.param((0, 0), (0, 1), 1, 0.0, id="upright"),
        pytest.param((0, 0), (1, 1), 1, 45.0, id="lean-toward-facing"),
        pytest.param((0, 0), (1, 1), -1, -45.0, id="lean-away-from-facing"),
        pytest.param((0, 0), (-1, 0), -1, 90.0, id="horizontal-facing-left"),
        pytest.param((0, 0), (0, -1), 1, 180.0, id="upside-down"),
        pytest.param((0, 0, 0), (0, 1, 1), 1, 45.0, id="3d-lean-in-depth"),
        pytest.param((0, 0, 0), (-1, S3, 0), 1, -30.0, id="3d-signed-by-x"),
    ],
)
def test_incl_v_from_vertical_up(p, q, facing, expected):
    assert g.incl_v(p, q, facing) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "p, q, expected",
    [
        pytest.param((0, 0), (1, 0), 0.0, id="level"),
        pytest.param((0, 0), (-1, 0), 0.0, id="level-leftward"),
        pytest.param((0, 0), (S3, 1), 30.0, id="q-above"),
        pytest.param((0, 0), (-1, -1), -45.0, id="q-below"),
        pytest.param((0, 0, 0), (0, 1, 1), 45.0, id="3d"),
    ],
)
def test_incl_h_from_horizontal(p, q, expected):
    assert g.incl_h(p, q) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "p, a, b, ref, expected",
    [
        pytest.param((1, -0.5), (0, 0), (2, 0), 1.0, 0.5, id="below-is-positive"),
        pytest.param((1, 0.5), (0, 0), (2, 0), 1.0, -0.5, id="above-is-negative"),
        pytest.param((1, 0.5), (2, 0), (0, 0), 2.0, -0.25, id="direction-of-line-irrelevant"),
        pytest.param((1, 0), (0, 0), (2, 0), 1.0, 0.0, id="on-the-line"),
        pytest.param((0, 1), (0, 0), (2, 2), 1.0, -math.sqrt(2) / 2, id="diagonal"),
        pytest.param((1, -1, 3), (0, 0, 0), (2, 0, 0), 1.0, math.sqrt(10), id="3d"),
    ],
)
def test_off_signed_distance_plus_toward_floor(p, a, b, ref, expected):
    assert g.off(p, a, b, ref) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "b, expected",
    [
        pytest.param((1, -0.2), 180 - 2 * math.degrees(math.atan(0.2)), id="hips-sag-below-180"),
        pytest.param((1, 0.2), 180 + 2 * math.degrees(math.atan(0.2)), id="hips-lifted-above-180"),
        pytest.param((1, 0.0), 180.0, id="straight"),
    ],
)
def test_sang_above_180_when_b_lifted(b, expected):
    assert g.sang((0, 0), b, (2, 0)) == pytest.approx(expected, abs=1e-9)


def test_ratio_height_and_reference_checks():
    assert g.ratio((0, 0), (3, 4), 2.0) == pytest.approx(2.5)
    assert g.height((0, 1.5), (0, 0.5), 2.0) == pytest.approx(0.5)
    assert isinstance(g.ratio((0, 0), (1, 1), 0.0), Missing)
    assert isinstance(g.off((0, 0), (1, 1), (1, 1), 1.0), Missing)


def test_symmetry_is_left_minus_right_and_passes_missing():
    assert g.symmetry(100.0, 90.0) == 10.0
    missing = Missing("left_knee hidden")
    assert g.symmetry(missing, 90.0) is missing


def test_to_image_points_converts_to_y_up_image_heights():
    xyz = np.array([[0.5, 0.25, 0.0], [1.0, 1.0, 0.0]], dtype=np.float32)
    points = g.to_image_points(xyz, (1920, 1080))
    assert points[0] == pytest.approx((0.5 * 1920 / 1080, 0.75))
    assert points[1] == pytest.approx((1920 / 1080, 0.0))


def test_aspect_correction_keeps_right_angles_right():
    # A true 90 deg knee on a 16:9 frame: normalised coordinates are squashed differently in x and y.
    w, h = 1600, 900
    pixels = np.array([[800, 300], [800, 600], [1100, 600]], dtype=np.float32)  # hip, knee, ankle
    xyz = np.zeros((3, 3), dtype=np.float32)
    xyz[:, 0] = pixels[:, 0] / w
    xyz[:, 1] = pixels[:, 1] / h
    hip, knee, ankle = g.to_image_points(xyz, (w, h))
    assert g.ang(hip, knee, ankle) == pytest.approx(90.0, abs=1e-4)


def test_to_world_points_flips_y():
    world = np.array([[0.1, -0.5, 0.2]], dtype=np.float32)
    assert g.to_world_points(world)[0] == pytest.approx((0.1, 0.5, 0.2))


@pytest.mark.parametrize(
    "left, right, expected",
    [
        pytest.param(0.9, 0.2, "left", id="left-visible"),
        pytest.param(0.3, 0.8, "right", id="right-visible"),
        pytest.param(0.5, 0.5, "left", id="tie-left"),
    ],
)
def test_near_side_by_visibility(left, right, expected):
    vis = [0.0] * 33
    for i in g.NEAR_SIDE_LANDMARKS["left"]:
        vis[i] = left
    for i in g.NEAR_SIDE_LANDMARKS["right"]:
        vis[i] = right
    assert g.near_side(vis) == expected

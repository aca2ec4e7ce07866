"""Ground-truth angles of the brief's geometry (§4.0), from noise-free landmarks.

Written independently of the engine's geometry on purpose: the truth must not share code (or
bugs) with what it checks. ``ang(A, B, C)`` is the interior angle at B (0-180); ``incl_h`` the
angle of the hip-to-shoulder line above horizontal (+ = shoulders higher); ``incl_v`` its angle
from vertical-up, unsigned. Image angles use y-up coordinates in image heights (x scaled by the
aspect ratio) so they are true angles in the picture; world angles use metres with z up.
"""

from __future__ import annotations

import numpy as np

from backcoach.pose.skeleton import Landmark

#: name -> (A, B, C) landmark names with ``{s}`` for the side; the angle is taken at B.
JOINT_ANGLES = {
    "hip": ("{s}_shoulder", "{s}_hip", "{s}_knee"),
    "knee": ("{s}_hip", "{s}_knee", "{s}_ankle"),
    "elbow": ("{s}_shoulder", "{s}_elbow", "{s}_wrist"),
    "shoulder": ("{s}_hip", "{s}_shoulder", "{s}_elbow"),
}


def ang(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Interior angle at ``b`` in degrees, for points (..., D)."""
    u, v = a - b, c - b
    cos = np.einsum("...i,...i->...", u, v) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def standard_angles(points: np.ndarray, vertical_axis: int) -> dict[str, np.ndarray]:
    """Every standard angle (T,) of landmarks (T, 33, D) whose ``vertical_axis`` points up.

    Names: ``left_hip``, ``right_knee``, ... (see :data:`JOINT_ANGLES`), ``trunk_incl_h`` and
    ``trunk_incl_v`` (hip midpoint to shoulder midpoint).
    """
    out: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        for name, (a, b, c) in JOINT_ANGLES.items():
            pa, pb, pc = (points[:, Landmark[x.format(s=side)]] for x in (a, b, c))
            out[f"{side}_{name}"] = ang(pa, pb, pc)
    hip = (points[:, Landmark.left_hip] + points[:, Landmark.right_hip]) / 2
    shoulder = (points[:, Landmark.left_shoulder] + points[:, Landmark.right_shoulder]) / 2
    d = shoulder - hip
    vertical = d[:, vertical_axis]
    horizontal = np.linalg.norm(np.delete(d, vertical_axis, axis=1), axis=1)
    out["trunk_incl_h"] = np.degrees(np.arctan2(vertical, horizontal))
    out["trunk_incl_v"] = np.degrees(np.arctan2(horizontal, vertical))
    return out


def image_angles(xyz: np.ndarray, image_size: tuple[int, int], roll_deg: float = 0.0) -> dict[str, np.ndarray]:
    """:func:`standard_angles` of normalised image landmarks (T, 33, >=2), y down.

    ``roll_deg`` is the camera's roll (true up leaning toward the image's right): the points are
    turned back about the image centre first, so "up" is true up, as a level camera would see it.
    """
    width, height = image_size
    x, y = (xyz[..., 0] - 0.5) * width / height, 0.5 - xyz[..., 1]
    c, s = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
    points = np.stack([c * x - s * y, s * x + c * y], axis=-1)
    return standard_angles(points, vertical_axis=1)


def world_angles(world: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`standard_angles` of world landmarks (T, 33, 3), metres, z up."""
    return standard_angles(world, vertical_axis=2)

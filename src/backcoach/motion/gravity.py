"""Gravity reference (brief §4.0 "Gravity reference"): true vertical from the phone's tilt.

A phone held with a roll shows the world turned in the picture, and every angle measured from
the image's vertical (``incl_v``, ``incl_h``, "above", the floor side of a line) is off by the
roll. With the phone's accelerometer reading (:attr:`backcoach.pose.frame.Frame.camera_tilt`) the
engine turns the points back so that the geometry's "up" is true up. Pitch (the lens looking down)
cannot be undone in 2D: it foreshortens depth into height, so rules that only a level camera can
judge (``needs_level_camera``) are not judged when the known pitch exceeds the brief's bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from backcoach.motion.geometry import Missing

#: Largest pitch (degrees) at which a camera counts as level [E]: brief §4.0, "require the phone
#: to be level to within ±3° (show a bubble level)".
LEVEL_TOLERANCE_DEG = 3.0
#: The reading of a ``needs_level_camera`` rule on a frame whose camera is known not to be level.
NOT_LEVEL = Missing("camera not level")


def level_points(points: Sequence[Sequence[float]], roll_deg: float, centre: tuple[float, float]) -> list[list[float]]:
    """Undo a camera roll: turn y-up points about ``centre`` so true up becomes the points' up.

    Parameters
    ----------
    points : sequence of [X, Y] or [X, Y, Z]
        y-up points in units equal along both axes (image heights, or metres); a third coordinate
        (depth along the lens) is kept as it is, since a roll turns about the lens axis.
    roll_deg : float
        ``Frame.camera_tilt[0]``: the angle of true up in the picture from the picture's up,
        positive toward +X. The points are turned by ``roll_deg`` counter-clockwise (y up).
    centre : (float, float)
        The fixed point of the turn (the image centre for image points).

    Returns
    -------
    list of list of float
        New points; NaN stays NaN.

    Examples
    --------
    True up leaning 90° to the right of the picture: a point to the right of the centre is above it.

    >>> [[round(v, 6) for v in p] for p in level_points([[1.0, 0.0]], 90.0, (0.0, 0.0))]
    [[0.0, 1.0]]
    """
    if roll_deg == 0:
        return [list(p) for p in points]
    c, s = math.cos(math.radians(roll_deg)), math.sin(math.radians(roll_deg))
    cx, cy = centre
    out = []
    for p in points:
        dx, dy = p[0] - cx, p[1] - cy
        out.append([cx + c * dx - s * dy, cy + s * dx + c * dy, *p[2:]])
    return out


def level_image_points(points: Sequence[Sequence[float]], roll_deg: float, aspect: float) -> list[list[float]]:
    """:func:`level_points` about the image centre, for points from
    :func:`backcoach.motion.geometry.to_image_points` (``X`` in 0..aspect, ``Y`` in 0..1, image
    heights, so the turn respects the aspect ratio)."""
    return level_points(points, roll_deg, (aspect / 2, 0.5))


def camera_level(camera_tilt: tuple[float, float] | None, tolerance_deg: float = LEVEL_TOLERANCE_DEG) -> bool | None:
    """Whether the camera's pitch is within ``tolerance_deg`` of level; None when no reading.

    The roll does not count: :func:`level_points` undoes it.
    """
    if camera_tilt is None:
        return None
    return abs(camera_tilt[1]) <= tolerance_deg

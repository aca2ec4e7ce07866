"""Geometry helpers of the clinical brief (§4.0) on 2D image points or 3D world points.

Conventions (written once, used everywhere; see ``docs/engine.md``):

* **2D points** are ``(X, Y)`` in *image heights*, y up: ``X = x * width / height``,
  ``Y = 1 - y`` from the frame's normalised ``(x, y)`` (x right, y down). The aspect correction
  keeps angles true on non-square images. :func:`to_image_points` does the conversion.
* **3D points** are ``(X, Y, Z)`` in metres, y up: MediaPipe world landmarks with y negated.
* Angles are in degrees. Lengths passed as ``ref`` are in the same units as the points.
* A reading that cannot be made returns :class:`Missing`, a falsy value carrying its reason.
  Always test ``isinstance(value, Missing)``: a valid angle can be ``0.0``, which is falsy too.

Pure functions of plain tuples: the per-frame engine calls these tens of times per frame, and plain
``math`` on a few floats is several times faster than numpy for that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
import numpy as np

Point = Sequence[float]


class Missing:
    """A reading that could not be made, with the reason (e.g. ``"left_knee visibility 0.31 < 0.50"``).

    ``Missing("%s visibility %.2f", name, value)`` formats the reason only when it is read: hidden
    landmarks are common (the far side in side view) and most reasons are never looked at.
    """

    __slots__ = ("_text", "_args")

    def __init__(self, reason: str, *args: object) -> None:
        self._text = reason
        self._args = args

    @property
    def reason(self) -> str:
        return self._text % self._args if self._args else self._text

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Missing) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(self.reason)

    def __repr__(self) -> str:
        return f"Missing(reason={self.reason!r})"


Reading = float | Missing


def to_image_points(xyz: np.ndarray, image_size: tuple[int, int]) -> list[list[float]]:
    """Convert normalised image landmarks (N, >=2), y down, to y-up points in image heights.

    Parameters
    ----------
    xyz : ndarray of shape (N, 2) or (N, 3)
        Normalised coordinates: x right in image widths, y down in image heights.
    image_size : (int, int)
        Width and height in pixels.

    Returns
    -------
    list of [X, Y]
        ``X = x * width / height`` and ``Y = 1 - y``; NaN stays NaN. Plain lists: the engine
        indexes them tens of times per frame.
    """
    width, height = image_size
    aspect = width / height
    # Plain Python on 33 rows: cheaper than numpy's per-call overhead on so small an array.
    return [[x * aspect, 1.0 - y] for x, y in xyz[:, :2].tolist()]


def to_world_points(world: np.ndarray) -> list[list[float]]:
    """Convert MediaPipe world landmarks (N, 3), metres with y down, to y-up 3D points."""
    return (np.asarray(world, dtype=np.float64) * np.array([1.0, -1.0, 1.0])).tolist()


def distance(p: Point, q: Point) -> float:
    """Euclidean distance between two 2D or 3D points."""
    if len(p) == 2:
        return math.hypot(q[0] - p[0], q[1] - p[1])
    return math.sqrt((q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2 + (q[2] - p[2]) ** 2)


def midpoint(p: Point, q: Point) -> tuple[float, ...]:
    """The point halfway between p and q."""
    return tuple((a + b) / 2 for a, b in zip(p, q))


def ang(a: Point, b: Point, c: Point) -> Reading:
    """Interior angle at ``b`` between b→a and b→c, in degrees 0..180; 180 = the three in a line.

    Examples: hip angle ``ang(S, H, K)``, knee angle ``ang(H, K, A)``.
    """
    ux, uy = a[0] - b[0], a[1] - b[1]
    vx, vy = c[0] - b[0], c[1] - b[1]
    if len(a) == 2:
        cross = abs(ux * vy - uy * vx)
        dot = ux * vx + uy * vy
    else:
        uz, vz = a[2] - b[2], c[2] - b[2]
        cross = math.sqrt((uy * vz - uz * vy) ** 2 + (uz * vx - ux * vz) ** 2 + (ux * vy - uy * vx) ** 2)
        dot = ux * vx + uy * vy + uz * vz
    if cross == 0 and dot == 0:
        return Missing("angle undefined: two of its points coincide")
    return math.degrees(math.atan2(cross, dot))


def incl_v(p: Point, q: Point, facing: float = 1.0) -> Reading:
    """Angle of the vector p→q from vertical-up, in degrees -180..180; 0 = upright.

    Positive toward ``facing`` (+1: the image's +X direction, -1: -X). In side view the engine
    passes the direction the person faces, so a forward trunk lean is positive; in front view it
    passes the direction of the subject's own left. For 3D points the magnitude is the true 3D
    angle from vertical and the sign comes from X in the same way.
    """
    dx, dy = q[0] - p[0], q[1] - p[1]
    if len(p) == 2:
        if dx == 0 and dy == 0:
            return Missing("inclination undefined: the two points coincide")
        return math.degrees(math.atan2(dx * facing, dy))
    dz = q[2] - p[2]
    horizontal = math.hypot(dx, dz)
    if horizontal == 0 and dy == 0:
        return Missing("inclination undefined: the two points coincide")
    magnitude = math.degrees(math.atan2(horizontal, dy))
    return -magnitude if dx * facing < 0 else magnitude


def incl_h(p: Point, q: Point) -> Reading:
    """Angle of the vector p→q from horizontal, in degrees -90..90; positive = q above p."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    horizontal = abs(dx) if len(p) == 2 else math.hypot(dx, q[2] - p[2])
    if horizontal == 0 and dy == 0:
        return Missing("inclination undefined: the two points coincide")
    return math.degrees(math.atan2(dy, horizontal))


def off(p: Point, a: Point, b: Point, ref: float) -> Reading:
    """Signed perpendicular distance of p from the line a-b, divided by ``ref``.

    Positive when p lies below the line (toward the floor, the brief's "sag" sign), negative above.
    """
    length = distance(a, b)
    if length == 0:
        return Missing("offset undefined: the line's two points coincide")
    if not ref > 0:
        return Missing(f"offset undefined: reference length {ref} is not positive")
    u = [(bi - ai) / length for ai, bi in zip(a, b)]
    v = [pi - ai for pi, ai in zip(p, a)]
    along = sum(vi * ui for vi, ui in zip(v, u))
    perp = [vi - along * ui for vi, ui in zip(v, u)]
    size = math.sqrt(sum(c * c for c in perp))
    return (-size if perp[1] > 0 else size) / ref


def sang(a: Point, b: Point, c: Point, ref: float = 1.0) -> Reading:
    """Signed angle at b for floor poses: ``ang`` when b is on the floor side of line a-c (or on
    it), ``360 - ang`` when b is lifted above it. Above 180 means over-arching or piking."""
    angle = ang(a, b, c)
    if isinstance(angle, Missing):
        return angle
    side = off(b, a, c, ref)
    if isinstance(side, Missing):
        return side
    return angle if side >= 0 else 360.0 - angle


def ratio(p: Point, q: Point, ref: float) -> Reading:
    """Distance |p - q| divided by a reference length."""
    if not ref > 0:
        return Missing(f"ratio undefined: reference length {ref} is not positive")
    return distance(p, q) / ref


def height(p: Point, q: Point, ref: float) -> Reading:
    """How far p is above q (vertical, y up), divided by a reference length."""
    if not ref > 0:
        return Missing(f"height undefined: reference length {ref} is not positive")
    return (p[1] - q[1]) / ref


def ahead(p: Point, q: Point, facing: float, ref: float) -> Reading:
    """How far p is ahead of q horizontally along ``facing`` (+1: +X, -1: -X), divided by ``ref``.

    In side view ``facing`` is the direction the person faces; in front view, their own left.
    """
    if not ref > 0:
        return Missing(f"ahead undefined: reference length {ref} is not positive")
    return (p[0] - q[0]) * facing / ref


def symmetry(left: Reading, right: Reading) -> Reading:
    """Left minus right of a sided reading (0 = symmetric)."""
    if isinstance(left, Missing):
        return left
    if isinstance(right, Missing):
        return right
    return left - right


#: Landmarks that decide the near side in side view (brief §4.0: S, H, K, A).
NEAR_SIDE_LANDMARKS = {"left": (11, 23, 25, 27), "right": (12, 24, 26, 28)}


def near_side(visibility: Sequence[float]) -> str:
    """The side whose shoulder, hip, knee and ankle have the higher mean visibility (ties: left)."""
    left = sum(visibility[i] for i in NEAR_SIDE_LANDMARKS["left"])
    right = sum(visibility[i] for i in NEAR_SIDE_LANDMARKS["right"])
    return "right" if right > left else "left"

"""Turning metric 3D skeletons into image-like coordinates, and into our world-landmark axes.

Two views are used (docs/recording-format.md, "3D formats"):

* ``pinhole_view``: the sensor *is* a camera (Kinect): project through its nominal intrinsics, so
  the landmarks land where they are in that camera's colour video.
* ``front_view``: no camera exists (Vicon, UI-PRMD): an orthographic virtual camera placed in front
  of the subject, its horizontal axis along the subject's mean right-to-left shoulder line.

World landmarks follow MediaPipe's axes: metres, x towards the image right, y down, z away from
the camera, with the origin at a per-frame body centre (mid-hip where the format has hips).
"""

from __future__ import annotations

import numpy as np

#: Side of the square area (metres) the orthographic front view shows, and its virtual image size.
FRONT_VIEW_EXTENT_M = 2.4
FRONT_VIEW_SIZE = (1000, 1000)


def front_basis(points: np.ndarray, left: int, right: int, up: np.ndarray) -> np.ndarray:
    """Rows: image-x (subject's right-to-left), image-y (down), depth (away from a front camera)."""
    up = np.asarray(up, dtype=np.float64) / np.linalg.norm(up)
    lateral = np.nanmean(points[:, left] - points[:, right], axis=0)
    lateral = lateral - lateral.dot(up) * up
    if not np.isfinite(lateral).all() or np.linalg.norm(lateral) < 1e-9:
        raise ValueError("cannot find the subject's left-right axis: shoulders missing in every frame")
    lateral /= np.linalg.norm(lateral)
    facing = np.cross(lateral, up)  # the direction the subject faces
    return np.stack([lateral, -up, -facing])


def front_view(
    points: np.ndarray, left: int, right: int, up: np.ndarray, origin: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Orthographic front view of ``points`` (T, J, 3) in metres.

    Returns normalised image coordinates (T, J, 3), world landmarks (T, J, 3) relative to ``origin``
    (T, 3) in camera axes, and the virtual image size.
    """
    basis = front_basis(points, left, right, up)
    camera = points @ basis.T
    origin_camera = origin @ basis.T
    centre = np.nanmean(camera.reshape(-1, 3), axis=0)
    xyz = (camera - centre) / FRONT_VIEW_EXTENT_M
    xyz[..., :2] += 0.5
    world = camera - origin_camera[:, None, :]
    return xyz, world, FRONT_VIEW_SIZE


def pinhole_view(
    camera: np.ndarray, origin: np.ndarray, image_size: tuple[int, int], horizontal_fov_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Project camera-axes points (T, J, 3) (x right, y down, z forward, metres) through a pinhole.

    The principal point is the image centre and pixels are square. z is the depth relative to
    ``origin`` (T, 3), scaled like x (image widths), as MediaPipe's relative depth is.
    """
    width, height = image_size
    focal = (width / 2) / np.tan(np.radians(horizontal_fov_deg) / 2)
    depth = camera[..., 2]
    xyz = np.empty_like(camera)
    xyz[..., 0] = 0.5 + focal * camera[..., 0] / depth / width
    xyz[..., 1] = 0.5 + focal * camera[..., 1] / depth / height
    xyz[..., 2] = (depth - origin[:, None, 2]) * focal / origin[:, None, 2] / width
    world = camera - origin[:, None, :]
    return xyz, world

"""Live pose from a local camera (OpenCV device index) for desktop use.

Only the image source differs from a video file: frames go through the same
:class:`~backcoach.pose.video.PoseTracker` and :func:`~backcoach.pose.video.track` loop, which the
video tests exercise. Timestamps come from a monotonic clock, starting at 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from backcoach.pose.frame import Frame
from backcoach.pose.video import NUM_POSES, PoseTracker, track


class CameraError(RuntimeError):
    """The camera cannot be opened or stopped delivering images."""


def camera_images(device: int = 0, clock: Callable[[], float] = time.monotonic) -> Iterator[tuple[float, np.ndarray]]:
    """``(t, bgr_image)`` from camera ``device`` until it stops or the generator is closed."""
    capture = cv2.VideoCapture(device)
    if not capture.isOpened():
        raise CameraError(f"camera {device} cannot be opened (is it connected and not in use?)")
    start = clock()
    try:
        while True:
            ok, image = capture.read()
            if not ok:
                raise CameraError(f"camera {device} stopped delivering images")
            yield clock() - start, image
    finally:
        capture.release()


def webcam_frames(device: int = 0, model: str = "full", num_poses: int = NUM_POSES) -> Iterator[Frame]:
    """Live frames of the person in front of camera ``device``; close the generator to stop."""
    with PoseTracker(model, num_poses) as tracker:
        yield from track(camera_images(device), tracker)

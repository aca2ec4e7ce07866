"""Drawing skeletons over video frames or a blank canvas, and writing H.264 video through ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from backcoach.pose._atomic import atomic_output
from backcoach.pose.frame import Frame
from backcoach.pose.skeleton import BONES, NAMES

#: BGR colours: the subject's left side orange, right side blue, the middle white, so a swapped
#: left/right is visible at a glance.
LEFT, RIGHT, MIDDLE = (0, 140, 255), (255, 120, 0), (235, 235, 235)
MIN_VISIBILITY = 0.5


def _side_colour(index: int) -> tuple[int, int, int]:
    name = NAMES[index]
    if name.startswith("left_") or name.endswith("_left"):
        return LEFT
    if name.startswith("right_") or name.endswith("_right"):
        return RIGHT
    return MIDDLE


def draw_pose(image: np.ndarray, frame: Frame, min_visibility: float = MIN_VISIBILITY) -> np.ndarray:
    """Draw ``frame``'s skeleton onto ``image`` (BGR, modified in place and returned).

    Landmarks below ``min_visibility`` or missing are not drawn.
    """
    height, width = image.shape[:2]
    scale = max(1, round(max(width, height) / 400))
    points = frame.xyz[:, :2] * np.array([width, height], dtype=np.float32)
    shown = (frame.visibility >= min_visibility) & np.isfinite(points).all(axis=1)
    for a, b in BONES:
        if shown[a] and shown[b]:
            colour = _side_colour(a) if _side_colour(a) == _side_colour(b) else MIDDLE
            cv2.line(image, tuple(np.round(points[a]).astype(int)), tuple(np.round(points[b]).astype(int)), colour, scale, cv2.LINE_AA)
    for index in np.flatnonzero(shown):
        cv2.circle(image, tuple(np.round(points[index]).astype(int)), scale + 1, _side_colour(index), -1, cv2.LINE_AA)
    return image


def blank_canvas(size: tuple[int, int]) -> np.ndarray:
    width, height = size
    return np.full((height, width, 3), 32, dtype=np.uint8)


def write_video(images: Iterable[np.ndarray], path: Path, fps: float) -> int:
    """Encode BGR images to an H.264 ``.mp4`` at ``path`` atomically; returns the frame count.

    Frames go to ffmpeg's stdin; the file appears only once encoding succeeded.
    """
    path = Path(path)
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg is not installed (scripts/setup.sh installs it)")
    count = 0
    process = None
    with atomic_output(path, suffix=".part.mp4") as temporary:
        try:
            for image in images:
                if process is None:
                    process = _start_encoder(image.shape[1], image.shape[0], fps, temporary)
                process.stdin.write(np.ascontiguousarray(image).tobytes())
                count += 1
            if process is None:
                raise ValueError("no frames to write")
            process.stdin.close()
            error = process.stderr.read().decode(errors="replace")
            if process.wait() != 0:
                raise RuntimeError(f"ffmpeg failed: {error.strip()}")
        finally:
            if process is not None:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                process.stdin.close()
                process.stderr.close()
    return count


def _start_encoder(width: int, height: int, fps: float, target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width}x{height}",
         "-r", f"{fps:.6f}", "-i", "-", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
         # yuv420p needs even dimensions
         "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-movflags", "+faststart", "-f", "mp4", str(target)],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE,
    )

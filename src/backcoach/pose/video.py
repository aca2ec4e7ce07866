"""Pose from video: OpenCV decodes, MediaPipe PoseLandmarker (VIDEO mode, tracking) finds the person.

The same :class:`PoseTracker` and :func:`track` loop serve video files and the webcam
(``pose/webcam.py``): a source only has to yield ``(t, bgr_image)`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from backcoach.pose.bundles import require_bundle
from backcoach.pose.filters import fill_gaps
from backcoach.pose.formats import RecordingError
from backcoach.pose.frame import Frame, make_frame, missing_frame
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import NUM_LANDMARKS

VIDEO_SUFFIXES = (".mp4", ".avi", ".webm", ".mov", ".mkv", ".m4v")
#: Poses MediaPipe may return per frame; more than one lets us keep the tracked person when
#: somebody else walks into view.
NUM_POSES = 2


class VideoError(RecordingError):
    """A video that cannot be opened or decoded; the message names the file."""


@dataclass(frozen=True)
class VideoInfo:
    path: Path
    width: int  # after applying the rotation metadata
    height: int
    fps: float
    frame_count: int  # as the container states it; may be approximate
    rotation: int  # degrees, from the container metadata


def _open(path: Path) -> tuple[cv2.VideoCapture, VideoInfo]:
    if not path.is_file():
        raise VideoError(path, "no such video file")
    if path.stat().st_size == 0:
        raise VideoError(path, "the video file is empty")
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    if not capture.isOpened():
        raise VideoError(path, "cannot open the video (not a video file, or an unsupported codec)")
    # Phones store portrait video as landscape plus a rotation tag; let FFmpeg apply it.
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    fps = capture.get(cv2.CAP_PROP_FPS)
    info = VideoInfo(
        path=path,
        width=int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height=int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        fps=float(fps) if fps and np.isfinite(fps) and fps > 0 else 30.0,
        frame_count=max(int(capture.get(cv2.CAP_PROP_FRAME_COUNT)), 0),
        rotation=int(capture.get(cv2.CAP_PROP_ORIENTATION_META)) % 360,
    )
    return capture, info


def probe_video(path: Path | str) -> VideoInfo:
    """Size (as displayed), frame rate and frame count of a video, without decoding it."""
    capture, info = _open(Path(path))
    capture.release()
    return info


def decode_frames(path: Path | str) -> Iterator[tuple[float, np.ndarray]]:
    """``(t, bgr_image)`` for every frame, rotation applied; ``t`` = frame index / container fps.

    Raises VideoError when not a single frame decodes.
    """
    path = Path(path)
    capture, info = _open(path)
    try:
        index = 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            yield index / info.fps, image
            index += 1
        if index == 0:
            raise VideoError(path, "no frame could be decoded")
    finally:
        capture.release()


def _centre_distance(landmarks: np.ndarray) -> float:
    return float(np.hypot(*(np.nanmean(landmarks[:, :2], axis=0) - 0.5)))


def choose_person(candidates: list[np.ndarray], previous: np.ndarray | None) -> int:
    """Index of the person to keep: nearest to the previous pose, else nearest the image centre.

    ``candidates`` are (33, 3) normalised landmarks; ``previous`` the kept pose of the last frame.
    """
    if previous is not None and not np.isnan(previous).all():
        distances = [float(np.nanmean(np.linalg.norm(c[:, :2] - previous[:, :2], axis=1))) for c in candidates]
        return int(np.argmin(distances))
    return int(np.argmin([_centre_distance(c) for c in candidates]))


class PoseTracker:
    """MediaPipe PoseLandmarker in VIDEO mode over a stream of BGR images, one person kept.

    Use as a context manager. ``process`` must get strictly increasing timestamps.
    """

    def __init__(self, model: str = "full", num_poses: int = NUM_POSES, min_confidence: float = 0.5) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(require_bundle(model))),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=num_poses,
            min_pose_detection_confidence=min_confidence,
            min_pose_presence_confidence=min_confidence,
            min_tracking_confidence=min_confidence,
        )
        self.model = model
        self._landmarker = vision.PoseLandmarker.create_from_options(options)
        self._previous: np.ndarray | None = None
        self._last_ms = -1

    def __enter__(self) -> PoseTracker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._landmarker.close()

    def detect(self, rgb: np.ndarray, t: float):
        """Bare MediaPipe inference on an RGB image (what the benchmark compares against)."""
        import mediapipe as mp

        # MediaPipe wants strictly increasing integer milliseconds.
        ms = max(int(round(t * 1000)), self._last_ms + 1)
        self._last_ms = ms
        return self._landmarker.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), ms)

    def process(self, bgr: np.ndarray, t: float) -> Frame:
        """The kept person's pose in one BGR image, or a missing frame when nobody is found."""
        height, width = bgr.shape[:2]
        return self.to_frame(self.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t), t, (width, height))

    def to_frame(self, result, t: float, image_size: tuple[int, int]) -> Frame:
        """Turn a PoseLandmarker result into our Frame, keeping the tracked (or most central) person."""
        if not result.pose_landmarks:
            self._previous = None
            return missing_frame(t, image_size)
        people = [np.array([(p.x, p.y, p.z, p.visibility) for p in person], dtype=np.float32) for person in result.pose_landmarks]
        chosen = choose_person([p[:, :3] for p in people], self._previous)
        landmarks = people[chosen]
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[chosen]], dtype=np.float32)
        self._previous = landmarks[:, :3]
        visibility = np.clip(np.nan_to_num(landmarks[:, 3]), 0.0, 1.0)
        return make_frame(t, landmarks[:, :3], visibility, image_size, world=world)


def track(images: Iterable[tuple[float, np.ndarray]], tracker: PoseTracker) -> Iterator[Frame]:
    """The frame loop shared by every live or recorded source: one Frame per image."""
    for t, image in images:
        yield tracker.process(image, t)


def video_frames(path: Path | str, model: str = "full", num_poses: int = NUM_POSES) -> Iterator[Frame]:
    """Frames of the person in a video file, in order (lazily; close the generator to stop early)."""
    with PoseTracker(model, num_poses) as tracker:
        yield from track(decode_frames(path), tracker)


def analyse_video(
    path: Path | str,
    model: str = "full",
    num_poses: int = NUM_POSES,
    on_frame: Callable[[int, int], None] | None = None,
) -> PoseSequence:
    """Run the pose model over a whole video and return it as a :class:`PoseSequence`.

    ``on_frame(done, total)`` is called after each frame (for a progress bar); ``total`` is the
    container's frame count and may be 0 when unknown. ``meta["tracking_lost"]`` lists the
    [start, end] seconds where nobody was found for longer than ``filters.MAX_GAP_S``.
    """
    path = Path(path)
    info = probe_video(path)
    frames: list[Frame] = []
    for frame in video_frames(path, model, num_poses):
        frames.append(frame)
        if on_frame is not None:
            on_frame(len(frames), info.frame_count)
    width, height = frames[0].image_size
    world = np.stack([f.world if f.world is not None else np.full((NUM_LANDMARKS, 3), np.nan, np.float32) for f in frames])
    meta = {
        "source": str(path),
        "format": "video",
        "model": model,
        "rotation": info.rotation,
        "decoded_frames": len(frames),
        "frames_without_person": sum(1 for f in frames if not f.visibility.any()),
    }
    sequence = PoseSequence(
        t=np.array([f.t for f in frames]),
        xyz=np.stack([f.xyz for f in frames]),
        visibility=np.stack([f.visibility for f in frames]),
        image_size=(width, height),
        meta=meta,
        world=world,
    )
    # Raw landmarks are kept as MediaPipe gave them; only the long losses are noted.
    _, gaps = fill_gaps(sequence)
    sequence.meta["tracking_lost"] = [[round(lost.start, 4), round(lost.end, 4)] for lost in gaps.lost]
    return sequence

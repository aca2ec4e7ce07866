"""COCO-17 keypoints: KERAAL's AlphaPose files (``{"positions": {frame: {"0": [x, y], ...}}}``,
normalised) and per-frame keypoint lists ``[{"nose": {"x": .., "y": .., "score": ..}, ...}, ...]``
in pixels (as TensorFlow.js pose-detection tests store MoveNet output; pass ``image_size=``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import RecordingError, build_sequence, empty_landmarks, read_json
from backcoach.pose.formats.keypoints2d import canonical_name
from backcoach.pose.formats.openpose import KERAAL_SIZE, load_positions
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

FORMAT_ID = "coco"
DESCRIPTION = "COCO-17 keypoints JSON (AlphaPose 'positions' documents, per-frame keypoint lists)"
FPS = 30.0


def sniff(path: Path, head: bytes) -> bool:
    compact = head.replace(b" ", b"").replace(b"\n", b"")
    return (b'"positions"' in compact and b'{"0":[' in compact) or (
        compact.startswith(b'[{"nose":{"x"')
    )


def _load_keypoint_list(path: Path, frames: list, fps: float, image_size: tuple[int, int] | None) -> PoseSequence:
    if image_size is None:
        raise RecordingError(path, "keypoints are in pixels: pass image_size=(width, height)")
    xyz, visibility = empty_landmarks(len(frames))
    width, height = image_size
    for row, frame in enumerate(frames):
        if not isinstance(frame, dict):
            raise RecordingError(path, f"frame {row} is not an object of keypoints")
        for joint, point in frame.items():
            name = canonical_name(joint)
            if name is None:
                continue
            try:
                x, y = float(point["x"]), float(point["y"])
            except (TypeError, KeyError, ValueError):
                raise RecordingError(path, f"frame {row} keypoint {joint!r}: expected {{'x': .., 'y': ..}}") from None
            xyz[row, INDEX[name]] = (x / width, y / height, 0.0)
            visibility[row, INDEX[name]] = min(max(float(point.get("score", 1.0)), 0.0), 1.0)
    meta = {"source": str(path), "format": FORMAT_ID, "model": "COCO-17 keypoints"}
    return build_sequence(path, np.arange(len(frames)) / fps, xyz, visibility, image_size, meta)


def load(path: Path, fps: float = FPS, image_size: tuple[int, int] | None = None) -> PoseSequence:
    document = read_json(path)
    if isinstance(document, dict) and "positions" in document:
        return load_positions(path, document, fps, image_size or KERAAL_SIZE, FORMAT_ID, "AlphaPose (KERAAL)")
    if isinstance(document, list) and document:
        return _load_keypoint_list(path, document, fps, image_size)
    raise RecordingError(path, "expected a 'positions' object or a non-empty list of keypoint frames")

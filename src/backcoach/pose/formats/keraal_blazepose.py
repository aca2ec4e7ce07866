"""KERAAL BlazePose JSON: ``{"positions": {"<frame>": {"Nose": [x, y, z], ...}}}``.

The KERAAL authors ran MediaPipe on a horizontally flipped image (``cv2.flip(image, 1)``), so
their ``Left_*`` landmarks are the subject's anatomical RIGHT and x is mirrored. We undo both:
x becomes ``1 - x`` and every sided landmark takes its counterpart's slot. The files hold no
visibility (present landmarks get 1) and drop frames without a detection, renumbering the rest,
so timestamps are the frame order at the video rate (20 fps) and gaps are not recoverable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import RecordingError, build_sequence, empty_landmarks, frame_keys, read_json
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX, MIRROR

FORMAT_ID = "keraal-blazepose"
DESCRIPTION = "KERAAL BlazePose JSON (mirrored left/right fixed)"
VIDEO_FPS = 20.0
VIDEO_SIZE = (960, 540)


def sniff(path: Path, head: bytes) -> bool:
    return b'"positions"' in head and b'"Left_shoulder"' in head


def load(path: Path, fps: float = VIDEO_FPS, image_size: tuple[int, int] = VIDEO_SIZE) -> PoseSequence:
    document = read_json(path)
    positions = document.get("positions") if isinstance(document, dict) else None
    keys = frame_keys(path, positions)
    xyz, visibility = empty_landmarks(len(keys))
    for row, key in enumerate(keys):
        joints = positions[key]
        if not isinstance(joints, dict):
            raise RecordingError(path, f"frame {key!r} is not an object of landmarks")
        for name, value in joints.items():
            index = INDEX.get(name.lower())
            if index is None:
                raise RecordingError(path, f"frame {key!r}: unknown BlazePose landmark {name!r}")
            if not (isinstance(value, list) and len(value) == 3):
                raise RecordingError(path, f"frame {key!r} landmark {name!r}: expected [x, y, z], got {value!r}")
            # Undo the flip: their "Left_x" is the subject's right, at mirrored x.
            target = MIRROR[index]
            xyz[row, target] = (1.0 - float(value[0]), float(value[1]), float(value[2]))
            visibility[row, target] = 1.0
    t = np.arange(len(keys)) / fps
    meta = {
        "source": str(path),
        "format": FORMAT_ID,
        "model": "mediapipe-pose-legacy (KERAAL)",
        "mirror_fixed": True,
        "note": "frames without detection were dropped upstream; timestamps assume no gaps",
    }
    return build_sequence(path, t, xyz, visibility, image_size, meta)

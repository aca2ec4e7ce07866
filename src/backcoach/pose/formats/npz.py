"""backcoach's own recording format: a NumPy ``.npz`` archive with a JSON metadata string.

Layout (see docs/recording-format.md): ``t`` (T,) float64 seconds, ``xyz`` (T, 33, 3) float32
normalised image coordinates, ``visibility`` (T, 33) float32, optional ``world`` (T, 33, 3) float32
metres, optional ``camera_tilt`` (T, 2) float64 (the phone's roll and pitch, NaN where unknown), and ``meta`` a 0-d unicode array holding JSON with at least ``format_version``,
``image_size`` [w, h], ``source``, ``model`` and ``fps``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from backcoach.pose._atomic import atomic_output
from backcoach.pose.formats._common import RecordingError, build_sequence
from backcoach.pose.sequence import PoseSequence

FORMAT_ID = "npz"
DESCRIPTION = "backcoach recording (.npz arrays t, xyz, visibility, world, camera_tilt + JSON metadata)"
FORMAT_VERSION = 1
REQUIRED_ARRAYS = ("t", "xyz", "visibility", "meta")


def sniff(path: Path, head: bytes) -> bool:
    return head[:4] == b"PK\x03\x04" and path.suffix.lower() == ".npz"


def load(path: Path) -> PoseSequence:
    try:
        # Open the file ourselves: np.load leaks its handle when the zip is corrupt.
        with path.open("rb") as stream, np.load(stream, allow_pickle=False) as archive:
            missing = [name for name in REQUIRED_ARRAYS if name not in archive.files]
            if missing:
                raise RecordingError(path, f"not a backcoach recording: arrays {', '.join(missing)} are missing")
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        if isinstance(error, RecordingError):
            raise
        raise RecordingError(path, f"cannot read the .npz archive ({error})") from None
    try:
        meta = json.loads(str(arrays["meta"]))
    except json.JSONDecodeError as error:
        raise RecordingError(path, f"metadata is not valid JSON ({error.msg})") from None
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise RecordingError(path, f"format_version {version!r} is not supported (expected {FORMAT_VERSION})")
    size = meta.get("image_size")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise RecordingError(path, f"metadata image_size {size!r} must be [width, height] in pixels")
    return build_sequence(
        path, arrays["t"], arrays["xyz"], arrays["visibility"], (size[0], size[1]), meta, arrays.get("world"),
        arrays.get("camera_tilt"),
    )


def save(sequence: PoseSequence, path: Path, **meta: Any) -> Path:
    """Write ``sequence`` atomically: a temporary file in the same folder renamed into place.

    Extra keyword arguments are merged into the metadata (e.g. ``source=``, ``model=``).
    """
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise RecordingError(path, "a backcoach recording must have the .npz extension")
    if len(sequence) == 0:
        raise RecordingError(path, "refusing to save a recording with no frames")
    metadata = {
        **sequence.meta,
        **meta,
        "format_version": FORMAT_VERSION,
        "image_size": [int(sequence.image_size[0]), int(sequence.image_size[1])],
        "fps": None if len(sequence) < 2 else round(sequence.fps, 6),
    }
    metadata.setdefault("source", None)
    metadata.setdefault("model", None)
    arrays = {
        "t": sequence.t.astype(np.float64),
        "xyz": sequence.xyz.astype(np.float32),
        "visibility": sequence.visibility.astype(np.float32),
        "meta": np.array(json.dumps(metadata, default=str)),
    }
    if sequence.world is not None:
        arrays["world"] = sequence.world.astype(np.float32)
    if sequence.camera_tilt is not None:
        arrays["camera_tilt"] = sequence.camera_tilt.astype(np.float64)
    with atomic_output(path, suffix=".npz.part") as temporary, temporary.open("wb") as stream:
        np.savez_compressed(stream, **arrays)
    return path

"""Helpers shared by the recording adapters: reading files, mapping skeletons, building sequences."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from backcoach.pose.frame import FrameError
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import NUM_LANDMARKS


class RecordingError(ValueError):
    """A recording that cannot be loaded or saved; the message names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


def read_bytes(path: Path) -> bytes:
    """The file's bytes, transparently gunzipped; empty or unreadable files raise RecordingError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RecordingError(path, f"cannot read the file ({error.strerror or error})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise RecordingError(path, f"corrupt gzip data ({error})") from None
    if not raw.strip():
        raise RecordingError(path, "the file is empty")
    return raw


def read_text(path: Path) -> str:
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise RecordingError(path, "not a text file (invalid UTF-8)") from None


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise RecordingError(path, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}") from None


def read_table(path: Path, columns: int, delimiter: str | None) -> np.ndarray:
    """A numeric table with exactly ``columns`` values per row (blank lines ignored)."""
    rows = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(delimiter) if delimiter else line.split()
        if len(parts) != columns:
            raise RecordingError(path, f"line {number} has {len(parts)} values, expected {columns}")
        try:
            rows.append([float(p) for p in parts])
        except ValueError:
            raise RecordingError(path, f"line {number} holds a value that is not a number") from None
    return np.asarray(rows, dtype=np.float64)


def empty_landmarks(frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(xyz, visibility) for ``frames`` frames with every landmark missing (NaN, visibility 0)."""
    return (
        np.full((frames, NUM_LANDMARKS, 3), np.nan, dtype=np.float32),
        np.zeros((frames, NUM_LANDMARKS), dtype=np.float32),
    )


def map_joints(source: np.ndarray, mapping: Mapping[int, int]) -> np.ndarray:
    """Place foreign joints (T, J, D) onto the canonical 33 landmarks (T, 33, D), NaN elsewhere.

    ``mapping`` sends a canonical landmark index to the foreign joint index that stands for it.
    """
    frames, _, dims = source.shape
    out = np.full((frames, NUM_LANDMARKS, dims), np.nan, dtype=np.float64)
    for canonical, foreign in mapping.items():
        out[:, canonical] = source[:, foreign]
    return out


def build_sequence(
    path: Path,
    t: np.ndarray,
    xyz: np.ndarray,
    visibility: np.ndarray,
    image_size: tuple[int, int],
    meta: dict[str, Any],
    world: np.ndarray | None = None,
    camera_tilt: np.ndarray | None = None,
) -> PoseSequence:
    """Validate the arrays of a loaded recording and wrap them, naming the file in any error."""
    xyz = np.asarray(xyz, dtype=np.float32)
    visibility = np.asarray(visibility, dtype=np.float32)
    if len(t) == 0:
        raise RecordingError(path, "the recording holds no frames")
    if xyz.ndim == 3 and xyz.shape[1:] == (NUM_LANDMARKS, 3):
        if np.isinf(xyz).any():
            frame = int(np.argwhere(np.isinf(xyz))[0][0])
            raise RecordingError(path, f"frame {frame} has an infinite coordinate")
        missing = np.isnan(xyz).any(axis=2)
        if missing.all():
            raise RecordingError(path, "every landmark of every frame is NaN: the recording holds no pose")
        if missing.any():
            xyz = xyz.copy()
            xyz[missing] = np.nan
            visibility = np.where(missing, 0.0, visibility).astype(np.float32)
    if visibility.ndim == 2 and (np.isnan(visibility).any() or (visibility < 0).any() or (visibility > 1).any()):
        raise RecordingError(path, "visibility must lie in [0, 1] for every landmark")
    try:
        return PoseSequence(t=t, xyz=xyz, visibility=visibility, image_size=image_size, meta=meta, world=world,
                            camera_tilt=camera_tilt)
    except FrameError as error:
        raise RecordingError(path, str(error)) from None


def frame_keys(path: Path, positions: Any) -> list[str]:
    """Frame keys of a ``{"positions": {frame: {...}}}`` document, in numeric order."""
    if not isinstance(positions, dict) or not positions:
        raise RecordingError(path, "'positions' must be a non-empty object of frames")
    try:
        return sorted(positions, key=float)
    except ValueError:
        raise RecordingError(path, "frame keys under 'positions' must be numbers") from None

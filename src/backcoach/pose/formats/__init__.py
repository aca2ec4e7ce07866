"""Recording loaders: one module per file format, behind :func:`load_recording`.

Each format module defines ``FORMAT_ID``, ``DESCRIPTION``, ``sniff(path, head) -> bool`` (does
this look like my format? ``head`` is the first bytes, gunzipped) and ``load(path, **options)``.
``FORMATS`` is the registry; detection asks each format in registry order.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from backcoach.pose.formats import (
    coco,
    exercise_correction,
    keraal_blazepose,
    keraal_kinect,
    keraal_vicon,
    npz,
    openpose,
    ui_prmd,
)
from backcoach.pose.formats._common import RecordingError
from backcoach.pose.sequence import PoseSequence

__all__ = ["FORMATS", "RecordingError", "RecordingFormat", "detect_format", "load_recording", "save_recording"]

HEAD_BYTES = 4096


@dataclass(frozen=True)
class RecordingFormat:
    id: str
    description: str
    sniff: Callable[[Path, bytes], bool]
    load: Callable[..., PoseSequence]


def _register(*modules: ModuleType) -> dict[str, RecordingFormat]:
    return {m.FORMAT_ID: RecordingFormat(m.FORMAT_ID, m.DESCRIPTION, m.sniff, m.load) for m in modules}


FORMATS: dict[str, RecordingFormat] = _register(
    npz, keraal_blazepose, openpose, coco, keraal_kinect, keraal_vicon, ui_prmd, exercise_correction
)


def _head(path: Path) -> bytes:
    """The first bytes of a file, gunzipped if needed (a truncated gzip stream is fine here)."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(HEAD_BYTES)
    except OSError as error:
        raise RecordingError(path, f"cannot read the file ({error.strerror or error})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw, HEAD_BYTES)
        except zlib.error:
            raise RecordingError(path, "corrupt gzip data") from None
    return raw


def detect_format(path: Path | str) -> str:
    """The id of the format ``path`` is in; RecordingError when none recognises it."""
    path = Path(path)
    if path.is_dir():
        if any(path.glob("*.json")):
            return openpose.FORMAT_ID
        raise RecordingError(path, "a folder is only a recording when it holds OpenPose .json files")
    if not path.exists():
        raise RecordingError(path, "no such file")
    head = _head(path)
    if not head.strip():
        raise RecordingError(path, "the file is empty")
    for recording_format in FORMATS.values():
        if recording_format.sniff(path, head):
            return recording_format.id
    raise RecordingError(path, f"unknown recording format (known: {', '.join(FORMATS)}); pass format= to choose one")


def load_recording(path: Path | str, format: str | None = None, **options: Any) -> PoseSequence:
    """Load a pose recording in any registered format as a :class:`PoseSequence`.

    Parameters
    ----------
    path : path-like
        The file (plain or gzipped), or a folder of OpenPose per-frame files.
    format : str, optional
        A key of :data:`FORMATS`; detected from the content when omitted.
    **options
        Passed to the format's loader, e.g. ``fps=``, ``image_size=(w, h)``, ``angles=`` (UI-PRMD).

    Raises
    ------
    RecordingError
        Unreadable, empty, malformed, NaN-only or unrecognised input; the message names the file.
    """
    path = Path(path)
    if format is None:
        format = detect_format(path)
    elif format not in FORMATS:
        raise RecordingError(path, f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    elif not path.exists():
        raise RecordingError(path, "no such file")
    try:
        return FORMATS[format].load(path, **options)
    except TypeError as error:
        if "unexpected keyword argument" in str(error):
            raise RecordingError(path, f"format {format!r} does not take that option ({error})") from None
        raise


def save_recording(sequence: PoseSequence, path: Path | str, **meta: Any) -> Path:
    """Write ``sequence`` in backcoach's own ``.npz`` format, atomically; extra ``meta`` is merged."""
    return npz.save(sequence, Path(path), **meta)

"""Exercise-Correction CSV (NgoQuocBao1010): ``label`` then ``<landmark>_{x,y,z,v}`` per row.

Coordinates are MediaPipe's (normalised x, y; relative z; visibility v) for a subset of the 33
landmarks. Rows are independent labelled frames, not a continuous video: timestamps are the row
order at a nominal 30 fps, and each row's label is kept in ``meta["labels"]``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import RecordingError, build_sequence, empty_landmarks, read_text
from backcoach.pose.formats.keypoints2d import NOMINAL_SIZE
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

FORMAT_ID = "exercise-correction"
DESCRIPTION = "Exercise-Correction CSV (label + landmark_x/y/z/v columns)"
FPS = 30.0
AXES = ("x", "y", "z", "v")


def sniff(path: Path, head: bytes) -> bool:
    return head.startswith(b"label,") and b"_x," in head.split(b"\n", 1)[0]


def load(path: Path, fps: float = FPS, image_size: tuple[int, int] = NOMINAL_SIZE) -> PoseSequence:
    reader = csv.reader(io.StringIO(read_text(path)))
    header = next(reader)
    columns: dict[int, tuple[int, int]] = {}
    for column, name in enumerate(header[1:], start=1):
        landmark, _, axis = name.rpartition("_")
        if landmark not in INDEX or axis not in AXES:
            raise RecordingError(path, f"column {column + 1} {name!r} is not <landmark>_<x|y|z|v>")
        columns[column] = (INDEX[landmark], AXES.index(axis))
    rows = [row for row in reader if row]
    if not rows:
        raise RecordingError(path, "the file has a header but no rows")
    xyz, visibility = empty_landmarks(len(rows))
    labels = []
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise RecordingError(path, f"line {number} has {len(row)} values, expected {len(header)}")
        labels.append(row[0])
        for column, (landmark, axis) in columns.items():
            try:
                value = float(row[column])
            except ValueError:
                raise RecordingError(path, f"line {number} column {header[column]!r}: {row[column]!r} is not a number") from None
            if axis == 3:
                visibility[number - 2, landmark] = value
            else:
                xyz[number - 2, landmark, axis] = value
    meta = {"source": str(path), "format": FORMAT_ID, "model": "MediaPipe Pose", "labels": labels}
    return build_sequence(path, np.arange(len(rows)) / fps, xyz, visibility, image_size, meta)

"""KERAAL Vicon/ART text files: 17 rigid-body targets x (x, y, z mm, quaternion) per row, z up.

The targets sit on body segments, not at joints, so only those close to a BlazePose landmark are
mapped: shoulder targets to the shoulders, hand targets to the wrists and the head target to the
nose (approximations; the rest are NaN). There is no camera, so image-like coordinates come from an
orthographic front view (``_projection.front_view``); world landmarks are centred on the hips target.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import RecordingError, build_sequence, map_joints, read_table
from backcoach.pose.formats._projection import front_view
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

FORMAT_ID = "keraal-vicon"
DESCRIPTION = "KERAAL Vicon text (17 targets, mm, z up; orthographic front view)"
COLUMNS = 17 * 7
FPS = 40.0  # about twice the video rate
TARGETS = (
    "right_forearm left_forearm right_arm left_arm chest right_thigh left_thigh right_shoulder "
    "left_shoulder right_hand left_hand right_foot left_foot hips head right_tibia left_tibia"
).split()
_T = {name: i for i, name in enumerate(TARGETS)}
MAPPING = {
    INDEX["nose"]: _T["head"],
    INDEX["left_shoulder"]: _T["left_shoulder"],
    INDEX["right_shoulder"]: _T["right_shoulder"],
    INDEX["left_wrist"]: _T["left_hand"],
    INDEX["right_wrist"]: _T["right_hand"],
}


def sniff(path: Path, head: bytes) -> bool:
    first = head.split(b"\n", 1)[0]
    return b"," not in first and len(first.split()) == COLUMNS


def load(path: Path, fps: float = FPS) -> PoseSequence:
    table = read_table(path, COLUMNS, delimiter=None).reshape(-1, 17, 7)[:, :, :3] / 1000.0
    table[np.all(table == 0.0, axis=2)] = np.nan  # lost targets
    points = map_joints(table, MAPPING)
    try:
        xyz, world, size = front_view(
            points, INDEX["left_shoulder"], INDEX["right_shoulder"], np.array([0.0, 0.0, 1.0]), table[:, _T["hips"]]
        )
    except ValueError as error:
        raise RecordingError(path, str(error)) from None
    visibility = np.where(np.isnan(xyz).any(axis=2), 0.0, 1.0)
    meta = {"source": str(path), "format": FORMAT_ID, "model": "Vicon/ART mocap", "projection": "orthographic front view"}
    return build_sequence(path, np.arange(len(table)) / fps, xyz, visibility, size, meta, world)

"""UI-PRMD Kinect files: ``*_positions.txt`` with a matching ``*_angles.txt`` (22 joints x 3, CSV).

Joint 0 (waist) is absolute in centimetres, every other joint an offset from its parent in the
parent's frame (rest pose: y up, x the subject's left, z forward). The angles file holds, per joint,
its rotation relative to its parent as Euler degrees (a, b, c) about (x, y, z), composed as
R = Rz(c) Rx(a) Ry(b): the dataset's "YXZ" order read as rotations about the fixed axes y, then x,
then z. Forward kinematics walks the chain: a joint's global rotation is its parent's global
rotation times its local one, and its position the parent's plus the parent's global rotation
applied to its offset. Other orders, including the Rz Ry Rx of the public Python port of the
dataset's viewer, fold the knees under 25 degrees at the bottom of a deep squat and lift or slide
the feet; this one matches the simultaneous Vicon capture (docs/recording-format.md, "UI-PRMD
Euler order").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from backcoach.pose.formats._common import RecordingError, build_sequence, map_joints, read_table
from backcoach.pose.formats._projection import front_view
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

FORMAT_ID = "ui-prmd"
DESCRIPTION = "UI-PRMD Kinect positions + angles (forward kinematics; orthographic front view)"
COLUMNS = 22 * 3
FPS = 30.0
JOINTS = (
    "waist spine chest neck head head_tip left_collar left_upper_arm left_forearm left_hand "
    "right_collar right_upper_arm right_forearm right_hand left_upper_leg left_lower_leg left_foot "
    "left_leg_toes right_upper_leg right_lower_leg right_foot right_leg_toes"
).split()
#: Parent of each joint: spine 0-5, arms hang from the chest (2), legs from the waist (0).
PARENTS = (-1, 0, 1, 2, 3, 4, 2, 6, 7, 8, 2, 10, 11, 12, 0, 14, 15, 16, 0, 18, 19, 20)
_J = {name: i for i, name in enumerate(JOINTS)}
# A segment joint sits where the segment starts: the upper arm at the shoulder, the forearm at the elbow.
MAPPING = {
    INDEX[canonical]: _J[joint]
    for canonical, joint in {
        "nose": "head",
        "left_shoulder": "left_upper_arm", "right_shoulder": "right_upper_arm",
        "left_elbow": "left_forearm", "right_elbow": "right_forearm",
        "left_wrist": "left_hand", "right_wrist": "right_hand",
        "left_hip": "left_upper_leg", "right_hip": "right_upper_leg",
        "left_knee": "left_lower_leg", "right_knee": "right_lower_leg",
        "left_ankle": "left_foot", "right_ankle": "right_foot",
        "left_foot_index": "left_leg_toes", "right_foot_index": "right_leg_toes",
    }.items()
}


def sniff(path: Path, head: bytes) -> bool:
    first = head.split(b"\n", 1)[0]
    return len(first.split(b",")) == COLUMNS and "positions" in path.name


def angles_path(positions: Path) -> Path:
    """The angles file UI-PRMD keeps beside (``Positions/`` -> ``Angles/``) a positions file."""
    name = positions.name.replace("positions", "angles")
    sibling = positions.with_name(name)
    if positions.parent.name == "Positions":
        return positions.parent.parent / "Angles" / name
    return sibling


def forward_kinematics(offsets: np.ndarray, euler_deg: np.ndarray) -> np.ndarray:
    """Absolute joint positions (T, 22, 3) from parent-relative offsets and local Euler angles."""
    frames, joints, _ = offsets.shape
    # R = Rz(c) Rx(a) Ry(b): intrinsic "ZXY" with the (a, b, c) columns taken as (c, a, b).
    local = Rotation.from_euler("ZXY", euler_deg.reshape(-1, 3)[:, [2, 0, 1]], degrees=True).as_matrix()
    local = local.reshape(frames, joints, 3, 3)
    position = np.zeros_like(offsets)
    rotation = np.zeros_like(local)
    position[:, 0], rotation[:, 0] = offsets[:, 0], local[:, 0]
    for joint in range(1, joints):
        parent = PARENTS[joint]
        position[:, joint] = position[:, parent] + np.einsum("tij,tj->ti", rotation[:, parent], offsets[:, joint])
        rotation[:, joint] = rotation[:, parent] @ local[:, joint]
    return position


def load(path: Path, angles: Path | None = None, fps: float = FPS) -> PoseSequence:
    angles = Path(angles) if angles is not None else angles_path(path)
    offsets = read_table(path, COLUMNS, delimiter=",").reshape(-1, 22, 3)
    if not angles.is_file():
        raise RecordingError(path, f"the matching angles file {angles} is missing (needed for forward kinematics)")
    euler = read_table(angles, COLUMNS, delimiter=",").reshape(-1, 22, 3)
    if len(euler) != len(offsets):
        raise RecordingError(path, f"{len(offsets)} position rows but {len(euler)} angle rows in {angles.name}")
    if not (np.isfinite(offsets).all() and np.isfinite(euler).all()):
        raise RecordingError(path, "positions or angles contain NaN or infinite values")
    absolute = forward_kinematics(offsets, euler) / 100.0  # cm -> m
    points = map_joints(absolute, MAPPING)
    hips = 0.5 * (points[:, INDEX["left_hip"]] + points[:, INDEX["right_hip"]])
    xyz, world, size = front_view(points, INDEX["left_shoulder"], INDEX["right_shoulder"], np.array([0.0, 1.0, 0.0]), hips)
    visibility = np.where(np.isnan(xyz).any(axis=2), 0.0, 1.0)
    meta = {
        "source": str(path),
        "angles": str(angles),
        "format": FORMAT_ID,
        "model": "Kinect v2 (UI-PRMD)",
        "projection": "orthographic front view",
    }
    return build_sequence(path, np.arange(len(offsets)) / fps, xyz, visibility, size, meta, world)

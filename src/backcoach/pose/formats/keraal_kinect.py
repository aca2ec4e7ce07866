"""KERAAL Kinect v2 text files: 25 joints x (x, y, z metres, qx, qy, qz, qw) per row.

Kinect camera space has y up and z away from the sensor; on KERAAL's colour video (960x540, the
sensor's 1920x1080 colour stream halved) a joint's image x grows as camera x *decreases*. We
project through the colour camera's nominal 84.1 degree horizontal field of view, which puts the
joints within a few pixels of KERAAL's own BlazePose landmarks. Joint sides are anatomical.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backcoach.pose.formats._common import build_sequence, map_joints, read_table
from backcoach.pose.formats._projection import pinhole_view
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

FORMAT_ID = "keraal-kinect"
DESCRIPTION = "KERAAL Kinect v2 text (25 joints, metres; pinhole-projected to the colour video)"
COLUMNS = 25 * 7
FPS = 20.0  # one row per colour-video frame
VIDEO_SIZE = (960, 540)
COLOUR_HFOV_DEG = 84.1

KINECT_JOINTS = (
    "SpineBase SpineMid Neck Head ShoulderLeft ElbowLeft WristLeft HandLeft ShoulderRight ElbowRight "
    "WristRight HandRight HipLeft KneeLeft AnkleLeft FootLeft HipRight KneeRight AnkleRight FootRight "
    "SpineShoulder HandTipLeft ThumbLeft HandTipRight ThumbRight"
).split()
_K = {name: i for i, name in enumerate(KINECT_JOINTS)}

#: Canonical landmark -> Kinect joint. The head joint (centre of the head) stands in for the nose.
MAPPING = {
    INDEX[canonical]: _K[kinect]
    for canonical, kinect in {
        "nose": "Head",
        "left_shoulder": "ShoulderLeft", "right_shoulder": "ShoulderRight",
        "left_elbow": "ElbowLeft", "right_elbow": "ElbowRight",
        "left_wrist": "WristLeft", "right_wrist": "WristRight",
        "left_index": "HandTipLeft", "right_index": "HandTipRight",
        "left_thumb": "ThumbLeft", "right_thumb": "ThumbRight",
        "left_hip": "HipLeft", "right_hip": "HipRight",
        "left_knee": "KneeLeft", "right_knee": "KneeRight",
        "left_ankle": "AnkleLeft", "right_ankle": "AnkleRight",
        "left_foot_index": "FootLeft", "right_foot_index": "FootRight",
    }.items()
}


def sniff(path: Path, head: bytes) -> bool:
    first = head.split(b"\n", 1)[0]
    return b"," not in first and len(first.split()) == COLUMNS


def load(path: Path, fps: float = FPS, image_size: tuple[int, int] = VIDEO_SIZE) -> PoseSequence:
    table = read_table(path, COLUMNS, delimiter=None).reshape(-1, 25, 7)[:, :, :3]
    # Untracked joints are written as exact zeros.
    table[np.all(table == 0.0, axis=2)] = np.nan
    camera = map_joints(table, MAPPING) * np.array([-1.0, -1.0, 1.0])  # to x right, y down, z forward
    origin = 0.5 * (camera[:, INDEX["left_hip"]] + camera[:, INDEX["right_hip"]])
    xyz, world = pinhole_view(camera, origin, image_size, COLOUR_HFOV_DEG)
    visibility = np.where(np.isnan(xyz).any(axis=2), 0.0, 1.0)
    meta = {
        "source": str(path),
        "format": FORMAT_ID,
        "model": "Kinect v2",
        "projection": f"pinhole, horizontal FOV {COLOUR_HFOV_DEG} deg, principal point at centre",
    }
    return build_sequence(path, np.arange(len(table)) / fps, xyz, visibility, image_size, meta, world)

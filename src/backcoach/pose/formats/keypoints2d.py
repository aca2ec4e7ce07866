"""2D keypoint skeletons (COCO-17, OpenPose COCO-18 and BODY_25) mapped onto BlazePose-33.

Shared by the ``openpose`` and ``coco`` adapters. 2D formats have no depth: z is 0 for every
landmark they hold (NaN would mark it missing), and landmarks they lack are NaN with visibility 0.
"""

from __future__ import annotations

import re

from backcoach.pose.skeleton import INDEX

#: Image size assumed for normalised 2D files that do not record it (pass ``image_size=`` to set it).
NOMINAL_SIZE = (1000, 1000)

COCO17 = (
    "nose left_eye right_eye left_ear right_ear left_shoulder right_shoulder left_elbow right_elbow "
    "left_wrist right_wrist left_hip right_hip left_knee right_knee left_ankle right_ankle"
).split()
OPENPOSE18 = (
    "nose neck right_shoulder right_elbow right_wrist left_shoulder left_elbow left_wrist right_hip "
    "right_knee right_ankle left_hip left_knee left_ankle right_eye left_eye right_ear left_ear"
).split()
BODY25 = (
    "nose neck right_shoulder right_elbow right_wrist left_shoulder left_elbow left_wrist mid_hip "
    "right_hip right_knee right_ankle left_hip left_knee left_ankle right_eye left_eye right_ear "
    "left_ear left_big_toe left_small_toe left_heel right_big_toe right_small_toe right_heel"
).split()
#: Foreign names that are a BlazePose landmark under another name.
ALIASES = {
    "left_big_toe": "left_foot_index",
    "right_big_toe": "right_foot_index",
    "head": "nose",  # KERAAL's 14-joint OpenPose files call the nose "Head"
}


def canonical_name(name: str) -> str | None:
    """BlazePose name for a foreign joint name ("rShoulder", "LShoulder", "left_shoulder"), or None.

    Joints BlazePose lacks (neck, mid-hip, small toes) give None and are dropped.
    """
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).lower().replace("-", "_")
    match = re.fullmatch(r"([lr])_?(shoulder|elbow|wrist|hip|knee|ankle|eye|ear|heel|big_toe)", snake)
    if match:
        snake = ("left_" if match[1] == "l" else "right_") + match[2]
    snake = ALIASES.get(snake, snake)
    return snake if snake in INDEX else None

"""Standard start postures and floor contact.

A posture is a base orientation of the pelvis plus default joint angles. Every base is one plain
rotation away from standing facing +x (leaning back to lie face up, forward to kneel on all fours
or lie face down, sideways to lie on a side), so the setup lead-in can turn a standing body into
it smoothly. Placing a pose on the
floor lowers it until the landmark closest to the floor (counting each landmark's body
thickness, :attr:`BodyShape.clearance`) touches ``z = 0``, so lying and all-fours poses rest on
the ground and standing feet stand on it. A sitting body's feet rest on the floor and the hips on
a seat at knee height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backcoach.motion.synthetic.body import BodyShape, forward_kinematics, pose_vector


def _frame(anterior: tuple[float, float, float], left: tuple[float, float, float]) -> np.ndarray:
    a, l = np.array(anterior, float), np.array(left, float)
    return np.column_stack([a, l, np.cross(a, l)])


@dataclass(frozen=True)
class Posture:
    """A named start posture.

    ``base`` columns are the pelvis' anterior, left and superior axes in the world; ``joints`` the
    default angles; ``upright`` tells the camera to use a portrait image; ``contacts`` the
    landmarks that rest on the floor (checked by tests).
    """

    name: str
    base: np.ndarray
    joints: dict[str, float]
    upright: bool
    contacts: tuple[str, ...]

    def pose(self, overrides: dict[str, float] | None = None) -> np.ndarray:
        """The posture's pose vector with some joints overridden."""
        return pose_vector({**self.joints, **(overrides or {})})

    @property
    def heading(self) -> np.ndarray:
        """Horizontal unit vector the subject faces or, lying and on all fours, the head points."""
        for axis in (self.base[:, 0], self.base[:, 2]):
            flat = np.array([axis[0], axis[1], 0.0])
            if np.linalg.norm(flat) > 0.5:
                return flat / np.linalg.norm(flat)
        raise AssertionError("a posture base has no horizontal axis")

    @property
    def left(self) -> np.ndarray:
        """Horizontal unit vector toward the subject's left (up for a body lying on its left)."""
        flat = np.array([self.base[0, 1], self.base[1, 1], 0.0])
        if np.linalg.norm(flat) > 0.5:
            return flat / np.linalg.norm(flat)
        return np.cross([0.0, 0.0, 1.0], self.heading)


_BOTH = lambda **angles: {f"{s}_{k}": v for s in ("left", "right") for k, v in angles.items()}  # noqa: E731

STANDING_ARMS = _BOTH(elbow_flex=5.0)
SITTING = _BOTH(hip_flex=90.0, knee_flex=90.0, shoulder_flex=10.0, elbow_flex=50.0)  # hands on the thighs
KNEELING = _BOTH(knee_flex=90.0, ankle_dorsi=-90.0, elbow_flex=5.0)
# On all fours: thighs vertical, shanks flat, arms near vertical with soft elbows, palms flat.
# With these proportions the arm is longer than thigh plus knee, so the shoulders sit higher than
# the hips: the trunk rises 10 degrees toward the head, as it does in many real people.
QUADRUPED = {
    **_BOTH(hip_flex=80.0, knee_flex=90.0, ankle_dorsi=-90.0, shoulder_flex=80.0, elbow_flex=22.0, wrist_ext=82.0),
    "pelvis_pitch": -10.0,
}
PRONE = {**_BOTH(ankle_dorsi=-70.0), "neck_rot": 60.0, "neck_flex": -20.0}  # head turned, cheek down

POSTURES: dict[str, Posture] = {
    p.name: p
    for p in (
        Posture("standing", np.eye(3), STANDING_ARMS, True, ("left_heel", "right_heel", "left_foot_index", "right_foot_index")),
        Posture("sitting", np.eye(3), SITTING, True, ("left_heel", "right_heel", "left_foot_index", "right_foot_index")),
        Posture("kneeling", np.eye(3), KNEELING, True, ("left_knee", "right_knee")),
        Posture("quadruped", _frame((0, 0, -1), (0, 1, 0)), QUADRUPED, False, ("left_knee", "right_knee", "left_wrist", "right_wrist")),
        Posture("supine", _frame((0, 0, 1), (0, 1, 0)), {}, False, ("left_shoulder", "right_shoulder", "left_hip", "right_hip")),
        Posture("prone", _frame((0, 0, -1), (0, 1, 0)), PRONE, False, ("left_shoulder", "right_shoulder", "left_hip", "right_hip")),
        # Lying on the left side (left side down) and on the right side; the shoulders are wider
        # than the hips, so the trunk bends up from the waist for both to touch the floor.
        Posture("side_lying", _frame((1, 0, 0), (0, 0, -1)), {"trunk_lat": -15.0, "left_shoulder_flex": 90.0}, False, ("left_shoulder", "left_hip")),
        Posture("side_lying_right", _frame((1, 0, 0), (0, 0, 1)), {"trunk_lat": 15.0, "right_shoulder_flex": 90.0}, False, ("right_shoulder", "right_hip")),
    )
}


#: Postures whose mirror image (left and right swapped) is another posture; the others are symmetric.
MIRROR_POSTURE = {"side_lying": "side_lying_right", "side_lying_right": "side_lying"}


def floor_offset(points: np.ndarray, shape: BodyShape) -> float:
    """Vertical shift that puts the lowest landmark (with its body thickness) on the floor."""
    return float(-np.min(points[:, 2] - shape.clearance))


def place(shape: BodyShape, posture: Posture, pose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Landmarks of ``pose`` resting on the floor with the hip midpoint above the world origin.

    Returns the (33, 3) landmarks and the hip-midpoint position.
    """
    skeleton = forward_kinematics(shape, pose, posture.base, np.zeros(3))
    lift = floor_offset(skeleton.points, shape)
    origin = np.array([0.0, 0.0, lift])
    return skeleton.points + origin, origin

"""An articulated stick body that yields the 33 BlazePose landmarks from joint angles.

World frame: metres, right-handed, ``x`` forward, ``y`` left, ``z`` up; the floor is ``z = 0``.
Every segment carries a frame whose columns are its *anterior*, *left* and *superior* axes. The
pelvis frame is the posture's base orientation turned by ``pelvis_pitch/roll/yaw``; every other
segment hangs off its parent by anatomical angles in degrees, 0 in the anatomical standing
position:

* ``*_flex`` flexion (trunk bends forward, thigh or arm swings forward, knee/elbow bend),
  negative is extension; ``ankle_dorsi`` lifts the toes.
* ``wrist_ext`` tilts the hand toward the forearm's front (thumb) side: 90 puts the palm flat
  on the floor, fingers forward, when the arm hangs vertically (the model has no forearm twist).
* ``*_abd`` abduction (limb away from the midline); ``*_rot`` internal rotation.
* ``trunk_lat`` bends the trunk toward the subject's left; ``trunk_rot`` and ``neck_rot`` turn the
  shoulders (head) to the subject's left; ``pelvis_roll`` drops the pelvis' right side
  (superior axis tilts to the left) and ``pelvis_yaw`` turns it to the left.

Segment lengths are fractions of body height after Drillis & Contini (1966) as tabulated in
Winter, *Biomechanics and Motor Control of Human Movement* (4th ed., 2009, Fig. 4.1): hip height
0.530, knee 0.285, ankle 0.039, shoulder 0.818, upper arm 0.186, forearm 0.146, hand 0.108, foot
0.152, shoulder width 0.259. The distance between the two hip landmarks (hip joint centres, not
the pelvis' outer width) and the face offsets are engineering values chosen to resemble
MediaPipe's landmark placement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backcoach.pose.skeleton import NUM_LANDMARKS, Landmark

#: Every joint parameter, in the order of a pose vector. Angles in degrees; ``pelvis_forward``,
#: ``pelvis_left`` and ``pelvis_up`` shift the pelvis, and ``feet_forward`` slides planted feet, in
#: fractions of body height; ``shoulder_shrug`` lifts both shoulders toward the ears (fraction of
#: body height, the head stays).
SIDED_JOINTS = (
    "hip_flex", "hip_abd", "hip_rot", "knee_flex", "ankle_dorsi",
    "shoulder_flex", "shoulder_abd", "shoulder_rot", "elbow_flex", "wrist_ext",
)  # fmt: skip
CENTRAL_JOINTS = (
    "pelvis_forward", "pelvis_left", "pelvis_up", "pelvis_pitch", "pelvis_roll", "pelvis_yaw",
    "trunk_flex", "trunk_lat", "trunk_rot", "neck_flex", "neck_rot", "feet_forward", "shoulder_shrug",
)  # fmt: skip
JOINTS: tuple[str, ...] = CENTRAL_JOINTS + tuple(
    f"{side}_{name}" for side in ("left", "right") for name in SIDED_JOINTS
)
JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(JOINTS)}

#: Limbs that a motion may plant (keep the hand or foot where it started).
LIMBS = ("left_leg", "right_leg", "left_arm", "right_arm")

# Fractions of body height (see the module docstring for the source).
RATIOS = {
    "thigh": 0.530 - 0.285,
    "shank": 0.285 - 0.039,
    "ankle_height": 0.039,
    "foot": 0.152,
    "heel_back": 0.038,  # ankle to the back of the heel along the foot
    "trunk": 0.818 - 0.530,
    "shoulder_width": 0.259,
    "hip_width": 0.110,
    "upper_arm": 0.186,
    "forearm": 0.146,
    "hand": 0.108,
    "neck": 0.107,  # shoulder midpoint to ear midpoint
    "ear_half": 0.044,
}

#: Half thickness of the body at each landmark (fraction of height): how far above the floor the
#: landmark sits when that part of the body rests on the floor. Feet soles and fingertips are 0.
_CLEARANCE_BY_PART = {
    "shoulder": 0.055, "hip": 0.055, "ear": 0.05, "eye": 0.05, "nose": 0.05, "mouth": 0.05,
    "elbow": 0.025, "knee": 0.03, "wrist": 0.02, "ankle": 0.025,
    "pinky": 0.008, "index": 0.008, "thumb": 0.008, "heel": 0.0, "foot_index": 0.0,
}  # fmt: skip


def _clearance_vector() -> np.ndarray:
    out = np.zeros(NUM_LANDMARKS)
    for landmark in Landmark:
        for part, value in _CLEARANCE_BY_PART.items():
            if part in landmark.name:
                out[landmark] = value
    return out


CLEARANCE = _clearance_vector()


@dataclass(frozen=True)
class BodyShape:
    """Body height and limb proportions.

    The ``*_scale`` factors multiply the default ratios, so ``leg_scale=1.1`` gives legs 10%
    longer than average for the same height (the head and trunk are not rescaled to compensate).
    """

    height: float = 1.70
    leg_scale: float = 1.0
    arm_scale: float = 1.0
    trunk_scale: float = 1.0
    shoulder_scale: float = 1.0
    hip_scale: float = 1.0

    def __post_init__(self) -> None:
        if not 0.5 <= self.height <= 2.5:
            raise ValueError(f"body height {self.height} m is outside 0.5..2.5 m")
        for name in ("leg_scale", "arm_scale", "trunk_scale", "shoulder_scale", "hip_scale"):
            value = getattr(self, name)
            if not 0.5 <= value <= 1.5:
                raise ValueError(f"{name} = {value} is outside 0.5..1.5")

    def length(self, segment: str) -> float:
        """Length in metres of a named segment (a key of :data:`RATIOS`)."""
        scale = {
            "thigh": self.leg_scale, "shank": self.leg_scale, "trunk": self.trunk_scale,
            "upper_arm": self.arm_scale, "forearm": self.arm_scale, "hand": self.arm_scale,
            "shoulder_width": self.shoulder_scale, "hip_width": self.hip_scale,
        }.get(segment, 1.0)  # fmt: skip
        return RATIOS[segment] * self.height * scale

    @property
    def clearance(self) -> np.ndarray:
        """(33,) metres each landmark sits above a floor it rests on."""
        return CLEARANCE * self.height


def rot_x(degrees: float) -> np.ndarray:
    """Right-handed rotation about the x axis."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rot_y(degrees: float) -> np.ndarray:
    """Right-handed rotation about the y axis."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rot_z(degrees: float) -> np.ndarray:
    """Right-handed rotation about the z axis."""
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


@dataclass
class Skeleton:
    """Landmarks of one pose plus the segment frames needed to place and constrain it."""

    points: np.ndarray  # (33, 3) world metres
    pelvis_frame: np.ndarray  # (3, 3) columns anterior, left, superior
    head_frame: np.ndarray
    joints: dict[str, np.ndarray] = field(default_factory=dict)  # named joint centres


def pose_vector(values: dict[str, float] | None = None) -> np.ndarray:
    """A pose vector (all zeros = anatomical standing) with the given joints set."""
    pose = np.zeros(len(JOINTS))
    for name, value in (values or {}).items():
        pose[JOINT_INDEX[name]] = value
    return pose


def forward_kinematics(shape: BodyShape, pose: np.ndarray, base: np.ndarray, origin: np.ndarray) -> Skeleton:
    """Landmarks of ``pose`` with the hip midpoint at ``origin`` and pelvis base rotation ``base``.

    ``pelvis_forward/left/up`` are *not* applied here (the caller places the pelvis).
    """
    j = dict(zip(JOINTS, pose))
    pts = np.zeros((NUM_LANDMARKS, 3))
    L = Landmark
    pelvis = base @ rot_y(j["pelvis_pitch"]) @ rot_x(-j["pelvis_roll"]) @ rot_z(j["pelvis_yaw"])
    half_hip = shape.length("hip_width") / 2
    hips = {"left": origin + pelvis[:, 1] * half_hip, "right": origin - pelvis[:, 1] * half_hip}

    trunk = pelvis @ rot_y(j["trunk_flex"]) @ rot_x(-j["trunk_lat"]) @ rot_z(j["trunk_rot"])
    shoulder_mid = origin + trunk[:, 2] * shape.length("trunk")
    half_sh = shape.length("shoulder_width") / 2
    shrug = trunk[:, 2] * j["shoulder_shrug"] * shape.height
    shoulders = {"left": shoulder_mid + shrug + trunk[:, 1] * half_sh, "right": shoulder_mid + shrug - trunk[:, 1] * half_sh}

    head = trunk @ rot_y(j["neck_flex"]) @ rot_z(j["neck_rot"])
    h = shape.height
    ear_mid = shoulder_mid + head @ np.array([-0.01 * h, 0.0, shape.length("neck")])

    def face(forward: float, left: float, up: float) -> np.ndarray:
        return ear_mid + head @ np.array([forward * h, left * h, up * h])

    ear = RATIOS["ear_half"]
    pts[L.nose] = face(0.058, 0.0, -0.012)
    pts[L.left_ear], pts[L.right_ear] = face(0.0, ear, 0.0), face(0.0, -ear, 0.0)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        pts[L[f"{side}_eye_inner"]] = face(0.050, sign * 0.009, 0.006)
        pts[L[f"{side}_eye"]] = face(0.048, sign * 0.018, 0.006)
        pts[L[f"{side}_eye_outer"]] = face(0.045, sign * 0.026, 0.006)
        pts[L[f"mouth_{side}"]] = face(0.052, sign * 0.013, -0.034)

    joints: dict[str, np.ndarray] = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        # Leg: flexion swings the thigh forward, abduction away from the midline.
        thigh = pelvis @ rot_y(-j[f"{side}_hip_flex"]) @ rot_x(sign * j[f"{side}_hip_abd"]) @ rot_z(-sign * j[f"{side}_hip_rot"])
        knee = hips[side] - thigh[:, 2] * shape.length("thigh")
        shank = thigh @ rot_y(j[f"{side}_knee_flex"])
        ankle = knee - shank[:, 2] * shape.length("shank")
        foot = shank @ rot_y(-j[f"{side}_ankle_dorsi"])
        sole = -shape.length("ankle_height")
        heel = ankle + foot @ np.array([-shape.length("heel_back"), 0.0, sole])
        toe = ankle + foot @ np.array([shape.length("foot") - shape.length("heel_back"), 0.0, sole])
        pts[L[f"{side}_hip"]], pts[L[f"{side}_knee"]], pts[L[f"{side}_ankle"]] = hips[side], knee, ankle
        pts[L[f"{side}_heel"]], pts[L[f"{side}_foot_index"]] = heel, toe

        # Arm: flexion raises it forward, abduction sideways; the elbow bends the forearm forward.
        upper = trunk @ rot_y(-j[f"{side}_shoulder_flex"]) @ rot_x(sign * j[f"{side}_shoulder_abd"]) @ rot_z(-sign * j[f"{side}_shoulder_rot"])
        elbow = shoulders[side] - upper[:, 2] * shape.length("upper_arm")
        fore = upper @ rot_y(-j[f"{side}_elbow_flex"])
        wrist = elbow - fore[:, 2] * shape.length("forearm")
        fore = fore @ rot_y(-j[f"{side}_wrist_ext"])
        hand = shape.length("hand")
        pts[L[f"{side}_shoulder"]], pts[L[f"{side}_elbow"]], pts[L[f"{side}_wrist"]] = shoulders[side], elbow, wrist
        # Neutral hand: palm toward the thigh, thumb forward, little finger behind.
        pts[L[f"{side}_index"]] = wrist + fore @ np.array([0.15 * hand, -sign * 0.05 * hand, -0.75 * hand])
        pts[L[f"{side}_pinky"]] = wrist + fore @ np.array([-0.15 * hand, -sign * 0.05 * hand, -0.65 * hand])
        pts[L[f"{side}_thumb"]] = wrist + fore @ np.array([0.30 * hand, 0.0, -0.40 * hand])
        joints[f"{side}_leg_pole"] = knee
        joints[f"{side}_arm_pole"] = elbow
    return Skeleton(points=pts, pelvis_frame=pelvis, head_frame=head, joints=joints)


#: (root, middle, end, distal points kept with the end, upper segment, lower segment) per limb.
LIMB_CHAINS = {
    f"{side}_{limb}": (
        Landmark[f"{side}_{root}"], Landmark[f"{side}_{mid}"], Landmark[f"{side}_{end}"],
        tuple(Landmark[f"{side}_{d}"] for d in distal), upper, lower,
    )
    for side in ("left", "right")
    for limb, root, mid, end, distal, upper, lower in (
        ("leg", "hip", "knee", "ankle", ("heel", "foot_index"), "thigh", "shank"),
        ("arm", "shoulder", "elbow", "wrist", ("index", "pinky", "thumb"), "upper_arm", "forearm"),
    )
}  # fmt: skip


def plant_limb(points: np.ndarray, shape: BodyShape, limb: str, target_end: np.ndarray, target_distal: np.ndarray) -> None:
    """Two-link inverse kinematics: put the limb's hand or foot back at its planted position.

    The middle joint (knee, elbow) bends toward where forward kinematics put it, so a motion's
    joint angles still choose which way it points. Bone lengths are kept; if the target is out of
    reach the limb straightens toward it and the hand or foot slides (the planted points move with
    the end joint). Edits ``points`` in place.
    """
    root_i, mid_i, end_i, distal, upper_name, lower_name = LIMB_CHAINS[limb]
    root, pole = points[root_i], points[mid_i]
    a, b = shape.length(upper_name), shape.length(lower_name)
    to_target = target_end - root
    d = float(np.linalg.norm(to_target))
    u = to_target / d
    d_reach = float(np.clip(d, abs(a - b) + 1e-6, a + b - 1e-6))
    v = (pole - root) - np.dot(pole - root, u) * u
    if np.linalg.norm(v) < 1e-9:  # straight limb: any perpendicular works, keep it stable
        v = np.cross(u, [0.0, 0.0, 1.0]) if abs(u[2]) < 0.9 else np.cross(u, [1.0, 0.0, 0.0])
    v /= np.linalg.norm(v)
    x = (a * a - b * b + d_reach * d_reach) / (2 * d_reach)
    mid = root + x * u + np.sqrt(max(a * a - x * x, 0.0)) * v
    end = root + u * d_reach
    points[mid_i] = mid
    points[end_i] = end
    points[list(distal)] = target_distal + (end - target_end)

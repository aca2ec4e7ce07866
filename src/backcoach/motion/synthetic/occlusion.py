"""Which landmarks the body itself hides from the camera.

The stick body is given volume by simple solids sized from its proportions: the torso is a
capsule of elliptic cross-section from the hip midpoint to the shoulder midpoint, the head a
sphere, and every limb segment (upper arm, forearm, hand, thigh, shank, foot) a round capsule. A
landmark is hidden when the ray from the camera to it passes through a solid it is not part of.

A tracker places a joint from the limb around it, so a knee behind a thin forearm crossing it is
still found while a far knee behind the near leg is not. A landmark's hiding is therefore the
mean over the landmark itself and points :data:`NEIGHBOURHOOD` of the way along each of its
bones (:data:`backcoach.pose.skeleton.BONES`).

A stick body cannot say on which side of a surface a resting hand lies (the hand on the chest,
the wrist on the thigh may sit a little inside the solid they rest on). A point is therefore
hidden only when the ray comes closest to a solid's axis *before* reaching the point: a point on
the camera's side of the axis is taken to be on the surface facing the camera, in sight, while a
point beyond the axis is behind the solid.
"""

from __future__ import annotations

import numpy as np

from backcoach.motion.synthetic.body import BodyShape
from backcoach.pose.skeleton import BONES, NUM_LANDMARKS, Landmark

#: Radii of the round solids, fractions of body height: engineering values from typical adult
#: girths at 1.70 m (upper arm 30 cm, forearm 26 cm, thigh 55 cm, calf 37 cm around; a hand
#: and a foot about 5 and 8 cm thick), and a head about 19 cm across.
LIMB_RADIUS = {"upper_arm": 0.028, "forearm": 0.024, "hand": 0.015, "thigh": 0.051, "shank": 0.035, "foot": 0.025}
HEAD_RADIUS = 0.055
#: Torso half width and half depth (fractions of height): a chest about 31 cm wide and, as
#: :data:`body.CLEARANCE` has it for a back resting on the floor, 19 cm deep.
TORSO_HALF_WIDTH = 0.09
TORSO_HALF_DEPTH = 0.055
#: Soft silhouette edge: a ray passing within ``1 - EDGE`` of a solid's surface (in units of its
#: radius) is fully blocked, one passing ``1 + EDGE`` away not at all, linearly between.
EDGE = 0.1
#: Fraction of each bone, from the landmark, over which the tracker looks for it.
NEIGHBOURHOOD = 0.3


def _limb_solids() -> list[tuple[str, tuple[int, ...], tuple[int, ...], tuple[int, ...]]]:
    """(segment, landmarks averaged for one end, for the other end, member landmarks) per limb."""
    out = []
    for side in ("left", "right"):
        L = {name: int(Landmark[f"{side}_{name}"]) for name in (
            "shoulder", "elbow", "wrist", "index", "pinky", "thumb", "hip", "knee", "ankle", "heel", "foot_index")}  # fmt: skip
        out += [
            ("upper_arm", (L["shoulder"],), (L["elbow"],), (L["shoulder"], L["elbow"])),
            ("forearm", (L["elbow"],), (L["wrist"],), (L["elbow"], L["wrist"])),
            ("hand", (L["wrist"],), (L["index"], L["pinky"]), (L["wrist"], L["index"], L["pinky"], L["thumb"])),
            ("thigh", (L["hip"],), (L["knee"],), (L["hip"], L["knee"])),
            ("shank", (L["knee"],), (L["ankle"],), (L["knee"], L["ankle"])),
            ("foot", (L["heel"],), (L["foot_index"],), (L["ankle"], L["heel"], L["foot_index"])),
        ]
    return out


LIMB_SOLIDS = _limb_solids()
FACE = tuple(int(m) for m in Landmark if m <= Landmark.mouth_right)
TORSO_MEMBERS = tuple(int(Landmark[n]) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))


def _samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points looked at per landmark: (owner landmark, bone neighbour, fraction toward it) each."""
    owner, other, fraction = list(range(NUM_LANDMARKS)), list(range(NUM_LANDMARKS)), [0.0] * NUM_LANDMARKS
    for a, b in BONES:
        for m, n in ((a, b), (b, a)):
            if m not in FACE and n not in FACE:
                owner.append(m)
                other.append(n)
                fraction.append(NEIGHBOURHOOD)
    return np.array(owner), np.array(other), np.array(fraction)


SAMPLE_OWNER, SAMPLE_TOWARD, SAMPLE_FRACTION = _samples()
#: (33, samples) averaging matrix from sample points back to their landmarks.
_MEAN = np.eye(NUM_LANDMARKS)[:, SAMPLE_OWNER] / np.bincount(SAMPLE_OWNER, minlength=NUM_LANDMARKS)[:, None]


def _closest(p1: np.ndarray, q1: np.ndarray, q2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance between segments p1-q1 and 0-q2, and the parameter on p1-q1 where it is reached.

    Broadcasting arrays of points (..., 3); the second segment may have zero length (a sphere).
    Closest points of two segments after Ericson, *Real-Time Collision Detection* (2005), 5.1.9.
    """
    d1, d2, r = q1 - p1, np.broadcast_to(q2, q1.shape), p1
    a = np.einsum("...i,...i", d1, d1)
    e = np.einsum("...i,...i", d2, d2)
    f = np.einsum("...i,...i", d2, r)
    c = np.einsum("...i,...i", d1, r)
    b = np.einsum("...i,...i", d1, d2)
    degenerate = e <= 1e-12
    safe_e = np.where(degenerate, 1.0, e)
    denom = a * e - b * b
    s = np.where(denom > 1e-12, np.clip((b * f - c * e) / np.where(denom > 1e-12, denom, 1.0), 0.0, 1.0), 0.0)
    t = (b * s + f) / safe_e
    s = np.where(t < 0, np.clip(-c / a, 0.0, 1.0), np.where(t > 1, np.clip((b - c) / a, 0.0, 1.0), s))
    t = np.clip(t, 0.0, 1.0)
    s = np.where(degenerate, np.clip(-c / a, 0.0, 1.0), s)
    t = np.where(degenerate, 0.0, t)
    gap = p1 + d1 * s[..., None] - d2 * t[..., None]
    return np.linalg.norm(gap, axis=-1), s


def blocked(camera: np.ndarray, world: np.ndarray, start: np.ndarray, end: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """How far (0..1) one solid blocks the ray from the lens to each point ``world`` (T, N, 3), (T, N).

    The solid is the set of points within 1 of the segment ``start``-``end`` (T, 3) after the
    linear map ``scale`` (T, 3, 3) that turns it into a unit-radius capsule.
    """
    eye = np.einsum("tij,tj->ti", scale, camera - start)[:, None, :]
    points = np.einsum("tij,tkj->tki", scale, world - start[:, None, :])
    axis = np.einsum("tij,tj->ti", scale, end - start)[:, None, :]
    gap, s = _closest(np.broadcast_to(eye, points.shape), points, axis)
    blocked = np.clip((1.0 + EDGE - gap) / (2 * EDGE), 0.0, 1.0)
    return np.where(s < 1.0 - 1e-9, blocked, 0.0)


def _round(radius: float, count: int) -> np.ndarray:
    return np.broadcast_to(np.eye(3) / radius, (count, 3, 3))


def hidden(camera_position: np.ndarray, world: np.ndarray, body: BodyShape) -> np.ndarray:
    """How far (0 = in sight, 1 = behind the body) each landmark is hidden, (T, 33).

    ``world`` holds the landmarks (T, 33, 3) in metres, ``camera_position`` the lens (3,). A
    landmark is never hidden by a solid it belongs to (a wrist by its forearm or hand).
    """
    world = np.asarray(world, float)
    frames = len(world)
    height = body.height
    fraction = SAMPLE_FRACTION[None, :, None]
    points = world[:, SAMPLE_OWNER] * (1 - fraction) + world[:, SAMPLE_TOWARD] * fraction
    out = np.zeros(points.shape[:2])

    def add(start: np.ndarray, end: np.ndarray, scale: np.ndarray, members: tuple[int, ...]) -> None:
        block = blocked(camera_position, points, start, end, scale)
        block[:, np.isin(SAMPLE_OWNER, members)] = 0.0
        np.maximum(out, block, out=out)

    L = Landmark
    hip_mid = (world[:, L.left_hip] + world[:, L.right_hip]) / 2
    shoulder_mid = (world[:, L.left_shoulder] + world[:, L.right_shoulder]) / 2
    axial = shoulder_mid - hip_mid
    axial /= np.linalg.norm(axial, axis=-1, keepdims=True)
    lateral = world[:, L.left_shoulder] - world[:, L.right_shoulder] + world[:, L.left_hip] - world[:, L.right_hip]
    lateral -= np.einsum("ti,ti->t", lateral, axial)[:, None] * axial
    lateral /= np.linalg.norm(lateral, axis=-1, keepdims=True)
    depth = np.cross(axial, lateral)
    half_depth = TORSO_HALF_DEPTH * height
    # Rows map onto the unit capsule: across / half width, depth and along / half depth (the
    # rounded ends reach half a depth past the hips and shoulders).
    torso = np.stack([lateral / (TORSO_HALF_WIDTH * height), depth / half_depth, axial / half_depth], axis=1)
    add(hip_mid, shoulder_mid, torso, TORSO_MEMBERS)
    ear_mid = (world[:, L.left_ear] + world[:, L.right_ear]) / 2
    add(ear_mid, ear_mid, _round(HEAD_RADIUS * height, frames), FACE)
    for segment, a, b, members in LIMB_SOLIDS:
        start, end = world[:, list(a)].mean(axis=1), world[:, list(b)].mean(axis=1)
        add(start, end, _round(LIMB_RADIUS[segment] * height, frames), members)
    return out @ _MEAN.T

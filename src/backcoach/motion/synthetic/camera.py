"""A pinhole phone camera that films the synthetic body the way MediaPipe reports it.

Camera coordinates follow OpenCV: ``x`` right, ``y`` down, ``z`` forward along the optical axis,
metres. Projection gives normalised image coordinates (x right, y down, 0..1 of width and
height) and MediaPipe's relative depth: ``z`` is the depth minus the hip midpoint's depth, in the
same units as ``x`` (so a step of one image width toward the camera is -1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backcoach.motion.synthetic.body import BodyShape
from backcoach.motion.synthetic.occlusion import hidden
from backcoach.pose.skeleton import LEFT_RIGHT_PAIRS, Landmark

#: Field of view along the long side of the image: a typical phone main camera.
LONG_SIDE_FOV_DEG = 70.0
PORTRAIT = (720, 1280)
LANDSCAPE = (1280, 720)
#: Views an exercise may ask for.
VIEWS = ("side", "front", "back", "foot_end", "head_end")
#: Camera elevation (degrees above the target) when the view itself implies one.
VIEW_PITCH = {"foot_end": 20.0, "head_end": 20.0}
#: Lowest lens height: a phone on the floor or a low stool (brief §4.0: 20-50 cm).
MIN_LENS_HEIGHT = 0.25

VISIBLE = 0.98
#: Visibility lost by a far-side landmark seen exactly side-on, by body part. Calibrated on real
#: MediaPipe output of side-view planks (shared/data/exercise_correction plank test.csv, MIT): the
#: far shoulder and hip keep a median visibility of 1.0 (the trunk hides little of them), while the
#: far elbow, wrist and knee drop to about 0.3, the ankle to 0.4, heel and toes to 0.55.
FAR_SIDE_LOSS_BY_PART = {
    "shoulder": 0.02, "hip": 0.02, "elbow": 0.66, "wrist": 0.66, "pinky": 0.66, "index": 0.66,
    "thumb": 0.66, "knee": 0.68, "ankle": 0.58, "heel": 0.42, "foot_index": 0.45,
}  # fmt: skip
#: Face landmarks (not in that file): the far eye, ear and mouth corner.
FAR_SIDE_LOSS_FACE = 0.45
OUT_OF_FRAME = 0.1


def _far_side_loss() -> np.ndarray:
    loss = np.full(len(Landmark), FAR_SIDE_LOSS_FACE)
    for landmark in Landmark:
        for part, value in FAR_SIDE_LOSS_BY_PART.items():
            if landmark.name.endswith(part):
                loss[landmark] = value
    return loss


FAR_SIDE_LOSS = _far_side_loss()


@dataclass(frozen=True)
class Camera:
    """A posed pinhole camera.

    ``rotation`` rows are the camera's right, down and forward axes in world coordinates.
    """

    position: np.ndarray
    rotation: np.ndarray
    focal: float
    image_size: tuple[int, int]

    @property
    def tilt(self) -> tuple[float, float]:
        """(roll_deg, pitch_deg) a phone's accelerometer would report for this camera.

        ``roll_deg`` is the angle of true up (against gravity) in the image, from the image's up
        direction, positive toward the image's right; ``pitch_deg`` is positive when the lens
        looks down below horizontal (the contract of ``Frame.camera_tilt``).
        """
        right_up, down_up, forward_up = self.rotation[:, 2]
        roll = np.degrees(np.arctan2(right_up, -down_up))
        pitch = np.degrees(np.arcsin(np.clip(-forward_up, -1.0, 1.0)))
        return float(roll), float(pitch)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points (..., 3) in camera coordinates (metres)."""
        return (np.asarray(points) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """Normalised image coordinates (..., 3) of world points.

        ``reference`` is the world point whose depth is z = 0 (the hip midpoint), one per frame
        when ``points`` has a frame axis.
        """
        cam = self.to_camera(points)
        ref = self.to_camera(reference)
        width, height = self.image_size
        depth = cam[..., 2]
        if np.any(depth <= 0.05):
            raise ValueError("a landmark is behind or at the camera; move the camera further away")
        x = (self.focal * cam[..., 0] / depth + width / 2) / width
        y = (self.focal * cam[..., 1] / depth + height / 2) / height
        ref_depth = ref[..., 2][..., None]
        z = self.focal * (depth - ref_depth) / (ref_depth * width)
        return np.stack([x, y, z], axis=-1)


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = np.array([0.0, 0.0, 1.0])) -> np.ndarray:
    """Rotation (rows right, down, forward) of a camera at ``eye`` looking at ``target``."""
    forward = np.asarray(target, float) - np.asarray(eye, float)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, up)
    if np.linalg.norm(right) < 1e-6:  # looking straight down: keep "up" in the image along +x
        right = np.cross(forward, [1.0, 0.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.vstack([right, down, forward])


def focal_for(image_size: tuple[int, int], long_side_fov_deg: float = LONG_SIDE_FOV_DEG) -> float:
    """Focal length in pixels for a field of view along the image's long side."""
    return max(image_size) / 2 / np.tan(np.radians(long_side_fov_deg) / 2)


def view_direction(view: str, heading: np.ndarray, left: np.ndarray, anterior: np.ndarray, side: str) -> np.ndarray:
    """Horizontal unit vector from the subject toward the camera for a named view.

    ``side`` is the side of the subject the camera stands on in a side view ("left"/"right").
    A front (back) view faces the subject's front (back) when it is horizontal, as for standing,
    sitting or side-lying; for a body lying face up or down or on all fours it looks along the body
    from the feet (back: from the head), where the knees and hips face the camera.
    """
    if view not in VIEWS:
        raise ValueError(f"unknown camera view {view!r}; expected one of {', '.join(VIEWS)}")
    if side not in ("left", "right"):
        raise ValueError(f"camera side {side!r} must be 'left' or 'right'")
    flat_front = np.array([anterior[0], anterior[1], 0.0])
    has_front = np.linalg.norm(flat_front) > 0.5
    if view == "side":
        return left if side == "left" else -left
    if view in ("front", "back"):
        direction = flat_front / np.linalg.norm(flat_front) if has_front else -heading
        return direction if view == "front" else -direction
    return heading if view == "head_end" else -heading


def place_camera(
    target: np.ndarray,
    direction: np.ndarray,
    distance: float,
    image_size: tuple[int, int],
    yaw_deg: float = 0.0,
    pitch_deg: float = 0.0,
    roll_deg: float = 0.0,
) -> Camera:
    """A camera ``distance`` metres from ``target`` along ``direction``, turned by yaw, pitch, roll.

    Yaw turns the camera about the vertical through the target (positive counter-clockwise seen
    from above); pitch raises it (positive looks down on the subject). The lens never goes
    below :data:`MIN_LENS_HEIGHT`: a low camera is raised and tilted down to the target. Roll
    turns the phone about its lens axis, counter-clockwise as seen from behind it for positive
    values, so true up leans toward the image's right by ``roll_deg`` (:attr:`Camera.tilt`).
    """
    yaw, pitch = np.radians(yaw_deg), np.radians(pitch_deg)
    c, s = np.cos(yaw), np.sin(yaw)
    flat = np.array([c * direction[0] - s * direction[1], s * direction[0] + c * direction[1], 0.0])
    offset = distance * (np.cos(pitch) * flat + np.array([0.0, 0.0, np.sin(pitch)]))
    eye = np.asarray(target, float) + offset
    eye[2] = max(eye[2], MIN_LENS_HEIGHT)
    right, down, forward = look_at(eye, target)
    cos_roll, sin_roll = np.cos(np.radians(roll_deg)), np.sin(np.radians(roll_deg))
    rotation = np.vstack([cos_roll * right - sin_roll * down, sin_roll * right + cos_roll * down, forward])
    return Camera(position=eye, rotation=rotation, focal=focal_for(image_size), image_size=image_size)


def visibility(camera: Camera, world: np.ndarray, head_forward: np.ndarray, body: BodyShape, occlusion: bool = False) -> np.ndarray:
    """MediaPipe-like visibility (T, 33) of world landmarks (T, 33, 3).

    A landmark the body hides loses up to its :data:`FAR_SIDE_LOSS`. With ``occlusion`` a body
    landmark (shoulders down) loses it as far as the body's solids hide it from the camera
    (:func:`occlusion.hidden`, sized from ``body``). Otherwise, and always for the face, the
    farther member of each left/right pair loses it in proportion to how side-on the pair is
    seen, wherever it is. The face also loses visibility when the head turns away. Landmarks
    outside the image drop to :data:`OUT_OF_FRAME`. ``head_forward`` (T, 3) is the head's forward
    axis in the world.
    """
    cam = camera.to_camera(world)
    loss = np.zeros(world.shape[:2])
    rows = np.arange(len(world))
    for a, b in LEFT_RIGHT_PAIRS:
        separation = np.linalg.norm(world[:, a] - world[:, b], axis=-1)
        side_on = np.clip(np.abs(cam[:, a, 2] - cam[:, b, 2]) / np.maximum(separation, 1e-6), 0.0, 1.0)
        far = np.where(cam[:, a, 2] > cam[:, b, 2], a, b)
        loss[rows, far] = side_on
    if occlusion:
        body_landmarks = slice(Landmark.mouth_right + 1, None)
        loss[:, body_landmarks] = hidden(camera.position, world, body)[:, body_landmarks]
    vis = VISIBLE - FAR_SIDE_LOSS * loss
    toward_camera = camera.position - world[:, Landmark.nose]
    toward_camera /= np.linalg.norm(toward_camera, axis=-1, keepdims=True)
    facing = np.einsum("ij,ij->i", head_forward, toward_camera)
    face = [int(m) for m in Landmark if m <= Landmark.mouth_right and "ear" not in m.name]
    vis[:, face] = np.minimum(vis[:, face], np.clip(0.6 + 0.6 * facing, 0.2, VISIBLE)[:, None])
    image = camera.project(world, world[:, Landmark.left_hip])  # depth reference is irrelevant here
    outside = (image[..., 0] < 0) | (image[..., 0] > 1) | (image[..., 1] < 0) | (image[..., 1] > 1)
    vis[outside] = OUT_OF_FRAME
    return vis

"""The ``Frame`` contract every source produces and the engine consumes, and its validation.

Coordinates are normalised image coordinates: x to the right and y downwards in [0, 1] of the
image width and height, z a relative depth in roughly the same scale as x (MediaPipe's convention).
A landmark a source could not see is NaN in all three coordinates with visibility 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from backcoach.pose.skeleton import NUM_LANDMARKS

#: Coordinates further outside the image than this (in image widths/heights) are not a pose.
COORDINATE_LIMIT = 10.0

#: Largest magnitudes of a camera tilt reading (roll, pitch) in degrees: beyond them it is not an angle.
TILT_LIMITS_DEG = (180.0, 90.0)


class FrameError(ValueError):
    """A frame that cannot be used, with the reason in the message."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One instant of one person's pose.

    Attributes
    ----------
    t : float
        Seconds since the start of the stream; strictly increasing within a stream.
    xyz : ndarray of shape (33, 3), float32
        Normalised image coordinates (x right, y down, z relative depth).
    visibility : ndarray of shape (33,), float32
        Per-landmark confidence in [0, 1]; 0 where the landmark is missing.
    image_size : (int, int)
        Width and height in pixels of the image the pose came from.
    world : ndarray of shape (33, 3), float32, optional
        Metric 3D landmarks (metres, hip-centred) when the source provides them.
    camera_tilt : (float, float), optional
        ``(roll_deg, pitch_deg)`` from the phone's accelerometer when known (brief §4.0 "Gravity
        reference"). ``roll_deg``: angle of true up (against gravity) in the image, measured from the
        image's up direction, positive toward image +x (right); 0 = the phone held level.
        ``pitch_deg``: positive when the lens looks down below horizontal. None = no reading.
    """

    t: float
    xyz: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world: np.ndarray | None = field(default=None)
    camera_tilt: tuple[float, float] | None = field(default=None)

    @property
    def pixels(self) -> np.ndarray:
        """Landmarks in pixel units (33, 2): undoes the normalisation by image width and height."""
        width, height = self.image_size
        return self.xyz[:, :2] * np.array([width, height], dtype=np.float32)


def make_frame(
    t: float,
    xyz: np.ndarray,
    visibility: np.ndarray,
    image_size: tuple[int, int],
    world: np.ndarray | None = None,
    camera_tilt: tuple[float, float] | None = None,
) -> Frame:
    """Build a validated :class:`Frame`, converting arrays to float32.

    Missing landmarks (NaN coordinates) get visibility 0 so that the two never disagree.

    Raises
    ------
    FrameError
        When the shapes are wrong, the time or image size are invalid, a coordinate is infinite or
        absurdly far from the image, a visibility lies outside [0, 1], or the camera tilt is not two
        finite angles within ±180° (roll) and ±90° (pitch).
    """
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise FrameError(f"timestamp {t!r} is not a number") from None
    if not np.isfinite(t):
        raise FrameError(f"timestamp {t} is not finite")
    xyz = np.asarray(xyz, dtype=np.float32)
    if xyz.shape != (NUM_LANDMARKS, 3):
        raise FrameError(f"landmarks have shape {xyz.shape}, expected ({NUM_LANDMARKS}, 3)")
    visibility = np.asarray(visibility, dtype=np.float32)
    if visibility.shape != (NUM_LANDMARKS,):
        raise FrameError(f"visibility has shape {visibility.shape}, expected ({NUM_LANDMARKS},)")
    if len(image_size) != 2 or min(image_size) <= 0:
        raise FrameError(f"image size {tuple(image_size)} must be two positive integers (width, height)")
    if np.isinf(xyz).any():
        bad = int(np.argwhere(np.isinf(xyz))[0][0])
        raise FrameError(f"landmark {bad} has an infinite coordinate")
    finite = xyz[np.isfinite(xyz).all(axis=1)]
    if finite.size and np.abs(finite[:, :2]).max() > COORDINATE_LIMIT:
        raise FrameError(
            f"a landmark lies {np.abs(finite[:, :2]).max():.1f} image sizes away; "
            "coordinates must be normalised to the image (0..1), not pixels"
        )
    if np.isnan(visibility).any() or (visibility < 0).any() or (visibility > 1).any():
        raise FrameError("visibility must lie in [0, 1] for every landmark")
    missing = np.isnan(xyz).any(axis=1)
    if missing.any():
        xyz = xyz.copy()
        xyz[missing] = np.nan
        visibility = visibility.copy()
        visibility[missing] = 0.0
    if world is not None:
        world = np.asarray(world, dtype=np.float32)
        if world.shape != (NUM_LANDMARKS, 3):
            raise FrameError(f"world landmarks have shape {world.shape}, expected ({NUM_LANDMARKS}, 3)")
    return Frame(
        t=t,
        xyz=xyz,
        visibility=visibility,
        image_size=(int(image_size[0]), int(image_size[1])),
        world=world,
        camera_tilt=None if camera_tilt is None else check_camera_tilt(camera_tilt),
    )


def check_camera_tilt(camera_tilt: object) -> tuple[float, float]:
    """Validate a ``(roll_deg, pitch_deg)`` reading and return it as two floats.

    Raises
    ------
    FrameError
        Naming ``camera_tilt`` when it is not two finite numbers within ±180° (roll), ±90° (pitch).
    """
    try:
        roll, pitch = (float(v) for v in camera_tilt)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise FrameError(f"camera_tilt {camera_tilt!r} must be two numbers (roll_deg, pitch_deg)") from None
    for name, value, limit in zip(("roll", "pitch"), (roll, pitch), TILT_LIMITS_DEG, strict=True):
        if not np.isfinite(value) or abs(value) > limit:
            raise FrameError(f"camera_tilt {name} {value} deg must be finite and within ±{limit:g}")
    return roll, pitch


def missing_frame(t: float, image_size: tuple[int, int]) -> Frame:
    """A frame in which no person was found: every landmark NaN, visibility 0."""
    return Frame(
        t=float(t),
        xyz=np.full((NUM_LANDMARKS, 3), np.nan, dtype=np.float32),
        visibility=np.zeros(NUM_LANDMARKS, dtype=np.float32),
        image_size=(int(image_size[0]), int(image_size[1])),
    )

"""A whole recording as arrays: what files hold and what offline analysis iterates over."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backcoach.pose.frame import TILT_LIMITS_DEG, Frame, FrameError, check_camera_tilt
from backcoach.pose.skeleton import NUM_LANDMARKS


@dataclass
class PoseSequence:
    """T frames of one person.

    ``t`` (T,) seconds, strictly increasing; ``xyz`` (T, 33, 3) normalised image coordinates;
    ``visibility`` (T, 33); ``image_size`` (width, height); ``meta`` free-form provenance
    (source file, format, model, fps). ``world`` (T, 33, 3) metric landmarks when known.
    ``camera_tilt`` (T, 2) the phone's ``(roll_deg, pitch_deg)`` per frame (see
    :class:`~backcoach.pose.frame.Frame`); a NaN row = no reading for that frame.
    """

    t: np.ndarray
    xyz: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    meta: dict[str, Any] = field(default_factory=dict)
    world: np.ndarray | None = None
    camera_tilt: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.t = np.asarray(self.t, dtype=np.float64)
        self.xyz = np.asarray(self.xyz, dtype=np.float32)
        self.visibility = np.asarray(self.visibility, dtype=np.float32)
        n = len(self.t)
        if self.t.ndim != 1:
            raise FrameError(f"timestamps have shape {self.t.shape}, expected (T,)")
        if self.xyz.shape != (n, NUM_LANDMARKS, 3):
            raise FrameError(f"landmarks have shape {self.xyz.shape}, expected ({n}, {NUM_LANDMARKS}, 3)")
        if self.visibility.shape != (n, NUM_LANDMARKS):
            raise FrameError(f"visibility has shape {self.visibility.shape}, expected ({n}, {NUM_LANDMARKS})")
        if n > 1 and not np.all(np.diff(self.t) > 0):
            at = int(np.argmax(np.diff(self.t) <= 0)) + 1
            raise FrameError(f"time does not increase at frame {at} ({self.t[at - 1]} -> {self.t[at]})")
        if self.world is not None:
            self.world = np.asarray(self.world, dtype=np.float32)
            if self.world.shape != self.xyz.shape:
                raise FrameError(f"world landmarks have shape {self.world.shape}, expected {self.xyz.shape}")
        if self.camera_tilt is not None:
            self.camera_tilt = np.asarray(self.camera_tilt, dtype=np.float64)
            if self.camera_tilt.shape != (n, 2):
                raise FrameError(f"camera_tilt has shape {self.camera_tilt.shape}, expected ({n}, 2)")
            known = ~np.isnan(self.camera_tilt).all(axis=1)
            with np.errstate(invalid="ignore"):
                bad = known & ~(np.abs(self.camera_tilt) <= np.array(TILT_LIMITS_DEG)).all(axis=1)
            if bad.any():
                at = int(np.argmax(bad))
                try:
                    check_camera_tilt(self.camera_tilt[at])
                except FrameError as exc:
                    raise FrameError(f"frame {at}: {exc}") from None

    def __len__(self) -> int:
        return len(self.t)

    def frames(self) -> Iterator[Frame]:
        """The recording as a stream of :class:`Frame` (views into the arrays, no copies)."""
        for i in range(len(self.t)):
            yield Frame(
                t=float(self.t[i]),
                xyz=self.xyz[i],
                visibility=self.visibility[i],
                image_size=self.image_size,
                world=None if self.world is None else self.world[i],
                camera_tilt=self._tilt(i),
            )

    def _tilt(self, i: int) -> tuple[float, float] | None:
        if self.camera_tilt is None or np.isnan(self.camera_tilt[i]).all():
            return None
        roll, pitch = self.camera_tilt[i]
        return float(roll), float(pitch)

    @property
    def fps(self) -> float:
        """Median frame rate of the recording."""
        if len(self.t) < 2:
            return float("nan")
        return float(1.0 / np.median(np.diff(self.t)))

"""Smoothing and gap handling for landmark streams.

* :class:`OneEuroFilter` (Casiez, Roussel & Vogel, CHI 2012): an adaptive low-pass filter whose
  cut-off rises with speed, so slow jitter is removed and fast motion is not lagged. Vectorised:
  one call filters all 33 x 3 coordinates of a frame; it uses the real time between samples, so
  dropped or irregular frames are handled. Written here because the PyPI implementations are
  scalar (one filter object per coordinate, ~100 Python calls per frame).
* :func:`fill_gaps`: short gaps in a recording are linearly interpolated; what remains missing
  is reported as tracking-lost intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from backcoach.pose.frame import Frame
from backcoach.pose.sequence import PoseSequence

#: Gaps up to this long (seconds between the valid samples around them) are interpolated.
MAX_GAP_S = 0.25


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray:
    tau = 1.0 / (2.0 * np.pi * np.asarray(cutoff))
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over arrays of any fixed shape, fed one sample at a time with its timestamp.

    Parameters
    ----------
    min_cutoff : float
        Cut-off frequency (Hz) at rest; lower removes more jitter.
    beta : float
        Speed coefficient (per unit of signal speed); higher lags less on fast motion.
    d_cutoff : float
        Cut-off frequency (Hz) for the speed estimate.

    NaN inputs give NaN outputs and restart that element's filter, so a landmark that reappears
    after a gap is not dragged from where it was lost.
    """

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("min_cutoff and d_cutoff must be > 0 and beta >= 0")
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.reset()

    def reset(self) -> None:
        self._t: float | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def __call__(self, t: float, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if self._t is None or self._x is None:
            self._t, self._x, self._dx = t, x.copy(), np.zeros_like(x)
            return x.copy()
        dt = t - self._t
        if dt <= 0:
            raise ValueError(f"timestamps must increase (got {t} after {self._t})")
        restart = np.isnan(self._x) & ~np.isnan(x)  # element reappears: take it as is
        dx = (x - self._x) / dt
        dx_hat = self._dx + _alpha(self.d_cutoff, dt) * (dx - self._dx)
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt) * (x - self._x)
        x_hat = np.where(restart, x, x_hat)
        dx_hat = np.where(restart | np.isnan(x), 0.0, dx_hat)
        self._t, self._x, self._dx = t, x_hat, dx_hat
        return x_hat.copy()

    def filter_frame(self, frame: Frame) -> Frame:
        """A copy of ``frame`` with smoothed landmarks (world landmarks are left as they are)."""
        return replace(frame, xyz=self(frame.t, frame.xyz).astype(np.float32))


def smooth_sequence(
    sequence: PoseSequence, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0
) -> PoseSequence:
    """The recording with its image landmarks (and world landmarks, separately) One Euro filtered."""
    image, world = OneEuroFilter(min_cutoff, beta, d_cutoff), OneEuroFilter(min_cutoff, beta, d_cutoff)
    xyz = np.stack([image(t, x) for t, x in zip(sequence.t, sequence.xyz)])
    smoothed_world = None if sequence.world is None else np.stack([world(t, w) for t, w in zip(sequence.t, sequence.world)])
    return replace(sequence, xyz=xyz, world=smoothed_world, meta={**sequence.meta})


@dataclass(frozen=True)
class TrackingLost:
    """Frames ``first``..``last`` (inclusive) where the person stayed missing, from ``start`` to ``end`` s."""

    first: int
    last: int
    start: float
    end: float


@dataclass(frozen=True)
class GapReport:
    interpolated: np.ndarray  # (T, 33) bool: landmarks filled in by interpolation
    lost: list[TrackingLost]  # frames where the whole person is still missing


def _missing_runs(missing: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True values."""
    edges = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def fill_gaps(sequence: PoseSequence, max_gap: float = MAX_GAP_S) -> tuple[PoseSequence, GapReport]:
    """Interpolate short gaps per landmark; report where the person remains lost.

    A gap is a run of frames where a landmark is missing, with valid frames on both sides; its
    length is the time between those two valid frames. Gaps up to ``max_gap`` seconds are filled
    by linear interpolation in time (coordinates, world landmarks and visibility); longer gaps and
    gaps at the start or end stay missing. Runs of frames where every landmark is still missing
    afterwards are returned as :class:`TrackingLost` intervals.
    """
    t = sequence.t
    xyz, visibility = sequence.xyz.copy(), sequence.visibility.copy()
    world = None if sequence.world is None else sequence.world.copy()
    missing = np.isnan(xyz).any(axis=2)
    interpolated = np.zeros_like(missing)
    for landmark in range(missing.shape[1]):
        for first, last in _missing_runs(missing[:, landmark]):
            before, after = first - 1, last + 1
            if before < 0 or after >= len(t) or t[after] - t[before] > max_gap:
                continue
            weight = ((t[first : last + 1] - t[before]) / (t[after] - t[before]))[:, None]
            for array in (xyz, world):
                if array is not None:
                    array[first : last + 1, landmark] = (1 - weight) * array[before, landmark] + weight * array[after, landmark]
            visibility[first : last + 1, landmark] = (
                (1 - weight[:, 0]) * visibility[before, landmark] + weight[:, 0] * visibility[after, landmark]
            )
            interpolated[first : last + 1, landmark] = True
    person_missing = np.isnan(xyz).any(axis=2).all(axis=1)
    lost = [TrackingLost(int(a), int(b), float(t[a]), float(t[b])) for a, b in _missing_runs(person_missing)]
    filled = replace(sequence, xyz=xyz, visibility=visibility, world=world, meta={**sequence.meta})
    return filled, GapReport(interpolated=interpolated, lost=lost)

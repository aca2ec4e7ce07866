"""Small, dependency-free accuracy metrics used by every dataset module."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Confusion:
    """Counts of a binary detector: true/false positives and negatives."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        """Count one case."""
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif predicted:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def sensitivity(self) -> float | None:
        """Recall: detected positives / all positives (None without positives)."""
        return _ratio(self.tp, self.tp + self.fn)

    recall = sensitivity

    @property
    def specificity(self) -> float | None:
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision and recall; 0 when nothing was found, None without positives."""
        if self.tp + self.fn == 0:
            return None
        if self.tp == 0:
            return 0.0
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r)

    @property
    def balanced_accuracy(self) -> float | None:
        """Mean of sensitivity and specificity (None unless both classes occur)."""
        if self.sensitivity is None or self.specificity is None:
            return None
        return (self.sensitivity + self.specificity) / 2


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def mae(errors: Sequence[float]) -> float | None:
    """Mean absolute value (None for no values)."""
    return float(np.mean(np.abs(errors))) if len(errors) else None


def rmse(errors: Sequence[float]) -> float | None:
    """Root mean square (None for no values)."""
    return float(math.sqrt(np.mean(np.square(errors)))) if len(errors) else None


def aligned_rmse(
    a: np.ndarray, ta: np.ndarray, b: np.ndarray, tb: np.ndarray, *, rate: float = 20.0, max_lag_s: float = 2.0,
    scales: Sequence[float] = (1.0,),
) -> tuple[float | None, float, float, int]:
    """RMSE between two signals sampled at different times, after the best time alignment.

    ``a``'s times are stretched by each of ``scales`` (a recording that silently dropped frames
    runs short) and shifted by every lag within ``max_lag_s``; the pair maximising the correlation
    of the mean-removed signals, resampled at ``rate`` Hz on their common span, aligns them. The
    RMSE of the raw values (bias included) is then taken over the overlapping samples.

    Returns
    -------
    (rmse or None, lag in seconds (+ = ``b`` later than ``a``), scale, samples compared)
    """
    ok_a, ok_b = np.isfinite(a), np.isfinite(b)
    if ok_a.sum() < 2 or ok_b.sum() < 2:
        return None, 0.0, 1.0, 0
    best = (-np.inf, 0.0, 1.0)
    for scale in scales:
        t = ta * scale
        start, end = max(t[0], tb[0]) - max_lag_s, min(t[-1], tb[-1]) + max_lag_s
        grid = np.arange(start, end, 1.0 / rate)
        ra = np.interp(grid, t[ok_a], a[ok_a], left=np.nan, right=np.nan)
        for lag in np.arange(-max_lag_s, max_lag_s + 1e-9, 1.0 / rate):
            rb = np.interp(grid + lag, tb[ok_b], b[ok_b], left=np.nan, right=np.nan)
            both = np.isfinite(ra) & np.isfinite(rb)
            if both.sum() < rate:  # under a second of overlap
                continue
            x, y = ra[both] - ra[both].mean(), rb[both] - rb[both].mean()
            denominator = np.sqrt(np.dot(x, x) * np.dot(y, y))
            score = float(np.dot(x, y) / denominator) if denominator > 0 else 0.0
            if score > best[0]:
                best = (score, float(lag), float(scale))
    if best[0] == -np.inf:
        return None, 0.0, 1.0, 0
    _, lag, scale = best
    t = ta * scale
    grid = np.arange(max(t[0], tb[0] - lag), min(t[-1], tb[-1] - lag), 1.0 / rate)
    ra = np.interp(grid, t[ok_a], a[ok_a])
    rb = np.interp(grid + lag, tb[ok_b], b[ok_b])
    return rmse(ra - rb), lag, scale, len(grid)

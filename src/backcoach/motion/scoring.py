"""Per-rep score (0-100) from its reported parts, and the paper's four grades.

Parts, each 0..1 (weights from the exercise's ``[score]``):

* ``range``: standards met; a value outside its range earns partial credit falling to 0 at half
  the range's width outside it. Without standards: the fraction of the target excursion reached.
* ``form``: 1 minus a penalty per error present: safety 1, critical 0.5, minor 0.25 [E].
* ``tempo``: the out and return phases' durations against their minimum (1 when slow enough).
* ``stability``: 1 minus the RMS frame-to-frame second difference of the primary feature's
  progress divided by ``JITTER_LIMIT`` (a smooth movement scores about 1, a shaky one 0).
"""

from __future__ import annotations

import math

GRADES = ("qualified", "good", "excellent", "super_excellent")
#: Labels as the paper prints them.
GRADE_LABELS = {"qualified": "qualified", "good": "good", "excellent": "excellent", "super_excellent": "super excellent"}
SEVERITY_PENALTY = {"safety": 1.0, "critical": 0.5, "minor": 0.25}
#: RMS second difference of progress per frame at which stability reaches 0 [E].
JITTER_LIMIT = 0.1


def range_part(standards: list[tuple[float | None, bool | None, tuple[float, float]]], peak: float) -> float:
    """Credit for the standards met: (value, met, (low, high)) per standard; ``peak`` progress
    is used when there is no standard to judge."""
    credits = []
    for value, met, (low, high) in standards:
        if met is None or value is None:
            continue
        if met:
            credits.append(1.0)
            continue
        soft = max((high - low) / 2, 1e-9)
        outside = low - value if value < low else value - high
        credits.append(max(0.0, 1.0 - outside / soft))
    if not credits:
        return max(0.0, min(1.0, peak))
    return sum(credits) / len(credits)


def form_part(severities: list[str]) -> float:
    """1 minus the penalties of the errors present (floored at 0)."""
    return max(0.0, 1.0 - sum(SEVERITY_PENALTY[s] for s in severities))


def tempo_part(out_s: float, return_s: float, min_out_s: float, min_return_s: float) -> float:
    """Product of each phase's duration over its minimum, capped at 1."""
    part = 1.0
    for actual, minimum in ((out_s, min_out_s), (return_s, min_return_s)):
        if minimum > 0:
            part *= min(1.0, actual / minimum)
    return part


def stability_part(jitter_rms: float) -> float:
    """1 for a smooth movement, 0 at ``JITTER_LIMIT`` or more."""
    return max(0.0, 1.0 - jitter_rms / JITTER_LIMIT)


def score(parts: dict[str, float], weights: dict[str, float]) -> float:
    """Weighted mean of the parts, 0-100, rounded to one decimal."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return round(100 * sum(parts[k] * w for k, w in weights.items()) / total, 1)


def grade(value: float, bands) -> str | None:
    """The highest grade whose lowest score ``value`` reaches (None below ``qualified``)."""
    result = None
    for name in GRADES:
        if value >= getattr(bands, name):
            result = name
    return result


def rms(sum_squares: float, n: int) -> float:
    """Root mean square from a running sum of squares."""
    return math.sqrt(sum_squares / n) if n else 0.0

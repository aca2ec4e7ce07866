"""Entry of clinic-measured outcomes: TUG and ultrasound muscle thickness.

Protocol (paper, Outcomes [V]): TUG timed three times and averaged; TrA and MF thickness measured
three times on the left and right and averaged. The plausible ranges below reject typing errors
only; they are engineering bounds [E], not clinical norms.

Entries carry no arm: the outcome assessor is blind (see :mod:`backcoach.trial.blinding`). The
analysis joins arms later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TRIALS = 3  # measurements per item [V]
PLAUSIBLE = {  # (low, high) [E]
    "tug": (3.0, 60.0),  # seconds
    "tra": (1.0, 15.0),  # mm
    "mf": (10.0, 60.0),  # mm
}
SPREAD_WARNING = 0.20  # warn when (max - min) exceeds 20% of the mean [E]
SITES = ("tra_left", "tra_right", "mf_left", "mf_right")


class EntryError(ValueError):
    """A clinic measurement was entered wrongly (the message names the item and trial)."""


@dataclass(frozen=True)
class Measurement:
    outcome: str
    trials: tuple[float, ...]
    value: float  # mean of the trials
    warnings: tuple[str, ...]


def _average(outcome: str, kind: str, values: Sequence[float], unit: str) -> Measurement:
    if len(values) != TRIALS:
        raise EntryError(f"{outcome}: {len(values)} value(s) entered; the protocol needs {TRIALS}")
    low, high = PLAUSIBLE[kind]
    trials = []
    for i, v in enumerate(values, start=1):
        try:
            number = float(v)
        except (TypeError, ValueError):
            raise EntryError(f"{outcome} trial {i}: {v!r} is not a number") from None
        if not np.isfinite(number) or not low <= number <= high:
            raise EntryError(f"{outcome} trial {i}: {v} {unit} is outside {low:g}-{high:g} {unit}; check the entry")
        trials.append(number)
    mean = float(np.mean(trials))
    warnings = ()
    if max(trials) - min(trials) > SPREAD_WARNING * mean:
        warnings = (f"{outcome}: trials differ by {max(trials) - min(trials):.2f} {unit}, "
                    f"more than {SPREAD_WARNING:.0%} of their mean; consider re-measuring",)
    return Measurement(outcome, tuple(trials), mean, warnings)


def enter_tug(seconds: Sequence[float]) -> Measurement:
    """Validate three timed TUG trials (seconds) and average them."""
    return _average("tug", "tug", seconds, "s")


def enter_ultrasound(measurements: dict[str, Sequence[float]]) -> list[Measurement]:
    """Validate three thickness readings (mm) per site and average each site.

    ``measurements`` maps each of ``tra_left, tra_right, mf_left, mf_right`` to three readings.
    """
    unknown = sorted(set(measurements) - set(SITES))
    missing = [s for s in SITES if s not in measurements]
    if unknown or missing:
        raise EntryError(f"ultrasound sites: missing {missing}, unknown {unknown}; expected {list(SITES)}")
    return [_average(site, site.split("_")[0], measurements[site], "mm") for site in SITES]


def to_long_rows(subject: str, week: int, measurements: Sequence[Measurement]) -> list[dict]:
    """Rows for the analysis table (``subject, week, outcome, value``; the arm is joined later)."""
    return [{"subject": subject, "week": week, "outcome": m.outcome, "value": m.value} for m in measurements]

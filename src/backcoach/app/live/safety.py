"""The in-session pain stop rule (clinical brief §5.4 rule 2), with thresholds from the clinical data."""

from __future__ import annotations

from dataclasses import dataclass

from backcoach.clinical.thresholds import TH


@dataclass(frozen=True)
class StopVerdict:
    """Why the exercise must stop now, and where the rule comes from."""

    rule: str
    source: str


def pain_stop(pre: int | None, now: int) -> StopVerdict | None:
    """Stop when the in-session NRS reaches ``stop_nrs`` or rises ``stop_rise`` above the check-in.

    Both thresholds are [E] engineering defaults of §5.4 rule 2, kept in ``thresholds.toml``.
    Returns None when the exercise may go on.
    """
    if now >= TH["stop_nrs"]:
        return StopVerdict("pain_high", TH.info("stop_nrs").source)
    if pre is not None and now - pre >= TH["stop_rise"]:
        return StopVerdict("pain_rise", TH.info("stop_rise").source)
    return None

"""Revised-TBC approach (clinical brief §3.3 [E]): symptom modulation, movement control or function
optimization, first match wins. Re-applied at every reassessment; §5.2 turns it into a dose."""

from __future__ import annotations

from backcoach.clinical.thresholds import TH

APPROACHES = ("symptom_modulation", "movement_control", "function_optimization")


def choose_approach(worst_nrs: float | None, odi_percent: float | None,
                    flare_weeks_ago: float | None = None) -> tuple[str, str]:
    """Return (approach, reason in plain words). A missing input is skipped; with neither NRS nor
    ODI and no flare, movement control."""
    if flare_weeks_ago is not None and flare_weeks_ago < TH["approach_flare_weeks"]:
        return "symptom_modulation", f"a flare began {flare_weeks_ago:g} weeks ago"
    if worst_nrs is not None and worst_nrs >= TH["approach_symptom_modulation_worst_nrs"]:
        return "symptom_modulation", f"worst pain {worst_nrs:g}/10"
    if odi_percent is not None and odi_percent > TH["approach_symptom_modulation_odi"]:
        return "symptom_modulation", f"ODI {odi_percent:.1f}%"
    if worst_nrs is None and odi_percent is None:
        return "movement_control", "no pain rating or ODI available"
    if worst_nrs is not None and worst_nrs >= TH["approach_movement_control_worst_nrs"]:
        return "movement_control", f"worst pain {worst_nrs:g}/10"
    if odi_percent is not None and odi_percent > TH["approach_movement_control_odi"]:
        return "movement_control", f"ODI {odi_percent:.1f}%"
    return "function_optimization", "low pain and disability"

"""Web visits answered by the participant in the app: which questionnaires a visit asks for, and
the trial outcome values a scored questionnaire gives.

The paper's weeks 2 and 8 are web visits [V]; the outcomes each collects come from
:data:`backcoach.trial.visits.SCHEDULE`. NRS gives three outcomes (worst, mean, current: never
summed). ODI is stored in raw points 0-50, the unit the brief infers for the paper (§2.2 [U]);
when a section is answered "not applicable" the raw sum has fewer than 50 possible points, so
the percentage is rescaled to 0-50 (percent / 2) [E].
"""

from __future__ import annotations

from typing import Any

from backcoach.trial.visits import Mode, VisitDefinition

#: Trial outcome id -> the app instrument that measures it.
INSTRUMENT_OF = {"nrs_worst": "nrs", "nrs_mean": "nrs", "nrs_current": "nrs", "odi": "odi", "rmdq": "rmdq",
                 "pcs": "pcs"}
_NRS = {"worst": "nrs_worst", "average": "nrs_mean", "current": "nrs_current"}


def instruments_for(visit: VisitDefinition) -> list[str]:
    """The questionnaires a web visit asks for, in the visit's outcome order (none for clinic visits)."""
    if visit.mode is not Mode.WEB:
        return []
    return list(dict.fromkeys(INSTRUMENT_OF[o] for o in visit.outcomes if o in INSTRUMENT_OF))


def outcome_values(instrument: str, result: dict[str, Any]) -> dict[str, float]:
    """Trial outcome values of one scored questionnaire (``Score.public()`` of the clinical library)."""
    if result.get("valid") is False:
        raise ValueError(f"{instrument}: the answers do not give a valid score ({result.get('rule')})")
    if instrument == "nrs":
        return {outcome: float(result["subscales"][key]) for key, outcome in _NRS.items()}
    if instrument == "odi":
        raw = (result.get("subscales") or {}).get("raw_points_0_50")
        return {"odi": float(raw) if raw is not None else round(float(result["percent"]) / 2, 4)}
    if instrument in ("rmdq", "pcs"):
        return {instrument: float(result["total"])}
    raise ValueError(f"{instrument!r} is not a trial questionnaire; expected one of {sorted(set(INSTRUMENT_OF.values()))}")

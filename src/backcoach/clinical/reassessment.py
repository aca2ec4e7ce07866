"""Reassessment at weeks 2 and 4 and follow-up at week 8 (clinical brief §5.6; decisions [E]).

Each reassessment repeats the red-flag screen and the measures, decides which §5.6 row applies,
re-applies the §3.3 approach, and - when a new classification is given - proposes the adjusted
plan as a reviewable difference. Nothing changes for the patient until a therapist approves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backcoach.clinical.approach import choose_approach
from backcoach.clinical.prescription import Plan
from backcoach.clinical.scoring import responder
from backcoach.clinical.thresholds import TH


@dataclass(frozen=True)
class Measures:
    """Outcome values at one visit (None = not collected)."""

    nrs_current: float | None = None
    nrs_average: float | None = None
    nrs_worst: float | None = None
    odi_percent: float | None = None
    rmdq: float | None = None
    new_leg_symptoms: bool = False


@dataclass
class ReassessmentResult:
    week: int
    row: str  # worse | responding | not_adherent | not_responding | durable | re_engage | maintenance
    actions: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    approach: str | None = None
    reclassify: bool = False
    hold_all: bool = False
    rescreen: bool = True  # §3.1 re-screen runs at every reassessment
    weak_flag: str | None = None
    offer: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def is_responding(baseline: Measures, current: Measures) -> tuple[bool, list[str]]:
    """§2.1 responder rule on worst or average NRS, or on ODI or RMDQ."""
    checks = [
        ("worst NRS", responder(baseline.nrs_worst, current.nrs_worst, TH["nrs_mcid_points"])),
        ("average NRS", responder(baseline.nrs_average, current.nrs_average, TH["nrs_mcid_points"])),
        ("ODI", responder(baseline.odi_percent, current.odi_percent, TH["odi_mcid_points"])),
        ("RMDQ", responder(baseline.rmdq, current.rmdq, TH["rmdq_mcid_points"])),
    ]
    hits = [name for name, ok in checks if ok]
    return bool(hits), hits


def _worse(reference: Measures, current: Measures, margin: float) -> list[str]:
    out = []
    for name in ("nrs_worst", "nrs_average"):
        before, now = getattr(reference, name), getattr(current, name)
        if before is not None and now is not None and now - before >= margin:
            out.append(f"{name.replace('nrs_', '')} NRS {before:g} -> {now:g}")
    return out


def reassess(week: int, baseline: Measures, current: Measures, *, sessions_done: int = 0,
             sessions_planned: int = 6, week4: Measures | None = None, other_weak_flags: int = 0,
             flare_weeks_ago: float | None = None) -> ReassessmentResult:
    """Apply the §5.6 row for week 2, 4 or 8."""
    approach, why = choose_approach(current.nrs_worst, current.odi_percent, flare_weeks_ago)
    if week == 8:
        reference = week4 or baseline
        worse = _worse(reference, current, TH["week8_reengage_nrs"])
        if worse:
            return ReassessmentResult(8, "re_engage", ["CLINICIAN_REVIEW"], worse, approach,
                                      offer="the week-3 plan at the last levels reached")
        return ReassessmentResult(8, "durable", [], ["no rise of 2 or more since week 4"], approach)
    worse = _worse(baseline, current, TH["reassess_worse_nrs"])
    if current.new_leg_symptoms:
        worse.append("new leg symptoms")
    responding, hits = is_responding(baseline, current)
    if week == 4:
        result = ReassessmentResult(4, "maintenance", [], [], approach,
                                    offer=f"maintenance: {TH['maintenance_sessions_per_week']} sessions a week "
                                          f"plus an optional third")
        if worse:
            result.reasons += worse
            result.actions.append("CLINICIAN_REVIEW")
        if responding:
            result.reasons.append("responder on " + ", ".join(hits))
        else:
            result.weak_flag = "no improvement at the week-4 reassessment"
            result.actions.append("CLINICIAN_REVIEW")
            result.reasons.append("no MCID reached on worst/average NRS, ODI or RMDQ")
            if other_weak_flags >= 1:
                result.actions.append("REFER")
        result.actions = list(dict.fromkeys(result.actions))
        return result
    if week != 2:
        raise ValueError(f"reassessment weeks are 2, 4 and 8, not {week}")
    if worse:
        return ReassessmentResult(2, "worse", ["CLINICIAN_REVIEW"], worse, approach, hold_all=True)
    if responding:
        return ReassessmentResult(2, "responding", [], ["responder on " + ", ".join(hits)], approach)
    if sessions_done < TH["reassess_adherence_week2"]:
        return ReassessmentResult(2, "not_adherent", [], [f"{sessions_done} of {sessions_planned} sessions done"],
                                  approach, offer=f"ask about barriers; offer a {TH['short_session_minutes']}-min "
                                                  f"short session")
    return ReassessmentResult(2, "not_responding", ["CLINICIAN_REVIEW"], ["adherent but no MCID reached"], approach,
                              reclassify=True)


def plan_difference(old: Plan, new: Plan, from_week: int) -> dict:
    """What would change from ``from_week`` on, for the therapist to approve or reject."""
    def summary(plan: Plan) -> dict[str, dict]:
        session = next(s for s in plan.sessions if s.week == from_week)
        return {i.id: {"block": i.block, "level": i.level, "sets": i.dose.sets, "reps": i.dose.reps,
                       "hold_s": i.dose.hold_s} for i in session.items}

    before, after = summary(old), summary(new)
    changes = []
    for key, label in (("category", "category"), ("approach", "approach")):
        if getattr(old, key) != getattr(new, key):
            changes.append({"change": label, "from": getattr(old, key), "to": getattr(new, key)})
    if old.cr10_upper != new.cr10_upper:
        changes.append({"change": "cr10_upper", "from": old.cr10_upper, "to": new.cr10_upper})
    for exercise_id in sorted(set(before) | set(after)):
        if exercise_id not in after:
            changes.append({"change": "remove", "exercise": exercise_id})
        elif exercise_id not in before:
            changes.append({"change": "add", "exercise": exercise_id, **after[exercise_id]})
        elif before[exercise_id] != after[exercise_id]:
            changes.append({"change": "dose", "exercise": exercise_id, "from": before[exercise_id],
                            "to": after[exercise_id]})
    return {"from_week": from_week, "status": "pending_therapist_review", "changes": changes}

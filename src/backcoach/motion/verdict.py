"""The verdict on one finished repetition: counted or not (and why), errors, score, grade, metrics.

A pure function of what the rep machine and the rule records saw; the engine keeps the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backcoach.exercises.schema import ErrorRule, Exercise
from backcoach.motion import scoring
from backcoach.motion.events import ErrorFound
from backcoach.motion.phases import Transition
from backcoach.motion.rules import RepRecord


@dataclass
class Verdict:
    """What the engine reports about a rep (before it is numbered and counted)."""

    counted: bool
    reasons: list[str]
    score: float
    grade: str | None
    errors: list[ErrorFound]
    parts: dict[str, float]
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def form_ok(self) -> bool:
        """The brief's per-rep form score: no error worse than minor."""
        return not any(e.severity != "minor" for e in self.errors)


#: A rough phase time (seen over a short band, ``phases.ROUGH_FROM``) is judged only outside this
#: share either side of the limit: partly seen 2.5 s dead-bug reps read 1.85-3.0 s with 2-3 px
#: noise, 1 s ones 0.7-1.3 s (engine-issues H11-1) [E].
ROUGH_MARGIN = 0.25


def tempo_verdict(rule: ErrorRule, transition: Transition) -> str:
    """A ``too_fast`` rule on one rep: "fast", "ok", "untimed" (the phase's start or end was not
    seen) or "unsure" (timed roughly, within ROUGH_MARGIN of the limit)."""
    out = rule.too_fast.phase == "out"
    if not (transition.out_timed if out else transition.return_timed):
        return "untimed"
    took, limit = (transition.out_s if out else transition.return_s), rule.too_fast.seconds
    if transition.out_rough if out else transition.return_rough:
        if limit * (1 - ROUGH_MARGIN) <= took < limit * (1 + ROUGH_MARGIN):
            return "unsure"
    return "fast" if took < limit else "ok"


def tempo_errors(rules: list[ErrorRule], transition: Transition) -> list[ErrorFound]:
    """``too_fast`` rules against the phase times; an untimed phase (hidden limb) or a rough time
    near the limit gets no verdict."""
    found = []
    for rule in rules:
        if tempo_verdict(rule, transition) == "fast":
            took = transition.out_s if rule.too_fast.phase == "out" else transition.return_s
            found.append(ErrorFound(rule.id, None, round(took, 2), rule.too_fast.seconds, rule.severity, rule.cue))
    return found


def judge_rep(
    exercise: Exercise,
    transition: Transition,
    record: RepRecord,
    *,
    hold_target: float,
    jitter: float,
    symmetry: float | None,
) -> Verdict:
    """Judge a finished rep.

    Parameters
    ----------
    exercise : Exercise
    transition : Transition
        The machine's ``rep_done`` transition (times, peak, hold).
    record : RepRecord
        The rule statistics gathered over the rep.
    hold_target : float
        Seconds the rep had to be held (0 = no hold).
    jitter : float
        RMS second difference of the primary feature's progress over the rep.
    symmetry : float or None
        Mean |left - right| of a sided primary feature of a bilateral exercise.
    """
    phases = exercise.phases
    hold_mode = phases.mode == "hold"
    rep_side = transition.side if transition.side != "both" else None
    errors = record.errors_found(rep_side)
    errors += [] if hold_mode else tempo_errors([r for r in exercise.errors if r.too_fast], transition)
    standards = record.standard_values(rep_side)

    reasons = []
    primary_met = any(met for check, _, met in standards if check.rule.critical and check.rule.feature == phases.feature)
    if not (transition.reached_end or primary_met):
        reasons.append(f"did not reach the target range ({transition.peak * 100:.0f}% of the movement)")
    for check, value, met in standards:
        if check.rule.critical and met is False:
            reasons.append(f"{check.rule.label.en} ({check.rule.measure} {value:.1f}, needed {check.low:g} to {check.high:g})")
    labels = {rule.id: rule.label.en for rule in exercise.errors}
    for error in errors:
        if error.severity in ("safety", "critical"):
            reasons.append(labels[error.id] + (f" ({error.side})" if error.side else ""))
    if hold_target > 0 and transition.hold_s + 1e-6 < hold_target:
        reasons.append(f"held {transition.hold_s:.1f} s of {hold_target:g} s")

    parts = {
        "range": scoring.range_part([(v, m, (c.low, c.high)) for c, v, m in standards], transition.peak),
        "form": scoring.form_part([e.severity for e in errors if e.id not in {r.id for r in exercise.errors if r.too_fast}]),
        "tempo": 1.0 if hold_mode else scoring.tempo_part(
            transition.out_s, transition.return_s,
            phases.min_out_s if transition.out_timed else 0.0,
            phases.min_return_s if transition.return_timed else 0.0,
        ),
        "stability": scoring.stability_part(jitter),
    }
    value = scoring.score(parts, exercise.score.model_dump())
    grade = scoring.grade(value, exercise.grades)
    if grade is None and not reasons:
        reasons.append(f"score {value:g} below qualified ({exercise.grades.qualified:g})")

    excursion = phases.target - phases.start
    metrics: dict[str, Any] = {
        "rom": round(phases.start + transition.peak * excursion, 3),
        "target": phases.target,
        "progress_peak": round(transition.peak, 3),
        "out_s": round(transition.out_s, 2) if transition.out_timed else None,
        "end_s": round(transition.end_s, 2),
        "return_s": round(transition.return_s, 2) if transition.return_timed else None,
        "hold_s": round(transition.hold_s, 2),
        "jitter": round(jitter, 4),
        "standards": {c.rule.id + (f"_{c.side}" if c.side else ""): (None if v is None else round(v, 3))
                      for c, v, _ in standards},
    }
    if symmetry is not None:
        metrics["symmetry"] = round(symmetry, 2)
    return Verdict(
        counted=not reasons, reasons=reasons, score=value, grade=grade, errors=errors,
        parts={k: round(v, 3) for k, v in parts.items()}, metrics=metrics,
    )

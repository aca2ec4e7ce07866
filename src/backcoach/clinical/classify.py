"""Five-category classification (clinical brief §3.6 decision algorithm, all [E]).

Steps 0-6 always run in order: red flags (0), nerve signs (1), directional response (2), stability
(3), muscle tension (4), assignment (5), overlays (6). Red flags override everything. Every rule
that fires is reported in plain words from the versioned rule table ``data/classification.toml``.

Validity limits: the categories are treatment groups for exercise selection, not diagnoses. Every
threshold is an engineering default awaiting clinical review; the camera tests behind the inputs
carry roughly 5-10 degrees of error (§6.4). A changed category at a re-test takes effect only
after a clinician confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backcoach.clinical.classify_steps import (
    FiredRule, RunLog, rule_table, stab_support, step1_nerve, step1d_radicular, step2_directional,
    step3_stability, step4_tension, step6_overlays,
)
from backcoach.clinical.examination import Examination
from backcoach.clinical.intake import Intake
from backcoach.clinical.redflags import ScreenResult, screen
from backcoach.clinical.scoring import Score, score
from backcoach.clinical.thresholds import TH

CATEGORIES = ("NERVE_COMPRESSION", "FLEXION_INTOLERANCE", "EXT_ROT_INTOLERANCE", "STABILITY_DEFICIENCY",
              "MUSCLE_TENSION")  # also the step-5 priority order

@dataclass
class Classification:
    outcome: str  # EMERGENCY | URGENT_REFERRAL | REFER | one of CATEGORIES
    category: str | None = None
    confidence: int | None = None
    runner_up: str | None = None
    secondary: list[str] = field(default_factory=list)
    rules: list[FiredRule] = field(default_factory=list)
    unclassified: bool = False
    retest_due: list[str] = field(default_factory=list)
    nerve_flag: str | None = None
    excluded_directions: list[str] = field(default_factory=list)
    avoid_end_range: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    approach: str | None = None
    responses: dict[str, str] = field(default_factory=dict)
    scores: dict[str, dict] = field(default_factory=dict)
    red_flags: ScreenResult | None = None
    rule_table_version: str = ""

    def to_dict(self) -> dict:
        table = rule_table()
        out = {
            "outcome": self.outcome,
            "category": self.category,
            "category_name": table["categories"][self.category] if self.category else None,
            "confidence": self.confidence,
            "runner_up": self.runner_up,
            "secondary": self.secondary,
            "rules_fired": [r.__dict__ for r in self.rules],
            "unclassified": self.unclassified,
            "retest_due": self.retest_due,
            "nerve_flag": self.nerve_flag,
            "excluded_directions": self.excluded_directions,
            "avoid_end_range": self.avoid_end_range,
            "actions": self.actions,
            "approach": self.approach,
            "responses": self.responses,
            "referral_advice": self.referral_advice(),
            "exercise_blocked": self.category is None,
            "scores": self.scores,
            "red_flags": self.red_flags.to_dict() if self.red_flags else None,
            "rule_table_version": self.rule_table_version,
        }
        return out

    def referral_advice(self) -> dict[str, str] | None:
        advice = rule_table()["referral_advice"]
        if self.category == "NERVE_COMPRESSION":
            return advice["NERVE_COMPRESSION"]
        if "REFERRAL_ADVICE" in self.actions and self.scores.get("gad7", {}).get("total") is not None \
                and self.scores["gad7"]["total"] >= TH["gad7_action_moderate"]:
            return advice["GAD7"]
        return None


def _scores(intake: Intake) -> dict[str, Score]:
    q = intake.questionnaires
    out = {}
    for name in ("nrs", "odi", "rmdq", "pcs", "startback", "gad7", "tug"):
        answers = getattr(q, name)
        if answers is not None:
            out[name] = score(name, ["na" if a in ("na", "NA") else a for a in answers])
    return out


def classify(intake: Intake) -> Classification:
    """Run §3.6 steps 0-6 on one intake (self-report, questionnaires, camera tests)."""
    scores = _scores(intake)
    result = Classification(outcome="", rule_table_version=rule_table()["version"],
                            scores={k: s.public() for k, s in scores.items()})
    run = RunLog(result)
    exam = intake.examination or Examination()

    # Step 0: red flags and excluded conditions.
    result.red_flags = screened = screen(intake)
    if screened.outcome:
        result.outcome = screened.outcome
        run.fire("step0_red_flag", detail="; ".join(f"{f.id} ({f.reason})" for f in screened.findings
                                                    if f.action == screened.outcome))
        run.act(*screened.actions)
        return result
    if screened.actions:
        run.act(*screened.actions)
        run.fire("step0_actions", detail=", ".join(screened.actions))

    # Step 1: nerve compression.
    ended = step1_nerve(intake, exam, run)
    if ended:
        result.outcome = ended
        return result
    matched: list[str] = []
    radicular_items = step1d_radicular(intake, exam, run, matched)

    # Steps 2-4.
    direction = step2_directional(intake, exam, run, matched)
    aberrant, t10_fail = step3_stability(intake, exam, run, matched)
    tightness, tension_items = step4_tension(intake, exam, run, matched, direction, aberrant)

    # Step 5: assignment.
    concordant = {
        "NERVE_COMPRESSION": radicular_items,
        "FLEXION_INTOLERANCE": direction["flex_signs"],
        "EXT_ROT_INTOLERANCE": direction["ext_signs"],
        "STABILITY_DEFICIENCY": int(aberrant is True) + int(t10_fail is True) + int(intake.history.catching)
        + stab_support(intake),
        "MUSCLE_TENSION": tightness + tension_items,
    }
    ordered = [c for c in CATEGORIES if c in matched]
    if ordered:
        primary = ordered[0]
        run.fire("step5_primary", category=rule_table()["categories"][primary]["en"].lower())
    else:
        primary = "STABILITY_DEFICIENCY"
        result.unclassified = True
        run.act("CLINICIAN_REVIEW")
        run.fire("step5_default")
    result.outcome = result.category = primary
    result.secondary = ordered[1:]
    result.confidence = concordant[primary]
    if result.confidence < TH["confidence_review_below"]:
        run.act("CLINICIAN_REVIEW")
        run.fire("step5_low_confidence", confidence=result.confidence)
    others = [c for c in CATEGORIES if c != primary and concordant[c] > 0]
    result.runner_up = (ordered[1] if len(ordered) > 1
                        else max(others, key=lambda c: concordant[c]) if others else None)

    # Step 6: overlays.
    step6_overlays(intake, scores, run)
    if primary == "NERVE_COMPRESSION":
        run.act("REFERRAL_ADVICE")
    return result

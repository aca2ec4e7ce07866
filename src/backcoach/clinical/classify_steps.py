"""The steps of the five-category decision algorithm (clinical brief §3.6, all [E]).

Each step reads the intake and examination, records every rule it fires through :class:`RunLog`
(plain words from the versioned rule table ``data/classification.toml``) and adds matched
categories; :func:`backcoach.clinical.classify.classify` runs them in order and assigns one outcome.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from backcoach.clinical.approach import choose_approach
from backcoach.clinical.examination import T6_MOVEMENTS, T10_SUBTESTS, DirectionalTest, Examination
from backcoach.clinical.intake import EXT_ROT_AGGRAVATORS, FLEXION_AGGRAVATORS, Intake
from backcoach.clinical.scoring import Score
from backcoach.clinical.thresholds import DATA_DIR, TH

if TYPE_CHECKING:
    from backcoach.clinical.classify import Classification

ROTATION_RANK = ("CENTRALIZES", "BETTER", "NO_EFFECT", "INCONCLUSIVE", "WORSE", "PERIPHERALIZES")  # worst last
HELPS = frozenset({"CENTRALIZES", "BETTER"})
PROVOKES = frozenset({"PERIPHERALIZES", "WORSE"})
USABLE = frozenset({"CENTRALIZES", "BETTER", "NO_EFFECT"})


@cache
def rule_table() -> dict:
    return tomllib.loads((DATA_DIR / "classification.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class FiredRule:
    id: str
    step: int
    text: str


class RunLog:
    """Mutable state of one run; keeps the steps short and the fired rules in order."""

    def __init__(self, result: Classification) -> None:
        self.result = result

    def fire(self, rule_id: str, **values) -> None:
        spec = rule_table()["rules"][rule_id]
        self.result.rules.append(FiredRule(rule_id, spec["step"], spec["en"].format(**values)))

    def act(self, *actions: str) -> None:
        for action in actions:
            if action not in self.result.actions:
                self.result.actions.append(action)

    def add(self, attribute: str, *values: str) -> None:
        target = getattr(self.result, attribute)
        for value in values:
            if value not in target:
                target.append(value)


def _or3(*values: bool | None) -> bool | None:
    """Three-valued OR (§3.5): TRUE if any is TRUE, FALSE if all are FALSE, otherwise UNKNOWN (None)."""
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return None


def step1_nerve(intake: Intake, exam: Examination, run: RunLog) -> str | None:
    t9 = exam.t9_heel_toe
    weakness = t9.weakness() if t9 else None
    if weakness:
        answer = t9.weakness_new_or_worse or "not_sure"  # unanswered is treated as not sure
        outcome, rule = {"yes": ("EMERGENCY", "step1a_weakness_new"), "not_sure": ("URGENT_REFERRAL",
                         "step1a_weakness_unsure"), "no": ("REFER", "step1a_weakness_old")}[answer]
        run.fire(rule)
        run.act("CLINICIAN_REVIEW")
        return outcome
    if weakness is None:
        run.add("retest_due", "T9")
        run.act("CLINICIAN_REVIEW")
        run.fire("step1_t9_retest")
    legs = [intake.history.leg("left"), intake.history.leg("right")]
    if all(leg.leg_neuro for leg in legs):
        run.fire("step1b_bilateral")
        run.act("CLINICIAN_REVIEW")
        return "REFER"
    if any(leg.numbness_progressing for leg in legs):
        run.fire("step1c_numbness")
        run.act("CLINICIAN_REVIEW")
        return "REFER"
    return None


def step1d_radicular(intake: Intake, exam: Examination, run: RunLog, matched: list[str]) -> int:
    score_, items = 0, 0
    strip = any(leg.strip_like and (leg.pain_area in ("below_knee", "foot") or leg.pins_and_needles)
                for leg in intake.history.legs.values())
    if strip:
        score_, items = score_ + 2, items + 1
        run.fire("step1d_strip")
    valid_slr = [s for s in exam.t7_slr.values() if s.status == "VALID"]
    reproducing = [s for s in valid_slr if s.below_knee_pain and s.onset_hip_flexion_deg is not None
                   and s.onset_hip_flexion_deg <= TH["slr_max_hip_flexion_deg"]]
    if reproducing:
        score_, items = score_ + 2, items + 1
        run.fire("step1d_slr", angle=f"{min(s.onset_hip_flexion_deg for s in reproducing):.0f}°")
    if any(s.dorsiflexion_increases for s in valid_slr):
        score_, items = score_ + 1, items + 1
        run.fire("step1d_dorsiflexion")
    if exam.t8_slump and exam.t8_slump.status == "VALID" and exam.t8_slump.eases_with_neck_extension:
        score_, items = score_ + 1, items + 1
        run.fire("step1d_slump")
    if any(s.crossed_pain for s in valid_slr):
        score_, items = score_ + 1, items + 1
        run.fire("step1d_crossed")
    if score_ >= TH["radicular_score_nerve"]:
        matched.append("NERVE_COMPRESSION")
        run.act("CLINICIAN_REVIEW")
        run.fire("step1d_nerve", score=score_, threshold=TH["radicular_score_nerve"])
    elif score_ in TH["radicular_score_possible"]:
        run.result.nerve_flag = "possible"
        run.fire("step1d_possible", score=score_)
    return items


def _response(standing: DirectionalTest | None, lying: DirectionalTest | None) -> str:
    """State of a direction: a lying test that ran and is not INCONCLUSIVE replaces the standing one."""
    if lying is not None and lying.state() != "INCONCLUSIVE":
        return lying.state()
    return standing.state() if standing is not None else "INCONCLUSIVE"


def step2_directional(intake: Intake, exam: Examination, run: RunLog, matched: list[str]) -> dict:
    res = run.result
    flex = _response(exam.t1_flexion_standing, exam.t4_flexion_lying)
    ext = _response(exam.t2_extension_standing, exam.t3_extension_lying)
    rot_states = [exam.t6[m].state() if m in exam.t6 else "INCONCLUSIVE" for m in T6_MOVEMENTS]
    rot = max(rot_states, key=ROTATION_RANK.index)
    responses = {"flexion": flex, "extension": ext, "rotation": rot}
    res.responses = responses
    tests = {"flexion": "T1", "extension": "T2", "rotation": "T6"}
    for d, state in responses.items():
        run.fire("step2_response", direction=d, state=state.lower().replace("_", " "))
        if state == "PERIPHERALIZES":
            run.add("excluded_directions", d)
            res.nerve_flag = res.nerve_flag or "possible"
            run.fire("step2_excluded", direction=d.capitalize())
        elif state == "WORSE":
            run.add("avoid_end_range", d)
            run.fire("step2_avoid_end", direction=d.capitalize())
        elif state == "INCONCLUSIVE":
            run.add("retest_due", tests[d])
            run.fire("step2_retest", direction=d.capitalize())

    ext_pref = ext in HELPS or flex in PROVOKES
    flex_pref = flex in HELPS or ext in PROVOKES or rot in PROVOKES
    h = intake.history
    aggravating = set(h.aggravating)
    hist_flex = int(len(aggravating & set(FLEXION_AGGRAVATORS)) >= TH["history_aggravators_min"]) \
        + int("walking_standing_or_lying_prone" in h.easing)
    hist_ext = int(len(aggravating & set(EXT_ROT_AGGRAVATORS)) >= TH["history_aggravators_min"]) \
        + int("sitting_or_bending_forward" in h.easing) + int(intake.patient.age > TH["history_ext_age"])
    if hist_flex or hist_ext:
        run.fire("step2_history", count_flex=hist_flex, count_ext=hist_ext)
    ok_ext, ok_flex = ext in USABLE, flex in USABLE

    directional = None
    if ext_pref and not flex_pref:
        directional, rule = "FLEXION_INTOLERANCE", "step2_flexion_intolerance"
    elif flex_pref and not ext_pref:
        directional, rule = "EXT_ROT_INTOLERANCE", "step2_ext_rot_intolerance"
    elif ext_pref and flex_pref:
        if ext == "CENTRALIZES" and flex != "CENTRALIZES":
            directional, rule = "FLEXION_INTOLERANCE", "step2_tie_t1"
        elif flex == "CENTRALIZES" and ext != "CENTRALIZES":
            directional, rule = "EXT_ROT_INTOLERANCE", "step2_tie_t2"
        elif hist_flex > hist_ext and ok_ext:
            directional, rule = "FLEXION_INTOLERANCE", "step2_tie_t3"
        elif hist_ext > hist_flex and ok_flex:
            directional, rule = "EXT_ROT_INTOLERANCE", "step2_tie_t4"
        else:
            rule = "step2_tie_t5"
            run.add("avoid_end_range", "flexion", "extension")
            run.add("retest_due", "T1", "T2", "T3", "T4", "T6")
    else:
        rule = None
    if rule:
        run.fire(rule)
    if directional:
        matched.append(directional)
    if flex == "INCONCLUSIVE" and ext == "INCONCLUSIVE":
        res.unclassified = True
        run.act("CLINICIAN_REVIEW")
        run.fire("step2_both_inconclusive")
    if flex == "PERIPHERALIZES" and ext == "PERIPHERALIZES":
        run.act("CLINICIAN_REVIEW")
        run.fire("step2_both_peripheralize")
    return {
        "ext_pref": ext_pref, "flex_pref": flex_pref, "responses": responses,
        "flex_signs": int(ext in HELPS) + int(flex in PROVOKES) + hist_flex,
        "ext_signs": int(flex in HELPS) + int(ext in PROVOKES) + int(rot in PROVOKES) + hist_ext,
    }


def stab_support(intake: Intake) -> int:
    h = intake.history
    episodes = max(h.episodes_12_months or 0, h.episodes_lifetime or 0)
    return (int(intake.patient.age < TH["stability_age"])
            + int(episodes >= TH["stability_prior_episodes"] or h.increasing_frequency)
            + int(h.self_manipulation_relief))


def _t10_fail(exam: Examination) -> bool | None:
    valid = [exam.t10[s] for s in T10_SUBTESTS if exam.t10.get(s, "inconclusive") != "inconclusive"]
    failed = valid.count("lost")
    if failed >= TH["t10_fail_min_failed"]:
        return True
    if len(valid) >= TH["t10_min_valid_for_false"]:
        return False
    return None


def step3_stability(intake: Intake, exam: Examination, run: RunLog, matched: list[str]):
    t5 = exam.t5_aberrant
    if t5 is None or t5.status != "VALID":
        aberrant = None
    else:
        signs = {"painful arc": t5.painful_arc, "instability catch": t5.instability_catch,
                 "Gowers sign": t5.gowers_sign, "reversal of lumbopelvic rhythm": t5.reversal_of_rhythm}
        aberrant = _or3(*signs.values())
        if aberrant:
            run.fire("step3_aberrant", signs=", ".join(n for n, v in signs.items() if v))
    t10_fail = _t10_fail(exam)
    pit = _or3(t10_fail, intake.history.catching)
    if pit:
        detail = [d for d, v in (("2 or more movement-control tests failed", t10_fail),
                                 ("reports catching or giving way", intake.history.catching)) if v]
        run.fire("step3_pit_proxy", detail=" and ".join(detail))
    if aberrant is True and pit is True:
        matched.append("STABILITY_DEFICIENCY")
        run.fire("step3_stability")
    return aberrant, t10_fail


def step4_tension(intake: Intake, exam: Examination, run: RunLog, matched: list[str], direction: dict,
                   aberrant: bool | None) -> tuple[int, int]:
    responses = direction["responses"]
    no_pref = (not direction["ext_pref"] and not direction["flex_pref"]
               and not any(s in ("PERIPHERALIZES", "INCONCLUSIVE") for s in responses.values()))
    t11 = exam.t11
    flags = []
    if t11.ftf_cm is not None and t11.ftf_cm > TH["tightness_ftf_cm"]:
        flags.append("fingertip-to-floor")
    if any(s.status == "VALID" and not s.below_knee_pain and s.max_hip_flexion_deg is not None
           and s.max_hip_flexion_deg < TH["tightness_hamstring_deg"] for s in exam.t7_slr.values()):
        flags.append("hamstring")
    if t11.hip_flexor_trunk_upright and any(v < TH["tightness_hip_flexor_deg"]
                                            for v in t11.hip_flexor_back_thigh_deg.values()):
        flags.append("hip flexor")
    if t11.figure4_knee_height_diff_ll is not None and \
            t11.figure4_knee_height_diff_ll > TH["tightness_figure4_leg_fraction"]:
        flags.append("figure-4")
    if flags:
        run.fire("step4_tightness", count=len(flags), flags=", ".join(flags))
    h = intake.history
    no_leg_area = all(leg.pain_area == "none" for leg in h.legs.values())
    items = {
        "diffuse aching with no leg area": (h.bilateral_or_diffuse_aching
                                            or h.back_pain_area == "diffuse_back_and_buttocks") and no_leg_area,
        "stiff after sustained postures": h.stiffness_after_postures,
        "eased by movement, heat, massage or stretching": bool(
            {"movement_rest_stiffens", "heat_massage_stretching"} & set(h.easing)),
        "stress link": h.stress_link is not None and h.stress_link >= TH["tension_stress_link"],
    }
    present = [name for name, v in items.items() if v]
    if present:
        run.fire("step4_tension_history", items=", ".join(present))
    if no_pref and aberrant is False and len(flags) >= TH["tightness_flags_min"] and present:
        matched.append("MUSCLE_TENSION")
        run.fire("step4_muscle_tension")
    return len(flags), len(present)


def step6_overlays(intake: Intake, scores: dict[str, Score], run: RunLog) -> None:
    nrs, odi = scores.get("nrs"), scores.get("odi")
    worst = nrs.subscales["worst"] if nrs else None
    odi_percent = odi.percent if odi and odi.valid else None
    approach, reason = choose_approach(worst, odi_percent, intake.history.flare_started_weeks_ago)
    run.result.approach = approach
    run.fire("step6_approach", approach=approach.replace("_", " "), reason=reason)
    sb, pcs, gad = scores.get("startback"), scores.get("pcs"), scores.get("gad7")
    if (sb and sb.band == "high") or (pcs and pcs.valid and pcs.total >= TH["pcs_clinical_cutoff"]):
        run.act("EDU_PSY", "CLINICIAN_REVIEW")
        run.fire("step6_psych_high")
    if gad and gad.valid:
        if gad.total >= TH["gad7_action_severe"]:
            run.act("EDU_PSY", "CLINICIAN_REVIEW", "REFERRAL_ADVICE")
            run.fire("step6_gad_severe")
        elif gad.total >= TH["gad7_action_moderate"]:
            run.act("EDU_PSY", "REFERRAL_ADVICE")
            run.fire("step6_gad_moderate")

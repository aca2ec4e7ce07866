"""Gate 0: red-flag screening (clinical brief §3.1, both tables).

Every row is evaluated; the outcome is the most severe action that fired
(EMERGENCY > URGENT_REFERRAL > REFER > continue). Risk modifiers never fire a row alone: each one
that did not fire its row counts as one weak flag, and >= 2 distinct weak flags give REFER.
A finding id listed in ``intake.cleared`` (a signed clinician clearance, §3.0) no longer fires.

Validity limits: this screens and refers; it never diagnoses. Individual red flags have poor
diagnostic accuracy (§3.1); the actions and timings are [E] and need clinician sign-off.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from statistics import fmean

from backcoach.clinical.intake import Intake
from backcoach.clinical.thresholds import DATA_DIR, TH

SEVERITY = ("EMERGENCY", "URGENT_REFERRAL", "REFER")
#: How soon the patient should be seen: now, within 24-48 h, or a routine clinician review (§3.0).
URGENCY = {"EMERGENCY": "emergency", "URGENT_REFERRAL": "urgent", "REFER": "routine", None: "none"}
BLOCKING = frozenset(SEVERITY)


@cache
def redflag_data() -> dict:
    return tomllib.loads((DATA_DIR / "redflags.toml").read_text(encoding="utf-8"))


def checkin_questions() -> dict[str, dict[str, str]]:
    """The short set asked at every session check-in (§5.1)."""
    return {k: v for k, v in redflag_data()["questions"].items() if v.get("checkin")}


@dataclass(frozen=True)
class Finding:
    id: str
    action: str  # EMERGENCY | URGENT_REFERRAL | REFER | CONTINUE
    reason: str  # which answers fired it, plain words


@dataclass
class ScreenResult:
    outcome: str | None  # EMERGENCY | URGENT_REFERRAL | REFER, or None = continue
    findings: list[Finding] = field(default_factory=list)
    weak_flags: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    restrictions: list[str] = field(default_factory=list)
    referral_to: dict[str, str] | None = None
    version: str = ""

    @property
    def exercise_blocked(self) -> bool:
        return self.outcome in BLOCKING

    def patient_message(self) -> dict[str, str]:
        messages = redflag_data()["messages"]
        base = dict(messages[self.outcome or "CONTINUE"])
        if self.referral_to and not self.exercise_blocked:
            extra = messages["REFERRAL_ADVICE"]
            for lang in base:
                base[lang] += " " + extra[lang].format(who=self.referral_to[lang])
        return base

    def therapist_alert(self) -> dict | None:
        """Alert for the supervising clinician when anything fired (None when nothing did)."""
        if not self.findings and not self.weak_flags:
            return None
        texts = redflag_data()["findings"]
        return {
            "outcome": self.outcome or "CONTINUE",
            "exercise_blocked": self.exercise_blocked,
            "findings": [{"id": f.id, "action": f.action, "summary": texts[f.id]["text"]["en"], "reason": f.reason}
                         for f in self.findings],
            "weak_flags": self.weak_flags,
            "actions": self.actions,
        }

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome or "CONTINUE",
            "urgency": URGENCY[self.outcome],
            "exercise_blocked": self.exercise_blocked,
            "findings": [f.__dict__ for f in self.findings],
            "weak_flags": self.weak_flags,
            "actions": self.actions,
            "restrictions": self.restrictions,
            "patient_message": self.patient_message(),
            "therapist_alert": self.therapist_alert(),
            "version": self.version,
        }


def _weight_loss_fires(intake: Intake) -> tuple[bool, bool]:
    """(urgent, weak): >= 5% over 6-12 months, an unknown amount, or a >= 5% weigh-in fall -> urgent."""
    rf = intake.red_flags
    limit = TH["weight_loss_percent"]
    if rf.weigh_in_drop_percent is not None and rf.weigh_in_drop_percent >= limit:
        return True, False
    if not rf.weight_loss:
        return False, False
    weight = intake.patient.weight_kg
    if rf.weight_loss_kg is None or weight is None:
        return True, False  # the patient cannot give the amount (or no weight to compute % from)
    percent = rf.weight_loss_kg / (weight + rf.weight_loss_kg) * 100
    return (percent >= limit, percent < limit)


def screen(intake: Intake) -> ScreenResult:
    """Run both §3.1 tables on an intake and return the outcome, findings and weak flags."""
    rf, age, hist = intake.red_flags, intake.patient.age, intake.history
    legs = [hist.leg("left"), hist.leg("right")]
    fired: list[Finding] = []
    weak: list[str] = []

    def fire(finding_id: str, action: str, reason: str) -> None:
        if finding_id not in intake.cleared:
            fired.append(Finding(finding_id, action, reason))

    both_neuro = all(leg.leg_neuro for leg in legs)
    new_or_worse = any(
        (leg.onset_days is not None and leg.onset_days < TH["cauda_equina_new_days"]) or leg.trend == "worse"
        for leg in legs
    )
    ce = [("bladder or bowel change", rf.bladder_bowel_change), ("saddle numbness", rf.saddle_numbness),
          ("new or worsening symptoms in both legs", both_neuro and new_or_worse),
          ("new sexual dysfunction with back pain", rf.new_sexual_dysfunction)]
    if any(v for _, v in ce):
        fire("cauda_equina", "EMERGENCY", ", ".join(name for name, v in ce if v))
    if rf.leg_weakness_worsening_fast or rf.foot_drop:
        fire("progressive_deficit", "EMERGENCY", "rapidly worsening leg weakness" if rf.leg_weakness_worsening_fast
             else "new foot drop")
    if rf.major_trauma:
        fire("major_trauma", "EMERGENCY", "pain began after major trauma")

    # Aortic aneurysm: trigger -> EMERGENCY; modifier (age > 50 with vascular disease) + changed pain -> URGENT.
    if rf.tearing_pain or rf.pulsating_abdominal_mass:
        fire("aortic_aneurysm", "EMERGENCY", "tearing pain" if rf.tearing_pain else "pulsating abdominal mass")
    aaa_modifier = age > TH["redflag_age_modifier_aaa"] and rf.vascular_disease
    if aaa_modifier and rf.pain_changed:
        fire("aortic_risk_changed_pain", "URGENT_REFERRAL", "age over 50, vascular disease, changed pain")
    elif aaa_modifier:
        weak.append("age over 50 with vascular disease")

    if rf.cancer_history and rf.pain_changed:
        fire("cancer", "URGENT_REFERRAL", "history of cancer and new or changed pain")
    elif rf.cancer_history:
        weak.append("history of cancer")
        fire("cancer_history_unchanged", "CONTINUE", "history of cancer, pain unchanged")

    urgent_weight, weak_weight = _weight_loss_fires(intake)
    if urgent_weight:
        fire("weight_loss", "URGENT_REFERRAL", "unintentional weight loss >= 5% or of unknown amount")
    elif weak_weight:
        weak.append("unintentional weight loss under 5%")

    # Infection: modifiers are recent infection, IV drug use, immunosuppression (incl. long-term steroids).
    infection_mods = {"recent bacterial infection": rf.recent_bacterial_infection, "IV drug use": rf.iv_drug_use,
                      "immunosuppression": rf.immunosuppression}
    infection_row = rf.fever_chills_sweats or (
        rf.pain_changed and (any(infection_mods.values()) or rf.long_term_steroids))
    if infection_row:
        fire("infection", "URGENT_REFERRAL",
             "fever, chills or night sweats" if rf.fever_chills_sweats else "changed pain with an infection risk")
    else:
        weak += [name for name, present in infection_mods.items() if present]

    fracture_risk = age > TH["redflag_age_fracture"] or rf.osteoporosis or rf.long_term_steroids
    fracture_row = rf.minor_trauma_or_strain and rf.pain_changed and fracture_risk
    if fracture_row:
        fire("osteoporotic_fracture", "URGENT_REFERRAL", "minor trauma or strain, changed pain, fracture risk")
    else:
        if age > TH["redflag_age_fracture_modifier"]:
            weak.append("age over 70")
        if rf.osteoporosis:
            weak.append("osteoporosis")
    # Long-term steroids modifies two rows but is one weak flag (§3.1 weak-flag row).
    if rf.long_term_steroids and not (infection_row or fracture_row):
        weak.append("long-term corticosteroids")

    nm = [("constant progressive pain", rf.constant_progressive_pain),
          ("night pain not eased by moving", rf.night_pain_not_eased_by_moving),
          ("pain worse lying down", rf.worse_lying_down)]
    if any(v for _, v in nm):
        fire("non_mechanical_pain", "URGENT_REFERRAL", ", ".join(n for n, v in nm if v))
    cord = [("thoracic pain", rf.thoracic_pain), ("widespread neurological symptoms", rf.widespread_neuro),
            ("unsteady gait", rf.unsteady_gait), ("clumsy hands", rf.clumsy_hands)]
    if any(v for _, v in cord):
        fire("cord_neurological", "URGENT_REFERRAL", ", ".join(n for n, v in cord if v))

    young, old = TH["redflag_first_episode_ages"]
    if hist.first_episode and (age < young or age > old):
        weak.append("first episode under 20 or over 50")
    if rf.no_improvement_week4:
        weak.append("no improvement at the week-4 reassessment")

    spa = [rf.onset_before_40, rf.insidious_onset, rf.better_with_exercise, rf.not_better_with_rest,
           rf.night_pain_eases_on_getting_up]
    # UNKNOWN satisfies no condition (§3.5): an unknown duration does not count as >= 3 months
    three_months = hist.duration_weeks is not None and hist.duration_weeks >= TH["axial_spa_min_weeks"]
    if three_months and sum(spa) >= TH["axial_spa_min_features"]:
        fire("axial_spa", "CONTINUE", f"{sum(spa)} of 5 inflammatory back-pain features")

    weak = list(dict.fromkeys(weak))
    if len(weak) >= TH["redflag_weak_flags_refer"]:
        fire("weak_flags", "REFER", "; ".join(weak))

    _conditions(intake, fire)
    return _resolve(fired, weak)


def _conditions(intake: Intake, fire) -> None:
    c = intake.conditions
    for name in ("pregnancy", "surgery_or_trauma_2y", "previous_spinal_fracture", "spondylolisthesis_neuro",
                 "heart_or_blood_pressure", "parkinson_or_unsafe_for_exercise"):
        if getattr(c, name):
            fire(name, "REFER", "reported at onboarding")
    if intake.red_flags.chest_symptoms_on_exertion:
        fire("exertional_chest_symptoms", "REFER", "chest symptoms on exertion")
    low, high = TH["trial_age_range"]
    if not low <= intake.patient.age <= high:
        fire("age_outside_trial", "REFER", f"age {intake.patient.age}")
    if c.osteoporosis_previous_fracture:
        fire("osteoporosis_previous_fracture", "CONTINUE", "reported at onboarding")


def _resolve(fired: list[Finding], weak: list[str]) -> ScreenResult:
    data = redflag_data()
    outcome = next((level for level in SEVERITY if any(f.action == level for f in fired)), None)
    actions: list[str] = []
    restrictions: list[str] = []
    referral = None
    for f in fired:
        spec = data["findings"][f.id]
        actions += spec.get("actions", [])
        restrictions += spec.get("restrictions", [])
        referral = spec.get("referral", referral)
    if outcome is not None:
        actions.append("CLINICIAN_REVIEW")  # every blocking outcome alerts the therapist
    return ScreenResult(outcome, fired, weak, list(dict.fromkeys(actions)), restrictions, referral,
                        version=data["version"])


def needs_rescreen(pre_nrs: float, previous_pre: list[float], onboarding_nrs: float,
                   new_leg_symptoms: bool = False) -> bool:
    """§3.1 re-screen trigger: new leg symptoms or numbness, or pre-session NRS >= 3 above the mean
    of the last 3 pre-session values (fewer: those available; none: the onboarding current NRS)."""
    recent = previous_pre[-TH["rescreen_window_sessions"]:]
    reference = fmean(recent) if recent else onboarding_nrs
    return new_leg_symptoms or pre_nrs - reference >= TH["rescreen_nrs_rise"]

"""What the patient tells us at intake and reassessment: the input models (Pydantic).

`Intake` is the one input of screening and classification. Its JSON schema is exported by
``backcoach classify --schema`` and documented in docs/clinical.md. Values come from the onboarding
questionnaire (brief §3.5 A), the red-flag questions (§3.1) and the questionnaires (§2).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from backcoach.clinical._models import Side, Strict
from backcoach.clinical.examination import Examination

Trend = Literal["worse", "unchanged", "better"]

FLEXION_AGGRAVATORS = ("sitting_long", "bending_forward", "lifting", "rising_from_sitting", "putting_on_socks", "driving")
EXT_ROT_AGGRAVATORS = ("standing_long", "walking", "overhead_reaching", "lying_prone", "arching_back", "twisting",
                       "turning_in_bed", "carrying")
Aggravator = Literal[
    "sitting_long", "bending_forward", "lifting", "rising_from_sitting", "putting_on_socks", "driving",
    "standing_long", "walking", "overhead_reaching", "lying_prone", "arching_back", "twisting",
    "turning_in_bed", "carrying",
]
Easer = Literal["sitting_or_bending_forward", "walking_standing_or_lying_prone", "movement_rest_stiffens",
                "heat_massage_stretching", "nothing"]
PainPattern = Literal["constant", "intermittent", "morning_worse", "evening_worse", "activity_related"]


class LegSymptoms(Strict):
    """One leg (brief §3.5 A). `leg_neuro` (§3.1) = pain below the knee, numbness, pins-and-needles or weakness."""

    pain_area: Literal["none", "buttock", "thigh", "below_knee", "foot"] = "none"
    strip_like: bool = Field(False, description="below-knee pain or pins-and-needles in a narrow strip (body map)")
    numbness: bool = False
    pins_and_needles: bool = False
    weakness: bool = False
    shooting_pain: bool = False
    onset_days: int | None = Field(None, ge=0, description="days since the leg symptoms started")
    trend: Trend = "unchanged"
    numbness_progressing: bool = Field(False, description="'Is the numbness spreading or getting worse?'")

    @property
    def leg_neuro(self) -> bool:
        return self.pain_area in ("below_knee", "foot") or self.numbness or self.pins_and_needles or self.weakness


class Work(Strict):
    status: Literal["working", "off_work_due_to_back", "not_employed", "retired", "student", "homemaker"] = "working"
    demands: list[Literal["sitting", "standing", "lifting", "driving", "mixed"]] = []


class History(Strict):
    """Low-back-pain history form (issue 5 item 1; brief §3.5 A)."""

    duration_weeks: float | None = Field(None, ge=0, description="duration of the current episode")
    first_episode: bool = False
    episodes_12_months: int | None = Field(None, ge=0)
    episodes_lifetime: int | None = Field(None, ge=0)
    increasing_frequency: bool = False
    pain_pattern: list[PainPattern] = []
    back_pain_area: Literal["back_only", "back_and_buttock", "diffuse_back_and_buttocks"] = "back_only"
    bilateral_or_diffuse_aching: bool = False
    legs: dict[Side, LegSymptoms] = {}
    aggravating: list[Aggravator] = []
    easing: list[Easer] = []
    catching: bool = Field(False, description="mechanical catch, giving way, locking or needing to crack the back")
    self_manipulation_relief: bool = False
    morning_stiffness_minutes: float | None = Field(None, ge=0)
    stiffness_after_postures: bool = False
    stress_link: float | None = Field(None, ge=0, le=10, description="pain worse with stress or poor sleep, 0-10")
    flare_started_weeks_ago: float | None = Field(None, ge=0, description="a current flare, if any")
    work: Work = Work()
    previous_treatment: list[Literal["none", "physiotherapy", "exercise", "medication", "injection", "massage",
                                     "acupuncture", "manipulation", "surgery", "other"]] = []

    def leg(self, side: Side) -> LegSymptoms:
        return self.legs.get(side, LegSymptoms())


class RedFlagAnswers(Strict):
    """Yes/no answers to the §3.1 questions (question wording in data/redflags.toml)."""

    bladder_bowel_change: bool = False
    saddle_numbness: bool = False
    new_sexual_dysfunction: bool = False
    leg_weakness_worsening_fast: bool = False
    foot_drop: bool = False
    major_trauma: bool = False
    tearing_pain: bool = False
    pulsating_abdominal_mass: bool = False
    vascular_disease: bool = False
    cancer_history: bool = False
    pain_changed: bool = False
    weight_loss: bool = False
    weight_loss_kg: float | None = Field(None, ge=0, description="None with weight_loss = amount unknown")
    weight_loss_months: float | None = Field(None, ge=0)
    weigh_in_drop_percent: float | None = Field(None, ge=0, description="unintended fall between app weigh-ins")
    fever_chills_sweats: bool = False
    recent_bacterial_infection: bool = False
    iv_drug_use: bool = False
    immunosuppression: bool = False
    long_term_steroids: bool = False
    osteoporosis: bool = False
    minor_trauma_or_strain: bool = False
    constant_progressive_pain: bool = False
    night_pain_not_eased_by_moving: bool = False
    worse_lying_down: bool = False
    thoracic_pain: bool = False
    widespread_neuro: bool = False
    unsteady_gait: bool = False
    clumsy_hands: bool = False
    no_improvement_week4: bool = False
    onset_before_40: bool = False
    insidious_onset: bool = False
    better_with_exercise: bool = False
    not_better_with_rest: bool = False
    night_pain_eases_on_getting_up: bool = False
    chest_symptoms_on_exertion: bool = False


class Conditions(Strict):
    """Conditions outside the trial population (§3.1 second table)."""

    pregnancy: bool = False
    surgery_or_trauma_2y: bool = False
    previous_spinal_fracture: bool = False
    spondylolisthesis_neuro: bool = False
    heart_or_blood_pressure: bool = False
    parkinson_or_unsafe_for_exercise: bool = False
    osteoporosis_previous_fracture: bool = False


class Patient(Strict):
    age: int = Field(..., ge=0, le=120)
    sex: Literal["female", "male", "other"] | None = None
    height_cm: float | None = Field(None, gt=0)
    weight_kg: float | None = Field(None, gt=0)


class Questionnaires(Strict):
    """Raw answers per instrument (same positions as `backcoach score`; null = missing, "na" allowed for ODI 8)."""

    nrs: list[int | None] | None = None
    odi: list[int | str | None] | None = None
    rmdq: list[int | None] | None = None
    pcs: list[int | None] | None = None
    startback: list[int | None] | None = None
    gad7: list[int | None] | None = None
    tug: list[float | None] | None = None


class Intake(Strict):
    """Everything screening and classification read; `examination` holds the camera tests T1-T11."""

    patient: Patient
    history: History = History()
    red_flags: RedFlagAnswers = RedFlagAnswers()
    conditions: Conditions = Conditions()
    questionnaires: Questionnaires = Questionnaires()
    cleared: list[str] = Field([], description="finding ids removed by a signed clinician clearance (§3.0)")
    examination: Examination | None = None

import pytest

from backcoach.clinical.redflags import checkin_questions, needs_rescreen, redflag_data, screen
from backcoach.clinical.intake import RedFlagAnswers

NEW_LEG = {"pain_area": "below_knee", "onset_days": 5}
OLD_LEG = {"pain_area": "below_knee", "onset_days": 200, "trend": "unchanged"}

VIGNETTES = [
    # (id, intake kwargs, expected outcome, expected finding id)
    ("urinary-retention", dict(red_flags={"bladder_bowel_change": True}), "EMERGENCY", "cauda_equina"),
    ("saddle-numbness", dict(red_flags={"saddle_numbness": True}), "EMERGENCY", "cauda_equina"),
    ("bilateral-new-sciatica", dict(history={"legs": {"left": NEW_LEG, "right": NEW_LEG}}), "EMERGENCY", "cauda_equina"),
    ("bilateral-worsening-numbness", dict(history={"legs": {"left": {"numbness": True, "trend": "worse"},
                                                             "right": {"numbness": True}}}), "EMERGENCY", "cauda_equina"),
    ("sexual-dysfunction", dict(red_flags={"new_sexual_dysfunction": True}), "EMERGENCY", "cauda_equina"),
    ("foot-drop", dict(red_flags={"foot_drop": True}), "EMERGENCY", "progressive_deficit"),
    ("fast-weakness", dict(red_flags={"leg_weakness_worsening_fast": True}), "EMERGENCY", "progressive_deficit"),
    ("car-crash", dict(red_flags={"major_trauma": True}), "EMERGENCY", "major_trauma"),
    ("tearing-pain", dict(age=68, red_flags={"tearing_pain": True}), "EMERGENCY", "aortic_aneurysm"),
    ("pulsating-mass", dict(red_flags={"pulsating_abdominal_mass": True}), "EMERGENCY", "aortic_aneurysm"),
    ("vascular-changed-pain", dict(age=62, red_flags={"vascular_disease": True, "pain_changed": True}),
     "URGENT_REFERRAL", "aortic_risk_changed_pain"),
    ("cancer-changed-pain", dict(red_flags={"cancer_history": True, "pain_changed": True}), "URGENT_REFERRAL", "cancer"),
    ("weight-loss-6pct", dict(weight_kg=66, red_flags={"weight_loss": True, "weight_loss_kg": 4.5,
                                                       "weight_loss_months": 6}), "URGENT_REFERRAL", "weight_loss"),
    ("weight-loss-unknown-amount", dict(red_flags={"weight_loss": True}), "URGENT_REFERRAL", "weight_loss"),
    ("weigh-in-drop", dict(red_flags={"weigh_in_drop_percent": 5.0}), "URGENT_REFERRAL", "weight_loss"),
    ("fever", dict(red_flags={"fever_chills_sweats": True}), "URGENT_REFERRAL", "infection"),
    ("ivdu-changed-pain", dict(red_flags={"iv_drug_use": True, "pain_changed": True}), "URGENT_REFERRAL", "infection"),
    ("steroids-changed-pain", dict(red_flags={"long_term_steroids": True, "pain_changed": True}),
     "URGENT_REFERRAL", "infection"),
    ("osteoporotic-fracture", dict(age=58, red_flags={"minor_trauma_or_strain": True, "pain_changed": True}),
     "URGENT_REFERRAL", "osteoporotic_fracture"),
    ("night-pain", dict(red_flags={"night_pain_not_eased_by_moving": True}), "URGENT_REFERRAL", "non_mechanical_pain"),
    ("constant-progressive", dict(red_flags={"constant_progressive_pain": True}), "URGENT_REFERRAL", "non_mechanical_pain"),
    ("thoracic", dict(red_flags={"thoracic_pain": True}), "URGENT_REFERRAL", "cord_neurological"),
    ("clumsy-hands", dict(red_flags={"clumsy_hands": True, "unsteady_gait": True}), "URGENT_REFERRAL", "cord_neurological"),
    ("two-weak-flags", dict(red_flags={"cancer_history": True, "osteoporosis": True}), "REFER", "weak_flags"),
    ("first-episode-old-plus-ivdu", dict(age=55, history={"first_episode": True}, red_flags={"iv_drug_use": True}),
     "REFER", "weak_flags"),
    ("pregnancy", dict(conditions={"pregnancy": True}), "REFER", "pregnancy"),
    ("recent-surgery", dict(conditions={"surgery_or_trauma_2y": True}), "REFER", "surgery_or_trauma_2y"),
    ("spinal-fracture", dict(conditions={"previous_spinal_fracture": True}), "REFER", "previous_spinal_fracture"),
    ("heart", dict(conditions={"heart_or_blood_pressure": True}), "REFER", "heart_or_blood_pressure"),
    ("chest-on-exertion", dict(red_flags={"chest_symptoms_on_exertion": True}), "REFER", "exertional_chest_symptoms"),
    ("parkinson", dict(conditions={"parkinson_or_unsafe_for_exercise": True}), "REFER", "parkinson_or_unsafe_for_exercise"),
    ("age-17", dict(age=17), "REFER", "age_outside_trial"),
    ("age-76", dict(age=76), "REFER", "age_outside_trial"),
    ("spondylolisthesis", dict(conditions={"spondylolisthesis_neuro": True}), "REFER", "spondylolisthesis_neuro"),
]


@pytest.mark.parametrize("kwargs, outcome, finding", [pytest.param(k, o, f, id=i) for i, k, o, f in VIGNETTES])
def test_red_flag_vignettes_are_all_caught(intake_factory, kwargs, outcome, finding):
    result = screen(intake_factory(**kwargs))
    assert result.outcome == outcome
    assert finding in [f.id for f in result.findings]
    assert result.exercise_blocked
    assert "CLINICIAN_REVIEW" in result.actions
    alert = result.therapist_alert()
    assert alert["exercise_blocked"] and alert["outcome"] == outcome
    message = result.patient_message()
    assert set(message) == {"en", "zh-Hans"} and all(message.values())


def test_most_severe_action_wins(intake_factory):
    result = screen(intake_factory(red_flags={"fever_chills_sweats": True, "saddle_numbness": True},
                                   conditions={"pregnancy": True}))
    assert result.outcome == "EMERGENCY"
    assert {f.id for f in result.findings} == {"cauda_equina", "infection", "pregnancy"}
    assert "emergency" in result.patient_message()["en"].lower()


@pytest.mark.parametrize("kwargs", [
    pytest.param(dict(), id="nothing"),
    pytest.param(dict(history={"legs": {"left": OLD_LEG, "right": OLD_LEG}}), id="long-standing-bilateral-is-step-1b"),
    pytest.param(dict(age=62, red_flags={"vascular_disease": True}), id="aaa-modifier-alone-weak"),
    pytest.param(dict(red_flags={"cancer_history": True}), id="cancer-unchanged-weak"),
    pytest.param(dict(red_flags={"long_term_steroids": True, "osteoporosis": False}), id="steroids-once"),
    pytest.param(dict(weight_kg=70, red_flags={"weight_loss": True, "weight_loss_kg": 2}), id="weight-loss-under-5pct"),
    pytest.param(dict(history={"legs": {"left": NEW_LEG}}), id="new-one-sided-sciatica"),
])
def test_no_blocking_outcome_without_a_fired_row(intake_factory, kwargs):
    result = screen(intake_factory(**kwargs))
    assert result.outcome is None and not result.exercise_blocked
    assert len(result.weak_flags) <= 1


def test_single_weak_flag_is_listed_not_acted_on(intake_factory):
    result = screen(intake_factory(red_flags={"cancer_history": True}))
    assert result.weak_flags == ["history of cancer"]
    assert result.actions == ["CLINICIAN_REVIEW"]
    assert result.therapist_alert() is not None


def test_steroids_counted_once_even_with_two_rows(intake_factory):
    assert screen(intake_factory(red_flags={"long_term_steroids": True})).weak_flags == ["long-term corticosteroids"]


def test_axial_spa_advises_rheumatology_and_exercise_continues(intake_factory):
    rf = {"onset_before_40": True, "insidious_onset": True, "better_with_exercise": True, "not_better_with_rest": True}
    result = screen(intake_factory(red_flags=rf, history={"duration_weeks": 30}))
    assert result.outcome is None
    assert set(result.actions) == {"REFERRAL_ADVICE", "CLINICIAN_REVIEW"}
    assert "rheumatologist" in result.patient_message()["en"]
    assert "风湿" in result.patient_message()["zh-Hans"]


def test_osteoporosis_with_fracture_restricts_flexion(intake_factory):
    result = screen(intake_factory(conditions={"osteoporosis_previous_fracture": True}))
    assert result.outcome is None and result.restrictions == ["no_loaded_end_range_flexion"]


def test_clearance_removes_a_finding_but_not_new_ones(intake_factory):
    kwargs = dict(conditions={"pregnancy": True}, cleared=["pregnancy"])
    assert screen(intake_factory(**kwargs)).outcome is None
    kwargs["red_flags"] = {"fever_chills_sweats": True}
    assert screen(intake_factory(**kwargs)).outcome == "URGENT_REFERRAL"


def test_every_question_has_both_languages_and_matches_an_answer_field():
    questions = redflag_data()["questions"]
    fields = set(RedFlagAnswers.model_fields) - {"weight_loss_kg", "weight_loss_months", "weigh_in_drop_percent",
                                                 "no_improvement_week4"}
    assert set(questions) == fields
    assert all(q["en"] and q["zh-Hans"] for q in questions.values())


def test_checkin_short_set_covers_cauda_equina_weakness_and_fever():
    assert {"bladder_bowel_change", "saddle_numbness", "leg_weakness_worsening_fast",
            "fever_chills_sweats"} <= set(checkin_questions())


@pytest.mark.parametrize("pre, previous, onboarding, new_leg, expected", [
    (7, [4, 4, 4], 5, False, True), (6, [4, 4, 4], 5, False, False), (6, [], 3, False, True),
    (5, [2], 5, False, True), (4, [4, 4, 4, 1], 4, True, True), (5, [1, 4, 4, 3], 4, False, False),
])
def test_rescreen_trigger(pre, previous, onboarding, new_leg, expected):
    assert needs_rescreen(pre, previous, onboarding, new_leg) is expected

import pytest

from backcoach.clinical.catalog import Dose, PlanError
from backcoach.clinical.classify import CATEGORIES, classify
from backcoach.clinical.prescription import (
    build_plan, check_plan, plan_from_classification, prescription_data, starting_level, stretch_dose,
)
from backcoach.clinical.thresholds import TH

APPROACHES = ("symptom_modulation", "movement_control", "function_optimization")


def test_dose_seconds_hand_computed():
    # 10 reps x 4 s x 2 sets = 80 s + 1 rest of 45 s = 125 s; per side doubles the work: 205 s
    dose = Dose(reps=10, sets=2, rest_s=45, rep_s=4)
    assert dose.seconds("bilateral") == 125
    assert dose.seconds("per_side") == 205
    # no tempo: hold + seconds_per_rep (4) per rep: 5 x (10 + 4) = 70 s
    assert Dose(reps=5, sets=1, hold_s=10).seconds("bilateral") == 70


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("approach", APPROACHES)
def test_every_plan_meets_frame_duration_frequency_and_modalities(full_catalog, category, approach):
    plan = build_plan(category, full_catalog, approach=approach, centralizing="extension")
    assert len(plan.sessions) == 12
    for week in range(1, 5):
        days = [s.day for s in plan.sessions if s.week == week]
        assert days == [0, 2, 4]
    for session in plan.sessions:
        assert 30 <= session.minutes <= 45
        blocks = {i.block for i in session.items}
        assert {"warm_up", "motor", "cool_down"} <= blocks
        assert len(session.education) >= 1
    modalities = {i.modality for i in plan.sessions[0].items}
    assert set(prescription_data()["required_modalities"][category]) <= modalities
    assert plan.exercise_ids() <= set(full_catalog)
    assert plan.cr10_upper == TH["cr10_upper_by_approach"][approach]


def test_flexion_intolerance_plan_is_mckenzie_extension_and_avoids_end_range_flexion(full_catalog):
    plan = build_plan("FLEXION_INTOLERANCE", full_catalog)
    ids = plan.exercise_ids()
    assert {"prone_lying", "prone_on_elbows"} <= ids
    assert not ids & {"knee_to_chest", "childs_pose", "flexion_in_sitting", "flexion_in_lying", "cat_camel"}


def test_ext_rot_intolerance_avoids_press_ups_and_rotation(full_catalog):
    ids = build_plan("EXT_ROT_INTOLERANCE", full_catalog).exercise_ids()
    assert "flexion_in_lying" in ids
    assert not ids & {"prone_press_up", "standing_extension", "lumbar_rotation_stretch", "seated_trunk_rotation"}


def test_excluded_direction_is_never_loaded(full_catalog):
    plan = build_plan("STABILITY_DEFICIENCY", full_catalog, excluded_directions=["extension"])
    assert not plan.exercise_ids() & {"prone_lying", "prone_on_elbows", "prone_press_up", "standing_extension",
                                      "hip_flexor_stretch", "cat_camel"}


def test_nerve_compression_plan_loads_only_the_centralizing_direction_and_no_neural_tension(full_catalog):
    plan = build_plan("NERVE_COMPRESSION", full_catalog, centralizing="extension")
    ids = plan.exercise_ids()
    assert {"prone_lying", "prone_on_elbows"} <= ids
    assert not ids & {"hamstring_stretch", "cat_camel", "knee_to_chest", "flexion_in_lying", "lumbar_rotation_stretch"}
    patient, therapist = plan.notes
    assert (patient["for"], therapist["for"]) == ("patient", "therapist")
    assert "GP or a spine specialist" in patient["en"] and "脊柱专科医生" in patient["zh-Hans"]  # refers (§3.6 1d)
    # §3.7: sliders only once a clinician agrees: the patient waits for the therapist's review.
    assert "do not start it until your therapist has reviewed" in patient["en"]
    assert "在治疗师审核您的计划并确认之前，请不要开始" in patient["zh-Hans"]
    assert "confirm it or remove it in your review" in therapist["en"] and "请在审核时确认或删除" in therapist["zh-Hans"]
    assert build_plan("STABILITY_DEFICIENCY", full_catalog).notes == []


@pytest.mark.parametrize("centralizing, mckenzie", [("extension", ["prone_lying", "prone_on_elbows"]),
                                                    ("flexion", ["flexion_in_lying"])])
def test_nerve_compression_category_block_ends_with_the_nerve_slider(full_catalog, centralizing, mckenzie):
    """§5.1 Main: the centralizing direction, then neural sliders (§3.7 [U]) at their beginner dose."""
    plan = build_plan("NERVE_COMPRESSION", full_catalog, centralizing=centralizing)
    for session in plan.sessions:
        block = [i for i in session.items if i.block == "category"]
        assert [i.id for i in block] == [*mckenzie, "nerve_slider"]
        slider = block[-1]
        assert (slider.modality, slider.level, slider.sides) == ("neural", 2, "per_side")
        beginner = full_catalog["nerve_slider"].dose(2)
        # The main block's minimum time may add sets (round robin, at most max_extra_sets each).
        assert (slider.dose.reps, slider.dose.rep_s) == (beginner.reps, beginner.rep_s)
        assert beginner.sets <= slider.dose.sets <= beginner.sets + TH["max_extra_sets"]


@pytest.mark.parametrize("category", CATEGORIES)
def test_only_the_nerve_compression_plan_selects_neural_exercises(full_catalog, category):
    """The slider sits only in the nerve-compression category lists, which no other plan reads (a
    secondary category lends its flexibility list only); every other plan, with every secondary
    category added, has no neural item."""
    data = prescription_data()
    neural = {i for i, entry in full_catalog.items() if entry.modality == "neural"}
    assert neural == {"nerve_slider"}
    # Every list some plan other than nerve compression's category block can read.
    lists = [data["warm_up"], data["cool_down"], data["week4"]] + [
        {k: v for k, v in spec.items() if not (name == "NERVE_COMPRESSION" and k.startswith("category"))}
        for name, spec in data["categories"].items()
    ]
    named = {x for section in lists for value in section.values() if isinstance(value, list)
             for x in value if isinstance(x, str)}
    assert not named & neural
    if category != "NERVE_COMPRESSION":
        others = [c for c in CATEGORIES if c != category]
        plan = build_plan(category, full_catalog, centralizing="extension", secondary=others)
        assert not {i.id for s in plan.sessions for i in s.items} & neural


def test_the_nerve_slider_glides_and_does_not_tension():
    """§3.7: a slider loads the nerve without end-range tension, so nerve compression (which avoids
    neural end range) may take it while the hamstring stretch stays excluded."""
    loads = prescription_data()["loads"]
    assert loads["nerve_slider"] == {"direction": "neural", "end_range": False}
    assert loads["hamstring_stretch"] == {"direction": "neural", "end_range": True}


def test_week_two_stretches_are_three_by_thirty(full_catalog):
    plan = build_plan("MUSCLE_TENSION", full_catalog)
    week1 = [i for i in plan.sessions[0].items if i.modality == "flexibility" and i.block == "flexibility"]
    week2 = [i for i in plan.sessions[3].items if i.modality == "flexibility" and i.block == "flexibility"]
    assert all((i.dose.reps, i.dose.hold_s) == (2, 20) for i in week1)
    assert all((i.dose.reps, i.dose.hold_s) == (3, 30) for i in week2)
    assert stretch_dose(1) == Dose(reps=2, sets=1, hold_s=20, rest_s=0)


def test_week_three_adds_secondary_category_stretches(full_catalog):
    plan = build_plan("FLEXION_INTOLERANCE", full_catalog, secondary=["MUSCLE_TENSION"])
    week3 = {i.id for i in plan.sessions[6].items}
    assert "piriformis_stretch" in week3 or "hamstring_stretch" in week3


def test_week_four_adds_function_and_transfer(full_catalog):
    plan = build_plan("STABILITY_DEFICIENCY", full_catalog)
    assert {"breathing_with_bracing", "sit_to_stand"} <= {i.id for i in plan.sessions[9].items}
    assert "sit_to_stand" not in {i.id for i in plan.sessions[0].items}


@pytest.mark.parametrize("approach, level", [("symptom_modulation", 1), ("movement_control", 2),
                                             ("function_optimization", 3)])
def test_starting_level_by_approach(make_entry, approach, level):
    assert starting_level(make_entry("bird_dog", "core"), approach) == level


def test_education_one_theme_a_week_and_one_topic_a_session(full_catalog):
    plan = build_plan("STABILITY_DEFICIENCY", full_catalog, edu_psy=True)
    assert [t["id"] for t in plan.weekly_themes] == ["posture", "pain_management", "causes", "lumbar_structure"]
    assert [s.education[0] for s in plan.sessions] == list(range(1, 13))
    # EDU_PSY: topics 2, 6, 10 released in week 1 beside the week's own topics
    assert [s.education for s in plan.sessions[:3]] == [(1, 2), (2, 6), (3, 10)]
    assert plan.sessions[6].education == (7, 2)  # EDU_PSY repeated two weeks later


def test_modes(full_catalog):
    assert build_plan("MUSCLE_TENSION", full_catalog, mode="video_only").mode == "video_only"
    with pytest.raises(PlanError, match="unknown mode 'tv'"):
        build_plan("MUSCLE_TENSION", full_catalog, mode="tv")


def test_missing_library_exercises_fail_loudly(full_catalog):
    small = {k: v for k, v in full_catalog.items() if k in ("squat", "glute_bridge")}
    with pytest.raises(PlanError, match=r"Missing library files: .*abdominal_drawing_in"):
        build_plan("STABILITY_DEFICIENCY", small)


def test_plan_with_unknown_id_is_rejected(full_catalog):
    plan = build_plan("MUSCLE_TENSION", full_catalog)
    smaller = {k: v for k, v in full_catalog.items() if k != "glute_bridge"}
    with pytest.raises(PlanError, match="not in the library: glute_bridge"):
        check_plan(plan, smaller)


@pytest.mark.parametrize("reps", [pytest.param(1, id="too-short"), pytest.param(150, id="too-long")])
def test_session_outside_30_45_minutes_is_rejected(full_catalog, reps):
    from dataclasses import replace
    changed = {k: replace(v, ladder=tuple(replace(d, reps=reps) for d in v.ladder)) for k, v in full_catalog.items()}
    with pytest.raises(PlanError, match=r"session 1 \(week 1\) lasts .* min, outside 30-45 min"):
        build_plan("STABILITY_DEFICIENCY", changed)


def test_long_sessions_are_fitted_by_dropping_optional_items(full_catalog):
    from dataclasses import replace
    longer = {k: replace(v, ladder=tuple(replace(d, reps=d.reps * 4) for d in v.ladder)) for k, v in full_catalog.items()}
    plan = build_plan("MUSCLE_TENSION", longer)
    assert all(30 <= s.minutes <= 45 for s in plan.sessions)
    assert len(plan.sessions[9].items) == 11  # 14 at the normal doses; 3 optional stretches dropped
    assert {"knee_to_chest", "diaphragmatic_breathing"} <= {i.id for i in plan.sessions[9].items}


def test_real_library_plan_uses_only_library_files():
    """The package library: either a valid plan from its files, or a loud error naming missing ids."""
    from backcoach.clinical.catalog import catalog_from_library
    try:
        catalog = catalog_from_library()
        plan = build_plan("STABILITY_DEFICIENCY", catalog)
    except PlanError as error:  # the library is still being written by another engineer
        assert any(s in str(error) for s in ("Missing library files", "not in the library", "cannot be read"))
    else:
        assert plan.exercise_ids() <= set(catalog)


def test_catalog_reads_ladders_from_library_files():
    import tomllib

    from backcoach.clinical.catalog import entry_from_exercise
    from backcoach.exercises import parse_exercise
    from backcoach.paths import EXERCISES_DIR

    data = tomllib.loads((EXERCISES_DIR / "squat.toml").read_text(encoding="utf-8"))
    label = {"en": "step", "zh-Hans": "步骤"}
    data["dosage"] = {
        "source": data["dosage"]["source"],
        "beginner": {"reps": 10, "sets": 2, "rest_s": 30, "tempo": {"out_s": 2, "hold_s": 1, "return_s": 2}},
        "regressions": [{"label": label, "reps": 8, "sets": 2}, {"label": label, "reps": 6, "sets": 1}],
        "progressions": [{"label": label, "reps": 12, "sets": 3}],
    }
    entry = entry_from_exercise(parse_exercise(data, "squat (test dosage)"))
    assert entry.modality == "core" and entry.beginner_level == 3 and entry.top_level == 4
    assert [d.reps for d in entry.ladder] == [6, 8, 10, 12]  # easiest regression first
    assert (entry.dose(3).sets, entry.dose(3).rest_s, entry.dose(3).rep_s) == (2, 30, 5)


def test_plan_from_classification_respects_flags(full_catalog, intake_factory):
    better = {"pre_nrs": 5, "nrs_60s": 3, "pre_location": 0, "immediate_location": 0, "location_60s": 0}
    result = classify(intake_factory(examination={  # both directions better: conflict, avoid both end ranges
        "t1_flexion_standing": better, "t2_extension_standing": better, "t9_heel_toe": {}}))
    plan = plan_from_classification(result, full_catalog)
    assert plan.category == "STABILITY_DEFICIENCY" and {"flexion", "extension"} <= set(plan.avoid_end_range)
    assert not plan.exercise_ids() & {"prone_press_up", "standing_extension", "knee_to_chest", "cat_camel"}
    blocked = classify(intake_factory(red_flags={"saddle_numbness": True}))
    with pytest.raises(PlanError, match="outcome is EMERGENCY; exercise is locked"):
        plan_from_classification(blocked, full_catalog)


def test_osteoporosis_restriction_drops_loaded_flexion(full_catalog, intake_factory):
    centralize_flexion = {"pre_nrs": 4, "nrs_60s": 4, "pre_location": 2, "immediate_location": 2, "location_60s": 0}
    result = classify(intake_factory(conditions={"osteoporosis_previous_fracture": True}, examination={
        "t1_flexion_standing": centralize_flexion, "t9_heel_toe": {}}))
    assert result.category == "EXT_ROT_INTOLERANCE"
    ids = plan_from_classification(result, full_catalog).exercise_ids()
    assert "flexion_in_lying" in ids and "flexion_in_sitting" not in ids


ISSUE4_IDS = {
    "squat", "glute_bridge", "bird_dog", "dead_bug", "cat_camel", "prone_press_up", "seated_trunk_rotation",
    "seated_flank_stretch", "seated_arms_up_breathing", "abdominal_drawing_in", "side_plank", "front_plank",
    "knee_to_chest", "childs_pose", "hamstring_stretch", "piriformis_stretch", "hip_flexor_stretch",
    "lumbar_rotation_stretch", "prone_lying", "prone_on_elbows", "standing_extension", "flexion_in_lying",
    "flexion_in_sitting", "diaphragmatic_breathing", "breathing_with_bracing", "sit_to_stand", "nerve_slider",
}


def test_prescription_data_names_only_library_ids(full_catalog):
    data = prescription_data()
    named = set(data["loads"]) | set(data["warm_up"]["breathing"]) | set(data["warm_up"]["mobility"])
    named |= set(data["cool_down"]["breathing"]) | set(data["week4"]["add"])
    for spec in data["categories"].values():
        for key, value in spec.items():
            if isinstance(value, list) and key != "notes":
                named |= set(value)
    assert named <= ISSUE4_IDS, sorted(named - ISSUE4_IDS)
    assert set(full_catalog) == ISSUE4_IDS


def test_substitute_is_the_next_easier_exercise_of_the_block(full_catalog):
    from backcoach.clinical.prescription import substitute
    plan = build_plan("STABILITY_DEFICIENCY", full_catalog)
    # week 3 motor block: drawing-in, dead bug, bird-dog, bridge, side plank; front plank is free
    sub = substitute(plan, "side_plank", 3, full_catalog)
    assert (sub.id, sub.level, sub.block) == ("front_plank", 1, "motor")
    assert substitute(plan, "abdominal_drawing_in", 1, full_catalog).id == "side_plank"  # easier ones all taken
    with pytest.raises(PlanError, match="'prone_lying' is not in week 1"):
        substitute(plan, "prone_lying", 1, full_catalog)


def test_substitute_skips_exercises_the_patient_may_not_do(full_catalog):
    from backcoach.clinical.prescription import substitute
    plan = build_plan("FLEXION_INTOLERANCE", full_catalog)
    sub = substitute(plan, "prone_on_elbows", 1, full_catalog)
    assert sub.id == "prone_press_up" and sub.level == 1  # prone lying is already in the session
    assert substitute(plan, "hamstring_stretch", 1, full_catalog) is None  # hip flexor, piriformis in use
    restricted = build_plan("EXT_ROT_INTOLERANCE", full_catalog, restrictions=["no_loaded_end_range_flexion"])
    assert "flexion_in_sitting" not in restricted.exercise_ids()
    assert substitute(restricted, "flexion_in_lying", 1, full_catalog) is None  # only loaded flexion is left

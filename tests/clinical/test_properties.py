"""Property tests: every input ends in exactly one outcome, and the safety invariants always hold."""

from hypothesis import HealthCheck, given, settings, strategies as st

from backcoach.clinical.catalog import PlanError
from backcoach.clinical.classify import CATEGORIES, classify
from backcoach.clinical.intake import Intake
from backcoach.clinical.prescription import build_plan, prescription_data
from backcoach.clinical.progression import ExerciseRecord, decide

OUTCOMES = set(CATEGORIES) | {"EMERGENCY", "URGENT_REFERRAL", "REFER"}
location = st.integers(0, 4)
nrs = st.integers(0, 10)
directional = st.one_of(
    st.none(),
    st.just({"status": "INCONCLUSIVE", "reason": "camera_quality"}),
    st.builds(lambda a, b, c, d, e: {"pre_nrs": a, "nrs_60s": b, "pre_location": c, "immediate_location": d,
                                     "location_60s": e}, nrs, nrs, location, location, location),
    st.sampled_from([{"abort_answer": "pain_spread"}, {"abort_answer": "pain_worse"}]),
)
tri = st.sampled_from([True, False, None])
leg = st.fixed_dictionaries({
    "pain_area": st.sampled_from(["none", "buttock", "thigh", "below_knee", "foot"]),
    "strip_like": st.booleans(), "numbness": st.booleans(), "onset_days": st.one_of(st.none(), st.integers(0, 400)),
    "trend": st.sampled_from(["worse", "unchanged", "better"]), "numbness_progressing": st.booleans(),
})
intakes = st.builds(
    lambda age, flags, legs, agg, t1, t2, t3, t4, rot, t5, slr, t10, ftf, catching, weakness: Intake.model_validate({
        "patient": {"age": age},
        "red_flags": flags,
        "history": {"legs": legs, "aggravating": agg, "catching": catching, "stress_link": 6,
                    "bilateral_or_diffuse_aching": True},
        "examination": {k: v for k, v in {
            "t1_flexion_standing": t1, "t2_extension_standing": t2, "t3_extension_lying": t3,
            "t4_flexion_lying": t4, "t6": {"rotation_left": rot} if rot else {},
            "t5_aberrant": {"painful_arc": t5[0], "gowers_sign": t5[1]},
            "t7_slr": {"left": slr}, "t8_slump": {}, "t10": t10, "t11": {"ftf_cm": ftf},
            "t9_heel_toe": {"sides": {"left": {"heel_raises": weakness[0]}}, "weakness_new_or_worse": weakness[1]},
        }.items() if v is not None},
    }),
    st.integers(18, 75),
    st.fixed_dictionaries({}, optional={"fever_chills_sweats": st.booleans(), "cancer_history": st.booleans(),
                                        "osteoporosis": st.booleans(), "pain_changed": st.booleans()}),
    st.dictionaries(st.sampled_from(["left", "right"]), leg, max_size=2),
    st.lists(st.sampled_from(["sitting_long", "bending_forward", "walking", "twisting", "lifting"]), unique=True),
    directional, directional, directional, directional, directional,
    st.tuples(tri, tri),
    st.fixed_dictionaries({"below_knee_pain": st.booleans(), "onset_hip_flexion_deg": st.integers(20, 90),
                           "max_hip_flexion_deg": st.integers(40, 100), "dorsiflexion_increases": st.booleans()}),
    st.dictionaries(st.sampled_from(["waiters_bow", "pelvic_tilt", "one_leg_stance", "quadruped_rocking"]),
                    st.sampled_from(["kept", "lost", "inconclusive"])),
    st.one_of(st.none(), st.floats(0, 40)),
    st.booleans(),
    st.tuples(st.integers(0, 10), st.sampled_from(["yes", "no", "not_sure", None])),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(intakes)
def test_every_intake_ends_in_exactly_one_outcome_with_safe_flags(intake):
    result = classify(intake)
    assert result.outcome in OUTCOMES
    assert (result.category is not None) == (result.outcome in CATEGORIES)
    if result.category is None:
        return
    responses = result.responses
    if result.category == "FLEXION_INTOLERANCE":
        assert "extension" not in result.excluded_directions
    if result.category == "EXT_ROT_INTOLERANCE":
        assert "flexion" not in result.excluded_directions
    if result.category == "MUSCLE_TENSION":
        assert not {"PERIPHERALIZES", "INCONCLUSIVE"} & set(responses.values())
    for direction, state in responses.items():
        assert (state == "PERIPHERALIZES") == (direction in result.excluded_directions)
    if result.confidence < 2 or result.unclassified:
        assert "CLINICIAN_REVIEW" in result.actions
    assert all("{" not in rule.text for rule in result.rules)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(CATEGORIES), st.sampled_from(["symptom_modulation", "movement_control", "function_optimization"]),
       st.sets(st.sampled_from(["flexion", "extension", "rotation"])),
       st.sets(st.sampled_from(["flexion", "extension", "rotation"])), st.sampled_from(["extension", "flexion", None]))
def test_any_plan_is_valid_or_refused_and_never_loads_an_excluded_direction(full_catalog, category, approach,
                                                                           excluded, avoid, centralizing):
    try:
        plan = build_plan(category, full_catalog, approach=approach, excluded_directions=excluded,
                          avoid_end_range=avoid, centralizing=centralizing)
    except PlanError as error:
        assert "lacks" in str(error) or "outside 30-45" in str(error)
        return
    loads = prescription_data()["loads"]
    for session in plan.sessions:
        assert 30 <= session.minutes <= 45
        for item in session.items:
            load = loads.get(item.id, {})
            directions = set(load.get("directions", [load.get("direction")]))
            assert not directions & excluded, (item.id, excluded)
            if load.get("end_range"):
                assert not directions & set(plan.avoid_end_range), (item.id, plan.avoid_end_range)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(nrs, nrs, st.one_of(st.none(), nrs), st.one_of(st.none(), st.floats(0, 1)),
                          st.one_of(st.none(), st.sampled_from([x / 2 for x in range(23)])), st.booleans(),
                          st.booleans()), min_size=1, max_size=6),
       st.integers(1, 5), st.sampled_from([3, 4, 5]), st.booleans())
def test_every_progression_history_gets_exactly_one_decision(rows, level, cap, flare):
    history = [ExerciseRecord("bird_dog", level, day * 2, pre, max_in, nm, form, cr10, cue50=cue, peripheralized=p)
               for day, (pre, max_in, nm, form, cr10, cue, p) in enumerate(rows)]
    decision = decide(history, cr10_upper=cap, top_level=5, flare_active=flare)
    assert decision.action in {"remove", "regress", "hold", "progress"}
    assert 1 <= decision.level <= 5
    if flare:
        assert decision.action != "progress"
    if history[-1].peripheralized:
        assert decision.action == "remove"

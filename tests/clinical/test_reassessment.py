import pytest

from backcoach.clinical.prescription import build_plan
from backcoach.clinical.reassessment import Measures, is_responding, plan_difference, reassess

BASE = Measures(nrs_current=5, nrs_average=5, nrs_worst=7, odi_percent=30, rmdq=8)


@pytest.mark.parametrize("current, done, row, reclassify", [
    pytest.param(Measures(nrs_average=7, nrs_worst=7, odi_percent=30, rmdq=8), 6, "worse", False, id="avg-up-2"),
    pytest.param(Measures(nrs_average=4, nrs_worst=7, new_leg_symptoms=True), 6, "worse", False, id="new-leg"),
    pytest.param(Measures(nrs_average=4, nrs_worst=5, odi_percent=30, rmdq=8), 6, "responding", False, id="worst-2"),
    pytest.param(Measures(nrs_average=5, nrs_worst=7, odi_percent=20, rmdq=8), 6, "responding", False, id="odi-10"),
    pytest.param(Measures(nrs_average=5, nrs_worst=7, odi_percent=30, rmdq=5), 6, "responding", False,
                 id="rmdq-37pct"),
    pytest.param(Measures(nrs_average=4, nrs_worst=6, odi_percent=28, rmdq=7), 4, "not_adherent", False,
                 id="4-of-6"),
    pytest.param(Measures(nrs_average=4, nrs_worst=6, odi_percent=28, rmdq=7), 5, "not_responding", True,
                 id="adherent-no-change"),
])
def test_week2_rows_first_match(current, done, row, reclassify):
    result = reassess(2, BASE, current, sessions_done=done)
    assert result.row == row and result.reclassify is reclassify and result.rescreen
    if row == "worse":
        assert result.hold_all and "CLINICIAN_REVIEW" in result.actions
    if row == "not_adherent":
        assert "20-min" in result.offer


def test_week2_reapplies_approach():
    assert reassess(2, BASE, Measures(nrs_worst=3, odi_percent=18), sessions_done=6).approach == "function_optimization"


def test_week4_non_responder_gets_weak_flag_and_refer_with_another():
    flat = Measures(nrs_average=5, nrs_worst=7, odi_percent=30, rmdq=8)
    result = reassess(4, BASE, flat)
    assert result.weak_flag and "CLINICIAN_REVIEW" in result.actions and "REFER" not in result.actions
    assert "REFER" in reassess(4, BASE, flat, other_weak_flags=1).actions
    good = reassess(4, BASE, Measures(nrs_average=3, nrs_worst=4, odi_percent=18, rmdq=4))
    assert good.weak_flag is None and "maintenance: 2 sessions a week" in good.offer


def test_week8_durability():
    week4 = Measures(nrs_average=3, nrs_worst=4)
    assert reassess(8, BASE, Measures(nrs_average=3, nrs_worst=5), week4=week4).row == "durable"
    result = reassess(8, BASE, Measures(nrs_average=5, nrs_worst=5), week4=week4)
    assert result.row == "re_engage" and "week-3 plan" in result.offer


def test_is_responding_names_the_measures():
    assert is_responding(BASE, Measures(nrs_worst=4, rmdq=3)) == (True, ["worst NRS", "RMDQ"])


def test_plan_difference_lists_changes_for_review(full_catalog):
    old = build_plan("STABILITY_DEFICIENCY", full_catalog)
    new = build_plan("FLEXION_INTOLERANCE", full_catalog, approach="symptom_modulation")
    diff = plan_difference(old, new, from_week=3)
    assert diff["status"] == "pending_therapist_review"
    kinds = {(c["change"], c.get("exercise")) for c in diff["changes"]}
    assert ("category", None) in kinds and ("approach", None) in kinds
    assert ("add", "prone_lying") in kinds and ("remove", "dead_bug") in kinds
    assert plan_difference(old, old, from_week=3)["changes"] == []

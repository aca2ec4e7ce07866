import pytest

from backcoach.trial.eligibility import EligibilityError, Verdict, load_criteria, screen

ELIGIBLE = {
    "nonspecific_lbp_diagnosis": True, "lbp_duration_months": 14, "nrs_mean": 4, "age": 29,
    "right_handed": True, "uses_smartphone_wechat": True, "pregnant": False,
    "waist_trauma_or_surgery_past_2_years": False, "nerve_root_symptoms_history": False,
    "spinal_fracture_history": False, "spinal_infection_history": False,
    "lumbar_malignancy_history": False, "lbp_caused_by_other_disease": False,
    "hypertension": False, "heart_disease": False, "parkinsons_disease": False,
    "other_condition_unfit_for_intense_exercise": False,
}


def test_paper_criteria_are_loaded_with_both_languages_and_sources():
    criteria = load_criteria()
    assert sum(c.kind == "inclusion" for c in criteria) == 7
    assert sum(c.kind == "exclusion" for c in criteria) == 11
    assert all(c.text["en"] and c.text["zh-Hans"] and c.source == "V" for c in criteria)


def test_a_participant_meeting_everything_is_eligible():
    result = screen("S01", ELIGIBLE)
    assert result.verdict is Verdict.ELIGIBLE and result.failed == () and result.missing == ()


@pytest.mark.parametrize("change, failed", [
    pytest.param({"lbp_duration_months": 3}, ("lbp_over_3_months",), id="exactly-3-months-is-not-more"),
    pytest.param({"nrs_mean": 2.5}, ("mean_nrs_at_least_3",), id="nrs-below-3"),
    pytest.param({"nrs_mean": 3}, (), id="nrs-3-is-enough"),
    pytest.param({"age": 17}, ("age_at_least_18",), id="age-17"),
    pytest.param({"age": 75}, (), id="age-75-included"),
    pytest.param({"age": 76}, ("age_at_most_75",), id="age-76"),
    pytest.param({"right_handed": False}, ("right_handed",), id="left-handed"),
    pytest.param({"pregnant": True, "hypertension": True}, ("pregnancy", "hypertension"), id="two-exclusions"),
])
def test_each_rule_gives_its_reason(change, failed):
    result = screen("S02", ELIGIBLE | change)
    assert result.failed == failed
    assert result.verdict is (Verdict.NOT_ELIGIBLE if failed else Verdict.ELIGIBLE)


def test_missing_answers_make_screening_incomplete_not_eligible():
    answers = dict(ELIGIBLE)
    del answers["pregnant"]
    result = screen("S03", answers)
    assert result.verdict is Verdict.INCOMPLETE and result.missing == ("pregnant",)


def test_wrong_answer_type_is_an_error():
    with pytest.raises(EligibilityError, match="field 'age' needs a number, got 'old'"):
        screen("S04", ELIGIBLE | {"age": "old"})


def test_bad_criteria_file_names_the_item(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[[criteria]]\nid = "x"\nkind = "inclusion"\nfield = "age"\nabove = 1\nat_most = 3\n'
                    'source = "E"\nen = "a"\nzh-Hans = "b"\n')
    with pytest.raises(EligibilityError, match=r"criteria\[1\] \(x\): needs exactly one of"):
        load_criteria(path)

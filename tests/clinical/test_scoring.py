import pytest
from hypothesis import given, strategies as st

from backcoach.clinical.instruments import NA, AnswerError, parse_answers
from backcoach.clinical.scoring import nrs_band, odi_band, responder, score


def test_odi_full_example_from_scoring_instructions():
    s = score("odi", [2, 2, 1, 2, 1, 2, 1, 2, 2, 1])  # 16/50
    assert (s.total, s.max, s.percent, s.band, s.valid) == (16, 50, 32.0, "moderate", True)
    assert s.subscales["raw_points_0_50"] == 16


def test_odi_one_missing_section_reduces_denominator():
    s = score("odi", [2, 2, 1, 2, 1, 2, 1, None, 2, 3])
    assert s.percent == pytest.approx(16 / 45 * 100)  # 35.56
    assert s.n_answered == 9 and s.valid and s.rule == "odi_min8"


def test_odi_not_applicable_sex_life_counts_as_unanswered_for_min8():
    answers = [1, 1, 1, 1, 1, 1, 1, NA, None, None]
    s = score("odi", answers)
    assert not s.valid and s.percent is None and s.band is None and s.n_answered == 7


def test_odi_na_only_allowed_for_sex_life():
    with pytest.raises(AnswerError, match=r"odi item 3 \(lifting\): 'na' is not allowed"):
        parse_answers("odi", "1,1,na,1,1,1,1,1,1,1")


@pytest.mark.parametrize("percent, band", [
    pytest.param(0, "minimal"), pytest.param(20, "minimal"), pytest.param(20.5, "moderate"),
    pytest.param(40, "moderate"), pytest.param(40.0001, "severe"), pytest.param(60, "severe"),
    pytest.param(61, "very severe"), pytest.param(80, "very severe"), pytest.param(80.1, "extreme"),
    pytest.param(100, "extreme"),
])
def test_odi_band_half_open_intervals(percent, band):
    assert odi_band(percent) == band


def test_odi_non_integer_percent_is_banded_unrounded():
    # 9/45 = 20.0 exactly minimal; 10/45 = 22.2 moderate; 18/45 = 40.0 moderate
    assert score("odi", [1, 1, 1, 1, 1, 1, 1, None, 1, 1]).band == "minimal"
    assert score("odi", [2, 1, 1, 1, 1, 1, 1, None, 1, 1]).band == "moderate"


def test_rmdq_complete_and_rescaled():
    assert score("rmdq", [1] * 5 + [0] * 19).total == 5
    s = score("rmdq", [1] * 5 + [0] * 17 + [None, None])
    assert s.total == pytest.approx(5 * 24 / 22) and s.valid and s.rule == "rmdq_rescaled_max2_missing"
    s = score("rmdq", [1] * 5 + [0] * 16 + [None] * 3)
    assert not s.valid and s.total is None and s.rule == "rmdq_invalid_over2_missing"


def test_pcs_subscales_use_verified_item_numbers():
    answers = [0] * 13
    for i in (8, 9, 10, 11):
        answers[i - 1] = 4
    s = score("pcs", answers)
    assert s.subscales == {"rumination": 16, "magnification": 0, "helplessness": 0}
    assert s.total == 16 and s.band == "below cut-off"


def test_pcs_proration_and_magnification_needs_all_items():
    answers = [3] * 13
    answers[0] = None  # helplessness item 1 missing -> mean 3 x 6 = 18
    answers[7] = None  # rumination item 8 missing -> 12
    s = score("pcs", answers)
    assert s.subscales["helplessness"] == 18 and s.subscales["rumination"] == 12
    assert s.total == 39 and s.valid and s.band == "clinically relevant"
    answers[5] = None  # magnification item 6 missing -> invalid
    s = score("pcs", answers)
    assert s.subscales["magnification"] is None and not s.valid and s.total is None


def test_pcs_cutoff_at_exactly_30():
    answers = [2] * 13 + []
    answers[0] = 4  # 2*13 + 2 = 28
    answers[1] = 4  # 30
    assert score("pcs", answers).total == 30
    assert score("pcs", answers).band == "clinically relevant"
    answers[1] = 3
    assert score("pcs", answers).band == "below cut-off"


@pytest.mark.parametrize("answers, total, psych, band", [
    pytest.param([1, 1, 1, 0, 0, 0, 0, 0, 2], 3, 0, "low", id="total-3-low"),
    pytest.param([1, 1, 1, 1, 0, 0, 0, 0, 2], 4, 0, "medium", id="total-4-medium"),
    pytest.param([0, 0, 0, 0, 1, 1, 1, 0, 3], 4, 4, "high", id="psych-4-high"),
    pytest.param([1, 1, 1, 1, 1, 1, 1, 0, 2], 7, 3, "medium", id="psych-3-medium"),
    pytest.param([0, 0, 0, 0, 1, 1, 1, 1, 1], 4, 4, "high", id="item9-slightly-scores-0"),
])
def test_startback_risk_rule(answers, total, psych, band):
    s = score("startback", answers)
    # item 9 'slightly' (1) scores 0: total excludes it
    assert (s.total, s.subscales["psychosocial"], s.band) == (total, psych, band)


def test_startback_requires_all_items():
    s = score("startback", [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert not s.valid and s.band is None


@pytest.mark.parametrize("total, band", [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"),
                                         (10, "moderate"), (14, "moderate"), (15, "severe"), (21, "severe")])
def test_gad7_band_boundaries(total, band):
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    answers += [0] * (7 - len(answers))
    assert score("gad7", answers).band == band


def test_gad7_missing_item_invalid():
    assert not score("gad7", [1, 1, 1, 1, 1, 1, None]).valid


def test_tug_mean_of_three_to_one_decimal_and_inconclusive():
    s = score("tug", [10.26, 10.4, 10.0])
    assert s.total == 10.2 and s.band == "intermediate"
    assert score("tug", [9.0, 9.5, 9.9]).band == "normal"
    s = score("tug", [10.0, None, 11.0])
    assert not s.valid and s.total is None


def test_cr10_half_steps_and_above_max():
    assert score("cr10", [4.5]).band == "somewhat hard"
    assert score("cr10", parse_answers("cr10", ">10")).total == 11
    with pytest.raises(AnswerError, match=r"cr10 item 1 \(exertion\): 4.3 is outside the allowed range 0-10 in steps of 0.5"):
        parse_answers("cr10", "4.3")


def test_nrs_keeps_recall_frames_apart():
    s = score("nrs", [3, 4, None])
    assert s.subscales == {"current": 3, "average": 4, "worst": None}
    assert s.total is None and not s.valid and s.n_answered == 2


@pytest.mark.parametrize("value, band", [(0, "none"), (1, "mild"), (3, "mild"), (4, "moderate"), (6, "moderate"),
                                         (7, "severe"), (10, "severe")])
def test_nrs_bands(value, band):
    assert nrs_band(value) == band


@pytest.mark.parametrize("instrument, text, message", [
    ("gad7", "1,1,1,1,1,1,4", r"gad7 item 7 \(dread\): 4 is outside the allowed range 0-3"),
    ("nrs", "11,1,1", r"nrs item 1 \(current\): 11 is outside the allowed range whole numbers 0-10"),
    ("startback", "1,1,1,1,1,1,1,1,5", r"startback item 9 \(bothersome\): 5 is outside the allowed range 0-4"),
    ("rmdq", ",".join(["0"] * 23 + ["2"]), r"rmdq item 24 \(bed_most_day\): 2 is outside the allowed range 0-1"),
    ("odi", "1,1,1,1,6,1,1,1,1,1", r"odi item 5 \(sitting\): 6 is outside the allowed range 0-5"),
    ("pcs", "1,1,x,1,1,1,1,1,1,1,1,1,1", r"pcs item 3 \(terrible_forever\): 'x' is not a number"),
    ("tug", "10,0.2,11", r"tug item 2 \(trial_2\): 0.2 is outside the allowed range 1-300 seconds"),
    ("gad7", "1,1,1", r"gad7 has 7 items but 3 answers were given"),
])
def test_out_of_range_answers_are_refused_with_item_and_range(instrument, text, message):
    with pytest.raises(AnswerError, match=message):
        parse_answers(instrument, text)


@pytest.mark.parametrize("baseline, follow_up, mcid, expected", [
    (6, 4, 2, True), (6, 5, 2, False), (3, 2, 2, True),  # 33% >= 30%
    (10, 8, 3, False), (0, 0, 2, False), (5, None, 2, None),
])
def test_responder_rule(baseline, follow_up, mcid, expected):
    assert responder(baseline, follow_up, mcid) is expected


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_odi_percent_always_in_range_and_valid_iff_8_sections(answers):
    s = score("odi", answers)
    n = sum(a is not None for a in answers)
    assert s.valid == (n >= 8)
    if s.valid:
        assert 0 <= s.percent <= 100 and s.band is not None


@given(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=13, max_size=13))
def test_pcs_total_in_range_and_equals_subscale_sum(answers):
    s = score("pcs", answers)
    if s.valid:
        assert 0 <= s.total <= 52
        assert s.total == pytest.approx(sum(s.subscales.values()))
        assert 0 <= s.subscales["rumination"] <= 16 and 0 <= s.subscales["helplessness"] <= 24


@given(st.lists(st.integers(0, 1), min_size=8, max_size=8), st.integers(0, 4))
def test_startback_ranges(items, item9):
    s = score("startback", items + [item9])
    assert 0 <= s.total <= 9 and 0 <= s.subscales["psychosocial"] <= 5
    assert s.band in ("low", "medium", "high")


@given(st.lists(st.one_of(st.none(), st.integers(0, 1)), min_size=24, max_size=24))
def test_rmdq_ranges(answers):
    s = score("rmdq", answers)
    if s.valid:
        assert 0 <= s.total <= 24

"""Web visits: the questionnaires each asks for and the trial values a scored questionnaire gives."""

import pytest

from backcoach.clinical import scoring
from backcoach.trial.visits import SCHEDULE
from backcoach.trial.web_visits import instruments_for, outcome_values

VISITS = {v.id: v for v in SCHEDULE}


def test_only_web_visits_are_answered_in_the_app():
    assert instruments_for(VISITS["week2"]) == ["nrs", "odi", "rmdq", "pcs"]
    assert instruments_for(VISITS["week8"]) == ["nrs"]
    assert instruments_for(VISITS["baseline"]) == [] and instruments_for(VISITS["week4"]) == []


@pytest.mark.parametrize("instrument, answers, expected", [
    pytest.param("nrs", [6, 5, 7], {"nrs_current": 6.0, "nrs_mean": 5.0, "nrs_worst": 7.0}, id="nrs-three-values"),
    pytest.param("odi", [1, 2, 3, 0, 1, 2, 1, 1, 2, 1], {"odi": 14.0}, id="odi-raw-points"),
    # 13 points of 45 (sex life not applicable) = 28.9 % -> 14.4444 on the 0-50 scale
    pytest.param("odi", [1, 2, 3, 0, 1, 2, 1, "na", 2, 1], {"odi": 14.4444}, id="odi-rescaled-with-na"),
    pytest.param("rmdq", [1] * 10 + [0] * 14, {"rmdq": 10.0}, id="rmdq-total"),
    pytest.param("pcs", [2] * 13, {"pcs": 26.0}, id="pcs-total"),
])
def test_outcome_values(instrument, answers, expected):
    assert outcome_values(instrument, scoring.score(instrument, answers).public()) == expected


def test_an_invalid_score_or_another_instrument_is_refused():
    with pytest.raises(ValueError, match="'gad7' is not a trial questionnaire"):
        outcome_values("gad7", scoring.score("gad7", [1] * 7).public())
    with pytest.raises(ValueError, match="odi: the answers do not give a valid score"):
        outcome_values("odi", {"valid": False, "rule": "odi_min8"})

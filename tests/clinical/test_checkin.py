import pytest

from backcoach.clinical.checkin import CheckinError, session_checkin
from backcoach.clinical.redflags import checkin_questions, redflag_data

SHORT = {q: False for q in checkin_questions()}
ALL = {q: False for q in redflag_data()["questions"]}


@pytest.fixture
def intake(intake_factory):
    return intake_factory(questionnaires={"nrs": [4, 5, 6]})


def test_first_call_asks_the_short_set_in_both_languages(intake):
    result = session_checkin(intake, {})
    assert result.status == "ask" and not result.full_screen
    assert set(result.questions) == {"bladder_bowel_change", "saddle_numbness", "leg_weakness_worsening_fast",
                                     "foot_drop", "fever_chills_sweats", "chest_symptoms_on_exertion"}
    assert all(q["en"] and q["zh-Hans"] for q in result.questions.values())
    assert result.message["en"].startswith("Before today's session") and "安全问题" in result.message["zh-Hans"]


def test_all_no_and_usual_pain_continues(intake):
    result = session_checkin(intake, SHORT, pre_nrs=4, previous_pre=[4, 3, 4])
    assert result.status == "continue" and result.loaded_exercise
    assert result.message["en"].startswith("Thank you. Nothing in your answers")


def test_a_yes_on_the_short_set_blocks_with_the_emergency_message_and_alert(intake):
    result = session_checkin(intake, {**SHORT, "saddle_numbness": True}, pre_nrs=3, previous_pre=[3])
    assert result.status == "blocked" and not result.loaded_exercise
    assert result.screen.outcome == "EMERGENCY"
    assert "120" in result.message["zh-Hans"] and "emergency" in result.message["en"]
    assert result.screen.therapist_alert()["findings"][0]["id"] == "cauda_equina"


def test_pain_three_above_the_last_three_asks_the_full_table(intake):
    # mean of the last 3 pre-session values (2, 3, 4) is 3; 6 is 3 above it
    result = session_checkin(intake, SHORT, pre_nrs=6, previous_pre=[5, 2, 3, 4])
    assert result.status == "ask" and result.full_screen and result.rescreen_reasons == ["pain_rise"]
    assert set(result.questions) == set(ALL) - set(SHORT)
    assert "full set of safety questions" in result.message["en"] and "完整的安全问题" in result.message["zh-Hans"]
    assert session_checkin(intake, SHORT, pre_nrs=5, previous_pre=[5, 2, 3, 4]).status == "continue"  # 2 above


def test_without_earlier_sessions_the_onboarding_pain_is_the_reference(intake):
    assert session_checkin(intake, SHORT, pre_nrs=7).rescreen_reasons == ["pain_rise"]  # 7 - 4 = 3
    assert session_checkin(intake, SHORT, pre_nrs=6).status == "continue"


def test_new_leg_symptoms_mid_session_rescreen_and_a_full_yes_blocks(intake):
    result = session_checkin(intake, SHORT, new_leg_symptoms=True)
    assert result.status == "ask" and result.rescreen_reasons == ["new_leg_symptoms"]
    done = session_checkin(intake, {**ALL, "fever_chills_sweats": True, "iv_drug_use": True}, new_leg_symptoms=True)
    assert done.status == "blocked" and done.screen.exercise_blocked


def test_high_pre_session_pain_allows_relief_and_breathing_only(intake):
    result = session_checkin(intake, ALL, pre_nrs=7, previous_pre=[6, 6, 6])
    assert result.status == "continue" and not result.loaded_exercise
    assert result.message["en"] and result.message["zh-Hans"]


@pytest.mark.parametrize("answers, pre, match", [
    ({"saddle": True}, None, "unknown question 'saddle'"),
    ({"saddle_numbness": "no"}, None, r"answers\['saddle_numbness'\]: 'no' is not yes/no"),
    (SHORT, 11, "pre_nrs: 11 is not a whole number 0-10"),
])
def test_bad_input_is_refused_with_the_item(intake, answers, pre, match):
    with pytest.raises(CheckinError, match=match):
        session_checkin(intake, answers, pre_nrs=pre)


def test_missing_onboarding_pain_is_named(intake_factory):
    with pytest.raises(CheckinError, match=r"questionnaires.nrs\[0\]"):
        session_checkin(intake_factory(), SHORT, pre_nrs=5)

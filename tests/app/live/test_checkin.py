"""Reading the posted check-in form (the decision itself is the clinical library's, tested there)."""

from __future__ import annotations

from backcoach.app.live.checkin import read_answers


def test_answers_are_read_by_question_id_and_unknown_or_unanswered_fields_are_left_out() -> None:
    answers, leg = read_answers({"checkin_saddle_numbness": "yes", "checkin_fever_chills_sweats": "no",
                                 "checkin_not_a_question": "yes", "checkin_bladder_bowel_change": "",
                                 "pain_before": "3", "new_leg_symptoms": "no"})
    assert answers == {"saddle_numbness": True, "fever_chills_sweats": False}
    assert leg is False
    assert read_answers({"new_leg_symptoms": "maybe"}) == ({}, None)

"""Pure mapping of a patient's stored record onto the FHIR builders."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from backcoach.clinical import scoring
from backcoach.trial.fhir import InstrumentResponse, care_plan, questionnaire_response
from backcoach.trial.fhir_patient import PlannedItem, StoredResponse, prescription, score_values

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _stored(response_id: int, instrument: str, answers: list) -> StoredResponse:
    return StoredResponse(response_id, instrument, "v1", 0, WHEN, answers, scoring.score(instrument, answers).public())


def test_scores_follow_each_instrument() -> None:
    values = score_values([
        _stored(1, "nrs", [3, 5, 8]),
        _stored(2, "odi", [1] * 10),  # 10 / 50 -> 20 %
        _stored(3, "tug", [9.0, 10.0, None]),  # fewer than three trials: no value, no score
        _stored(4, "tug", [9.0, 10.0, 11.5]),  # mean 10.2 s (to 0.1 s)
        _stored(5, "cr10", [4]),
    ])
    assert [(v.response.id, v.score, v.value, v.unit) for v in values] == [
        (1, "nrs_current", 3.0, "points"), (1, "nrs_mean", 5.0, "points"), (1, "nrs_worst", 8.0, "points"),
        (2, "odi", 20.0, "%"), (4, "tug", 10.2, "s"), (5, "cr10", 4.0, "points")]


def test_prescription_takes_the_current_dose_and_the_busiest_week() -> None:
    start = date(2026, 11, 2)  # a Monday; week 1 has three sessions, week 2 two
    items = [
        PlannedItem(date(2026, 11, 2), "bird_dog", 2, 8, None),
        PlannedItem(date(2026, 11, 4), "bird_dog", 2, 8, None),
        PlannedItem(date(2026, 11, 6), "dead_bug", 2, 10, None),
        PlannedItem(date(2026, 11, 10), "bird_dog", 3, 10, None),
        PlannedItem(date(2026, 11, 12), "side_bridge", 2, None, 20),
    ]
    plan = prescription(7, "Patient/3", start, 2, items, date(2026, 11, 11), str.upper)
    assert (plan.id, plan.start, plan.end, plan.sessions_per_week) == ("plan-7", start, date(2026, 11, 15), 3)
    assert [(e.exercise_id, e.name, e.sets, e.reps, e.hold_seconds) for e in plan.exercises] == [
        ("bird_dog", "BIRD_DOG", 3, 10, None),  # the week-2 dose, scheduled before "today"
        ("dead_bug", "DEAD_BUG", 2, 10, None),
        ("side_bridge", "SIDE_BRIDGE", 2, None, 20),  # not yet due: its first dose
    ]
    resource = care_plan(plan)
    assert [a.detail.description for a in resource.activity] == ["3 sets, 10 reps", "2 sets, 10 reps",
                                                                 "2 sets, hold 20 s"]


def test_questionnaire_response_marks_not_applicable_and_skips_unanswered() -> None:
    resource = questionnaire_response(InstrumentResponse(
        "qr-1", "P1", "odi", "v", WHEN, [("a", 1), ("b", "na"), ("c", None)]))
    assert [i.linkId for i in resource.item] == ["a", "b"]
    assert resource.item[1].answer[0].valueCoding.system == "http://terminology.hl7.org/CodeSystem/data-absent-reason"
    with pytest.raises(ValueError, match="item 'c': answer 'yes' is not a number"):
        questionnaire_response(InstrumentResponse(
            "qr-2", "P1", "odi", "v", WHEN, [("c", "yes")]))


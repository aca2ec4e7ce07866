import json
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.observation import Observation

from backcoach.trial.fhir import (
    LOCAL_OUTCOME_SYSTEM, AccessEvent, InstrumentResponse, PrescribedExercise, Prescription,
    audit_event, care_plan, collection, observations_from_long, questionnaire_response, score_observation,
)

UTC = timezone.utc
AT = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)


def roundtrip(resource):
    """Serialise to JSON and parse it back through the same model (full validation)."""
    return type(resource).model_validate_json(resource.model_dump_json())


def codes(observation):
    return {(c.system, c.code) for c in observation.code.coding}


def test_questionnaire_response_validates_and_keeps_answers():
    qr = questionnaire_response(InstrumentResponse("qr1", "P01", "rmdq", "24", AT, [("rmdq_1", 1), ("rmdq_2", 0)]))
    again = roundtrip(qr)
    assert again.status == "completed" and again.subject.reference == "Patient/P01"
    assert [i.linkId for i in again.item] == ["rmdq_1", "rmdq_2"]
    assert again.item[0].answer[0].valueInteger == 1
    assert again.questionnaire.endswith("/Questionnaire/rmdq|24")


def test_questionnaire_response_rejects_text_answers_and_naive_times():
    with pytest.raises(ValueError, match="item 'x': answer 'yes' is not a number"):
        questionnaire_response(InstrumentResponse("q", "P01", "odi", "2.1a", AT, [("x", "yes")]))
    with pytest.raises(ValueError, match="has no time zone"):
        questionnaire_response(InstrumentResponse("q", "P01", "odi", "2.1a", datetime(2023, 3, 1), []))


@pytest.mark.parametrize("outcome, unit, expected", [
    pytest.param("nrs_current", None, {("http://loinc.org", "72514-3"), (LOCAL_OUTCOME_SYSTEM, "nrs_current")}, id="current-nrs-loinc"),
    pytest.param("nrs_worst", None, {(LOCAL_OUTCOME_SYSTEM, "nrs_worst")}, id="worst-nrs-local"),
    pytest.param("tug", None, {("http://loinc.org", "89423-8"), (LOCAL_OUTCOME_SYSTEM, "tug")}, id="tug-loinc"),
    pytest.param("odi", "%", {("http://loinc.org", "97909-6"), (LOCAL_OUTCOME_SYSTEM, "odi")}, id="odi-percent-loinc"),
    pytest.param("odi", None, {(LOCAL_OUTCOME_SYSTEM, "odi")}, id="odi-raw-points-local"),
    pytest.param("mf_left", None, {(LOCAL_OUTCOME_SYSTEM, "mf_left")}, id="thickness-local"),
])
def test_score_observations_use_loinc_only_where_it_fits(outcome, unit, expected):
    obs = roundtrip(score_observation("o1", "P01", outcome, 4.2, date(2023, 3, 1), unit=unit))
    assert codes(obs) == expected
    assert float(obs.valueQuantity.value) == pytest.approx(4.2)


def test_thickness_observation_in_millimetres():
    obs = score_observation("o2", "P01", "tra_right", 4.0, AT, derived_from="QuestionnaireResponse/x")
    assert obs.valueQuantity.code == "mm" and obs.category[0].coding[0].code == "exam"


def test_care_plan_holds_each_exercise_with_dosage_and_schedule():
    plan = Prescription("cp1", "P01", date(2023, 3, 1), date(2023, 3, 28), 3, [
        PrescribedExercise("dead_bug", "Dead bug", sets=3, reps=10),
        PrescribedExercise("side_plank", "Side plank", sets=2, hold_seconds=20),
    ])
    resource = roundtrip(care_plan(plan))
    assert isinstance(resource, CarePlan) and resource.intent == "plan"
    details = [a.detail for a in resource.activity]
    assert [d.code.coding[0].code for d in details] == ["dead_bug", "side_plank"]
    assert details[1].description == "2 sets, hold 20 s"
    assert details[0].scheduledTiming.repeat.frequency == 3 and details[0].scheduledTiming.repeat.periodUnit == "wk"


def test_audit_event_records_who_did_what():
    event = roundtrip(audit_event(AccessEvent("a1", AT, "user-7", "statistician", "R", "Group/trial-1")))
    assert event.action == "R" and event.outcome == "0"
    assert event.agent[0].who.identifier.value == "user-7"
    assert event.agent[0].role[0].coding[0].code == "statistician"
    with pytest.raises(ValueError, match="action 'X' must be one of"):
        audit_event(AccessEvent("a2", AT, "u", "r", "X", "Patient/P01"))


def test_bundle_of_observations_from_the_long_table_has_no_arm():
    long = pd.DataFrame({"subject": ["P01", "P01"], "arm": ["AI", "AI"], "week": [0, 4],
                         "outcome": ["tug", "tug"], "value": [10.4, 9.8]})
    observations = observations_from_long(long, lambda s, w: date(2023, 3, 1 + 7 * w))
    bundle = Bundle.model_validate_json(collection(observations, "export-1", AT).model_dump_json())
    assert len(bundle.entry) == 2
    assert "AI" not in bundle.model_dump_json()
    assert isinstance(bundle.entry[1].resource, Observation)
    assert bundle.entry[1].resource.effectiveDateTime.isoformat() == "2023-03-29"
    assert json.loads(bundle.model_dump_json())["type"] == "collection"

import json
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.observation import Observation

from backcoach.trial.fhir import (
    LOCAL_OUTCOME_SYSTEM, PRACTITIONER_ROLE, ROLE_CODINGS, TRIAL_ROLE_SYSTEM, AccessEvent, InstrumentResponse,
    PatientIdentity, PrescribedExercise, Prescription, audit_event, care_plan, cohort, collection, fhir_id,
    observations_from_long, patient, pseudonymous_patients, questionnaire_response, score_observation,
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
    assert [(c.system, c.code) for r in event.agent[0].role for c in r.coding] == [
        (PRACTITIONER_ROLE, "researcher"), (TRIAL_ROLE_SYSTEM, "statistician")]
    with pytest.raises(ValueError, match="action 'X' must be one of"):
        audit_event(AccessEvent("a2", AT, "u", "r", "X", "Patient/P01"))
    with pytest.raises(ValueError, match="role 'nurse' has no FHIR coding; known roles: .*'therapist'"):
        audit_event(AccessEvent("a3", AT, "u", "nurse", "R", "Patient/P01"))


SNOMED = "http://snomed.info/sct"
V3_CLASS = "http://terminology.hl7.org/CodeSystem/v3-RoleClass"
V3_PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"


@pytest.mark.parametrize("role, action, expected_roles, expected_type", [
    pytest.param("patient", "R", [(V3_CLASS, "PAT")], (V3_CLASS, "PAT"), id="patient-reads-own"),
    pytest.param("therapist", "R", [(SNOMED, "36682004")], (V3_PARTICIPATION, "IRCP"), id="therapist-reads"),
    pytest.param("therapist", "U", [(SNOMED, "36682004")], (V3_CLASS, "AGNT"), id="therapist-edits"),
    pytest.param("researcher", "E", [(PRACTITIONER_ROLE, "researcher"), (TRIAL_ROLE_SYSTEM, "research_assistant")],
                 (V3_PARTICIPATION, "IRCP"), id="researcher-exports"),
    pytest.param("assessor", "C", [(PRACTITIONER_ROLE, "researcher"), (TRIAL_ROLE_SYSTEM, "outcome_assessor")],
                 (V3_CLASS, "AGNT"), id="assessor-enters"),
    pytest.param("admin", "R", [(PRACTITIONER_ROLE, "ict")], (V3_PARTICIPATION, "IRCP"), id="admin"),
    pytest.param("participant", "R", [(V3_CLASS, "PAT")], (V3_CLASS, "PAT"), id="trial-participant"),
])
def test_every_role_gets_standard_agent_codes(role, action, expected_roles, expected_type):
    event = roundtrip(audit_event(AccessEvent("a1", AT, "7", role, action, "Patient/7")))
    agent = event.agent[0]
    assert [(c.system, c.code) for r in agent.role for c in r.coding] == expected_roles
    assert [(c.system, c.code) for c in agent.type.coding] == [expected_type]


def test_every_app_and_trial_role_has_a_published_code():
    from backcoach.store.models import Role
    from backcoach.trial.blinding import Role as TrialRole

    for role in [*(r.value for r in Role), *(r.value for r in TrialRole)]:
        codings = ROLE_CODINGS[role]
        assert codings[0]["system"] != TRIAL_ROLE_SYSTEM, role  # a published terminology comes first
        assert all(c["display"] for c in codings), role


def test_patient_resource_holds_only_its_identity():
    full = roundtrip(patient(PatientIdentity("12", "https://x.invalid/user", "12", "Sam Rivera", "zh-Hans")))
    assert full.name[0].text == "Sam Rivera" and full.communication[0].language.coding[0].code == "zh-Hans"
    bare = json.loads(patient(PatientIdentity("A.01", "https://x.invalid/p", "A_01")).model_dump_json(exclude_none=True))
    assert bare == {"resourceType": "Patient", "id": "A.01",
                    "identifier": [{"system": "https://x.invalid/p", "value": "A_01"}]}


def test_research_patients_are_pseudonymous_and_grouped():
    patients = pseudonymous_patients(["A_01", "B-2", "A_01"], 3)
    assert [p.id for p in patients] == ["A.01", "B-2"]
    assert [p.identifier[0].value for p in patients] == ["A_01", "B-2"]
    assert all(p.name is None and p.birthDate is None and p.telecom is None for p in patients)
    group = roundtrip(cohort("trial-3", patients))
    assert group.quantity == 2 and [m.entity.reference for m in group.member] == ["Patient/A.01", "Patient/B-2"]
    long = pd.DataFrame({"subject": ["A_01"], "week": [0], "outcome": ["tug"], "value": [9.0]})
    [obs] = observations_from_long(long, lambda s, w: date(2023, 3, 1))
    assert obs.subject.reference == "Patient/A.01"  # resolves to the pseudonymous Patient
    with pytest.raises(ValueError, match="'A B' cannot be a FHIR id"):
        fhir_id("A B")


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

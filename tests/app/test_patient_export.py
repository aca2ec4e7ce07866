"""Patient record exports: FHIR Bundle (validated with fhir.resources) and the scores CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.audit import OWN_RECORD, TREATING_THERAPIST
from backcoach.app.security import hash_password
from backcoach.clinical import scoring
from backcoach.clinical.instruments import load_instrument
from backcoach.store.models import Role
from backcoach.store.repo import accounts, clinical, plans

from .conftest import audit_rows, sign_in, user_id
from .portal.fhir_checks import assert_self_contained

PATIENT = "week3@demo.backcoach"
THERAPIST = "therapist@demo.backcoach"
LOINC = "http://loinc.org"


def _resources(bundle: Bundle, kind: str) -> list:
    return [e.resource for e in bundle.entry if e.resource.get_resource_type() == kind]


def _codes(observation) -> dict[str, str]:
    return {c.system.rsplit("/", 1)[-1]: c.code for c in observation.code.coding}


def _add_response(db: Session, patient_id: int, instrument: str, answers: list) -> int:
    score = scoring.score(instrument, answers)
    response = clinical.save_response(db, patient_id=patient_id, instrument=instrument,
                                      instrument_version=load_instrument(instrument).version,
                                      answers={"items": answers}, result=score.public(), total=score.total, week=4)
    response.completed_at = datetime(2026, 11, 20, 8, 15, tzinfo=timezone.utc)
    db.commit()
    return response.id


def _bundle(client: TestClient, path: str) -> Bundle:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert "attachment" in response.headers["content-disposition"]
    bundle = Bundle.model_validate_json(response.text)
    assert_self_contained(bundle)
    return bundle


def test_therapist_bundle_has_every_response_score_plan_and_the_access(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    stored = clinical.responses_of(db, patient)
    assert {r.instrument for r in stored} >= {"nrs", "odi", "rmdq", "pcs"}  # the demo's history
    sign_in(client, THERAPIST)
    bundle = _bundle(client, f"/therapist/patients/{patient}/export.fhir.json")
    assert bundle.type == "collection"
    [person] = _resources(bundle, "Patient")  # the minimum: account id, name used, language
    assert json.loads(person.model_dump_json(exclude_none=True)) == {
        "resourceType": "Patient", "id": str(patient),
        "identifier": [{"system": "https://backcoach.invalid/fhir/user", "value": str(patient)}],
        "name": [{"text": "Sam Rivera"}],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}, "preferred": True}]}
    assert PATIENT not in bundle.model_dump_json()  # no email address

    responses = {r.id: r for r in _resources(bundle, "QuestionnaireResponse")}
    assert sorted(responses) == sorted(f"qr-{r.id}" for r in stored)
    for row in stored:
        resource = responses[f"qr-{row.id}"]
        assert resource.subject.reference == f"Patient/{patient}"
        assert resource.questionnaire.endswith(f"/Questionnaire/{row.instrument}|{row.instrument_version}")
        item_ids = [item.id for item in load_instrument(row.instrument).items]
        expected = [(link, value) for link, value in zip(item_ids, row.answers["items"]) if value is not None]
        got = [(i.linkId, i.answer[0].valueInteger if i.answer[0].valueInteger is not None else i.answer[0].valueDecimal)
               for i in resource.item]
        assert got == expected

    # Expected observations written out per instrument from the stored results.
    expected: dict[str, tuple[float, str | None, str]] = {}
    for row in stored:
        if row.instrument == "nrs":
            for key, code in (("current", "nrs_current"), ("average", "nrs_mean"), ("worst", "nrs_worst")):
                loinc = "72514-3" if code == "nrs_current" else None
                expected[f"obs-{row.id}-{code}".replace("_", "-")] = (row.result["subscales"][key], loinc, code)
        elif row.instrument == "odi":
            expected[f"obs-{row.id}-odi"] = (row.result["percent"], "97909-6", "odi")
        else:
            expected[f"obs-{row.id}-{row.instrument}"] = (row.total, None, row.instrument)
    observations = {o.id: o for o in _resources(bundle, "Observation")}
    assert set(observations) == set(expected)
    for obs_id, (value, loinc, local) in expected.items():
        observation = observations[obs_id]
        assert float(observation.valueQuantity.value) == pytest.approx(value)
        codes = _codes(observation)
        assert codes.get("loinc.org") == loinc and codes["trial-outcome"] == local
        assert observation.derivedFrom[0].reference.startswith("QuestionnaireResponse/qr-")
    odi = next(o for o in observations.values() if _codes(o)["trial-outcome"] == "odi")
    assert odi.valueQuantity.code == "%"

    plan = plans.active_plan(db, patient)
    [care_plan] = _resources(bundle, "CarePlan")
    exercises = list(dict.fromkeys(item.exercise_id for s in plan.sessions for item in s.items))
    assert [a.detail.code.coding[0].code for a in care_plan.activity] == exercises
    per_week = max(sum(1 for s in plan.sessions if s.week == week) for week in {s.week for s in plan.sessions})
    assert {a.detail.scheduledTiming.repeat.frequency for a in care_plan.activity} == {per_week}
    assert care_plan.period.start.isoformat() == plan.starts_on.isoformat()

    [event] = _resources(bundle, "AuditEvent")
    assert event.action == "R" and event.entity[0].what.reference == f"Patient/{patient}"
    assert event.agent[0].who.identifier.value == str(user_id(db, THERAPIST))
    assert [(c.system, c.code) for r in event.agent[0].role for c in r.coding] == [("http://snomed.info/sct", "36682004")]
    assert event.agent[0].type.coding[0].code == "IRCP"
    assert event.agent[0].who.reference is None  # the therapist is not in the bundle: identifier only
    rows = audit_rows(db, resource="record_fhir_export", subject_id=patient)
    assert [(r.action, r.reason, r.actor_id) for r in rows] == [("read", TREATING_THERAPIST, user_id(db, THERAPIST))]


def test_hand_scored_responses_keep_raw_answers_and_codes(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    # ODI: 8 scored sections summing to 12 -> 12 / 40 = 30 %; sex life "na", last section unanswered.
    odi_id = _add_response(db, patient, "odi", [1, 2, 3, 0, 1, 2, 1, "na", 2, None])
    gad_id = _add_response(db, patient, "gad7", [1, 0, 2, 3, 1, 0, 1])  # total 8
    sign_in(client, PATIENT)
    bundle = _bundle(client, "/me/export.fhir.json")
    [event] = _resources(bundle, "AuditEvent")
    assert [(c.code, r.coding[0].code) for r in event.agent[0].role for c in event.agent[0].type.coding] == [("PAT", "PAT")]
    assert event.agent[0].who.reference == f"Patient/{patient}"  # the reader is the Patient in the bundle
    responses = {r.id: r for r in _resources(bundle, "QuestionnaireResponse")}
    odi_items = responses[f"qr-{odi_id}"].item
    assert len(odi_items) == 9  # the unanswered section is left out
    assert odi_items[7].answer[0].valueCoding.code == "not-applicable"
    assert [i.answer[0].valueInteger for i in odi_items if i.answer[0].valueCoding is None] == [1, 2, 3, 0, 1, 2, 1, 2]
    assert responses[f"qr-{odi_id}"].authored.isoformat() == "2026-11-20T08:15:00+00:00"
    observations = {o.id: o for o in _resources(bundle, "Observation")}
    assert float(observations[f"obs-{odi_id}-odi"].valueQuantity.value) == pytest.approx(30.0)
    gad = observations[f"obs-{gad_id}-gad7"]
    assert float(gad.valueQuantity.value) == 8 and _codes(gad) == {"loinc.org": "70274-6", "instrument-score": "gad7"}

    text = client.get("/me/export.csv")
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert len(rows) == len(observations)
    by_key = {(r["response_id"], r["score"]): r for r in rows}
    assert by_key[(str(odi_id), "odi")] == {
        "response_id": str(odi_id), "completed_at": "2026-11-20T08:15:00+00:00", "week": "4", "instrument": "odi",
        "instrument_version": load_instrument("odi").version, "score": "odi", "value": "30", "unit": "%",
        "loinc": "97909-6"}
    assert by_key[(str(gad_id), "gad7")]["value"] == "8" and by_key[(str(gad_id), "gad7")]["loinc"] == "70274-6"
    patient_rows = audit_rows(db, subject_id=patient, actor_id=patient)
    assert {(r.resource, r.reason, r.path) for r in patient_rows if r.resource.endswith("_export")} == {
        ("record_fhir_export", OWN_RECORD, "/me/export.fhir.json"), ("scores_csv_export", OWN_RECORD, "/me/export.csv")}


def test_patient_without_plan_or_answers_gets_a_valid_bundle(client: TestClient, db: Session) -> None:
    patient = user_id(db, "new@demo.backcoach")
    sign_in(client, THERAPIST)
    bundle = _bundle(client, f"/therapist/patients/{patient}/export.fhir.json")
    assert [e.resource.get_resource_type() for e in bundle.entry] == ["Patient", "AuditEvent"]
    assert client.get(f"/therapist/patients/{patient}/export.csv").text.splitlines() == [
        "response_id,completed_at,week,instrument,instrument_version,score,value,unit,loinc"]


@pytest.mark.parametrize("suffix", ["export.fhir.json", "export.csv"])
def test_roles_are_separated(client: TestClient, db: Session, suffix: str) -> None:
    patient = user_id(db, PATIENT)
    therapist_path, own_path = f"/therapist/patients/{patient}/{suffix}", f"/me/{suffix}"
    for path in (therapist_path, own_path):  # signed out: to the sign-in page, nothing exported
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"
    sign_in(client, "researcher@demo.backcoach")
    assert client.get(therapist_path).status_code == 403 and client.get(own_path).status_code == 403
    sign_in(client, PATIENT)
    assert client.get(therapist_path).status_code == 403
    sign_in(client, THERAPIST)
    assert client.get(own_path).status_code == 403
    missing = client.get(f"/therapist/patients/99999/{suffix}")
    assert missing.status_code == 404 and errors.PATIENT_NOT_FOUND in missing.text
    accounts.create_user(db, email="t2@x.org", password_hash=hash_password("another-pass"),
                         display_name="Other", role=Role.THERAPIST)
    db.commit()
    sign_in(client, "t2@x.org", "another-pass")
    other = client.get(therapist_path)
    assert other.status_code == 404 and errors.PATIENT_NOT_FOUND in other.text
    assert not [r for r in audit_rows(db, subject_id=patient) if r.resource.endswith("_export")]


def test_unconsented_patient_cannot_export(client: TestClient) -> None:
    sign_in(client, "new@demo.backcoach")
    response = client.get("/me/export.fhir.json")
    assert response.status_code == 303 and response.headers["location"] == "/welcome/consent"


def test_pages_link_to_the_downloads(client: TestClient, db: Session) -> None:
    patient = user_id(db, PATIENT)
    sign_in(client, THERAPIST)
    page = client.get(f"/therapist/patients/{patient}").text
    assert f'href="/therapist/patients/{patient}/export.fhir.json"' in page
    assert f'href="/therapist/patients/{patient}/export.csv"' in page
    sign_in(client, PATIENT)
    client.cookies.set("lang", "zh_Hans")
    settings = client.get("/settings").text
    assert 'href="/me/export.fhir.json"' in settings and "下载评分（CSV）" in settings

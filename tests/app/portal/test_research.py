from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.portal.demo import DEMO_TRIAL
from backcoach.store.models import TrialAllocation, TrialParticipant, TrialRecord, TrialReveal, TrialVisit
from backcoach.trial.analysis import analyze

from ..conftest import audit_rows, csrf_of, sign_in, user_id
from .fhir_checks import assert_self_contained

RESEARCHER = "researcher@demo.backcoach"
STATISTICIAN = "statistician@demo.backcoach"
ASSESSOR = "assessor@demo.backcoach"
ARM_WORDS = re.compile(r"\b(AI|video)\b")


def demo_trial(db: Session) -> TrialRecord:
    return db.scalar(select(TrialRecord).where(TrialRecord.name == DEMO_TRIAL))


def first_participant(db: Session, trial: TrialRecord) -> TrialParticipant:
    return db.scalar(select(TrialParticipant).where(TrialParticipant.trial_id == trial.id,
                                                    TrialParticipant.code == "P001"))


def trial_paths(trial_id: int, participant_id: int) -> dict[str, str]:
    base = f"/research/trials/{trial_id}"
    return {
        "home": "/research", "trial": base, "screening": f"{base}/screening",
        "participant": f"{base}/participants/{participant_id}", "visits": f"{base}/visits",
        "randomisation": f"{base}/randomisation", "events": f"{base}/events", "consort": f"{base}/consort",
        "consort_svg": f"{base}/consort.svg", "analysis": f"{base}/analysis",
        "tables_md": f"{base}/analysis/tables.md", "figure3": f"{base}/analysis/figure3.png",
        "export_csv": f"{base}/export.csv", "export_fhir": f"{base}/export.fhir.json",
    }


# Which GET pages each role may open (everything else: 403).
ALLOWED = {
    RESEARCHER: set(trial_paths(0, 0)),
    STATISTICIAN: {"home", "trial", "participant", "visits", "events", "consort", "consort_svg", "analysis",
                   "tables_md", "figure3", "export_csv", "export_fhir"},
    ASSESSOR: {"home", "trial", "participant", "visits"},
    "therapist@demo.backcoach": set(),
    "week3@demo.backcoach": set(),
}


@pytest.mark.parametrize("email", list(ALLOWED))
def test_every_research_route_admits_only_its_roles(client: TestClient, db: Session, email: str) -> None:
    trial = demo_trial(db)
    paths = trial_paths(trial.id, first_participant(db, trial).id)
    sign_in(client, email)
    statuses = {name: client.get(path).status_code for name, path in paths.items()}
    expected = {name: 200 if name in ALLOWED[email] else 403 for name in paths}
    assert statuses == expected


def test_research_routes_send_strangers_to_sign_in(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    for path in trial_paths(trial.id, first_participant(db, trial).id).values():
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_the_outcome_assessor_never_sees_an_arm(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    sign_in(client, ASSESSOR)
    pages = [f"/research/trials/{trial.id}", f"/research/trials/{trial.id}/visits", "/research"]
    pages += [f"/research/trials/{trial.id}/participants/{p.id}" for p in
              db.scalars(select(TrialParticipant).where(TrialParticipant.trial_id == trial.id))]
    for page in pages:
        text = client.get(page).text
        assert ARM_WORDS.search(text) is None, page
        assert "Arm X" not in text and "Arm Y" not in text and "data-arm" not in text, page
    allocated = f"/research/trials/{trial.id}/participants/{first_participant(db, trial).id}"
    assert "arm hidden from your role" in client.get(allocated).text


def test_the_statistician_sees_coded_arms_until_unblinding(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    sign_in(client, STATISTICIAN)
    blinded = {name: client.get(path).text for name, path in trial_paths(trial.id, first_participant(db, trial).id).items()
               if name in ALLOWED[STATISTICIAN] and name not in ("figure3",)}
    for name, text in blinded.items():
        assert ARM_WORDS.search(text) is None, name
    coded = pd.read_csv(io.StringIO(blinded["export_csv"]))
    assert set(coded["arm"]) == {"Arm X", "Arm Y"}
    assert "Arm X" in blinded["analysis"] and "Arm Y" in blinded["trial"]

    researcher = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    sign_in(researcher, RESEARCHER)
    assert researcher.post(f"/research/trials/{trial.id}/unblind",
                           data={"csrf_token": csrf_of(researcher, "/research")}).status_code == 303
    unblinded = pd.read_csv(io.StringIO(client.get(f"/research/trials/{trial.id}/export.csv").text))
    assert set(unblinded["arm"]) == {"AI", "video"}
    # Same participants, same values: only the arm names changed.
    assert (unblinded.drop(columns="arm").values == coded.drop(columns="arm").values).all()


def test_analysis_from_the_database_matches_the_library_on_the_exported_table(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    sign_in(client, RESEARCHER)
    exported = pd.read_csv(io.StringIO(client.get(f"/research/trials/{trial.id}/export.csv").text))
    page = json.loads(client.get(f"/research/trials/{trial.id}/analysis/tables.json").text)
    followed = set(exported.loc[exported["week"] > 0, "subject"])  # per protocol: follow-up data, not withdrawn
    completed = {p.code for p in db.scalars(select(TrialParticipant).where(
        TrialParticipant.trial_id == trial.id, TrialParticipant.withdrawn_at.is_(None)))} & followed
    ages = pd.DataFrame([{"subject": p.code, "age": p.screening["answers"]["age"]} for p in db.scalars(
        select(TrialParticipant).where(TrialParticipant.trial_id == trial.id)) if p.code in set(exported["subject"])])
    expected = analyze(exported, "video", ages, completed=completed).to_dict()
    assert _close(page["table1"], expected["table1"]) and page["table1"][0]["variable"] == "age"
    # Row order differs between the database and the CSV, so sums may differ in the last bit.
    assert _close(page["table2"], expected["table2"])
    methods = {(row["outcome"], row["method"]) for row in page["table2"]}
    assert ("odi", "GEE") in methods and ("tug", "ANCOVA") in methods
    n = {row["arms"]["AI"]["n"] + row["arms"]["video"]["n"] for row in page["table2"] if row["week"] == 4}
    assert n == {len(completed & set(exported["subject"]))}


def _close(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def test_downloads_and_exports_are_audited(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    sign_in(client, STATISTICIAN)
    base = f"/research/trials/{trial.id}"
    downloads = {name: client.get(f"{base}/analysis/{name}") for name in
                 ("tables.md", "tables.html", "tables.table1.csv", "tables.table2.csv", "figure4.png", "tables.json")}
    assert {name: r.status_code for name, r in downloads.items()} == {name: 200 for name in downloads}
    assert downloads["figure4.png"].content.startswith(b"\x89PNG")
    assert "Arm X" in downloads["tables.table2.csv"].text and "ODI" in downloads["tables.md"].text
    client.get(f"{base}/export.csv")
    client.get(f"{base}/export.fhir.json")
    actor = user_id(db, STATISTICIAN)
    exports = [(r.resource, r.resource_id) for r in audit_rows(db, actor_id=actor, action="export")]
    assert ("trial_csv", str(trial.id)) in exports and ("trial_fhir", str(trial.id)) in exports
    assert sum(1 for resource, _ in exports if resource == "trial_analysis") == 6


def test_fhir_export_is_a_valid_bundle_without_arms(client: TestClient, db: Session) -> None:
    from datetime import timedelta

    trial = demo_trial(db)
    p001 = first_participant(db, trial)
    visit = db.scalar(select(TrialVisit).where(TrialVisit.participant_id == p001.id, TrialVisit.week == 4))
    visit.done_at = visit.done_at + timedelta(days=2)  # seen two days after the due date
    db.commit()
    sign_in(client, RESEARCHER)
    text = client.get(f"/research/trials/{trial.id}/export.fhir.json").text
    bundle = Bundle.model_validate_json(text)
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert kinds.count("AuditEvent") == 1
    rows = pd.read_csv(io.StringIO(client.get(f"/research/trials/{trial.id}/export.csv").text))
    assert kinds.count("Observation") == len(rows)
    assert ARM_WORDS.search(text) is None
    # De-identified: one Patient per participant code, holding the code and nothing else.
    patients = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient"]
    assert sorted(p.identifier[0].value for p in patients) == sorted(rows["subject"].unique())
    assert all(set(json.loads(p.model_dump_json(exclude_none=True))) == {"resourceType", "id", "identifier"}
               for p in patients)
    [group] = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Group"]
    assert group.quantity == len(patients) and group.name is None
    assert_self_contained(bundle)
    [event] = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "AuditEvent"]
    assert [c.code for r in event.agent[0].role for c in r.coding] == ["researcher", "research_assistant"]
    tug = next(e.resource for e in bundle.entry if e.resource.id == f"t{trial.id}-P001-tug-w4")
    assert tug.effectiveDateTime.isoformat() == visit.done_at.date().isoformat()  # when it was measured


def test_consort_counts_every_screening_and_reveal(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    sign_in(client, RESEARCHER)
    page = client.get(f"/research/trials/{trial.id}/consort").text
    # the paper's 38 randomised, 3 not eligible, and the demo's participant still in follow-up (P039)
    assert re.search(r"data-consort-assessed>42<", page)
    assert re.search(r"data-consort-randomised>39<", page)
    svg = client.get(f"/research/trials/{trial.id}/consort.svg").text
    assert svg.startswith("<svg") and "Randomised (n=39)" in svg


def _new_trial(client: TestClient, arms: str = "Tango,Foxtrot", reference: str = "Foxtrot") -> str:
    response = client.post("/research/trials", data={
        "name": "Test trial", "arms": arms, "ratio": "1:1", "reference": reference, "consent_version": "v2",
        "per_stratum": "8", "csrf_token": csrf_of(client, "/research")})
    assert response.status_code == 303, response.text
    return response.headers["location"]


ELIGIBLE_FORM = {"nonspecific_lbp_diagnosis": "yes", "lbp_duration_months": "6", "nrs_mean": "5", "age": "40",
                 "right_handed": "yes", "uses_smartphone_wechat": "yes", "lbp_caused_by_other_disease": "no",
                 "nerve_root_symptoms_history": "no", "waist_trauma_or_surgery_past_2_years": "no",
                 "spinal_fracture_history": "no", "spinal_infection_history": "no",
                 "lumbar_malignancy_history": "no", "parkinsons_disease": "no", "pregnant": "no",
                 "heart_disease": "no", "hypertension": "no", "other_condition_unfit_for_intense_exercise": "no"}


def _screen(client: TestClient, trial_url: str, code: str, **changes: str) -> str:
    response = client.post(f"{trial_url}/screening", data={**ELIGIBLE_FORM, **changes, "code": code,
                                                           "csrf_token": csrf_of(client, trial_url)})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _consent_and_randomise(client: TestClient, participant_url: str, version: str = "v2") -> None:
    token = csrf_of(client, participant_url)
    assert client.post(f"{participant_url}/consent", data={"form_version": version, "signed_on": "2026-01-05",
                                                           "csrf_token": token}).status_code == 303
    assert client.post(f"{participant_url}/randomise", data={"csrf_token": token}).status_code == 303


def test_sealed_before_enrolment_revealed_one_at_a_time_and_audited(client: TestClient, db: Session) -> None:
    sign_in(client, RESEARCHER)
    trial_url = _new_trial(client)
    participant_url = _screen(client, trial_url, "T01")
    refused = client.post(f"{participant_url}/randomise", data={"csrf_token": csrf_of(client, participant_url)})
    assert "data-randomise" not in client.get(participant_url).text  # no sequence yet, no button
    assert refused.status_code == 409
    assert client.post(f"{trial_url}/seal", data={"csrf_token": csrf_of(client, trial_url)}).status_code == 303
    assert client.post(f"{trial_url}/seal", data={"csrf_token": csrf_of(client, trial_url)}).status_code == 409
    _consent_and_randomise(client, participant_url)
    page = client.get(participant_url).text
    arm = re.search(r"<strong data-arm>(\w+)</strong>", page).group(1)
    assert arm in ("Tango", "Foxtrot")
    participant_id = int(participant_url.rsplit("/", 1)[1])
    allocation = db.scalar(select(TrialAllocation).where(TrialAllocation.participant_id == participant_id))
    reveals = audit_rows(db, action="reveal", resource="trial_allocation")
    assert [r.resource_id for r in reveals] == [allocation.chain_hash]
    visits = db.scalars(select(TrialVisit).where(TrialVisit.participant_id == participant_id)).all()
    assert sorted(v.week for v in visits) == [0, 2, 4, 8]
    assert "data-integrity-ok" in client.get(trial_url).text


def test_randomisation_refuses_without_current_consent_and_audits_the_refusal(client: TestClient, db: Session) -> None:
    sign_in(client, RESEARCHER)
    trial_url = _new_trial(client)
    client.post(f"{trial_url}/seal", data={"csrf_token": csrf_of(client, trial_url)})
    participant_url = _screen(client, trial_url, "T02")
    token = csrf_of(client, participant_url)
    client.post(f"{participant_url}/consent", data={"form_version": "v1", "signed_on": "2026-01-05", "csrf_token": token})
    response = client.post(f"{participant_url}/randomise", data={"csrf_token": token})
    assert response.status_code == 409
    assert "re-consent first" in response.text
    assert [r.action for r in audit_rows(db, resource="trial_allocation")] == ["refused"]
    not_eligible = _screen(client, trial_url, "T03", age="90")
    _token = csrf_of(client, not_eligible)
    client.post(f"{not_eligible}/consent", data={"form_version": "v2", "signed_on": "2026-01-05", "csrf_token": _token})
    assert client.post(f"{not_eligible}/randomise", data={"csrf_token": _token}).status_code == 409
    assert "age_at_most_75" in client.get(f"{trial_url}/screening").text or "75" in client.get(f"{trial_url}/screening").text


@pytest.mark.parametrize("tamper", ["allocation_arm", "reveal_record", "deleted_last_reveal"])
def test_tampering_is_detected_shown_and_stops_randomisation(client: TestClient, db: Session, tamper: str) -> None:
    trial = demo_trial(db)
    if tamper == "allocation_arm":
        allocation = db.scalar(select(TrialAllocation).where(TrialAllocation.trial_id == trial.id,
                                                             TrialAllocation.sequence_index == 5))
        allocation.arm = "video" if allocation.arm == "AI" else "AI"
    elif tamper == "reveal_record":
        reveal = db.scalar(select(TrialReveal).where(TrialReveal.trial_id == trial.id, TrialReveal.index == 5))
        reveal.record = {**reveal.record, "arm": "video" if reveal.record["arm"] == "AI" else "AI"}
    else:
        reveal = db.scalar(select(TrialReveal).where(TrialReveal.trial_id == trial.id).order_by(TrialReveal.index.desc()))
        db.delete(reveal)
    db.commit()
    sign_in(client, RESEARCHER)
    page = client.get(f"/research/trials/{trial.id}").text
    assert "data-tamper" in page and "data-integrity-ok" not in page
    assert "data-tamper" in client.get(f"/research/trials/{trial.id}/randomisation").text
    participant_url = _screen(client, f"/research/trials/{trial.id}", "NEW1")
    token = csrf_of(client, participant_url)
    client.post(f"{participant_url}/consent", data={"form_version": "v1", "signed_on": "2026-01-05", "csrf_token": token})
    response = client.post(f"{participant_url}/randomise", data={"csrf_token": token})
    assert response.status_code == 409 and "randomisation stopped" in response.text


def test_tug_entry_puts_the_error_beside_the_trial_and_keeps_the_values(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    participant = first_participant(db, trial)
    url = f"/research/trials/{trial.id}/participants/{participant.id}"
    sign_in(client, ASSESSOR)
    response = client.post(f"{url}/tug", data={"week": "4", "t1": "9.1", "t2": "95", "t3": "9.4",
                                               "csrf_token": csrf_of(client, url)})
    assert response.status_code == 400
    assert re.search(r'id="f-t2" name="t2" type="text"\s+value="95"', response.text)
    assert re.search(r'aria-describedby="e-t2"', response.text)
    assert "tug trial 2: 95" in response.text
    assert 'value="9.1"' in response.text and 'value="9.4"' in response.text
    ok = client.post(f"{url}/tug", data={"week": "4", "t1": "9.0", "t2": "9.6", "t3": "9.3",
                                         "csrf_token": csrf_of(client, url)})
    assert ok.status_code == 200
    assert 'data-outcome="tug-4"' in ok.text and "9.30" in ok.text
    assert audit_rows(db, resource="trial_outcome", resource_id=f"{participant.code}/tug/4")


def test_ultrasound_averages_three_readings_per_site(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    participant = first_participant(db, trial)
    url = f"/research/trials/{trial.id}/participants/{participant.id}"
    sign_in(client, ASSESSOR)
    readings = {"tra_left": (4.0, 4.2, 4.4), "tra_right": (4.1, 4.1, 4.4), "mf_left": (30, 31, 32), "mf_right": (29, 30, 34)}
    form = {f"{site}_{i + 1}": str(v) for site, values in readings.items() for i, v in enumerate(values)}
    bad = client.post(f"{url}/ultrasound", data={**form, "week": "4", "mf_left_2": "310",
                                                 "csrf_token": csrf_of(client, url)})
    assert bad.status_code == 400 and 'aria-describedby="e-mf_left_2"' in bad.text and 'value="310"' in bad.text
    response = client.post(f"{url}/ultrasound", data={**form, "week": "4", "csrf_token": csrf_of(client, url)})
    assert response.status_code == 200
    for site, mean in (("tra_left", "4.20"), ("tra_right", "4.20"), ("mf_left", "31.00"), ("mf_right", "31.00")):
        assert re.search(rf'data-outcome="{site}-4"><td>4</td><td>{site}</td><td>{mean}</td>', response.text), site


def test_trial_definition_errors_sit_beside_their_fields(client: TestClient) -> None:
    sign_in(client, RESEARCHER)
    response = client.post("/research/trials", data={
        "name": "Bad", "arms": "Tango", "ratio": "one to one", "reference": "Tango", "consent_version": "v1",
        "per_stratum": "8", "strata": "site A B", "csrf_token": csrf_of(client, "/research")})
    assert response.status_code == 400
    assert "Name at least two different arms" in response.text
    assert "Write the ratio as whole numbers" in response.text
    assert 'value="one to one"' in response.text and "site A B" in response.text


def test_screening_log_keeps_reasons_and_incomplete_answers(client: TestClient, db: Session) -> None:
    sign_in(client, RESEARCHER)
    trial_url = _new_trial(client)
    _screen(client, trial_url, "S1", age="80")
    form = {k: v for k, v in ELIGIBLE_FORM.items() if k != "pregnant"}
    client.post(f"{trial_url}/screening", data={**form, "code": "S2", "csrf_token": csrf_of(client, trial_url)})
    log = client.get(f"{trial_url}/screening").text
    row1 = re.search(r'data-screened="S1">(.*?)</tr>', log, re.DOTALL).group(1)
    row2 = re.search(r'data-screened="S2">(.*?)</tr>', log, re.DOTALL).group(1)
    assert "not_eligible" in row1 and "75" in row1
    assert "incomplete" in row2 and "pregnant" in row2
    duplicate = client.post(f"{trial_url}/screening", data={**ELIGIBLE_FORM, "code": "S1",
                                                            "csrf_token": csrf_of(client, trial_url)})
    assert duplicate.status_code == 400 and "already used in this trial" in duplicate.text


def test_adverse_events_and_withdrawals_check_their_fields_and_are_summarised_by_arm(client: TestClient, db: Session) -> None:
    trial = demo_trial(db)
    participant = first_participant(db, trial)
    url = f"/research/trials/{trial.id}/participants/{participant.id}"
    sign_in(client, RESEARCHER)
    token = csrf_of(client, url)
    bad = client.post(f"{url}/adverse-events", data={"onset": "2026-03-10", "resolved_on": "2026-03-01",
                                                     "description": "Fall during bridge", "severity": "moderate",
                                                     "relatedness": "possible", "serious": "true", "csrf_token": token})
    assert bad.status_code == 400 and 'aria-describedby="e-resolved_on"' in bad.text and "Fall during bridge" in bad.text
    ok = client.post(f"{url}/adverse-events", data={"onset": "2026-03-10", "description": "Fall during bridge",
                                                    "severity": "moderate", "relatedness": "possible", "serious": "true",
                                                    "csrf_token": token})
    assert ok.status_code == 303
    arm = db.scalar(select(TrialAllocation.arm).where(TrialAllocation.participant_id == participant.id))
    page = client.get(f"/research/trials/{trial.id}/events").text
    summary = re.search(r"data-ae-summary>.*?</table>", page, re.DOTALL).group(0)
    assert re.search(rf"<td>{arm}</td><td>1</td><td>1</td><td>1</td>", summary)
    assert "report promptly" in page
    no_note = client.post(f"{url}/withdraw", data={"on": "2026-03-12", "reason": "other", "stops": "both",
                                                   "csrf_token": token})
    assert no_note.status_code == 400 and 'aria-describedby="e-note"' in no_note.text

    statistician = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    sign_in(statistician, STATISTICIAN)
    coded = statistician.get(f"/research/trials/{trial.id}/events").text
    assert re.search(r"<td>Arm [XY]</td><td>1</td><td>1</td><td>1</td>", coded) and ARM_WORDS.search(coded) is None


def test_stratified_trial_allocates_within_the_participants_stratum(client: TestClient, db: Session) -> None:
    sign_in(client, RESEARCHER)
    response = client.post("/research/trials", data={
        "name": "Stratified", "arms": "Tango,Foxtrot", "ratio": "2:1", "reference": "Foxtrot", "consent_version": "v2",
        "per_stratum": "6", "strata": "site=north,south", "csrf_token": csrf_of(client, "/research")})
    trial_url = response.headers["location"]
    client.post(f"{trial_url}/seal", data={"csrf_token": csrf_of(client, trial_url)})
    assert "site=south" in client.get(f"{trial_url}/screening").text
    participant_url = _screen(client, trial_url, "ST1", stratum="site=south")
    _consent_and_randomise(client, participant_url)
    record = db.scalar(select(TrialReveal).order_by(TrialReveal.id.desc())).record
    assert (record["stratum"], record["position"], record["participant"]) == ("site=south", 1, "ST1")
    wrong = client.post(f"{trial_url}/screening", data={**ELIGIBLE_FORM, "code": "ST2", "stratum": "site=east",
                                                        "csrf_token": csrf_of(client, trial_url)})
    assert wrong.status_code == 400 and "Choose a value in the allowed range." in wrong.text


# Which POST actions each research role may take (everything else: 403).
ACTIONS = {
    "create": ("/research/trials", {RESEARCHER}),
    "seal": ("{t}/seal", {RESEARCHER}), "unblind": ("{t}/unblind", {RESEARCHER}),
    "screen": ("{t}/screening", {RESEARCHER}), "consent": ("{p}/consent", {RESEARCHER}),
    "randomise": ("{p}/randomise", {RESEARCHER}), "withdraw": ("{p}/withdraw", {RESEARCHER}),
    "adverse": ("{p}/adverse-events", {RESEARCHER}),
    "tug": ("{p}/tug", {RESEARCHER, ASSESSOR}), "ultrasound": ("{p}/ultrasound", {RESEARCHER, ASSESSOR}),
    "score": ("{p}/score", {RESEARCHER, ASSESSOR}),
}


@pytest.mark.parametrize("email", [RESEARCHER, STATISTICIAN, ASSESSOR, "therapist@demo.backcoach"])
def test_every_research_action_admits_only_its_roles(client: TestClient, db: Session, email: str) -> None:
    trial = demo_trial(db)
    t = f"/research/trials/{trial.id}"
    p = f"{t}/participants/{first_participant(db, trial).id}"
    sign_in(client, email)
    token = csrf_of(client, "/privacy")
    refused = {name: client.post(path.format(t=t, p=p), data={"csrf_token": token}).status_code == 403
               for name, (path, _roles) in ACTIONS.items()}
    assert refused == {name: email not in roles for name, (_path, roles) in ACTIONS.items()}


def test_demo_trial_follows_a_realistic_timeline(db: Session) -> None:
    from datetime import date

    from backcoach.store.models import TrialOutcome, TrialWithdrawal

    trial = demo_trial(db)
    today = date.today()
    rows = db.execute(select(TrialOutcome, TrialVisit).join(TrialVisit, TrialVisit.id == TrialOutcome.visit_id)
                      .join(TrialParticipant).where(TrialParticipant.trial_id == trial.id)).all()
    assert len(rows) == len(db.scalars(select(TrialOutcome.id).join(TrialParticipant)
                                       .where(TrialParticipant.trial_id == trial.id)).all())  # every value has its visit
    for outcome, visit in rows:  # entered on the visit's day, which is past and marked done
        assert outcome.week == visit.week and visit.due_on < today
        assert outcome.entered_at.date() == visit.due_on == visit.done_at.date()
    withdrawals = db.execute(select(TrialWithdrawal, TrialParticipant).join(TrialParticipant)
                             .where(TrialParticipant.trial_id == trial.id)).all()
    # The simulator's non-completers (4) who were allocated: the random sequence may reveal an arm more
    # often than the simulator has people for it, leaving some simulated people unused.
    assert 1 <= len(withdrawals) <= 4
    for withdrawal, participant in withdrawals:
        seen = [v for o, v in rows if v.participant_id == participant.id]
        assert max(v.week for v in seen) == 2 and withdrawal.on > max(v.due_on for v in seen)

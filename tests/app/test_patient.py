from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.clinical import redflags
from backcoach.store.repo import clinical, plans

from .conftest import csrf_of, sign_in, user_id

HISTORY = {"age": "45", "sex": "female", "duration_weeks": "20", "leg_left": "none", "leg_right": "none"}


def _consented_new_patient(client: TestClient) -> str:
    sign_in(client, "new@demo.backcoach")
    token = csrf_of(client, "/welcome/consent")
    client.post("/welcome/consent", data={"csrf_token": token, "health_data": "yes", "camera": "yes"})
    return token


def _all_no() -> dict[str, str]:
    return {qid: "no" for qid in redflags.redflag_data()["questions"]}


def test_history_form_errors_keep_the_answers(client: TestClient) -> None:
    token = _consented_new_patient(client)
    response = client.post("/assessment/history", data={"csrf_token": token, "age": "7", "duration_weeks": "20",
                                                         "aggravating": ["sitting_long", "lifting"]})
    assert response.status_code == 400
    assert 'id="e-age"' in response.text and errors.FIELD_OUT_OF_RANGE in response.text
    assert 'value="20"' in response.text
    assert 'value="sitting_long" checked' in response.text and 'value="lifting" checked' in response.text


def test_safety_questions_must_all_be_answered(client: TestClient) -> None:
    token = _consented_new_patient(client)
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY})
    answers = _all_no()
    del answers["saddle_numbness"]
    response = client.post("/assessment/safety", data={"csrf_token": token, **answers})
    assert response.status_code == 400
    assert response.text.count('role="alert"') == 1
    assert 'value="no"\n      checked' in response.text


def test_red_flag_blocks_exercise_and_says_what_to_do(client: TestClient, db: Session) -> None:
    token = _consented_new_patient(client)
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY})
    answers = {**_all_no(), "saddle_numbness": "yes"}
    response = client.post("/assessment/safety", data={"csrf_token": token, **answers})
    assert response.headers["location"] == "/assessment/safety/result"
    gate = client.get("/assessment/safety/result")
    assert 'data-gate="EMERGENCY"' in gate.text
    assert redflags.redflag_data()["messages"]["EMERGENCY"]["en"] in gate.text
    assert clinical.latest_screening(db, user_id(db, "new@demo.backcoach")).outcome == "EMERGENCY"


def test_questionnaire_is_rendered_from_instrument_data_and_scored(client: TestClient, db: Session) -> None:
    token = _consented_new_patient(client)
    page = client.get("/assessment/questionnaires/nrs")
    assert page.status_code == 200
    assert "How strong is your low back pain right now?" in page.text
    missing = client.post("/assessment/questionnaires/nrs", data={"csrf_token": token, "item1": "5", "item2": "6"})
    assert missing.status_code == 400 and missing.text.count(errors.FIELD_REQUIRED) == 1
    saved = client.post("/assessment/questionnaires/nrs",
                        data={"csrf_token": token, "item1": "5", "item2": "6", "item3": "8"})
    assert saved.status_code == 303
    response = clinical.latest_response(db, user_id(db, "new@demo.backcoach"), "nrs")
    assert response.answers == {"items": [5, 6, 8]}
    assert response.instrument_version == "1.0"
    assert response.result["instrument"] == "nrs"


def test_questionnaire_in_chinese(client: TestClient) -> None:
    _consented_new_patient(client)
    client.cookies.set("lang", "zh_Hans")
    assert "您现在的腰痛有多强烈？" in client.get("/assessment/questionnaires/nrs").text


def test_out_of_range_answer_is_rejected(client: TestClient) -> None:
    token = _consented_new_patient(client)
    response = client.post("/assessment/questionnaires/nrs",
                           data={"csrf_token": token, "item1": "5", "item2": "11", "item3": "8"})
    assert response.status_code == 400 and errors.FIELD_OUT_OF_RANGE in response.text


def test_unknown_questionnaire_is_404(client: TestClient) -> None:
    _consented_new_patient(client)
    response = client.get("/assessment/questionnaires/sf36")
    assert response.status_code == 404 and errors.INSTRUMENT_NOT_FOUND in response.text


def test_full_assessment_classifies_and_explains(client: TestClient, db: Session) -> None:
    token = _consented_new_patient(client)
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY, "aggravating": "sitting_long"})
    client.post("/assessment/safety", data={"csrf_token": token, **_all_no()})
    client.post("/assessment/questionnaires/nrs", data={"csrf_token": token, "item1": "4", "item2": "5", "item3": "6"})
    response = client.post("/assessment/finish", data={"csrf_token": token})
    assert response.headers["location"] == "/assessment/result"
    patient = user_id(db, "new@demo.backcoach")
    result = clinical.latest_classification(db, patient)
    assert result.category in {"FLEXION_INTOLERANCE", "EXT_ROT_INTOLERANCE", "STABILITY_DEFICIENCY",
                               "MUSCLE_TENSION", "NERVE_COMPRESSION"}
    page = client.get("/assessment/result")
    assert f'data-category="{result.category}"' in page.text
    has_plan = plans.active_plan(db, patient) is not None
    # A plan exists exactly when the exercise library covered the prescription.
    assert has_plan == ("plan_error" not in result.details)
    assert ('href="/plan"' in page.text) if has_plan else ("finishing your plan" in page.text)

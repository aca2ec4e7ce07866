from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ..conftest import audit_rows, csrf_of, sign_in, user_id


def test_patient_and_therapist_read_each_others_messages(client: TestClient, db: Session) -> None:
    sign_in(client, "week3@demo.backcoach")
    page = client.get("/messages")
    assert page.status_code == 200 and "Messages with Dr. Lin Mei" in page.text
    assert "The bridges felt easier this week" in page.text
    assert client.post("/messages", data={"body": "Can I swim too?", "csrf_token": csrf_of(client, "/messages")}
                       ).status_code == 303
    patient = user_id(db, "week3@demo.backcoach")
    assert audit_rows(db, subject_id=patient, resource="messages", actor_id=patient)

    therapist = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    sign_in(therapist, "therapist@demo.backcoach")
    url = f"/therapist/patients/{patient}/messages"
    assert "Can I swim too?" in therapist.get(url).text
    therapist.post(url, data={"body": "Yes, gently.", "csrf_token": csrf_of(therapist, url)})
    assert "Yes, gently." in client.get("/messages").text


def test_an_empty_message_comes_back_with_the_error_beside_it(client: TestClient) -> None:
    sign_in(client, "week3@demo.backcoach")
    response = client.post("/messages", data={"body": " ", "csrf_token": csrf_of(client, "/messages")})
    assert response.status_code == 400 and 'aria-describedby="e-body"' in response.text


def test_only_patients_have_an_inbox(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    assert client.get("/messages").status_code == 403

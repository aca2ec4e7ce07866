from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.store.models import Role
from backcoach.store.repo import accounts

from .conftest import csrf_of, sign_in


def test_admin_creates_a_staff_account_that_can_sign_in(client: TestClient, db: Session) -> None:
    sign_in(client, "admin@demo.backcoach")
    data = {"csrf_token": csrf_of(client, "/admin"), "display_name": "Dr New", "email": "new.t@x.org",
            "role": "therapist", "password": "a-good-password"}
    assert client.post("/admin/users", data=data).status_code == 303
    assert accounts.get_user_by_email(db, "new.t@x.org").role == Role.THERAPIST
    sign_in(client, "new.t@x.org", "a-good-password")
    assert client.get("/therapist").status_code == 200


def test_admin_form_errors(client: TestClient) -> None:
    sign_in(client, "admin@demo.backcoach")
    token = csrf_of(client, "/admin")
    bad = client.post("/admin/users", data={"csrf_token": token, "display_name": "X", "email": "x@x.org",
                                            "role": "patient", "password": "a-good-password"})
    assert bad.status_code == 400 and errors.FIELD_OUT_OF_RANGE in bad.text
    taken = client.post("/admin/users", data={"csrf_token": token, "display_name": "X",
                                              "email": "week1@demo.backcoach", "role": "assessor",
                                              "password": "a-good-password"})
    assert taken.status_code == 409 and errors.EMAIL_TAKEN in taken.text


def test_non_admin_is_refused(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    assert client.get("/admin").status_code == 403

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from backcoach.app import errors
from backcoach.app.routers.auth import safe_next

from .conftest import csrf_of, sign_in


def test_landing_page_shows_sign_in(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/login"' in response.text


def test_login_sends_patient_to_plan(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": "Week1@demo.backcoach ", "password": "backcoach-demo", "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/plan"


def test_login_follows_safe_next(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": "therapist@demo.backcoach", "password": "backcoach-demo",
              "csrf_token": token, "next": "/group"},
    )
    assert response.headers["location"] == "/group"


def test_wrong_password_keeps_email_and_says_why(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": "week1@demo.backcoach", "password": "wrong-password", "csrf_token": token},
    )
    assert response.status_code == 400
    assert errors.LOGIN_FAILED in response.text
    assert 'value="week1@demo.backcoach"' in response.text


def test_empty_login_marks_each_missing_field(client: TestClient) -> None:
    response = client.post("/login", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 400
    assert 'id="e-email"' in response.text and 'id="e-password"' in response.text
    assert errors.FIELD_REQUIRED in response.text


def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post(
        "/login", data={"email": "week1@demo.backcoach", "password": "backcoach-demo"}
    )
    assert response.status_code == 403
    assert errors.CSRF_FAILED in response.text


def test_csrf_header_is_accepted_for_htmx(client: TestClient) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={"email": "week1@demo.backcoach", "password": "backcoach-demo"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 303


def test_logout_ends_the_session(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    token = csrf_of(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    response = client.get("/home")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


@pytest.mark.parametrize(
    "target, expected",
    [
        pytest.param("/plan", "/plan", id="path"),
        pytest.param("//evil.example/x", "/", id="protocol-relative"),
        pytest.param("https://evil.example", "/", id="absolute"),
        pytest.param("", "/", id="empty"),
    ],
)
def test_safe_next_only_allows_local_paths(target: str, expected: str) -> None:
    assert safe_next(target, "/") == expected


def test_unknown_page_is_404_with_our_wording(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404

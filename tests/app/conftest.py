"""A fresh app on a temporary SQLite database for each test, with helpers to sign in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.demo import DEMO_PASSWORD, seed_demo
from backcoach.app.main import create_app
from backcoach.app.settings import Settings
from backcoach.store import db as store_db
from backcoach.store.models import AuditEvent, User

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        secret_key="test-secret-not-for-production",
        public_url="https://clinic.example",
    )
    app = create_app(settings)
    with store_db.transaction(app.state.sessionmaker) as db:
        seed_demo(db)
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    with app.state.sessionmaker() as session:
        yield session


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The session's CSRF token, read from a page's form like a browser would."""
    match = CSRF_RE.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = DEMO_PASSWORD) -> None:
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_of(client)}
    )
    assert response.status_code == 303, response.text


def user_id(db: Session, email: str) -> int:
    return db.scalar(select(User.id).where(User.email == email))


def audit_rows(db: Session, **where: object) -> list[AuditEvent]:
    query = select(AuditEvent)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(db.scalars(query))

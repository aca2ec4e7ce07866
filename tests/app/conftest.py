"""A fresh app on a temporary SQLite database for each test, with helpers to sign in.

Seeding the demo clinic takes seconds, so it runs once per test session (per xdist worker) into a
template file; each test gets its own byte copy of that file, so no test sees another's writes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
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


@pytest.fixture(scope="session")
def demo_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[date, Path]:
    """Migrated, demo-seeded SQLite files by seeding date (a run past midnight reseeds)."""
    return {}


def demo_template(templates: dict[date, Path], factory: pytest.TempPathFactory) -> Path:
    today = date.today()
    if today not in templates:
        path = factory.mktemp(f"demo-template-{today.isoformat()}") / "app.db"
        engine = store_db.make_engine(f"sqlite:///{path}")
        store_db.upgrade(engine)
        with store_db.transaction(store_db.make_sessionmaker(engine)) as db:
            seed_demo(db, today=today)
        store_db.checkpoint(engine)  # WAL: the copies below take the file alone
        engine.dispose()
        templates[today] = path
    return templates[today]


@pytest.fixture
def app(tmp_path: Path, demo_templates: dict[date, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    database = tmp_path / "app.db"
    shutil.copyfile(demo_template(demo_templates, tmp_path_factory), database)
    settings = Settings(
        environment="test",
        database_url=f"sqlite:///{database}",
        secret_key="test-secret-not-for-production",
        public_url="https://clinic.example",
    )
    app = create_app(settings)  # migrates on startup as in production: a no-op on the template
    yield app
    app.state.engine.dispose()
    store_db.delete_sqlite_file(database)  # hundreds of copies would otherwise stay in pytest's kept temp folders


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

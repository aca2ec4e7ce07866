"""The app itself on PostgreSQL (DATABASE_URL), not only the store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from backcoach.app.demo import seed_demo
from backcoach.app.main import create_app
from backcoach.app.settings import Settings
from backcoach.clinical import redflags
from backcoach.store import db as store_db
from backcoach.store.models import ExerciseSession, SessionStatus
from backcoach.store.repo import plans

from .conftest import csrf_of, sign_in, user_id


@pytest.fixture
def pg_client(postgres_url: str) -> Iterator[tuple[TestClient, object]]:
    engine = store_db.make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(Settings(environment="test", database_url=postgres_url, secret_key="pg-test-secret-key"))
    with store_db.transaction(app.state.sessionmaker) as db:
        seed_demo(db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client, app
    app.state.engine.dispose()


def test_demo_journey_on_postgresql(pg_client) -> None:  # type: ignore[no-untyped-def]
    client, app = pg_client
    with app.state.sessionmaker() as db:
        patient = user_id(db, "week1@demo.backcoach")
        done = plans.completed_plan_session_ids(db, patient)
        plan_session = next(s for s in plans.active_plan(db, patient).sessions if s.id not in done)
    sign_in(client, "week1@demo.backcoach")
    assert client.get("/plan").status_code == 200
    token = csrf_of(client, f"/plan/sessions/{plan_session.id}")
    check_in = {f"checkin_{q}": "no" for q in redflags.checkin_questions()} | {"new_leg_symptoms": "no"}
    started = client.post("/sessions", data={"csrf_token": token, "plan_session_id": str(plan_session.id),
                                              "pain_before": "2", "mode": "video", **check_in})
    session_url = started.headers["location"]
    finished = client.post(f"{session_url}/finish", data={"csrf_token": token, "pain_after": "1", "cr10": "4"})
    assert client.get(finished.headers["location"]).status_code == 200
    with app.state.sessionmaker() as db:
        session = db.scalar(select(ExerciseSession).where(ExerciseSession.id == int(session_url.rsplit("/", 1)[1])))
        assert session.status == SessionStatus.COMPLETED and session.cr10 == 4.0
    sign_in(client, "therapist@demo.backcoach")
    assert client.get("/therapist").status_code == 200

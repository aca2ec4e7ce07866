"""Store tests run on SQLite and on the throwaway PostgreSQL cluster of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from backcoach.store import db as store_db


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine with the schema migrated to head, on each backend in turn."""
    if request.param == "sqlite":
        engine = store_db.make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        engine = store_db.make_engine(request.getfixturevalue("postgres_url"))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store_db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with store_db.make_sessionmaker(engine)() as session:
        yield session



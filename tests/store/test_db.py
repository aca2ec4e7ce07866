from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from backcoach.store import db as store_db
from backcoach.store import models  # noqa: F401
from backcoach.store.base import Base


def test_upgrade_creates_every_model_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_enforces_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL always enforces foreign keys")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_file_databases_run_in_wal_mode(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("journal modes are SQLite's")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_in_memory_sqlite_keeps_its_memory_journal() -> None:
    engine = store_db.make_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_checkpoint_makes_a_byte_copy_of_the_file_complete(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("checkpoints are SQLite's")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE marker (value INTEGER)")
        connection.exec_driver_sql("INSERT INTO marker VALUES (42)")
    database = Path(engine.url.database)
    store_db.checkpoint(engine)  # the engine stays connected: without it the row is only in the -wal
    copy = tmp_path / "copy.db"
    shutil.copyfile(database, copy)
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT value FROM marker").fetchall() == [(42,)]


def test_delete_sqlite_file_removes_the_wal_and_shm(tmp_path: Path) -> None:
    database = tmp_path / "gone.db"
    for name in ("gone.db", "gone.db-wal", "gone.db-shm", "gone.dbx"):
        (tmp_path / name).write_bytes(b"x")
    store_db.delete_sqlite_file(database)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.dbx"]
    store_db.delete_sqlite_file(database)  # nothing left to delete: no error

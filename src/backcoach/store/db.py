"""Engines, sessions and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


#: Files SQLite keeps beside a database in WAL mode; they belong to it (delete them with it).
WAL_SUFFIXES = ("-wal", "-shm")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets its folder created, foreign keys on and, for a file, WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_file = bool(parsed.database) and parsed.database != ":memory:"
        if in_file:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Web requests run in a thread pool, so a connection may move between threads.
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_file_pragmas if in_file else _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_file_pragmas(dbapi_connection: Any, record: Any) -> None:
    """WAL: a commit appends to the log instead of rewriting the journal (a rep write drops from
    ~20 ms to ~2 ms, docs/benchmarks.md), and readers no longer block the writer. With WAL,
    ``synchronous=NORMAL`` cannot corrupt the file; a power cut may lose the last commits, an app
    crash loses none."""
    _sqlite_pragmas(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the database file, so a byte copy of the file alone is complete."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def delete_sqlite_file(path: Path) -> None:
    """Delete a SQLite database with its ``-wal`` and ``-shm`` files (a stale WAL left beside a new
    file of the same name would be replayed into it)."""
    for file in (path, *(path.with_name(path.name + suffix) for suffix in WAL_SUFFIXES)):
        file.unlink(missing_ok=True)


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration pointing at the packaged migrations and at ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (``alembic upgrade head``)."""
    command.upgrade(alembic_config(engine), revision)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise."""
    with factory() as session, session.begin():
        yield session

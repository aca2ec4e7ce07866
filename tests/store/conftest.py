"""Store tests run on SQLite and on a throwaway PostgreSQL 15 cluster started for the session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from backcoach.store import db as store_db

PG_BIN = Path(os.environ.get("BACKCOACH_PG_BIN", "/usr/lib/postgresql/15/bin"))
IN_CI = os.environ.get("CI") == "true"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; run it as the ``postgres`` system user instead.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL cluster on a free 127.0.0.1 port, removed after the session."""
    if not (PG_BIN / "initdb").exists():
        if IN_CI:
            pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (apt package postgresql)")
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN}")
    workdir = Path(tempfile.mkdtemp(prefix="backcoach-pg-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--no-instructions"]),
        check=True, capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -k {workdir} -c fsync=off"
    subprocess.run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                      "-l", str(workdir / "log"), "start"]),
        check=True, capture_output=True,
    )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(workdir, ignore_errors=True)


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



"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from backcoach.paths import SHARED_DATA

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real recordings in ``../shared/data``; skipped locally when absent, required in CI."""
    if not SHARED_DATA.is_dir():
        if IN_CI:
            pytest.fail(f"shared data folder {SHARED_DATA} is missing in CI")
        pytest.skip(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA


# A throwaway PostgreSQL 15 cluster for tests that run on both database backends.
PG_BIN = Path(os.environ.get("BACKCOACH_PG_BIN", "/usr/lib/postgresql/15/bin"))


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

"""What every browser test needs: the real server on a free port, and Debian's Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
#: platform-notes.md: root needs --no-sandbox; the closed network needs the background features off.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _served(database_url: str, secret: str) -> Iterator[str]:
    """Run ``backcoach serve`` on ``database_url``; yield its address; raise with its output if it dies."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret,
           "BACKCOACH_ENVIRONMENT": "test", "BACKCOACH_PUBLIC_URL": url}
    process = subprocess.Popen([str(Path(sys.executable).parent / "backcoach"), "serve", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{process.stdout.read()}")
            try:
                if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            process.kill()
            raise RuntimeError(f"server did not start:\n{process.stdout.read()}")
        yield url
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        process.stdout.close()
    if process.returncode not in (0, -15):
        raise RuntimeError(f"server ended with code {process.returncode}")


@pytest.fixture(scope="session")
def serve_app() -> Callable[[str, str], contextmanager]:
    """``with serve_app(database_url, secret) as url:`` runs the app like ``backcoach serve``."""
    return _served


@pytest.fixture(scope="session")
def launch_chromium() -> Callable[..., object]:
    """``launch_chromium(playwright, *flags)`` starts Debian's Chromium headless for this machine.

    Fails (never skips) when setup did not install Chromium.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian chromium package (scripts/setup.sh)")

    def launch(playwright, *flags: str):  # type: ignore[no-untyped-def]
        return playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, *flags])

    return launch

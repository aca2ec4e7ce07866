"""What every browser test needs: the real server with the demo clinic on a free port, Debian's
Chromium (with a fake camera fed from a clip), signing in, the self-assessment's first steps, and
screenshots under ``test-artifacts/``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from backcoach.app.demo import DEMO_PASSWORD, seed_demo
from backcoach.app.main import create_app
from backcoach.app.settings import Settings
from backcoach.paths import ROOT
from backcoach.store import db as store_db

CHROMIUM = "/usr/bin/chromium"
#: platform-notes.md: root needs --no-sandbox; the closed network needs the background features off.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# platform-notes.md: a fake camera fed from a file (added to the shared closed-network flags).
FAKE_CAMERA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                     "--autoplay-policy=no-user-gesture-required"]
SECRET = "e2e-secret-not-for-production"
ARTIFACTS = ROOT / "test-artifacts"


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


@dataclass(frozen=True)
class DemoServer:
    url: str
    database: str
    #: What the ``prepare`` callback returned (ids of rows it added).
    prepared: Any = None


@pytest.fixture(scope="session")
def serve_demo(serve_app) -> Callable[..., contextmanager]:  # type: ignore[no-untyped-def]
    """``with serve_demo(directory, prepare=None) as server:`` seeds the demo clinic in a SQLite file
    under ``directory`` (then runs ``prepare(db)`` in the same transaction) and serves it."""

    @contextmanager
    def serve(directory: Path, prepare: Callable[[Session], Any] | None = None) -> Iterator[DemoServer]:
        database = f"sqlite:///{directory / 'demo.db'}"
        app = create_app(Settings(environment="test", database_url=database, secret_key=SECRET))
        with store_db.transaction(app.state.sessionmaker) as db:
            seed_demo(db)
            prepared = prepare(db) if prepare else None
        app.state.engine.dispose()
        with serve_app(database, SECRET) as url:
            yield DemoServer(url, database, prepared)

    return serve


@contextmanager
def stored(database: str) -> Iterator[Session]:
    """One transaction on the served database, committed on leaving (the test's own connection)."""
    engine = store_db.make_engine(database)
    try:
        with store_db.transaction(store_db.make_sessionmaker(engine)) as db:
            yield db
    finally:
        engine.dispose()


def convert_clip(source: Path, target: Path, video_filter: str) -> Path:
    """``source`` re-encoded by ffmpeg through ``video_filter`` for Chromium's fake camera (.y4m)."""
    if not source.is_file():
        pytest.fail(f"{source} is missing from the shared data")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-vf", video_filter, "-pix_fmt", "yuv420p",
                    str(target)], check=True)
    return target


def with_camera(launch_chromium, playwright, clip: Path):  # type: ignore[no-untyped-def]
    """Chromium whose camera plays ``clip`` (granted without a prompt)."""
    return launch_chromium(playwright, *FAKE_CAMERA_FLAGS, f"--use-file-for-fake-video-capture={clip}")


def sign_in(browser, url: str, email: str, locale: str = "en-GB", width: int = 1100):  # type: ignore[no-untyped-def]
    """A new browser context signed in as the demo account ``email`` (camera allowed); its page."""
    context = browser.new_context(base_url=url, viewport={"width": width, "height": 900}, locale=locale)
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    return page


def past_the_gate(page, aggravating: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Consents (health data, camera), the history (45, female, 20 weeks; the first aggravating
    activity ticked when asked) and the red-flag questions all answered "no"."""
    page.goto("/welcome/consent")
    page.locator("input[name=health_data]").check()
    page.locator("input[name=camera]").check()
    page.locator("form button[type=submit]").last.click()
    page.goto("/assessment/history")
    page.fill("input[name=age]", "45")
    page.select_option("select[name=sex]", "female")
    page.fill("input[name=duration_weeks]", "20")
    if aggravating:
        page.locator("input[name=aggravating]").first.check()
    page.locator("form button[type=submit]").last.click()
    page.goto("/assessment/safety")
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check(force=True)
    page.locator("form button[type=submit]").last.click()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot saved as ``test-artifacts/{name}.png`` (``name``: "area/step")."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)

"""The portal in a real browser: roster -> patient -> replay -> plan change -> the patient sees it,
and the research portal as an unblinded researcher and as the blinded outcome assessor.

Runs the real server (``backcoach serve``) on a free port with a temporary SQLite demo database,
and Debian's Chromium through Playwright. Screenshots go to ``test-artifacts/portal/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from backcoach.app.demo import DEMO_PASSWORD, seed_demo
from backcoach.app.main import create_app
from backcoach.app.settings import Settings
from backcoach.paths import ROOT
from backcoach.store import db as store_db

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts" / "portal"
SECRET = "portal-e2e-secret-not-for-production"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app with the demo clinic on a temporary SQLite file, served by ``backcoach serve``."""
    database = f"sqlite:///{tmp_path_factory.mktemp('portal') / 'demo.db'}"
    app = create_app(Settings(environment="test", database_url=database, secret_key=SECRET))
    with store_db.transaction(app.state.sessionmaker) as db:
        seed_demo(db)
    app.state.engine.dispose()
    with serve_app(database, SECRET) as url:
        yield url


@pytest.fixture(scope="module")
def browser(launch_chromium):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, "--disable-gpu")
        yield browser
        browser.close()


def _page(browser, server: str, email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 1200, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_roster_patient_replay_plan_change_reaches_the_patient(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = _page(browser, server, "therapist@demo.backcoach")
    page.goto("/therapist")
    expect(page.locator("tr[data-patient]")).to_have_count(3)
    _shot(page, "01-roster")
    page.get_by_role("link", name="Sam Rivera").click()
    expect(page.locator("[data-patient]")).to_be_visible()
    page.locator("[data-nav=progress]").click()
    for instrument in ("nrs", "odi", "rmdq", "pcs"):
        expect(page.locator(f'[data-chart="{instrument}"] svg')).to_be_visible()
    _shot(page, "02-progress")

    page.locator("[data-replay-link]").first.click()
    replay = page.locator("[data-replay]")
    expect(replay).to_have_attribute("data-loaded", re.compile(r"^\d+$"))
    expect(page.locator("[data-reps] li").nth(2)).to_be_visible()
    page.wait_for_timeout(1500)  # let the animation run
    clock = page.locator("[data-clock]").inner_text()
    assert float(clock.split()[0]) > 0.5, clock
    canvas_has_skeleton = page.evaluate("""() => {
        const c = document.querySelector('[data-replay] canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let bright = 0; for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] > 500) bright++;
        return bright; }""")
    assert canvas_has_skeleton > 100
    _shot(page, "03-replay")

    page.locator("[data-nav=plan]").click()
    dose = page.locator('[data-dose="glute_bridge"]')
    dose.locator("input[name=reps]").fill("13")
    dose.locator("[data-save-dose]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-revision]").first).to_contain_text("dose")
    expect(page.locator('[data-dose="glute_bridge"] input[name=reps]')).to_have_value("13")
    _shot(page, "04-plan-changed")

    patient = _page(browser, server, "week3@demo.backcoach")
    patient.goto("/plan")
    patient.locator("[data-next-session]").click()
    expect(patient.locator("main")).to_contain_text("2 × 13 reps")
    _shot(patient, "05-patient-sees-change")


def test_research_portal_shows_tables_and_hides_arms_from_the_assessor(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = _page(browser, server, "researcher@demo.backcoach")
    page.goto("/research")
    page.locator("[data-trial]").first.click()
    expect(page.locator("[data-integrity-ok]").first).to_be_visible()
    expect(page.locator("[data-arm]").first).to_be_visible()
    _shot(page, "06-trial")
    page.get_by_role("link", name="Analysis").click()
    expect(page.locator("[data-tables] table").first).to_be_visible()
    _shot(page, "07-analysis")
    page.get_by_role("link", name="CONSORT").first.click()
    expect(page.locator("[data-consort-randomised]")).to_have_text("39")  # the paper's 38 and P039, in follow-up
    _shot(page, "08-consort")

    assessor = _page(browser, server, "assessor@demo.backcoach")
    assessor.goto("/research")
    assessor.locator("[data-trial]").first.click()
    expect(assessor.locator("[data-arm]")).to_have_count(0)
    assessor.locator("tr[data-participant='P001'] a").click()
    expect(assessor.locator("[data-allocation]")).to_contain_text("arm hidden")
    body = assessor.locator("main").inner_text()
    assert re.search(r"\b(AI|video)\b", body) is None
    _shot(assessor, "09-assessor-blind")


def test_exercise_editor_checks_and_previews_the_edited_file(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = _page(browser, server, "therapist@demo.backcoach")
    page.goto("/therapist")
    page.get_by_role("link", name="Exercise library").click()
    page.get_by_role("link", name="Squat", exact=True).click()
    editor = page.locator("[data-toml]")
    text = editor.input_value()
    editor.fill(text.replace('feature = "trunk_lean", above = 50', 'feature = "trunk_lean", above = 5', 1))
    page.locator("[data-check]").click()
    expect(page.locator("[data-valid]")).to_be_visible()
    page.locator("[data-replay] [data-play]").click()
    expect(page.locator("[data-replay] [data-reps] li")).to_have_count(3)
    expect(page.locator("[data-replay] [data-reps] li").first).to_contain_text("Keep your chest up.")
    _shot(page, "10-editor-preview")
    editor.fill(text.replace("[phases]", "[phases\n", 1))
    page.locator("[data-check]").click()
    expect(page.locator("[data-problem]").first).to_contain_text("squat.toml")
    _shot(page, "11-editor-problem")

"""The portal in a real browser: roster -> patient -> replay -> plan change -> the patient sees it,
and the research portal as an unblinded researcher and as the blinded outcome assessor.

Runs the real server (``backcoach serve``) on a free port with a temporary SQLite demo database,
and Debian's Chromium through Playwright. Screenshots go to ``test-artifacts/portal/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve_demo) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app with the demo clinic on a temporary SQLite file, served by ``backcoach serve``."""
    with serve_demo(tmp_path_factory.mktemp("portal")) as served:
        yield served.url


@pytest.fixture(scope="module")
def browser(launch_chromium):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, "--disable-gpu")
        yield browser
        browser.close()


def test_roster_patient_replay_plan_change_reaches_the_patient(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = sign_in(browser, server, "therapist@demo.backcoach", width=1200)
    page.goto("/therapist")
    expect(page.locator("tr[data-patient]")).to_have_count(3)
    shot(page, "portal/01-roster")
    page.get_by_role("link", name="Sam Rivera").click()
    expect(page.locator("[data-patient]")).to_be_visible()
    page.locator("[data-nav=progress]").click()
    for instrument in ("nrs", "odi", "rmdq", "pcs"):
        expect(page.locator(f'[data-chart="{instrument}"] svg')).to_be_visible()
    shot(page, "portal/02-progress")

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
    shot(page, "portal/03-replay")

    page.locator("[data-nav=plan]").click()
    dose = page.locator('[data-dose="glute_bridge"]')
    dose.locator("input[name=reps]").fill("13")
    dose.locator("[data-save-dose]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-revision]").first).to_contain_text("dose")
    expect(page.locator('[data-dose="glute_bridge"] input[name=reps]')).to_have_value("13")
    shot(page, "portal/04-plan-changed")

    patient = sign_in(browser, server, "week3@demo.backcoach", width=1200)
    patient.goto("/plan")
    patient.locator("[data-next-session]").click()
    expect(patient.locator("main")).to_contain_text("2 × 13 reps")
    shot(patient, "portal/05-patient-sees-change")


def test_research_portal_shows_tables_and_hides_arms_from_the_assessor(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = sign_in(browser, server, "researcher@demo.backcoach", width=1200)
    page.goto("/research")
    page.locator("[data-trial]").first.click()
    expect(page.locator("[data-integrity-ok]").first).to_be_visible()
    expect(page.locator("[data-arm]").first).to_be_visible()
    shot(page, "portal/06-trial")
    page.get_by_role("link", name="Analysis").click()
    expect(page.locator("[data-tables] table").first).to_be_visible()
    shot(page, "portal/07-analysis")
    page.get_by_role("link", name="CONSORT").first.click()
    expect(page.locator("[data-consort-randomised]")).to_have_text("39")  # the paper's 38 and P039, in follow-up
    shot(page, "portal/08-consort")

    assessor = sign_in(browser, server, "assessor@demo.backcoach", width=1200)
    assessor.goto("/research")
    assessor.locator("[data-trial]").first.click()
    expect(assessor.locator("[data-arm]")).to_have_count(0)
    assessor.locator("tr[data-participant='P001'] a").click()
    expect(assessor.locator("[data-allocation]")).to_contain_text("arm hidden")
    body = assessor.locator("main").inner_text()
    assert re.search(r"\b(AI|video)\b", body) is None
    shot(assessor, "portal/09-assessor-blind")


def test_exercise_editor_checks_and_previews_the_edited_file(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = sign_in(browser, server, "therapist@demo.backcoach", width=1200)
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
    shot(page, "portal/10-editor-preview")
    editor.fill(text.replace("[phases]", "[phases\n", 1))
    page.locator("[data-check]").click()
    expect(page.locator("[data-problem]").first).to_contain_text("squat.toml")
    shot(page, "portal/11-editor-problem")

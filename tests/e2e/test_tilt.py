"""The phone's tilt in a real browser (brief §4.0 "Gravity reference"): headless Chromium has no
motion sensor, so the page gets synthetic ``devicemotion`` events carrying the gravity a phone
would feel, built here from the contract's own definition of roll and pitch (docs/engine.md); the
bubble level, the ``tilt`` message the server acknowledges, and the camera-test uploads are checked.
Real phones' sensors are not exercised by these tests. Screenshots go to ``test-artifacts/tilt/``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from backcoach.store.models import PlanItem, User
from backcoach.store.repo import plans

from .conftest import convert_clip, past_the_gate, shot, sign_in, with_camera
from .test_live_session import _start_ai_session

pytestmark = pytest.mark.browser

PATIENT = "week3@demo.backcoach"
NEW_PATIENT = "new@demo.backcoach"
#: The squat clip's first frame (standing, facing the camera), held for a minute.
STANDING_FILTER = "trim=end_frame=1,setpts=PTS-STARTPTS,tpad=stop_duration=60:stop_mode=clone,scale=360:640,fps=10"
#: A phone turned 5 deg and looking 10 deg down: beyond the 3 deg level both ways.
ROLL, PITCH = 5.0, 10.0
G = 9.81
#: Chromium asks for the motion sensors (DeviceOrientationEvent.requestPermission) like iOS does.
SENSORS = ["accelerometer", "gyroscope", "magnetometer"]


def front_camera_gravity(roll: float, pitch: float) -> dict[str, float]:
    """``accelerationIncludingGravity`` (device axes: x right of the screen, y up it, z out of it) of a
    phone in portrait whose front camera (image right = -x, image up = +y, lens along +z) has this
    ``camera_tilt``: true up makes ``roll`` with the image's up toward image right and lies
    ``pitch`` above the lens direction (the lens looks down)."""
    r, p = math.radians(roll), math.radians(pitch)
    return {"x": -G * math.sin(r) * math.cos(p), "y": G * math.cos(r) * math.cos(p), "z": -G * math.sin(p)}


#: Every 100 ms while ``window.fakeGravity`` is set, a devicemotion event with it (a sensor's stream).
FAKE_SENSOR = """
window.fakeGravity = null;
setInterval(() => {
  if (!window.fakeGravity) return;
  window.dispatchEvent(new DeviceMotionEvent("devicemotion", {
    accelerationIncludingGravity: window.fakeGravity, interval: 100 }));
}, 100);
"""


@pytest.fixture(scope="module")
def standing_camera(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared_data / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.mp4"
    return convert_clip(source, tmp_path_factory.mktemp("tilt") / "standing.y4m", STANDING_FILTER)


def _squat_first(db) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """One set of squats first in the patient's next planned session: (plan session id, plan item id)."""
    patient = db.scalar(select(User).where(User.email == PATIENT))
    done = plans.completed_plan_session_ids(db, patient.id)
    plan_session = next(s for s in plans.active_plan(db, patient.id).sessions if s.id not in done)
    item = PlanItem(plan_session_id=plan_session.id, position=0, block="main", exercise_id="squat", sets=1,
                    reps=3, hold_seconds=None, rest_seconds=10, per_side=False, expected_seconds=60)
    db.add(item)
    db.flush()
    return plan_session.id, item.id


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve_demo) -> Iterator[tuple[str, tuple[int, int]]]:  # type: ignore[no-untyped-def]
    with serve_demo(tmp_path_factory.mktemp("tilt"), _squat_first) as served:
        yield served.url, served.prepared


def test_a_tilted_phone_shows_the_level_off_and_the_server_gets_its_tilt(  # type: ignore[no-untyped-def]
        server, launch_chromium, standing_camera: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, (plan_session_id, item_id) = server
    with sync_playwright() as playwright:
        browser = with_camera(launch_chromium, playwright, standing_camera)
        page = sign_in(browser, url, PATIENT, "en-GB")
        page.context.grant_permissions(SENSORS)
        page.add_init_script(FAKE_SENSOR)
        sent: list[dict] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        _start_ai_session(page, plan_session_id, pain_before="2")
        page.evaluate("gravity => { window.fakeGravity = gravity; }", front_camera_gravity(ROLL, PITCH))
        page.locator(f"[data-start-exercise='{item_id}']").click()
        level = page.locator("[data-level-box]")
        expect(level).to_be_visible()
        expect(level).to_have_attribute("data-level", "off")
        expect(level).to_have_attribute("data-roll", "5")
        expect(level).to_have_attribute("data-pitch", "10")
        # Shown as the patient sees the mirrored front-camera picture: turned the other way.
        expect(level.locator("[data-level-values]")).to_have_text("Sideways -5° · up or down 10°")
        shot(page, "tilt/en-01-level-off")

        page.locator("[data-action=start-set]").click()
        page.wait_for_function("(s => s.serverTilt && s.serverTilt.roll === 5 && s.serverTilt.pitch === 10)"
                               "(window.backcoachLive.stats())", timeout=90_000)
        # The phone is set straight: the level turns green and the server gets the new reading.
        page.evaluate("gravity => { window.fakeGravity = gravity; }", front_camera_gravity(0.0, 0.0))
        expect(level).to_have_attribute("data-level", "ok")
        page.wait_for_function("(s => s.serverTilt.roll === 0 && s.serverTilt.pitch === 0)"
                               "(window.backcoachLive.stats())", timeout=10_000)
        page.wait_for_function("window.backcoachLive.stats().frames > 30", timeout=60_000)
        stats = page.evaluate("window.backcoachLive.stats()")
        page.locator("[data-action=end]").click()
        browser.close()
    tilts = [payload for payload in sent if isinstance(payload, str) and '"tilt"' in payload]
    assert tilts[0] == '{"action":"tilt","roll_deg":5,"pitch_deg":10}', tilts
    assert tilts[-1] == '{"action":"tilt","roll_deg":0,"pitch_deg":0}', tilts
    # At most one message per half second: a phone standing still sends one per reading it settles to.
    assert len(tilts) == stats["tiltSent"] <= 12, tilts


def test_camera_test_without_a_sensor_says_why_then_sends_the_tilt_it_reads(  # type: ignore[no-untyped-def]
        server, launch_chromium, standing_camera: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _items = server
    with sync_playwright() as playwright:
        browser = with_camera(launch_chromium, playwright, standing_camera)
        page = sign_in(browser, url, NEW_PATIENT, "zh-CN")
        page.context.grant_permissions(SENSORS)
        page.add_init_script(FAKE_SENSOR)
        past_the_gate(page)
        page.goto("/assessment/camera/rom_extension")
        page.locator("[data-action=start]").click()
        level = page.locator("[data-level-box]")
        expect(level).to_be_visible()
        # No reading (a desktop): the page says the phone must stand level, and why, in Chinese.
        expect(level).to_have_attribute("data-level", "none")
        expect(level.locator("[data-level-text]")).to_contain_text("此设备没有倾斜传感器")
        expect(level.locator("[data-level-values]")).to_contain_text("3 度")
        shot(page, "tilt/zh-02-camera-test-no-sensor")
        # Then the sensor reads a phone turned the other way: the level and the set-up checks follow.
        page.evaluate("gravity => { window.fakeGravity = gravity; }", front_camera_gravity(-ROLL, PITCH))
        expect(level).to_have_attribute("data-level", "off")
        expect(level).to_have_attribute("data-roll", "-5")
        with page.expect_request(lambda request: urlparse(request.url).path.endswith("/check"),
                                 timeout=90_000) as check:
            pass
        query = parse_qs(urlparse(check.value.url).query)
        shot(page, "tilt/zh-03-camera-test-tilted")
        browser.close()
    assert (query["roll_deg"], query["pitch_deg"]) == (["-5.0"], ["10.0"]), query


#: tilt.js's conversion and sending rule, run in the browser on hand-computed cases.
KNOWN_ANSWERS = """async () => {
  const t = await import("/static/live/tilt.js");
  const r = (tilt) => [Math.round(tilt.roll * 100) / 100, Math.round(tilt.pitch * 100) / 100];
  const s5 = Math.sin(5 * Math.PI / 180), c5 = Math.cos(5 * Math.PI / 180);
  const sent = [];
  const sender = new t.TiltSender((message) => sent.push(message) > 0);
  const at = (ms, roll, pitch) => sender.offer({ roll, pitch }, ms);
  [at(0, 1, 1), at(100, 3, 1), at(600, 3, 1), at(1200, 3.3, 1), at(2700, 3.3, 1), at(3300, 3.3, 1)];
  return {
    rearUpright: r(t.tiltFromUp([0, 9.81, 0], 0, "environment")),
    rearFlatFaceUp: r(t.tiltFromUp([0, 0, 9.81], 0, "environment")),
    frontFlatFaceUp: r(t.tiltFromUp([0, 0, 9.81], 0, "user")),
    rearLandscapeUpright: r(t.tiltFromUp([9.81, 0, 0], 90, "environment")),
    rearLandscapeTurned: r(t.tiltFromUp([Math.sin(95 * Math.PI / 180), Math.cos(95 * Math.PI / 180), 0], 90, "environment")),
    frontTurned: r(t.tiltFromUp([s5, c5, 0], 0, "user")),
    orientationUpright: t.upFromOrientation(90, 0).map((v) => Math.round(v * 1e6) / 1e6),
    orientationLeaningBack: r(t.tiltFromUp(t.upFromOrientation(80, 0), 0, "environment")),
    sent: sent.map((m) => [m.roll_deg, m.pitch_deg]),
  };
}"""


def test_tilt_conversion_and_sending_rule_on_known_answers(server, launch_chromium) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    url, _items = server
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.goto(f"{url}/login")
        got = page.evaluate(KNOWN_ANSWERS)
        browser.close()
    assert got["rearUpright"] == [0, 0]
    assert got["rearFlatFaceUp"] == [0, 90]  # lying face up, the rear lens looks straight down
    assert got["frontFlatFaceUp"] == [0, -90]  # and the front one straight up
    # Landscape (screen turned 90 deg counter-clockwise): the picture is upright with the screen.
    assert got["rearLandscapeUpright"] == [0, 0]
    # 5 deg further counter-clockwise, seen from behind the rear camera: true up leans right, +5.
    assert got["rearLandscapeTurned"] == [5, 0]
    # Gravity-up 5 deg toward the screen's right: the front camera sees it toward its image left.
    assert got["frontTurned"] == [-5, 0]
    assert got["orientationUpright"] == [0, 1, 0]
    assert got["orientationLeaningBack"] == [0, 10]  # beta 80: the top leans back, the rear lens looks down 10
    # At most every 0.5 s and only past 0.5 deg; a 0.3 deg change goes once it has lasted 2 s.
    assert got["sent"] == [[1, 1], [3, 1], [3.3, 1]]

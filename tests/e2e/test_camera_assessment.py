"""The guided camera tests in a real browser: Debian's Chromium (headless, CPU) with a fake camera
fed from real clips, the real on-device model, the set-up check, the landmark upload, the result
page, a pain stop, and the classification naming what is missing. Clips: the tfjs squat video (a
woman facing the camera) and a KERAAL seated trunk rotation (RTK, CC BY-NC-SA, read in place),
whose rotation measured in the browser is compared with the same measurement on KERAAL's own
BlazePose landmarks of that execution. Screenshots go to ``test-artifacts/camera/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backcoach.app import camera_assessment as cam
from backcoach.clinical.camera import measure_rom
from backcoach.pose.formats import load_recording
from backcoach.store.repo import accounts, clinical

from .conftest import convert_clip, past_the_gate, shot, sign_in, stored, with_camera

pytestmark = pytest.mark.browser

PATIENT = "new@demo.backcoach"
#: The whole clip (5 fps, 13 s of squats facing the camera), looped by the fake camera.
FILTER = "scale=360:640,fps=10"
#: Its first frame only (standing upright, facing the camera), held for a minute: a squat's low point
#: reads as sitting, a standing frame never does.
STANDING_FILTER = "trim=end_frame=1,setpts=PTS-STARTPTS,tpad=stop_duration=60:stop_mode=clone,scale=360:640,fps=10"


@pytest.fixture(scope="module")
def camera_clip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared_data / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.mp4"
    return convert_clip(source, tmp_path_factory.mktemp("camera") / "front.y4m", FILTER)


RTK = "keraal/group3_sub01/{kind}/rotationTronc/sub01_trial01/{name}"
#: The first frame held 15 s (model loading, set-up check, countdown), the execution once (9.6 s),
#: its last frame held 20 s.
RTK_FILTER = "tpad=start_duration=15:start_mode=clone:stop_duration=20:stop_mode=clone,scale=480:270,fps=10"


@pytest.fixture(scope="module")
def rotation_clip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared_data / RTK.format(kind="VideosAnon", name="VideoColor_Correct2.avi")
    return convert_clip(source, tmp_path_factory.mktemp("camera") / "rtk.y4m", RTK_FILTER)


@pytest.fixture(scope="module")
def standing_clip(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = shared_data / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.mp4"
    return convert_clip(source, tmp_path_factory.mktemp("camera") / "standing.y4m", STANDING_FILTER)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve_demo) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with serve_demo(tmp_path_factory.mktemp("camera")) as served:
        yield served.url, served.database


def test_side_bend_recorded_in_the_browser_then_a_pain_stop(server, launch_chromium, camera_clip: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    url, database = server
    with sync_playwright() as playwright:
        browser = with_camera(launch_chromium, playwright, camera_clip)
        page = sign_in(browser, url, PATIENT, "en-GB")
        past_the_gate(page)
        page.goto("/assessment")
        page.locator("[data-step=camera] a").click()
        page.locator("[data-next-test]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_flexion$"))
        page.locator("[data-skip=cannot_do]").click()  # skip on to the side bend (front view, as the clip)
        page.wait_for_url(re.compile(r"/assessment/camera/t5_front_bend$"))
        page.locator("[data-skip=cannot_do]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_extension$"))
        page.locator("[data-skip=cannot_do]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_lateral_left$"))
        page.locator("[data-action=start]").click()
        # The set-up check passes on the server (whole body in frame, front view, standing) ...
        page.wait_for_function("window.backcoachCamera.state().phase === 'recording'", timeout=90_000)
        expect(page.locator(".ai-box")).to_have_attribute("data-setup-ok", "true")
        shot(page, "camera/01-recording")
        # ... then about 4 s of landmarks are recorded and posted.
        page.wait_for_function("window.backcoachCamera.state().frames >= 20", timeout=60_000)
        page.wait_for_timeout(2000)
        page.locator("[data-action=done]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_lateral_left/result$"), timeout=60_000)
        shot(page, "camera/02-result")
        expect(page.locator("[data-quality=good]")).to_be_visible()

        page.goto("/assessment/camera/rom_lateral_right")
        page.locator("[data-action=start]").click()
        page.locator("[data-action=hurts]").click()
        expect(page.locator("[data-pain-form]")).to_be_visible()
        page.locator("input[name=nrs][value='4']").check(force=True)
        page.locator("input[name=answer][value=pain_worse]").check(force=True)
        page.locator("[data-pain-submit]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_lateral_right/result$"))
        expect(page.locator("[data-outcome=stopped]")).to_contain_text("4 out of 10")

        page.goto("/assessment")
        page.locator("[data-finish-assessment]").click()
        page.wait_for_url(re.compile(r"/assessment/result$"))
        expect(page.locator("[data-missing-tests]")).to_contain_text("Side bend to the right")
        shot(page, "camera/03-classification")
        browser.close()

    with stored(database) as db:
        patient = accounts.get_user_by_email(db, PATIENT).id
        found = cam.outcomes(db, patient, 0)
        measured = found["rom_lateral_left"].data
        # Only landmarks reached the server: about 10 frames/s of the fake camera for several seconds.
        assert measured["outcome"] == "measured" and measured["frames"] >= 20
        result = measured["result"]
        assert result["quality"]["verdict"] == "good" and result["details"]["view"] == "front"
        # She squats facing the camera and never bends sideways, yet the front-view trunk angle is not
        # small: leaning toward the camera shortens the hip-shoulder line, so a few pixels sideways read
        # as tens of degrees. The §6.2 forward-lean rejection catches her complete squats on the reference
        # landmarks (tests/clinical/test_camera.py) but its proxy misses some descents, so the value
        # is not asserted here (docs/clinical.md, camera tests).
        assert found["rom_lateral_right"].data["pain"] == {"nrs": 4, "answer": "pain_worse"}
        camera = clinical.latest_classification(db, patient).details["camera_tests"]
        assert camera["skipped"] == {"rom_flexion": "cannot_do", "t5_front_bend": "cannot_do",
                                     "rom_extension": "cannot_do"}
        assert "rom_lateral_left" in camera["measured"] + camera["inconclusive"]


def test_seated_test_in_chinese_waits_for_the_start_position(server, launch_chromium, standing_clip: Path) -> None:  # type: ignore[no-untyped-def]
    """A standing person in front of a seated test: the set-up check keeps asking (in Chinese, by the
    engine's own cue) for the start position and never starts the recording; then "no camera"."""
    from playwright.sync_api import expect, sync_playwright

    url, database = server
    with sync_playwright() as playwright:
        browser = with_camera(launch_chromium, playwright, standing_clip)
        page = sign_in(browser, url, "week1@demo.backcoach", "zh-CN")  # a Chinese-speaking demo patient
        page.goto("/assessment/camera/rom_rotation_left")
        expect(page.locator("h1")).to_have_text("坐姿向左转体")
        page.locator("[data-action=start]").click()
        expect(page.locator("[data-caption]")).to_have_text("请摆好示范中的起始姿势。", timeout=90_000)
        page.wait_for_timeout(3000)
        assert page.evaluate("window.backcoachCamera.state().phase") == "checking"
        expect(page.locator(".ai-box")).to_have_attribute("data-setup-ok", "false")
        shot(page, "camera/04-zh-wrong-position")
        page.locator("[data-skip=no_camera]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_rotation_right$"))
        page.goto("/assessment/camera")
        expect(page.locator("[data-camera-test=rom_rotation_left]")).to_contain_text("我没有摄像头，或摄像头无法使用")
        shot(page, "camera/05-zh-overview")
        browser.close()


def test_keraal_seated_rotation_measured_in_the_browser_agrees_with_keraal_blazepose(  # type: ignore[no-untyped-def]
        server, launch_chromium, rotation_clip: Path, shared_data: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, database = server
    with sync_playwright() as playwright:
        browser = with_camera(launch_chromium, playwright, rotation_clip)
        page = sign_in(browser, url, "week3@demo.backcoach", "en-GB")
        page.goto("/assessment/camera/rom_rotation_left")
        started = time.monotonic()
        page.locator("[data-action=start]").click()
        page.wait_for_function("window.backcoachCamera.state().phase === 'recording'", timeout=60_000)
        recording_from = time.monotonic() - started
        assert recording_from < 14, f"recording began {recording_from:.1f} s after the camera: the clip's turn is missed"
        page.wait_for_timeout(int((15 + 9.6 + 3 - recording_from) * 1000))  # the whole execution, then 3 s still
        page.locator("[data-action=done]").click()
        page.wait_for_url(re.compile(r"/assessment/camera/rom_rotation_left/result$"), timeout=60_000)
        shot(page, "camera/06-keraal-rotation")
        browser.close()
    with stored(database) as db:
        patient = accounts.get_user_by_email(db, "week3@demo.backcoach").id
        result = cam.outcomes(db, patient, 0)["rom_rotation_left"].data["result"]
    keraal = measure_rom(load_recording(shared_data / RTK.format(kind="Skeleton_Blazepose",
                                                                name="VideoColor_Correct2.txt.gz")), "rom_rotation_left")
    assert result["status"] == "VALID" and result["quality"]["verdict"] == "good"
    # Two BlazePose runs (KERAAL's desktop one, our in-browser full model at 10 frames/s) on one
    # execution: within the 5-10 deg the brief expects of camera trunk angles (§6.4).
    assert abs(result["value"] - keraal.value) <= 10, (result["value"], keraal.value)

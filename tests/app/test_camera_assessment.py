"""Guided camera tests: synthetic landmark recordings posted through the endpoints, measured values
checked against the generator's truth, the examination they feed, skips, pain stops and errors."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import camera_assessment as cam
from backcoach.app import errors
from backcoach.app.live.protocol import FRAME_BYTES, encode_frame
from backcoach.clinical import redflags
from backcoach.clinical.aberrant import aberrant_signs
from backcoach.motion.synthetic import generate as synthetic
from backcoach.motion.synthetic.motions import parse_motion
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import Landmark
from backcoach.app.reassessment import _reclassified
from backcoach.store.base import utcnow
from backcoach.store.repo import clinical, plans

from .conftest import csrf_of, sign_in, user_id
from .test_reassessment import PATIENT, _answer, _proposals, _safety, _start_plan_days_ago

NEW = "new@demo.backcoach"
HISTORY = {"age": "45", "sex": "female", "duration_weeks": "20", "leg_left": "none", "leg_right": "none"}
#: A standing forward bend for the generator (the library has no such exercise): trunk 60 deg
#: forward with 30 deg more hip flexion, arms hanging forward, 3 reps.
FORWARD_BEND = {
    "exercise": "standing_extension", "posture": "standing", "source": "test: standing forward bend",
    "planted": ["left_leg", "right_leg"], "start": {},
    "poses": {"down": {"trunk_flex": 60.0, "hip_flex": 30.0, "shoulder_flex": 20.0}},
    "rep": [{"to": "down", "kind": "out", "seconds": 2.0}, {"to": "down", "kind": "hold", "seconds": 1.0},
            {"to": "start", "kind": "return", "seconds": 2.0}, {"to": "start", "kind": "rest", "seconds": 1.0}],
}


def frames_body(seq: PoseSequence, start: int = 0, stop: int | None = None) -> bytes:
    """The browser's upload: one 536-byte frame message per frame."""
    return b"".join(encode_frame(float(seq.t[i]), np.column_stack([seq.xyz[i], seq.visibility[i]]))
                    for i in range(start, len(seq) if stop is None else stop))


def _ready_patient(client: TestClient, camera: bool = True) -> str:
    """The new demo patient past the red-flag gate (consents, history, all safety answers no)."""
    sign_in(client, NEW)
    token = csrf_of(client, "/welcome/consent")
    consent = {"csrf_token": token, "health_data": "yes"} | ({"camera": "yes"} if camera else {})
    client.post("/welcome/consent", data=consent)
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY})
    client.post("/assessment/safety", data={"csrf_token": token,
                                            **{qid: "no" for qid in redflags.redflag_data()["questions"]}})
    return token


def _post(client: TestClient, token: str, test_id: str, seq: PoseSequence, area: str = "assessment",
          **query: object):
    w, h = seq.image_size
    return client.post(f"/{area}/camera/{test_id}/recording", params={"w": w, "h": h, **query},
                       content=frames_body(seq), headers={"X-CSRF-Token": token, "Accept": "application/json"})


def _forward_bend(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(synthetic, "load_motion", lambda exercise_id: parse_motion(FORWARD_BEND, "test"))
    return synthetic.generate("standing_extension", reps=3, seed=1, setup=False)


def _peak_truth(recording) -> float:
    """The generator's noise-free image trunk angle (hip midpoint -> shoulder midpoint) at its maximum."""
    return float(np.nanmax(recording.truth.angles["trunk_incl_v"]))


def test_backward_bend_is_measured_and_shown_in_plain_words(client: TestClient, db: Session) -> None:
    token = _ready_patient(client)
    recording = synthetic.generate("standing_extension", reps=3, seed=1, setup=False)
    response = _post(client, token, "rom_extension", recording.sequence)
    assert response.status_code == 200, response.text
    body = response.json()
    # Near-side hip and shoulder (the library's side-view rule) against the midpoints: within 1.5 deg.
    assert body["status"] == "VALID" and body["value"] == pytest.approx(_peak_truth(recording), abs=1.5)
    assert body["quality"]["verdict"] == "good" and body["result_url"] == "/assessment/camera/rom_extension/result"
    stored = cam.outcomes(db, user_id(db, NEW), 0)["rom_extension"].data
    assert stored["outcome"] == "measured" and stored["frames"] == len(recording.sequence)
    assert stored["result"]["details"]["reps_detected"] == 3
    page = client.get(body["result_url"])
    assert f'data-value="{body["value"]}"' in page.text and 'data-quality="good"' in page.text
    assert "about 20° is usual" in page.text and "not a diagnosis" in page.text


def test_seated_rotation_against_the_generator(client: TestClient) -> None:
    token = _ready_patient(client)
    recording = synthetic.generate("seated_trunk_rotation", reps=3, seed=1, setup=False)
    value = _post(client, token, "rom_rotation_left", recording.sequence).json()["value"]
    # Truth in the picture: arccos of the narrowest shoulder width over the neutral one (noise-free).
    clean = recording.clean
    width = np.abs(clean[:, Landmark.left_shoulder, 0] - clean[:, Landmark.right_shoulder, 0])
    assert value == pytest.approx(math.degrees(math.acos(width.min() / width[:5].mean())), abs=0.5)
    # ... and the generator's 45 deg turn, within the camera's expected 5-10 deg (§6.4): perspective.
    assert abs(value - recording.truth.joints["trunk_rot"].max()) <= 6
    other = _post(client, token, "rom_rotation_right", recording.sequence).json()
    assert other["status"] == "INCONCLUSIVE" and other["value"] is None  # it never turned right


@pytest.mark.parametrize("test_id", ["rom_lateral_left", "rom_lateral_right"])
def test_side_bend_each_side(client: TestClient, test_id: str) -> None:
    token = _ready_patient(client)
    recording = synthetic.generate("seated_flank_stretch", reps=3, seed=1, setup=False)
    body = _post(client, token, test_id, recording.sequence).json()
    assert body["status"] == "VALID" and body["value"] == pytest.approx(_peak_truth(recording), abs=0.5)


def test_plank_hold_is_timed_by_the_engine(client: TestClient) -> None:
    token = _ready_patient(client)
    recording = synthetic.generate("front_plank", reps=1, hold_s=20, seed=1)
    rep = recording.truth.reps[0]
    ((hold_start, hold_end),) = rep.holds
    body = _post(client, token, "hold_prone_plank", recording.sequence).json()
    assert body["status"] == "VALID" and body["unit"] == "s"
    assert hold_end - hold_start - 0.1 <= body["value"] <= rep.end - rep.start
    page = client.get("/assessment/camera/hold_prone_plank/result")
    assert "83 seconds" in page.text  # the norm for the patient's sex (female), from the history


def test_forward_bend_fills_fingertip_to_floor_and_movement_signs(client: TestClient, db: Session,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    token = _ready_patient(client)
    recording = _forward_bend(monkeypatch)
    body = _post(client, token, "rom_flexion", recording.sequence, height_cm=170, taps="4.0,10.0").json()
    assert body["status"] == "VALID" and body["value"] == pytest.approx(_peak_truth(recording), abs=2.5)
    result = cam.outcomes(db, user_id(db, NEW), 0)["rom_flexion"].data["result"]
    # Fingertip-to-floor from the 3D truth: the lowest index fingertip above the floor (heel) line.
    world = recording.world
    finger = np.minimum(world[:, Landmark.left_index, 2], world[:, Landmark.right_index, 2])
    floor = world[0, Landmark.left_heel, 2]
    assert result["details"]["ftf_cm"] == pytest.approx((finger.min() - floor) * 100, abs=5)
    seq = cam.decode_recording(frames_body(recording.sequence), recording.sequence.image_size)
    assert result["details"]["aberrant"] == aberrant_signs(seq, None, [4.0, 10.0]).model_dump(exclude={"status"})
    client.post("/assessment/finish", data={"csrf_token": token})
    classification = clinical.latest_classification(db, user_id(db, NEW))
    camera = classification.details["camera_tests"]
    assert camera["measured"] == ["rom_flexion"] and "rom_extension" in camera["missing"]
    exam = cam.examination(cam.outcomes(db, user_id(db, NEW), 0))
    assert exam.t11.ftf_cm == result["details"]["ftf_cm"] and exam.t5_aberrant.status == "VALID"
    page = client.get("/assessment/result")
    assert "data-missing-tests" in page.text
    assert "them:\n    Forward bend, facing the camera, Backward bend, Side bend to the left" in page.text
    assert 'href="/assessment/camera" data-camera-results' in page.text


def test_setup_check_uses_the_engine_cues(client: TestClient) -> None:
    token = _ready_patient(client)
    client.cookies.set("lang", "zh_Hans")
    recording = synthetic.generate("standing_extension", reps=1, seed=1)  # walks in first
    seq = recording.sequence
    w, h = seq.image_size
    first = int(np.searchsorted(seq.t, 1.0))
    walking_in = client.post("/assessment/camera/rom_extension/check", params={"w": w, "h": h},
                             content=frames_body(seq, 0, first), headers={"X-CSRF-Token": token})
    assert walking_in.json() == {"ok": False, "issues": ["no_person"], "cue": "请走进摄像头画面。"}
    setup_end = int(np.searchsorted(seq.t, recording.truth.setup[1]))
    settled = client.post("/assessment/camera/rom_extension/check", params={"w": w, "h": h},
                          content=frames_body(seq, setup_end, setup_end + 30), headers={"X-CSRF-Token": token})
    assert settled.json()["ok"] is True and settled.json()["issues"] == []


def test_bad_recordings_are_refused_with_the_reason(client: TestClient) -> None:
    token = _ready_patient(client)
    seq = synthetic.generate("standing_extension", reps=1, seed=1, setup=False).sequence
    w, h = seq.image_size
    url = "/assessment/camera/rom_extension/recording"
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    body = frames_body(seq, 0, 10)
    cut = client.post(url, params={"w": w, "h": h}, content=body[:-3], headers=headers)
    assert cut.status_code == 400 and cut.json()["detail"] == errors.RECORDING_INVALID
    assert cut.json()["reason"] == f"recording has {10 * FRAME_BYTES - 3} bytes, not a whole number of 536-byte frames"
    pixels = bytearray(body)
    pixels[3 * FRAME_BYTES + 8:3 * FRAME_BYTES + 12] = np.float32(640.0).tobytes()  # x of frame 3 in pixels
    bad = client.post(url, params={"w": w, "h": h}, content=bytes(pixels), headers=headers).json()
    assert bad["reason"].startswith("frame 3: ")
    backwards = frames_body(seq, 0, 3) + frames_body(seq, 0, 1)
    assert client.post(url, params={"w": w, "h": h}, content=backwards, headers=headers).json()["reason"] == \
        "frame 3: time 0.000 s is not after the previous frame's 0.067 s"
    huge = client.post(url, params={"w": w, "h": h}, content=bytes(FRAME_BYTES * (cam.MAX_FRAMES + 1)), headers=headers)
    assert huge.status_code == 413 and huge.json()["reason"] == "recording is longer than 9000 frames (4824000 bytes)"
    no_size = client.post(url, content=body, headers=headers)
    assert no_size.status_code == 400 and "w and h" in no_size.json()["reason"]
    unknown = client.post("/assessment/camera/rom_twist/recording", params={"w": w, "h": h}, content=body,
                          headers=headers)
    assert unknown.status_code == 404 and unknown.json()["detail"] == errors.CAMERA_TEST_NOT_FOUND
    assert client.get("/assessment/camera/hold_biering_sorensen").status_code == 404  # a clinic test
    no_csrf = client.post(url, params={"w": w, "h": h}, content=body, headers={"Accept": "application/json"})
    assert no_csrf.status_code == 403


def test_camera_tests_need_camera_consent_and_the_safety_gate(client: TestClient) -> None:
    sign_in(client, NEW)
    token = csrf_of(client, "/welcome/consent")
    client.post("/welcome/consent", data={"csrf_token": token, "health_data": "yes"})
    before_gate = client.get("/assessment/camera")
    assert before_gate.status_code == 303 and before_gate.headers["location"] == "/assessment/safety"
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY})
    client.post("/assessment/safety", data={"csrf_token": token,
                                            **{qid: "no" for qid in redflags.redflag_data()["questions"]}})
    assert "data-no-camera-consent" in client.get("/assessment/camera/rom_extension").text
    seq = synthetic.generate("standing_extension", reps=1, seed=1, setup=False).sequence
    refused = _post(client, token, "rom_extension", seq)
    assert refused.status_code == 403 and refused.json()["detail"] == errors.CAMERA_CONSENT_REQUIRED


def test_other_roles_cannot_post_recordings(client: TestClient) -> None:
    sign_in(client, "therapist@demo.backcoach")
    token = csrf_of(client, "/therapist")
    response = client.post("/assessment/camera/rom_extension/recording", params={"w": 720, "h": 1280},
                           content=b"", headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert response.status_code == 403 and response.json()["detail"] == errors.NOT_ALLOWED


def test_skip_goes_on_and_the_result_names_what_is_missing(client: TestClient, db: Session) -> None:
    token = _ready_patient(client)
    skipped = client.post("/assessment/camera/rom_flexion/skip", data={"csrf_token": token, "reason": "no_camera"})
    assert skipped.status_code == 303 and skipped.headers["location"] == "/assessment/camera/t5_front_bend"
    bad = client.post("/assessment/camera/rom_extension/skip", data={"csrf_token": token, "reason": "bored"})
    assert bad.status_code == 400
    overview = client.get("/assessment/camera").text
    assert 'data-camera-test="rom_flexion" data-outcome="skipped"' in overview
    assert "I have no camera, or it does not work" in overview
    client.post("/assessment/finish", data={"csrf_token": token})
    camera = clinical.latest_classification(db, user_id(db, NEW)).details["camera_tests"]
    assert camera["skipped"] == {"rom_flexion": "no_camera"} and len(camera["missing"]) == len(cam.STEPS) - 1


def test_pain_stops_a_test_and_a_spreading_pain_is_recorded_as_peripheralizing(client: TestClient,
                                                                                 db: Session) -> None:
    token = _ready_patient(client)
    missing = client.post("/assessment/camera/rom_flexion/pain", data={"csrf_token": token, "nrs": "6"})
    assert missing.status_code == 400 and 'id="q-answer"' in missing.text and "This field is required." in missing.text
    stopped = client.post("/assessment/camera/rom_flexion/pain",
                          data={"csrf_token": token, "nrs": "6", "answer": "pain_spread"})
    assert stopped.headers["location"] == "/assessment/camera/rom_flexion/result"
    page = client.get("/assessment/camera/rom_flexion/result").text
    assert "Stopped because of pain (6 out of 10)" in page
    exam = cam.examination(cam.outcomes(db, user_id(db, NEW), 0))
    assert exam.t1_flexion_standing.state() == "PERIPHERALIZES" and exam.t5_aberrant is None
    client.post("/assessment/finish", data={"csrf_token": token})
    details = clinical.latest_classification(db, user_id(db, NEW)).details
    assert details["camera_tests"]["stopped"] == {"rom_flexion": {"nrs": 6, "answer": "pain_spread"}}
    assert details["responses"]["flexion"] == "PERIPHERALIZES"


def test_reassessment_repeats_the_tests_and_sends_the_trend_to_the_therapist(client: TestClient, db: Session) -> None:
    patient = _start_plan_days_ago(db, 14)
    sign_in(client, PATIENT)
    token = csrf_of(client, "/reassessment")
    assert client.get("/reassessment/camera/rom_extension").status_code == 200
    baseline = synthetic.generate("standing_extension", reps=3, seed=1, setup=False, range_scale=0.5)
    now = synthetic.generate("standing_extension", reps=3, seed=2, setup=False)
    before = _post(client, token, "rom_extension", baseline.sequence).json()  # week 0, the self-assessment's
    plans.active_plan(db, patient).created_at = utcnow()  # ... on which the plan was built
    db.commit()
    _post(client, token, "rom_extension", now.sequence)  # repeated at week 0 later: not the baseline
    after = _post(client, token, "rom_extension", now.sequence, area="reassessment").json()
    assert after["result_url"] == "/reassessment/camera/rom_extension/result"
    assert f'data-first-value="{before["value"]}"' in client.get(after["result_url"]).text
    assert after["value"] == pytest.approx(_peak_truth(now), abs=1.5)
    assert before["value"] == pytest.approx(_peak_truth(baseline), abs=1.5)
    client.post("/reassessment/camera/rom_lateral_left/pain", data={"csrf_token": token, "nrs": "5", "answer": "pain_worse"})
    overview = client.get("/reassessment").text
    assert 'href="/reassessment/camera"' in overview and f"2 of {len(cam.STEPS)}" in overview
    assert cam.outcomes(db, patient, 0).keys() == {"rom_extension"}  # week 2's are kept apart
    _safety(client, token)
    for instrument in ("nrs", "odi", "rmdq"):
        _answer(client, token, instrument, {"item1": "2", "item2": "2", "item3": "3"} if instrument == "nrs" else None)
    client.post("/reassessment/finish", data={"csrf_token": token})
    [proposal] = _proposals(db, patient)
    trend = proposal.reassessment["camera_trend"]
    assert trend == {"rom_extension": {"baseline": before["value"], "now": after["value"], "unit": "deg",
                                       "change": round(after["value"] - before["value"], 1)}}
    assert proposal.reassessment["camera_tests"]["stopped"] == {"rom_lateral_left": {"nrs": 5, "answer": "pain_worse"}}


def test_a_stopped_test_feeds_a_reclassification(db: Session) -> None:
    """The week's camera outcomes are the examination of a re-classification (§5.6 'reclassify')."""
    patient = _start_plan_days_ago(db, 14)
    plan_id = plans.active_plan(db, patient).id
    cam.save_outcome(db, patient_id=patient, test_id="rom_flexion", week=2, plan_id=plan_id, outcome="stopped",
                     pain={"nrs": 6, "answer": "pain_spread"})
    result = _reclassified(db, patient, {}, cam.outcomes(db, patient, 2, plan_id))
    assert result["responses"]["flexion"] == "PERIPHERALIZES"
    assert result["camera_tests"]["stopped"] == {"rom_flexion": {"nrs": 6, "answer": "pain_spread"}}



def test_ratings_before_and_60_s_after_give_the_direction_its_response(client: TestClient, db: Session) -> None:
    """§3.5 T2: 10 backward bends, pain reaching the thigh before, the buttock right after and the back
    only a minute later: CENTRALIZES, and classification reads it."""
    token = _ready_patient(client)
    recording = synthetic.generate("standing_extension", reps=10, seed=3, setup=False)
    body = _post(client, token, "rom_extension", recording.sequence, pre_nrs=4, pre_location=2).json()
    row = cam.outcomes(db, user_id(db, NEW), 0)["rom_extension"]
    assert row.data["result"]["details"]["repeated"] == {
        "status": "VALID", "reason": None, "problems": [], "reps_detected": 10,
        "visible_fraction": body["quality"]["visible_fraction"]}
    page = client.get("/assessment/camera/rom_extension/result").text
    assert "data-ratings" in page and 'name="location_60s"' in page
    after = {"csrf_token": token, "immediate_location": "1", "nrs_60s": "3", "location_60s": "0"}
    early = client.post("/assessment/camera/rom_extension/ratings", data=after)
    assert early.status_code == 400 and errors.RATING_TOO_EARLY in early.text
    row.assessed_at = row.assessed_at - timedelta(seconds=cam.RATING_DELAY_S + 1)
    db.commit()
    missing = client.post("/assessment/camera/rom_extension/ratings", data={**after, "nrs_60s": ""})
    assert missing.status_code == 400 and "This field is required." in missing.text
    assert client.post("/assessment/camera/rom_extension/ratings", data=after).status_code == 303
    db.expire_all()
    exam = cam.examination(cam.outcomes(db, user_id(db, NEW), 0))
    assert exam.t2_extension_standing.state() == "CENTRALIZES"
    result = client.get("/assessment/camera/rom_extension/result").text
    assert "data-ratings-done" in result and "data-ratings " not in result
    assert "data-response" not in result  # centralizing: no warning, no second set
    client.post("/assessment/finish", data={"csrf_token": token})
    details = clinical.latest_classification(db, user_id(db, NEW)).details
    assert details["responses"]["extension"] == "CENTRALIZES"
    # The same set rated without change suggests a second set; spreading pain warns (§3.5).
    stored = cam.outcomes(db, user_id(db, NEW), 0)["rom_extension"].data
    for ratings, response in (({"immediate_location": 2, "location_60s": 2, "nrs_60s": 4}, "NO_EFFECT"),
                              ({"immediate_location": 3, "location_60s": 2, "nrs_60s": 4}, "PERIPHERALIZES")):
        row = cam.save_outcome(db, patient_id=user_id(db, NEW), test_id="rom_extension", week=0, plan_id=None,
                               outcome="measured", result=stored["result"], frames=stored["frames"])
        cam.rate(row, {"pre_nrs": 4, "pre_location": 2, **ratings})
        db.commit()
        assert f'data-response="{response}"' in client.get("/assessment/camera/rom_extension/result").text


def test_too_few_repetitions_leave_the_direction_inconclusive(client: TestClient, db: Session) -> None:
    token = _ready_patient(client)
    recording = synthetic.generate("standing_extension", reps=3, seed=1, setup=False)
    _post(client, token, "rom_extension", recording.sequence, pre_nrs=4, pre_location=2)
    row = cam.outcomes(db, user_id(db, NEW), 0)["rom_extension"]
    repeated = row.data["result"]["details"]["repeated"]
    assert repeated["status"] == "INCONCLUSIVE" and repeated["problems"] == ["3 of 10 repetitions detected (need 8)"]
    test = cam.examination({"rom_extension": row}).t2_extension_standing
    assert (test.status, test.reason, test.pre_nrs) == ("INCONCLUSIVE", "camera_quality", 4)
    assert client.post("/assessment/camera/hold_prone_plank/ratings",
                       data={"csrf_token": token}).status_code == 404
    bad = _post(client, token, "rom_extension", recording.sequence, pre_location=7)
    assert bad.status_code == 400 and bad.json()["reason"] == "pre_location = 7 is not a whole number in 0-4"
    half = _post(client, token, "rom_extension", recording.sequence, pre_nrs=4.5)
    assert half.json()["reason"] == "pre_nrs = 4.5 is not a whole number in 0-10"
    late = _post(client, token, "rom_extension", recording.sequence, taps="1.5,99")
    assert late.json()["reason"] == f"taps: 99 is not a time in the recording (0-{recording.sequence.t[-1]:.1f} s)"
    nonsense = _post(client, token, "rom_extension", recording.sequence, height_cm="tall")
    assert nonsense.json()["reason"] == "height_cm = tall is not a number in 100-250"


def test_front_view_forward_bend_judges_the_instability_catch(client: TestClient, db: Session,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """T5 from both sides: the side recording's three signs and the front one's catch (§3.5)."""
    token = _ready_patient(client)
    side = _forward_bend(monkeypatch)
    front = synthetic.generate("standing_extension", reps=3, seed=4, setup=False, view="front")
    _post(client, token, "rom_flexion", side.sequence)
    body = _post(client, token, cam.FRONT_BEND, front.sequence).json()
    assert body["status"] == "VALID" and body["unit"] == "sign"
    stored = cam.outcomes(db, user_id(db, NEW), 0)
    # A smooth bend straight toward the camera: the shoulders never swing off the hips' line.
    assert stored[cam.FRONT_BEND].data["result"]["details"]["instability_catch"] is False
    signs = cam.examination(stored).t5_aberrant
    side_signs = stored["rom_flexion"].data["result"]["details"]["aberrant"]
    assert signs.status == "VALID" and signs.instability_catch is False
    assert (signs.gowers_sign, signs.painful_arc) == (side_signs["gowers_sign"], side_signs["painful_arc"])
    page = client.get(f"/assessment/camera/{cam.FRONT_BEND}/result").text
    assert "No sudden sideways catch of your trunk was seen." in page and "data-norm" not in page


def test_the_last_valid_set_counts_and_a_pain_stop_is_never_discarded(client: TestClient, db: Session) -> None:
    """§3.5: a repeat with too few repetitions does not replace a valid set; a pain stop always counts."""
    token = _ready_patient(client)
    good = synthetic.generate("standing_extension", reps=10, seed=3, setup=False)
    short = synthetic.generate("standing_extension", reps=2, seed=5, setup=False)
    _post(client, token, "rom_extension", good.sequence, pre_nrs=4, pre_location=2)
    _post(client, token, "rom_extension", short.sequence, pre_nrs=4, pre_location=2)
    patient = user_id(db, NEW)
    latest, used = cam.outcomes(db, patient, 0)["rom_extension"], cam.outcomes(db, patient, 0, counting=True)["rom_extension"]
    assert latest.data["result"]["details"]["repeated"]["reps_detected"] == 2  # shown as the latest attempt
    assert used.data["result"]["details"]["repeated"]["reps_detected"] == 10  # ... the valid one counts
    assert cam.examination({"rom_extension": used}).t2_extension_standing.status == "VALID"
    client.post("/assessment/camera/rom_extension/pain", data={"csrf_token": token, "nrs": "7", "answer": "pain_spread"})
    _post(client, token, "rom_extension", good.sequence)  # tried again after the stop
    used = cam.outcomes(db, patient, 0, counting=True)
    assert cam.examination(used).t2_extension_standing.state() == "PERIPHERALIZES"
    client.post("/assessment/finish", data={"csrf_token": token})
    details = clinical.latest_classification(db, patient).details
    assert details["responses"]["extension"] == "PERIPHERALIZES"
    assert details["camera_tests"]["stopped"] == {"rom_extension": {"nrs": 7, "answer": "pain_spread"}}


def test_a_blocking_red_flag_keeps_the_camera_tests_closed(client: TestClient) -> None:
    sign_in(client, NEW)
    token = csrf_of(client, "/welcome/consent")
    client.post("/welcome/consent", data={"csrf_token": token, "health_data": "yes", "camera": "yes"})
    client.post("/assessment/history", data={"csrf_token": token, **HISTORY})
    answers = {qid: "no" for qid in redflags.redflag_data()["questions"]} | {"saddle_numbness": "yes"}
    client.post("/assessment/safety", data={"csrf_token": token, **answers})
    for path in ("/assessment/camera", "/assessment/camera/rom_extension"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"] == "/assessment/safety/result"
    seq = synthetic.generate("standing_extension", reps=1, seed=1, setup=False).sequence
    assert _post(client, token, "rom_extension", seq).headers["location"] == "/assessment/safety/result"
    assert client.get("/reassessment/camera").status_code == 404  # no plan, so nothing is due


def test_both_side_bridges_give_the_right_left_ratio(client: TestClient, db: Session) -> None:
    """McGill's side-bridge balance (clinical.holds.endurance_ratios) from two stored hold times."""
    _ready_patient(client)
    patient = user_id(db, NEW)
    stored = {}
    for test_id, seconds in (("hold_side_bridge_left", 60.0), ("hold_side_bridge_right", 48.0)):
        result = {"test": test_id, "value": seconds, "unit": "s", "status": "VALID", "norm": {"men": 1, "women": 1},
                  "quality": {"visible_fraction": 0.95, "verdict": "good", "reason": None}, "details": {}}
        stored[test_id] = cam.save_outcome(db, patient_id=patient, test_id=test_id, week=0, plan_id=None,
                                           outcome="measured", result=result)
    db.commit()
    assert cam.hold_ratios(stored) == {"side_right_left": {"ratio": 0.8, "asymmetry": True}}
    page = client.get("/assessment/camera").text
    assert 'data-side-ratio="0.8"' in page and "differ by more than 5%" in page

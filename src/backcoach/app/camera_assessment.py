"""Guided camera assessments of the self-assessment and the reassessment (clinical brief §3.5 B, §6).

The browser runs the pose model and sends landmarks only (never video), in the live session's
frame format (``app.live.protocol``). This module reads such a recording, checks the camera
set-up with the movement engine's guard, runs the clinical library's measurement
(``clinical.assess.measure_test``: ROM and endurance holds; ``clinical.aberrant``: the T5 signs),
stores each outcome as an ``Assessment`` (kind ``camera_test``) and turns the stored outcomes into
the classification's ``Examination``. It decides nothing clinical itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.i18n import N_
from backcoach.app.live.protocol import FRAME_BYTES, decode_frame
from backcoach.clinical.aberrant import FRONT_JOINTS, aberrant_signs, instability_catch
from backcoach.clinical.assess import measure_test
from backcoach.clinical.camera import Track, repeated_test_quality, test_spec
from backcoach.clinical.holds import endurance_ratios
from backcoach.clinical.examination import Examination
from backcoach.motion.cues import engine_cue_texts
from backcoach.motion.geometry import to_image_points
from backcoach.motion.guard import Guard, frame_issues
from backcoach.motion.posture import recognise
from backcoach.pose.frame import FrameError
from backcoach.pose.sequence import PoseSequence
from backcoach.store.models import Assessment

#: ``Assessment.kind`` of one camera test's outcome.
KIND = "camera_test"
#: Longest recording accepted: 5 min at 30 frames/s (a hold runs to failure; the Biering-Sorensen
#: cap is 240 s) [E]. About 4.8 MB of landmarks.
MAX_FRAMES = 9000
#: Shortest set-up check window, seconds: the guard's verdict is debounced over 0.5 s [E].
MIN_CHECK_SECONDS = 0.5

#: Why a test was not measured (the patient's choice on the test page).
SKIP_REASONS = {
    "cannot_do": N_("I can't do this test"),
    "no_camera": N_("I have no camera, or it does not work"),
}
#: What the patient answers when pain stops a test (brief §3.5 abort button; never discarded).
PAIN_ANSWERS = {
    "pain_spread": N_("The pain spread into my buttock or leg"),
    "pain_worse": N_("The pain got worse"),
    "other": N_("Another reason"),
}
#: Where the pain reaches furthest down (§3.5 most distal location, ``examination.Location``).
LOCATIONS = {
    "0": N_("Back only"),
    "1": N_("Buttock"),
    "2": N_("Thigh"),
    "3": N_("Below the knee"),
    "4": N_("Down to the foot"),
}
#: The §3.5 rating protocol asks again this long after the set, in the start position.
RATING_DELAY_S = 60


class RecordingError(ValueError):
    """A posted recording cannot be used; the text names the frame and what was wrong."""


@dataclass(frozen=True)
class CameraStep:
    """One guided test as the app offers it (the measurement itself is the clinical library's)."""

    test: str
    #: Posture the set-up check expects (engine names), None = check framing and light only.
    posture: str | None
    #: The directional test this recording is (§3.5 T1, T2, T6): ("t1_flexion_standing", None) or
    #: ("t6", movement); its ratings and a pain stop fill that test of the examination.
    directional: tuple[str, str | None] | None
    instructions: tuple[str, ...]
    #: Repetitions asked (§3.5: 10 for T1/T2, 5 per T6 movement); None for the holds.
    reps: int | None = None


#: The T5 front-view recording (§3.5: T5 is filmed from the side and the front): the library's
#: instability-catch detector needs it; it is not a ROM test of ``camera_tests.toml``.
FRONT_BEND = "t5_front_bend"
APP_TESTS = {FRONT_BEND: {"kind": "signs", "view": "front", "joints": FRONT_JOINTS,
                          "label": {"en": "Forward bend, facing the camera", "zh-Hans": "面对摄像头向前弯腰"}}}


def spec(test_id: str) -> dict[str, Any]:
    """The test's definition: ``clinical/data/camera_tests.toml``'s, or the app's T5 front recording."""
    return APP_TESTS.get(test_id) or test_spec(test_id)


def label(test_id: str, lang: str) -> str:
    return spec(test_id)["label"][lang]


_STOP = N_("If it hurts, tap \"It hurts\" at once: the test stops.")
_DONE = N_("Tap \"Finish the test\" when you have finished.")
_TEN = N_("Do this 10 times, slowly.")
_FIVE = N_("Do this 5 times, slowly.")

#: The camera-measurable tests of ``clinical/data/camera_tests.toml`` offered at home, plus T5's
#: front view, in the brief's order (§3.5: T1 with T5, T2, T6; then the §6.3 endurance holds). Left
#: out: the Biering-Sorensen hold (needs a helper and anchoring: a clinic test by default, §6.3) and
#: the T9 heel raises (its rule also needs heel and toe walking and the "is the weakness new?"
#: question).
STEPS: dict[str, CameraStep] = {step.test: step for step in (
    CameraStep("rom_flexion", "standing", ("t1_flexion_standing", None), (
        N_("Stand side-on to the camera, feet together, knees straight."),
        N_("Slide your hands down your legs as far as is comfortable, hold for a second, and come back up."),
        N_("Do this 10 times, slowly. Tap \"Hurts now\" whenever it hurts during a bend."),
        _STOP, _DONE), 10),
    CameraStep(FRONT_BEND, "standing", None, (
        N_("Stand facing the camera, feet together, knees straight."),
        N_("Bend forward slowly as far as is comfortable, and come back up."),
        N_("Do this 3 times, slowly."), _STOP, _DONE)),
    CameraStep("rom_extension", "standing", ("t2_extension_standing", None), (
        N_("Stand side-on to the camera with your hands on your lower back."),
        N_("Lean back as far as is comfortable, knees straight, hold for a second, and come back."),
        _TEN, _STOP, _DONE), 10),
    CameraStep("rom_lateral_left", "standing", ("t6", "side_bend_left"), (
        N_("Stand facing the camera, arms by your sides."),
        N_("Slide your left hand down the side of your thigh without leaning forward, hold for a second, and come back."),
        _FIVE, _STOP, _DONE), 5),
    CameraStep("rom_lateral_right", "standing", ("t6", "side_bend_right"), (
        N_("Stand facing the camera, arms by your sides."),
        N_("Slide your right hand down the side of your thigh without leaning forward, hold for a second, and come back."),
        _FIVE, _STOP, _DONE), 5),
    CameraStep("rom_rotation_left", "sitting", ("t6", "rotation_left"), (
        N_("Sit on a chair facing the camera, arms crossed on your chest."),
        N_("Turn your upper body to the left as far as is comfortable, hold for a second, and turn back."),
        _FIVE, _STOP, _DONE), 5),
    CameraStep("rom_rotation_right", "sitting", ("t6", "rotation_right"), (
        N_("Sit on a chair facing the camera, arms crossed on your chest."),
        N_("Turn your upper body to the right as far as is comfortable, hold for a second, and turn back."),
        _FIVE, _STOP, _DONE), 5),
    CameraStep("hold_prone_plank", None, None, (
        N_("Put the camera low, to your side, so it sees you from head to feet."),
        N_("Lie face down. When the recording starts, lift onto your forearms and toes with your body in a straight line."),
        N_("Hold as long as you can keep the line, then lie down."), _STOP, _DONE)),
    CameraStep("hold_side_bridge_left", None, None, (
        N_("Put the camera low, in front of you, so it sees you from head to feet."),
        N_("Lie on your left side. When the recording starts, lift your hips onto your left elbow and feet in a straight line."),
        N_("Hold as long as your hips stay up, then lie down."), _STOP, _DONE)),
    CameraStep("hold_side_bridge_right", None, None, (
        N_("Put the camera low, in front of you, so it sees you from head to feet."),
        N_("Lie on your right side. When the recording starts, lift your hips onto your right elbow and feet in a straight line."),
        N_("Hold as long as your hips stay up, then lie down."), _STOP, _DONE)),
    CameraStep("hold_trunk_flexor", None, None, (
        N_("Sit side-on to the camera, knees bent, feet held down (under a sofa), arms crossed on your chest."),
        N_("Lean back against a firm cushion at about 60 degrees from the floor. When the recording starts, move the cushion away and hold that angle."),
        N_("Hold as long as you can, then rest back."), _STOP, _DONE)),
)}


def step(test_id: str) -> CameraStep:
    """The app's step for ``test_id``; KeyError names the tests offered."""
    if test_id not in STEPS:
        raise KeyError(f"unknown camera test {test_id!r}; the app offers {', '.join(STEPS)}")
    return STEPS[test_id]


def decode_recording(body: bytes, image_size: tuple[int, int],
                     camera_tilt: tuple[float, float] | None = None) -> PoseSequence:
    """Concatenated frame messages (float64 time + 33 x 4 float32 each) as a sequence; the phone's
    ``camera_tilt`` (roll_deg, pitch_deg) while recording, when it has a tilt sensor, on every frame.

    Raises
    ------
    RecordingError
        Wrong length, too many frames, a bad frame (named by its index) or time not increasing.
    """
    if len(body) == 0 or len(body) % FRAME_BYTES:
        raise RecordingError(f"recording has {len(body)} bytes, not a whole number of {FRAME_BYTES}-byte frames")
    count = len(body) // FRAME_BYTES
    if count > MAX_FRAMES:
        raise RecordingError(f"recording has {count} frames; at most {MAX_FRAMES} are accepted")
    t = np.empty(count)
    xyz = np.empty((count, 33, 3), dtype=np.float32)
    visibility = np.empty((count, 33), dtype=np.float32)
    for i in range(count):
        try:
            frame = decode_frame(body[i * FRAME_BYTES:(i + 1) * FRAME_BYTES], image_size)
        except FrameError as exc:
            raise RecordingError(f"frame {i}: {exc}") from None
        if i and frame.t <= t[i - 1]:
            raise RecordingError(f"frame {i}: time {frame.t:.3f} s is not after the previous frame's {t[i - 1]:.3f} s")
        t[i], xyz[i], visibility[i] = frame.t, frame.xyz, frame.visibility
    tilt = None if camera_tilt is None else np.tile(np.asarray(camera_tilt, dtype=np.float64), (count, 1))
    try:
        return PoseSequence(t=t - t[0], xyz=xyz, visibility=visibility, image_size=image_size,
                            meta={"source": "browser", "kind": KIND}, camera_tilt=tilt)
    except FrameError as exc:
        raise RecordingError(str(exc)) from None


def setup_check(seq: PoseSequence, test_id: str, lang: str) -> dict[str, Any]:
    """The camera set-up verdict over a short window, with the movement engine's guard and cues.

    Body in frame, distance, light, and (for the standing and seated tests) the camera view and
    the start posture, debounced as in a live set. ``lang`` is ``en`` or ``zh-Hans``. Posture and view
    are read upright when the phone's roll is known (``seq.camera_tilt``).
    """
    offered, definition = step(test_id), spec(test_id)
    if float(seq.t[-1] - seq.t[0]) < MIN_CHECK_SECONDS:
        raise RecordingError(f"a set-up check needs at least {MIN_CHECK_SECONDS} s of frames")
    track = Track(seq, definition["joints"], definition["view"])
    required = tuple(track.required())
    views = (definition["view"],) if offered.posture else ("side", "front", "unknown")
    width, height = seq.image_size
    guard = Guard()
    for i in range(len(seq)):
        points = to_image_points(seq.xyz[i], seq.image_size)  # the picture: what is out of frame
        vis = [0.0 if np.isnan(x) else float(v) for (x, _), v in zip(points, seq.visibility[i])]
        seen = recognise(track.points[i], vis)  # posture and view from true vertical (the phone's roll undone)
        guard.update(float(seq.t[i]), frame_issues(points, vis, width / height, required, seen.view, views,
                                                   seen.posture if offered.posture else None, offered.posture or ""))
    issues = list(guard.issues or ())
    cue = engine_cue_texts()[issues[0] if issues else "ready"][lang]
    return {"ok": not issues, "issues": issues, "cue": cue}


def _plain(value: Any) -> Any:
    """JSON-ready copy (numpy scalars to Python numbers)."""
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item") else str(v)))


def measure(seq: PoseSequence, test_id: str, *, sex: str | None = None, height_cm: float | None = None,
            taps: list[float] | None = None) -> dict[str, Any]:
    """The clinical library's result for one recording; the forward bend adds the T5 signs
    (side view: painful arc from the "hurts now" taps, Gowers sign, reversal of rhythm)."""
    offered = step(test_id)
    if test_id == FRONT_BEND:
        return _plain(_front_bend(seq))
    result = measure_test(seq, test_id, height_cm=height_cm, sex=sex).to_dict()
    if offered.reps is not None:  # §3.5 camera quality of a repeated-movement test (T1, T2, T6)
        result["details"]["repeated"] = repeated_test_quality(seq, test_id, offered.reps)
    if test_id == "rom_flexion":
        signs = aberrant_signs(seq, None, taps or [])
        result["details"]["aberrant"] = signs.model_dump(exclude={"status"})
    return _plain(result)


def _front_bend(seq: PoseSequence) -> dict[str, Any]:
    """T5 from the front: the library's instability-catch detector, with the tracking quality."""
    quality = Track(seq, FRONT_JOINTS, "front").quality()
    catch = instability_catch(seq)
    valid = quality["verdict"] == "good" and catch is not None
    return {"test": FRONT_BEND, "value": None, "unit": "sign", "status": "VALID" if valid else "INCONCLUSIVE",
            "quality": quality, "norm": {}, "details": {"instability_catch": catch, "view": "front"}, "pain": None}


def save_outcome(db: Session, *, patient_id: int, test_id: str, week: int, plan_id: int | None, outcome: str,
                 result: dict | None = None, reason: str | None = None, pain: dict | None = None,
                 frames: int = 0) -> Assessment:
    """Store one test's outcome: ``measured`` (with the result), ``skipped`` (reason) or
    ``stopped`` (pain: NRS and the abort answer)."""
    data = {"test": test_id, "week": week, "plan_id": plan_id, "outcome": outcome, "result": result,
            "reason": reason, "pain": pain, "frames": frames}
    assessment = Assessment(patient_id=patient_id, kind=KIND, data=data)
    db.add(assessment)
    db.flush()
    return assessment


def outcomes(db: Session, patient_id: int, week: int, plan_id: int | None = None,
             before: datetime | None = None, counting: bool = False) -> dict[str, Assessment]:
    """The stored outcome of each test for ``week`` (0 = the self-assessment; a reassessment's also
    matches its plan), only those stored before ``before`` when given: the latest one, or with
    ``counting`` the one the examination uses (:func:`counted`)."""
    query = select(Assessment).where(Assessment.patient_id == patient_id, Assessment.kind == KIND)
    if before is not None:
        query = query.where(Assessment.assessed_at < before)
    by_test: dict[str, list[Assessment]] = {}
    for row in db.scalars(query.order_by(Assessment.assessed_at, Assessment.id)):
        if row.data.get("week") == week and (week == 0 or row.data.get("plan_id") == plan_id):
            by_test.setdefault(row.data["test"], []).append(row)
    return {test: counted(rows) if counting else rows[-1] for test, rows in by_test.items()}


def counted(rows: list[Assessment]) -> Assessment:
    """Which of a test's attempts (oldest first) the examination uses: the latest pain stop (safety
    answers are never discarded, §3.5), else the last valid set (§3.5: "the last VALID set counts";
    for T1/T2/T6 valid is the repeated-test camera quality), else the latest attempt."""
    stops = [row for row in rows if row.data["outcome"] == "stopped"]
    if stops:
        return stops[-1]
    valid = [row for row in rows if row.data["outcome"] == "measured" and _valid_set(row.data["result"])]
    return valid[-1] if valid else rows[-1]


def _valid_set(result: dict[str, Any]) -> bool:
    repeated = result["details"].get("repeated")
    return (repeated or result)["status"] == "VALID"


def examination(found: dict[str, Assessment]) -> Examination:
    """The classification's examination from stored outcomes.

    Each directional recording fills its test (T1, T2 or a T6 movement, :func:`directional_test`);
    the forward bend fills T5 (painful arc, Gowers, reversal from the side; the instability catch
    from the front recording) and the fingertip-to-floor of T11 (cm, when the height was given).
    """
    exam: dict[str, Any] = {"t6": {}}
    for test_id, row in found.items():
        slot = STEPS[test_id].directional if test_id in STEPS else None
        test = directional_test(row.data) if slot is not None else None
        if test is None:
            continue
        if slot[1] is None:
            exam[slot[0]] = test
        else:
            exam["t6"][slot[1]] = test
    side, front = (_valid_result(found.get(t)) for t in ("rom_flexion", FRONT_BEND))
    if any(found.get(t) is not None and found[t].data["outcome"] == "measured" for t in ("rom_flexion", FRONT_BEND)):
        signs = dict(side["details"].get("aberrant", {})) if side else {}
        signs["instability_catch"] = front["details"]["instability_catch"] if front else None
        exam["t5_aberrant"] = {"status": "VALID" if side or front else "INCONCLUSIVE", **signs}
    if side and side["details"].get("ftf_cm") is not None:
        exam["t11"] = {"ftf_cm": side["details"]["ftf_cm"]}
    return Examination.model_validate(exam)


def _valid_result(row: Assessment | None) -> dict[str, Any] | None:
    """A stored measurement's result when it is VALID."""
    if row is None or row.data["outcome"] != "measured" or row.data["result"]["status"] != "VALID":
        return None
    return row.data["result"]


def directional_test(data: dict[str, Any]) -> dict[str, Any] | None:
    """One T1/T2/T6 result (``examination.DirectionalTest`` fields) from a stored outcome, or None.

    A pain stop is ``aborted`` with the patient's answer ("spread" -> PERIPHERALIZES, "worse" ->
    WORSE, §3.5; never discarded). A recording takes the §3.5 camera-quality status
    (``clinical.camera.repeated_test_quality``) and the ratings given before, right after and 60 s
    after it; missing ratings leave its state INCONCLUSIVE.
    """
    if data["outcome"] == "stopped":
        return {"status": "INCONCLUSIVE", "reason": "aborted", "abort_answer": data["pain"]["answer"]}
    if data["outcome"] != "measured" or "repeated" not in data["result"]["details"]:
        return None
    repeated = data["result"]["details"]["repeated"]
    ratings = data.get("ratings") or {}
    return {"status": repeated["status"], "reason": repeated["reason"],
            **{key: ratings.get(key) for key in ("pre_nrs", "pre_location", "immediate_location", "nrs_60s",
                                                  "location_60s")}}


def rate(row: Assessment, ratings: dict[str, int]) -> None:
    """Add ratings (``pre_nrs``, ``pre_location``, ``immediate_location``, ``nrs_60s``,
    ``location_60s``) to a stored recording."""
    row.data = {**row.data, "ratings": {**(row.data.get("ratings") or {}), **ratings}}


def hold_ratios(found: dict[str, Assessment]) -> dict[str, Any]:
    """The McGill balance ratios (``clinical.holds.endurance_ratios``) of the valid hold times; at
    home only the side bridges' right:left ratio can be formed (no Biering-Sorensen hold)."""
    times = {test: result["value"] for test, row in found.items()
             if (result := _valid_result(row)) is not None and result["unit"] == "s"}
    return endurance_ratios(times)


def coverage(found: dict[str, Assessment]) -> dict[str, Any]:
    """Which offered tests were measured, inconclusive, skipped (why), stopped by pain or not done."""
    out: dict[str, Any] = {"measured": [], "inconclusive": [], "skipped": {}, "stopped": {}, "missing": []}
    for test_id in STEPS:
        row = found.get(test_id)
        if row is None:
            out["missing"].append(test_id)
        elif row.data["outcome"] == "skipped":
            out["skipped"][test_id] = row.data["reason"]
        elif row.data["outcome"] == "stopped":
            out["stopped"][test_id] = row.data["pain"]
        elif row.data["result"]["status"] == "VALID":
            out["measured"].append(test_id)
        else:
            out["inconclusive"].append(test_id)
    return out


def not_measured(cover: dict[str, Any]) -> list[str]:
    """Tests without a usable measurement, in the offered order."""
    usable = set(cover["measured"])
    return [t for t in STEPS if t not in usable]

"""The guided camera tests, in the self-assessment (``/assessment/camera``, after the red-flag gate)
and in a due reassessment (``/reassessment/camera``, stored under its week and plan).

The page records landmarks on the device and posts them here as binary frames (never video):
``POST .../{test}/check`` answers the camera set-up verdict, ``POST .../{test}/recording`` measures
and stores. A test can be skipped, and pain stops it with an NRS and the §3.5 abort answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timezone
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from backcoach.app import camera_assessment as cam
from backcoach.app import errors
from backcoach.app.assessment import locale_key
from backcoach.app.audit import OWN_RECORD, audit_read
from backcoach.app.deps import CSRF, CurrentPatient, DbSession
from backcoach.app.forms import FormState, form_values
from backcoach.app.i18n import N_, gettext, set_locale
from backcoach.app.live.protocol import FRAME_BYTES
from backcoach.app.reassessment import baseline_camera, due_week
from backcoach.app.templating import render
from backcoach.clinical import redflags
from backcoach.clinical.camera import CameraTestError
from backcoach.clinical.examination import DirectionalTest
from backcoach.motion.gravity import LEVEL_TOLERANCE_DEG
from backcoach.pose.frame import TILT_LIMITS_DEG
from backcoach.pose.skeleton import BONES
from backcoach.store.base import utcnow
from backcoach.store.models import ConsentKind, Plan, User
from backcoach.store.repo import accounts, clinical, plans

router = APIRouter(dependencies=CSRF)

Area = Literal["assessment", "reassessment"]


@dataclass(frozen=True)
class Stage:
    """Where the tests are taken: the self-assessment (week 0) or a reassessment week of a plan."""

    area: str
    week: int
    plan_id: int | None

    @property
    def base(self) -> str:
        return f"/{self.area}/camera"

    @property
    def back(self) -> str:
        return f"/{self.area}"


def _stage(db: DbSession, patient: User, area: str) -> Stage | RedirectResponse:
    """The self-assessment's stage once the red-flag gate let the patient through, or the due
    reassessment's; otherwise 404 (nothing due) or a redirect to where the patient must go first."""
    if area == "reassessment":
        plan = plans.active_plan(db, patient.id)
        week = None if plan is None else due_week(db, plan, date.today())
        if plan is None or week is None:
            raise HTTPException(404, detail=errors.REASSESSMENT_NOT_DUE)
        stage = Stage(area, week, plan.id)
    else:
        stage = Stage(area, 0, None)
    screening = clinical.latest_screening(db, patient.id)
    if screening is not None and screening.outcome in redflags.BLOCKING:
        return RedirectResponse("/assessment/safety/result", status_code=303)
    if area == "assessment" and screening is None:
        return RedirectResponse("/assessment/safety", status_code=303)
    return stage


def _test(test_id: str) -> cam.CameraStep:
    try:
        return cam.step(test_id)
    except KeyError:
        raise HTTPException(404, detail=errors.CAMERA_TEST_NOT_FOUND) from None


def _next_test(found: dict, after: str | None = None) -> str | None:
    """The first offered test after ``after`` (or from the start) with no stored outcome yet."""
    order = list(cam.STEPS)
    start = order.index(after) + 1 if after else 0
    return next((t for t in order[start:] if t not in found), None)


def _camera_allowed(db: DbSession, patient: User) -> bool:
    return accounts.active_consent(db, patient.id, ConsentKind.CAMERA) is not None


@router.get("/{area}/camera")
def overview(request: Request, db: DbSession, patient: CurrentPatient, area: Area) -> Response:
    """Every offered test with its outcome in plain words."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    found = cam.outcomes(db, patient.id, stage.week, stage.plan_id)
    for row in found.values():
        audit_read(db, request, patient, patient.id, "camera_test", OWN_RECORD, row.id)
    lang = locale_key(request.state.locale)
    rows = [{"test": t, "label": cam.label(t, lang), "row": found.get(t)} for t in cam.STEPS]
    return render(request, "assessment/camera_overview.html", {
        "stage": stage, "rows": rows, "next": _next_test(found), "camera_allowed": _camera_allowed(db, patient),
        "skip_reasons": cam.SKIP_REASONS, "pain_answers": cam.PAIN_ANSWERS, "ratios": cam.hold_ratios(found),
    })


@router.get("/{area}/camera/{test_id}")
def test_page(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """What to do (text and voice), the set-up check, the recording, skip and pain stop."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    return _test_page(request, db, patient, stage, test_id, FormState())


#: Texts the page's script shows or says (translated per request).
PAGE_STRINGS = {
    "countdown": N_("Get ready: the recording starts in %(n)s."),
    "recording": N_("Recording. Start now."),
    "sending": N_("Measuring…"),
    "checking": N_("Checking your camera set-up…"),
    "camera_refused": N_("The camera was not allowed. You can allow it in the browser, or skip this test."),
    "camera_missing": N_("No camera was found. You can skip this test."),
    "camera_failed": N_("The camera could not be started. You can skip this test."),
    "failed": N_("The recording could not be measured:"),
    "full": N_("The recording is full; measuring it now."),
    "pain": N_("The test has stopped. How strong is your pain now, and what happened?"),
}


def _test_page(request: Request, db: DbSession, patient: User, stage: Stage, test_id: str, form: FormState,
               status_code: int = 200) -> Response:
    offered, spec = cam.step(test_id), cam.spec(test_id)
    lang = locale_key(request.state.locale)
    set_locale(request.state.locale)
    title = cam.label(test_id, lang)
    instructions = [gettext(text) for text in offered.instructions]
    base = f"{stage.base}/{test_id}"
    config = {
        "test": test_id, "kind": spec["kind"], "view": spec["view"], "title": title,
        "lang": "zh-CN" if lang == "zh-Hans" else "en-US", "spoken": " ".join([title, *instructions]),
        "check_url": f"{base}/check", "recording_url": f"{base}/recording", "max_frames": cam.MAX_FRAMES,
        "taps": test_id == "rom_flexion", "wasm_base": "/live/vendor/tasks-vision/wasm",
        "vision_bundle": "/live/vendor/tasks-vision/vision_bundle.mjs",
        "model_url": "/live/models/pose_landmarker_{variant}.task", "model": "full",
        "bones": [list(bone) for bone in BONES], "level_tolerance_deg": LEVEL_TOLERANCE_DEG,
    }
    return render(request, "assessment/camera_test.html", {
        "stage": stage, "test": test_id, "title": title, "instructions": instructions, "config": config,
        "strings": {key: gettext(text) for key, text in PAGE_STRINGS.items()},
        "skip_reasons": cam.SKIP_REASONS, "pain_options": [(k, gettext(v)) for k, v in cam.PAIN_ANSWERS.items()],
        "camera_allowed": _camera_allowed(db, patient), "form": form, "height_cm": _height(db, patient),
        "locations": [(k, gettext(v)) for k, v in cam.LOCATIONS.items()], "directional": offered.directional,
    }, status_code=status_code)


def _height(db: DbSession, patient: User) -> float | None:
    """The height given with an earlier forward bend, to prefill the field."""
    for row in reversed(list(cam.outcomes(db, patient.id, 0).values())):
        if (row.data.get("result") or {}).get("details", {}).get("height_cm"):
            return row.data["result"]["details"]["height_cm"]
    return None


def _refused(reason: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"detail": gettext(errors.RECORDING_INVALID), "reason": reason}, status_code)


async def _recording(request: Request) -> tuple[cam.PoseSequence, None] | tuple[None, JSONResponse]:
    """The posted frames as a sequence, read no further than the longest accepted recording."""
    try:
        size = (int(request.query_params["w"]), int(request.query_params["h"]))
        if min(size) <= 0:
            raise ValueError
    except (KeyError, ValueError):
        return None, _refused("query parameters w and h must give the image size in pixels")
    limit, chunks, received = cam.MAX_FRAMES * FRAME_BYTES, [], 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            return None, _refused(f"recording is longer than {cam.MAX_FRAMES} frames ({limit} bytes)", 413)
        chunks.append(chunk)
    try:
        return cam.decode_recording(b"".join(chunks), size, _camera_tilt(request)), None
    except (cam.RecordingError, ValueError) as exc:
        return None, _refused(str(exc))


def _camera_tilt(request: Request) -> tuple[float, float] | None:
    """Query ``roll_deg`` and ``pitch_deg``: the phone's tilt while recording (both or neither)."""
    given = [name for name in ("roll_deg", "pitch_deg") if request.query_params.get(name)]
    if not given:
        return None
    if len(given) == 1:
        raise ValueError(f"query parameter {given[0]} needs {({'roll_deg', 'pitch_deg'} - set(given)).pop()} with it")
    roll = _optional_number(request, "roll_deg", -TILT_LIMITS_DEG[0], TILT_LIMITS_DEG[0])
    pitch = _optional_number(request, "pitch_deg", -TILT_LIMITS_DEG[1], TILT_LIMITS_DEG[1])
    return roll, pitch


def _refuse_without_camera(db: DbSession, patient: User) -> None:
    if not _camera_allowed(db, patient):
        raise HTTPException(403, detail=errors.CAMERA_CONSENT_REQUIRED)


async def _upload(request: Request, db: DbSession, patient: User, area: str,
                  test_id: str) -> tuple[Stage, cam.PoseSequence] | Response:
    """What every landmark upload checks first: the assessment stage, the test, the camera consent,
    then the posted frames (or the response refusing them)."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    _refuse_without_camera(db, patient)
    set_locale(request.state.locale)
    seq, refused = await _recording(request)
    if refused is not None:
        return refused
    return stage, seq


@router.post("/{area}/camera/{test_id}/check")
async def check(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """The camera set-up verdict over the last second of frames (body in frame, distance, light, view)."""
    upload = await _upload(request, db, patient, area, test_id)
    if isinstance(upload, Response):
        return upload
    _, seq = upload
    try:
        return JSONResponse(cam.setup_check(seq, test_id, locale_key(request.state.locale)))
    except (cam.RecordingError, CameraTestError) as exc:
        return _refused(str(exc))


def _optional_number(request: Request, name: str, low: float, high: float, whole: bool = False) -> float | None:
    """Query parameter ``name`` as a number in [low, high] (a whole one if ``whole``), or None if absent."""
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high or (whole and not value.is_integer()):
        raise ValueError(f"{name} = {raw} is not {'a whole number' if whole else 'a number'} in {low:g}-{high:g}")
    return value


def _taps(raw: str, duration: float) -> list[float]:
    """The "hurts now" tap times (seconds from the first frame, comma-separated) within the recording."""
    taps = []
    for item in filter(None, raw.split(",")):
        try:
            value = float(item)
        except ValueError:
            value = float("nan")
        if not 0 <= value <= duration:
            raise ValueError(f"taps: {item} is not a time in the recording (0-{duration:.1f} s)")
        taps.append(value)
    return taps


@router.post("/{area}/camera/{test_id}/recording")
async def recording(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """Measure the posted landmarks with the clinical library and store the result.

    Query: ``w``, ``h`` (image size), optional ``height_cm`` (fingertip-to-floor in cm) and
    ``taps`` (comma-separated seconds of "hurts now" taps from the first frame, forward bend).
    """
    upload = await _upload(request, db, patient, area, test_id)
    if isinstance(upload, Response):
        return upload
    stage, seq = upload
    try:
        height_cm = _optional_number(request, "height_cm", 100, 250)
        taps = _taps(request.query_params.get("taps", ""), float(seq.t[-1]))
        pre_nrs = _optional_number(request, "pre_nrs", 0, 10, whole=True)
        pre_location = _optional_number(request, "pre_location", 0, 4, whole=True)
        before = {name: int(value) for name, value in (("pre_nrs", pre_nrs), ("pre_location", pre_location))
                  if value is not None}
    except ValueError as exc:
        return _refused(str(exc))
    history = clinical.latest_assessment(db, patient.id, "history")
    sex = ((history.data if history else {}).get("patient") or {}).get("sex")
    try:
        result = cam.measure(seq, test_id, sex=sex, height_cm=height_cm, taps=taps)
    except CameraTestError as exc:
        return _refused(str(exc))
    result["details"]["height_cm"] = height_cm
    row = cam.save_outcome(db, patient_id=patient.id, test_id=test_id, week=stage.week, plan_id=stage.plan_id,
                           outcome="measured", result=result, frames=len(seq))
    if before:
        cam.rate(row, before)
    return JSONResponse({"id": row.id, "status": result["status"], "value": result["value"], "unit": result["unit"],
                         "quality": result["quality"], "result_url": f"{stage.base}/{test_id}/result"})


@router.post("/{area}/camera/{test_id}/skip")
async def skip(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """"I can't do this" or "no camera": stored, so the classification names the missing test."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    reason = form_values(await request.form()).get("reason")
    if reason not in cam.SKIP_REASONS:
        raise HTTPException(400, detail=errors.FIELD_REQUIRED)
    cam.save_outcome(db, patient_id=patient.id, test_id=test_id, week=stage.week, plan_id=stage.plan_id,
                     outcome="skipped", reason=reason)
    following = _next_test(cam.outcomes(db, patient.id, stage.week, stage.plan_id), test_id)
    return RedirectResponse(f"{stage.base}/{following}" if following else stage.base, status_code=303)


@router.post("/{area}/camera/{test_id}/pain")
async def pain_stop(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """Pain stopped the test: the NRS and the abort answer are stored (and feed the examination)."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    values = form_values(await request.form())
    state = FormState(values=values)
    nrs = values.get("nrs")
    if nrs not in {str(n) for n in range(11)}:
        state.errors["nrs"] = errors.FIELD_REQUIRED
    if values.get("answer") not in cam.PAIN_ANSWERS:
        state.errors["answer"] = errors.FIELD_REQUIRED
    if state.errors:  # the pain form comes back open, with the message beside the missing answer
        return _test_page(request, db, patient, stage, test_id, state, status_code=400)
    cam.save_outcome(db, patient_id=patient.id, test_id=test_id, week=stage.week, plan_id=stage.plan_id,
                     outcome="stopped", pain={"nrs": int(nrs), "answer": values["answer"]})
    return RedirectResponse(f"{stage.base}/{test_id}/result", status_code=303)


@router.get("/{area}/camera/{test_id}/result")
def result_page(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """The test's outcome in plain words, its tracking quality and norm, and the way on."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    found = cam.outcomes(db, patient.id, stage.week, stage.plan_id)
    row = found.get(test_id)
    if row is None:
        return RedirectResponse(f"{stage.base}/{test_id}", status_code=303)
    audit_read(db, request, patient, patient.id, "camera_test", OWN_RECORD, row.id)
    return _result_page(request, db, stage, test_id, row, found, FormState())


#: The §3.5 ratings asked after a directional recording.
RATED_AFTER = ("immediate_location", "nrs_60s", "location_60s")


def _wants_ratings(test_id: str, row) -> bool:  # type: ignore[no-untyped-def]
    """A directional recording whose after-ratings (§3.5: right after and 60 s later) are missing."""
    ratings = row.data.get("ratings") or {}
    return (cam.STEPS[test_id].directional is not None and row.data["outcome"] == "measured"
            and not all(k in ratings for k in RATED_AFTER))


def _result_page(request: Request, db: DbSession, stage: Stage, test_id: str, row, found: dict,  # type: ignore[no-untyped-def]
                 form: FormState, status_code: int = 200) -> Response:
    lang = locale_key(request.state.locale)
    set_locale(request.state.locale)
    wait = max(0, cam.RATING_DELAY_S - int((utcnow() - _aware(row.assessed_at)).total_seconds()))
    directional = cam.directional_test(row.data) if cam.STEPS[test_id].directional else None
    first = None
    if stage.week:  # a reassessment: the self-assessment's result of this test, for the trend
        first = baseline_camera(db, db.get(Plan, stage.plan_id)).get(test_id)
    return render(request, "assessment/camera_result.html", {
        "stage": stage, "test": test_id, "label": cam.label(test_id, lang), "row": row,
        "next": _next_test(found, test_id), "pain_answers": cam.PAIN_ANSWERS, "skip_reasons": cam.SKIP_REASONS,
        "ask_ratings": _wants_ratings(test_id, row), "wait_s": wait, "form": form,
        "locations": [(k, gettext(v)) for k, v in cam.LOCATIONS.items()],
        "response": DirectionalTest.model_validate(directional).state() if directional else None,
        "first": first,
    }, status_code=status_code)


def _aware(moment):  # type: ignore[no-untyped-def]
    """SQLite hands back naive datetimes; the store writes UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@router.post("/{area}/camera/{test_id}/ratings")
async def save_ratings(request: Request, db: DbSession, patient: CurrentPatient, area: Area, test_id: str) -> Response:
    """The §3.5 ratings after a directional recording: the furthest pain right after the set, and
    pain and its furthest point 60 s later in the start position (refused before the 60 s)."""
    stage = _stage(db, patient, area)
    if isinstance(stage, Response):
        return stage
    _test(test_id)
    found = cam.outcomes(db, patient.id, stage.week, stage.plan_id)
    row = found.get(test_id)
    if row is None or cam.STEPS[test_id].directional is None or row.data["outcome"] != "measured":
        raise HTTPException(404, detail=errors.CAMERA_TEST_NOT_FOUND)
    values = form_values(await request.form())
    state = FormState(values=values)
    allowed = {"immediate_location": cam.LOCATIONS, "nrs_60s": {str(n) for n in range(11)},
               "location_60s": cam.LOCATIONS}
    for name, options in allowed.items():
        if values.get(name) not in options:
            state.errors[name] = errors.FIELD_REQUIRED
    if not state.errors and (utcnow() - _aware(row.assessed_at)).total_seconds() < cam.RATING_DELAY_S:
        state.errors["nrs_60s"] = errors.RATING_TOO_EARLY
    if state.errors:
        return _result_page(request, db, stage, test_id, row, found, state, status_code=400)
    cam.rate(row, {name: int(values[name]) for name in allowed})
    return RedirectResponse(f"{stage.base}/{test_id}/result", status_code=303)

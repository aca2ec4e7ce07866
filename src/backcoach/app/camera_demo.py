"""Camera-test results for the demo clinic, stored as the app stores them.

Sam Rivera (week 3) did the self-assessment's camera tests before the plan started (every kind of
outcome: measured, inconclusive, skipped, stopped by pain, one not done) and repeated three at the
week-2 reassessment; Wang Fang (week 1) has none yet. The values are ordinary for a middle-aged
adult with chronic low back pain, below the healthy norms of ``clinical/data/camera_tests.toml``
(whole-trunk camera angles, hold times by sex), with a small gain by week 2. The outcomes go
through ``camera_assessment.save_outcome`` and ``rate``; the classification and the week-2 proposal
get the coverage and trend the app would have computed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy.orm import Session

from backcoach.app import camera_assessment as cam
from backcoach.app.reassessment import baseline_camera, camera_trend
from backcoach.clinical.camera import CameraResult
from backcoach.clinical.holds import RELEASE_S
from backcoach.clinical.thresholds import TH
from backcoach.store.repo import accounts, clinical, plans
from backcoach.store.repo import portal as portal_repo

#: Share of frames with the body seen: good set-ups, and one poorly lit seated turn.
GOOD, POOR = 0.96, 0.58


def _result(test_id: str, value: float | None, visible: float = GOOD, reps: int | None = None,
            **details: Any) -> dict[str, Any]:
    """A stored result in the clinical library's shape (``CameraResult.to_dict``, its quality and
    thresholds); a repeated test (``reps`` asked) has the §3.5 camera quality, every repetition
    seen when the tracking was good and half of them when it was not."""
    need = TH["camera_min_visible_fraction"]
    good = visible >= need
    quality = {"visible_fraction": visible, "verdict": "good" if good else "poor",
               "reason": None if good else (f"required landmarks visible in {visible:.0%} of frames "
                                            f"(need {need:.0%}): fix the camera set-up")}
    if reps is not None:
        seen = reps if good else reps // 2
        problems = [] if good else [quality["reason"], f"{seen} of {reps} repetitions detected "
                                                       f"(need {TH['repeated_min_reps'][str(reps)]})"]
        details["repeated"] = {"status": "INCONCLUSIVE" if problems else "VALID",
                               "reason": "camera_quality" if problems else None, "problems": problems,
                               "reps_detected": seen, "visible_fraction": visible}
    spec = cam.spec(test_id)
    return CameraResult(test_id, value, spec.get("unit", "sign"), "VALID" if good else "INCONCLUSIVE", quality,
                        dict(spec.get("norm", {})), details).to_dict()


def _hold(test_id: str, seconds: float) -> dict[str, Any]:
    """A hold timed until the position was lost, as ``clinical.holds.measure_hold`` reports it."""
    return _result(test_id, seconds, end=f"position lost for more than {RELEASE_S:g} s", seconds_timed=seconds)


def _store(db: Session, patient_id: int, week: int, plan_id: int | None, at: datetime,
           outcomes: dict[str, tuple[str, Any]]) -> None:
    """Save each test's (outcome, result / skip reason / pain) a few minutes apart from ``at``; a
    measured directional test gets the §3.5 ratings (pain 4/10, in the back only, unchanged)."""
    for i, (test_id, (outcome, value)) in enumerate(outcomes.items()):
        field = {"measured": "result", "skipped": "reason", "stopped": "pain"}[outcome]
        row = cam.save_outcome(db, patient_id=patient_id, test_id=test_id, week=week, plan_id=plan_id,
                               outcome=outcome, frames=900 if outcome == "measured" else 0, **{field: value})
        row.assessed_at = at + timedelta(minutes=3 * i)
        if outcome == "measured" and cam.STEPS[test_id].directional is not None:
            cam.rate(row, {"pre_nrs": 4, "pre_location": 0, "immediate_location": 0, "nrs_60s": 4, "location_60s": 0})


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def seed_camera_demo(db: Session) -> None:
    """Store the demo patients' camera tests (after ``seed_demo`` and the portal demo)."""
    sam = accounts.get_user_by_email(db, "week3@demo.backcoach")
    plan = plans.active_plan(db, sam.id) if sam else None
    if sam is None or plan is None:
        return
    _store(db, sam.id, 0, None, _at(plan.starts_on - timedelta(days=3), 18), {
        "rom_flexion": ("measured", _result("rom_flexion", 74.5, reps=10, mean_deg=71.2, ftf_cm=16.0)),
        cam.FRONT_BEND: ("measured", _result(cam.FRONT_BEND, None, instability_catch=False, view="front")),
        "rom_extension": ("measured", _result("rom_extension", 14.5, reps=10, mean_deg=13.1)),
        "rom_lateral_left": ("measured", _result("rom_lateral_left", 17.0, reps=5, mean_deg=15.8)),
        "rom_lateral_right": ("measured", _result("rom_lateral_right", 18.5, reps=5, mean_deg=17.4)),
        "rom_rotation_left": ("measured", _result("rom_rotation_left", 31.0, POOR, reps=5, mean_deg=28.5)),
        "rom_rotation_right": ("skipped", "no_camera"),
        "hold_prone_plank": ("measured", _hold("hold_prone_plank", 42.0)),
        "hold_side_bridge_left": ("stopped", {"nrs": 6, "answer": "pain_worse"}),
        "hold_side_bridge_right": ("measured", _hold("hold_side_bridge_right", 35.0)),
    })  # the trunk flexor hold was not done
    found = cam.outcomes(db, sam.id, 0, counting=True)
    classification = clinical.latest_classification(db, sam.id)
    if classification is not None:
        classification.details = {**classification.details, "camera_tests": cam.coverage(found)}
    proposal = next((p for p in portal_repo.proposals_of(db, sam.id) if p.week == 2), None)
    if proposal is not None:
        _store(db, sam.id, 2, plan.id, proposal.created_at - timedelta(hours=1), {
            "rom_flexion": ("measured", _result("rom_flexion", 81.0, reps=10, mean_deg=77.9, ftf_cm=11.0)),
            "rom_extension": ("measured", _result("rom_extension", 17.5, reps=10, mean_deg=16.0)),
            "hold_prone_plank": ("measured", _hold("hold_prone_plank", 55.0)),
        })
        week2 = cam.outcomes(db, sam.id, 2, plan.id, counting=True)
        proposal.reassessment = {**proposal.reassessment, "camera_tests": cam.coverage(week2),
                                 "camera_trend": camera_trend(baseline_camera(db, plan), week2)}
    db.flush()

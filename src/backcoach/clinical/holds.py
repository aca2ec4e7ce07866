"""Trunk endurance holds (clinical brief §6.3): time only while the position holds.

Per tracked frame a test-specific position check runs on the engine's geometry (``off``,
``incl_h``); the hold starts at the first frame in position and ends when the position is lost
for more than 1 s (the end is the start of that lost stretch). Frames without tracking are not
timed; tracking lost for more than 5 s ends the test as INCONCLUSIVE (§5.4 rule 6).

Validity limits: norms are context only (McGill 1999 means are recalled values [P]; use ratios and
within-person change, §6.3); the Biering-Sorensen test needs a helper and anchoring (clinic test).
The live engine's own hold timer (``backcoach.motion``) is not used here yet: it needs the
assessment positions as exercise files (a named gap, see docs/clinical.md).
"""

from __future__ import annotations

import numpy as np

from backcoach.clinical.camera import CameraResult, CameraTestError, Track, test_spec
from backcoach.clinical.thresholds import TH
from backcoach.motion.geometry import Missing, distance, incl_h, near_side, off
from backcoach.pose.sequence import PoseSequence


PLANKS = ("hold_prone_plank", "hold_side_bridge_left", "hold_side_bridge_right")


def position_measure(track: Track, test_id: str, i: int) -> float | None:
    """The quantity the test's failure rule watches at frame i: ``off(H; S, A)`` in torso lengths
    (+ = hips toward the floor) for planks, ``incl_h(H -> S)`` in degrees otherwise."""
    if test_id in PLANKS:
        s, h, a = track.joint(i, "shoulder"), track.joint(i, "hip"), track.joint(i, "ankle")
        value = off(h, s, a, distance(s, h))
    else:
        value = incl_h(track.joint(i, "hip"), track.joint(i, "shoulder"))
    return None if isinstance(value, Missing) else value


def position_ok(track: Track, test_id: str, i: int, start_angle: float | None) -> bool | None:
    """Whether frame i is in the test position (None: cannot tell)."""
    value = position_measure(track, test_id, i)
    if value is None:
        return None
    limit = TH["plank_offset_lt"]
    if test_id == "hold_prone_plank":
        return abs(value) <= limit
    if test_id in PLANKS:
        return value <= limit
    if test_id == "hold_biering_sorensen":
        return value >= -TH["sorensen_drop_deg"]
    return None if start_angle is None else value >= start_angle - TH["flexor_drop_deg"]


def position_by_label(seq: PoseSequence, test_id: str) -> dict[str, dict]:
    """For a recording with per-frame labels (``meta["labels"]``): per label, how many frames the
    failure rule calls in position, and the watched quantity's quartiles. Frames are judged alone
    (near side per frame), so this checks the position rule itself, not the hold timer."""
    labels = seq.meta.get("labels")
    if not labels or len(labels) != len(seq):
        raise CameraTestError(f"{test_id}: the recording has no per-frame labels to compare with")
    if test_id == "hold_trunk_flexor":
        raise CameraTestError("hold_trunk_flexor is judged against its own start angle, not frame by frame")
    spec = test_spec(test_id)
    track = Track(seq, spec["joints"], spec["view"])
    out: dict[str, dict] = {}
    for i, label in enumerate(labels):
        track.side = near_side(seq.visibility[i].tolist())  # frames are independent: near side per frame
        if not track.frame_ok(i):
            continue
        row = out.setdefault(label, {"frames": 0, "in_position": 0, "values": []})
        value = position_measure(track, test_id, i)
        row["frames"] += 1
        row["in_position"] += bool(position_ok(track, test_id, i, None))
        if value is not None:
            row["values"].append(value)
    for row in out.values():
        values = row.pop("values")
        row["quartiles"] = [round(float(q), 3) for q in np.percentile(values, [25, 50, 75])] if values else None
    return out


def measure_hold(seq: PoseSequence, test_id: str, sex: str | None = None) -> CameraResult:
    """Hold time in seconds, the failure reason, and the norm for the patient's sex when known."""
    spec = test_spec(test_id)
    if spec["kind"] != "hold":
        raise CameraTestError(f"{test_id} is a {spec['kind']} test, not an endurance hold")
    track = Track(seq, spec["joints"], spec["view"])
    quality = track.quality()
    tracked = np.flatnonzero(track.ok)
    start_angle = None
    if test_id == "hold_trunk_flexor" and len(tracked):
        first_second = tracked[track.t[tracked] <= track.t[tracked[0]] + 1.0]
        angles = [incl_h(track.joint(i, "hip"), track.joint(i, "shoulder")) for i in first_second]
        angles = [a for a in angles if not isinstance(a, Missing)]
        start_angle = float(np.median(angles)) if angles else None
    persist, pause = TH["hold_fail_persist_s"], TH["tracking_pause_s"]
    held = 0.0
    started = False
    lost_since = None  # time the position was first lost in the current stretch
    last_tracked_t = None
    reason = "recording ended while holding"
    status = "VALID"
    pending = 0.0  # time in a lost-position stretch, credited back if the position returns within 1 s
    for i in range(len(track.t)):
        t = float(track.t[i])
        if not track.ok[i]:
            if started and last_tracked_t is not None and t - last_tracked_t > pause:
                reason, status = f"tracking lost for more than {pause:g} s", "INCONCLUSIVE"
                break
            continue
        dt = 0.0 if last_tracked_t is None else t - last_tracked_t
        gap = last_tracked_t is not None and dt > 2.0 / max(seq.fps, 1e-9)
        last_tracked_t = t
        in_position = position_ok(track, test_id, i, start_angle)
        if not started:
            started = bool(in_position)
            continue
        if in_position:
            if lost_since is not None:
                held += pending
            lost_since, pending = None, 0.0
            held += 0.0 if gap else dt
        else:
            if lost_since is None:
                lost_since, pending = t, 0.0
            else:
                pending += 0.0 if gap else dt
            if t - lost_since > persist:
                reason = "position lost for more than 1 s"
                break
    cap = TH["sorensen_cap_s"] if test_id == "hold_biering_sorensen" else None
    if cap is not None and held >= cap:
        held, reason = float(cap), f"reached the {cap} s cap"
    if not started:
        status, reason = "INCONCLUSIVE", "the start position was never reached"
    if quality["verdict"] != "good":
        status = "INCONCLUSIVE"
    norm = dict(spec["norm"])
    if sex in ("male", "female"):
        norm["compared_with"] = norm.get("men" if sex == "male" else "women")
    return CameraResult(test_id, round(held, 1) if status == "VALID" else None, "s", status, quality, norm,
                        {"end": reason, "seconds_timed": round(held, 1)})


def endurance_ratios(holds: dict[str, float]) -> dict:
    """McGill balance ratios [V] from hold times in seconds (missing tests are skipped)."""
    out = {}
    extensor = holds.get("hold_biering_sorensen")
    flexor = holds.get("hold_trunk_flexor")
    left, right = holds.get("hold_side_bridge_left"), holds.get("hold_side_bridge_right")
    if flexor and extensor:
        ratio = flexor / extensor
        out["flexor_extensor"] = {"ratio": round(ratio, 2), "imbalance": ratio > TH["mcgill_flexor_extensor_ratio"]}
    if left and right:
        ratio = right / left
        out["side_right_left"] = {"ratio": round(ratio, 2),
                                  "asymmetry": abs(ratio - 1) > TH["mcgill_side_asymmetry"]}
    if extensor and (left or right):
        worst = max(v for v in (left, right) if v) / extensor
        out["side_extensor"] = {"ratio": round(worst, 2), "imbalance": worst > TH["mcgill_side_extensor_ratio"]}
    return out

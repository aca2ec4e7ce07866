"""Trunk endurance holds (clinical brief §6.3): timed by the movement engine's hold timer.

Each test position is an exercise-style definition kept with the clinical data
(``data/camera_tests/<definition>.toml``, validated by the exercise schema; tests, not library
exercises) with ``[phases] mode = "hold"``. ``backcoach.motion.engine.ExerciseEngine`` times it:
the hold starts at the first frame in the position, time counts only while every critical standard
holds, and the hold ends when they stay broken for 1 s. The clinical code adds what a test needs
around it: no target time (held to failure, or the Biering-Sorensen cap), frames without the
required landmarks are not given to the engine (a gap over 0.5 s is not timed), and tracking lost
for more than 5 s makes the test INCONCLUSIVE (§5.4 rule 6).

The definitions' limits are written ``"@name"`` and filled in from the one named place of clinical
thresholds (``data/thresholds.toml``) before validation; the trunk flexor's ``"@start_angle"`` is
the patient's own start (median of the first tracked second).

Validity limits: norms are context only (McGill 1999 means are recalled values [P]; use ratios and
within-person change, §6.3); the Biering-Sorensen test needs a helper and anchoring (clinic test).
"""

from __future__ import annotations

import re
import tomllib

import numpy as np

from backcoach.clinical.camera import CameraResult, CameraTestError, Track, test_spec
from backcoach.clinical.thresholds import DATA_DIR, TH
from backcoach.exercises import Exercise, parse_exercise
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.geometry import Missing, distance, incl_h, near_side, off
from backcoach.motion.phases import END, RELEASE_S
from backcoach.pose.sequence import PoseSequence

DEFINITIONS_DIR = DATA_DIR / "camera_tests"
_TERM = re.compile(r"\s*([+-]?)\s*@([a-z_]+)\s*")


def _limits(start_angle: float | None) -> dict[str, float | None]:
    """The values a definition may name with ``@``: clinical thresholds and the measured start."""
    if TH["hold_fail_persist_s"] != RELEASE_S:  # the engine owns the 1 s release; they must agree
        raise CameraTestError(f"hold_fail_persist_s = {TH['hold_fail_persist_s']} s but the engine ends a hold "
                              f"after {RELEASE_S} s broken; change both together")
    return {"plank_offset_lt": TH["plank_offset_lt"], "sorensen_drop_deg": TH["sorensen_drop_deg"],
            "flexor_drop_deg": TH["flexor_drop_deg"], "start_angle": start_angle}


def _resolve(value, names: dict[str, float | None], where: str):
    """``"@a-@b"`` -> the sum of the named values with their signs; numbers pass through."""
    if not isinstance(value, str):
        return value
    terms = _TERM.findall(value)
    if not terms or _TERM.sub("", value):
        raise CameraTestError(f"{where}: {value!r} is not a number or a sum of @names")
    total = 0.0
    for sign, name in terms:
        if name not in names:
            raise CameraTestError(f"{where}: unknown @{name} (known: {', '.join(sorted(names))})")
        if names[name] is None:
            raise CameraTestError(f"{where}: @{name} is not known for this recording")
        total += -names[name] if sign == "-" else names[name]
    return total


def hold_definition(test_id: str, start_angle: float | None = None) -> Exercise:
    """The engine definition of an endurance test's position, its limits filled in and validated."""
    spec = test_spec(test_id)
    if spec["kind"] != "hold":
        raise CameraTestError(f"{test_id} is a {spec['kind']} test, not an endurance hold")
    path = DEFINITIONS_DIR / f"{spec['definition']}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    names = _limits(start_angle)
    for i, standard in enumerate(data.get("standards", [])):
        where = f"{path.name}: standards[{i}] ({standard.get('id')}) range"
        standard["range"] = [_resolve(v, names, where) for v in standard.get("range", [])]
    return parse_exercise(data, str(path))


def _critical_range(definition: Exercise) -> tuple[float, float]:
    (standard,) = [s for s in definition.standards if s.critical and s.phase == "end"]
    return standard.range


def position_measure(track: Track, test_id: str, i: int) -> float | None:
    """The quantity the definition's critical standard watches, at frame i alone: ``off(H; S, A)``
    in torso lengths (+ = hips toward the floor) for planks, ``incl_h(H -> S)`` in degrees otherwise."""
    if test_spec(test_id)["definition"] in ("prone_plank", "side_bridge"):
        s, h, a = track.joint(i, "shoulder"), track.joint(i, "hip"), track.joint(i, "ankle")
        value = off(h, s, a, distance(s, h))
    else:
        value = incl_h(track.joint(i, "hip"), track.joint(i, "shoulder"))
    return None if isinstance(value, Missing) else value


def position_by_label(seq: PoseSequence, test_id: str) -> dict[str, dict]:
    """For a recording with per-frame labels (``meta["labels"]``): per label, how many frames the
    definition's critical range calls in position and the watched quantity's quartiles (frames
    judged alone, near side per frame: the position rule itself), then the runs of that label timed
    through the engine (``timed_by_run``)."""
    labels = seq.meta.get("labels")
    if not labels or len(labels) != len(seq):
        raise CameraTestError(f"{test_id}: the recording has no per-frame labels to compare with")
    if test_id == "hold_trunk_flexor":
        raise CameraTestError("hold_trunk_flexor is judged against its own start angle, not frame by frame")
    spec = test_spec(test_id)
    low, high = _critical_range(hold_definition(test_id))
    track = Track(seq, spec["joints"], spec["view"])
    out: dict[str, dict] = {}
    for i, label in enumerate(labels):
        track.side = near_side(seq.visibility[i].tolist())  # frames are independent: near side per frame
        if not track.frame_ok(i):
            continue
        row = out.setdefault(label, {"frames": 0, "in_position": 0, "values": []})
        value = position_measure(track, test_id, i)
        row["frames"] += 1
        if value is not None:
            row["in_position"] += low <= value <= high
            row["values"].append(value)
    for row in out.values():
        values = row.pop("values")
        row["quartiles"] = [round(float(q), 3) for q in np.percentile(values, [25, 50, 75])] if values else None
    for label, timed in timed_by_run(seq, test_id).items():
        out.setdefault(label, {"frames": 0, "in_position": 0, "quartiles": None}).update(timed)
    return out


def timed_by_run(seq: PoseSequence, test_id: str) -> dict[str, dict]:
    """Each run of consecutive frames with one label, timed as a hold through the engine: per
    label, the runs, their recorded seconds and the seconds the hold timer credited."""
    labels = seq.meta["labels"]
    out: dict[str, dict] = {}
    start = 0
    for end in range(1, len(labels) + 1):
        if end < len(labels) and labels[end] == labels[start]:
            continue
        row = out.setdefault(labels[start], {"runs": 0, "seconds_recorded": 0.0, "seconds_timed": 0.0})
        row["runs"] += 1
        if end - start >= 2:
            part = slice(start, end)
            run = PoseSequence(seq.t[part] - seq.t[start], seq.xyz[part], seq.visibility[part], seq.image_size, {})
            row["seconds_recorded"] = round(row["seconds_recorded"] + float(run.t[-1]), 2)
            row["seconds_timed"] = round(row["seconds_timed"] + measure_hold(run, test_id).details["seconds_timed"], 2)
        start = end
    return out


def _start_angle(track: Track) -> float | None:
    """Median trunk angle over the first tracked second (the trunk flexor test's own start)."""
    tracked = np.flatnonzero(track.ok)
    if not len(tracked):
        return None
    first_second = tracked[track.t[tracked] <= track.t[tracked[0]] + 1.0]
    angles = [incl_h(track.joint(i, "hip"), track.joint(i, "shoulder")) for i in first_second]
    angles = [a for a in angles if not isinstance(a, Missing)]
    return float(np.median(angles)) if angles else None


def _wrong_side_down(track: Track, test_id: str) -> str | None:
    """For a side bridge: why the recording is the other side's test (the lower shoulder, median
    over tracked frames, is the side down), or None."""
    if not test_id.startswith("hold_side_bridge_"):
        return None
    frames = np.flatnonzero(track.ok)
    if not len(frames):
        return None
    left_lower = np.median([track.p(i, "left_shoulder")[1] - track.p(i, "right_shoulder")[1] for i in frames]) < 0
    down = "left" if left_lower else "right"
    if test_id.endswith(down):
        return None
    return f"the {down} side is down in this recording: it is hold_side_bridge_{down}"


def measure_hold(seq: PoseSequence, test_id: str, sex: str | None = None) -> CameraResult:
    """Hold time in seconds through the engine's hold timer, why it ended, and the norm for the
    patient's sex when known."""
    spec = test_spec(test_id)
    if spec["kind"] != "hold":
        raise CameraTestError(f"{test_id} is a {spec['kind']} test, not an endurance hold")
    track = Track(seq, spec["joints"], spec["view"])
    quality = track.quality()
    start_angle = _start_angle(track) if test_id == "hold_trunk_flexor" else None
    definition = hold_definition(test_id, start_angle) if test_id != "hold_trunk_flexor" or start_angle is not None else None
    cap = TH["sorensen_cap_s"] if test_id == "hold_biering_sorensen" else None
    status, reason, held = "VALID", "recording ended while holding", 0.0
    rep = None
    engine = None
    if definition is not None:
        # No target: the hold runs to failure (or the cap), so the target is past the recording.
        target = cap if cap is not None else float(seq.t[-1] - seq.t[0]) + 1.0
        engine = ExerciseEngine(definition, hold_s=target, reps_target=1)
        last_tracked_t = None
        for i, frame in enumerate(seq.frames()):
            if not track.ok[i]:
                continue  # not given to the engine: untracked time is not timed
            holding = engine.state.phase == END
            if holding and last_tracked_t is not None and frame.t - last_tracked_t > TH["tracking_pause_s"]:
                reason, status = f"tracking lost for more than {TH['tracking_pause_s']:g} s", "INCONCLUSIVE"
                break
            last_tracked_t = float(frame.t)
            rep = next((e for e in engine.push(frame) if e.type == "rep"), None)
            if rep is not None:
                break
    if rep is not None:
        held = float(rep.metrics["hold_s"])
        reason = f"position lost for more than {RELEASE_S:g} s"
        if cap is not None and rep.counted:
            held, reason = float(cap), f"reached the {cap} s cap"
    elif engine is not None and engine.state.phase == END:
        held = float(engine.state.hold_s)
    elif status == "VALID":
        status, reason = "INCONCLUSIVE", "the start position was never reached"
    wrong_side = _wrong_side_down(track, test_id)
    if wrong_side:
        status, reason = "INCONCLUSIVE", wrong_side
    if quality["verdict"] != "good":
        status = "INCONCLUSIVE"
    norm = dict(spec["norm"])
    if sex in ("male", "female"):
        norm["compared_with"] = norm.get("men" if sex == "male" else "women")
    return CameraResult(test_id, round(held, 1) if status == "VALID" else None, "s", status, quality, norm,
                        {"end": reason, "seconds_timed": round(held, 1), "timer": "backcoach.motion.engine",
                         "definition": spec["definition"]})


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

"""Camera assessments (clinical brief §6): active trunk range of motion from landmark sequences.

Geometry is the movement engine's (``backcoach.motion.geometry``: y-up points in image heights,
``incl_v``, ``ang``). What the camera measures is **gross trunk motion** (thoracolumbar spine plus
hips), never isolated lumbar range (§6.1); every result carries a tracking-quality verdict and the
norm it is compared with, and is meant as a within-person trend.

Validity limits: expect roughly 5-10 degrees of error in sagittal trunk angles with a good side
view and worse at oblique angles (§6.4); no MediaPipe-vs-inclinometer validation of trunk range
exists yet [U]. Side-bend trials cannot detect a forward lean in the front view. Rotation from
the shoulder-width ratio cannot tell rotation from a sideways lean and is the least accurate
measure (§6.2); it mostly reflects thoracic rotation.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from backcoach.clinical.thresholds import DATA_DIR, TH
from backcoach.motion.geometry import Missing, ang, distance, incl_v, midpoint, near_side, to_image_points
from backcoach.motion.gravity import level_image_points
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX


class CameraTestError(ValueError):
    """A camera test cannot be run on this input (names the test and why)."""


@cache
def camera_tests() -> dict:
    return tomllib.loads((DATA_DIR / "camera_tests.toml").read_text(encoding="utf-8"))


def test_spec(test_id: str) -> dict:
    tests = camera_tests()["tests"]
    if test_id not in tests:
        raise CameraTestError(f"unknown camera test {test_id!r}; choose one of {', '.join(tests)}")
    return tests[test_id]


@dataclass
class CameraResult:
    test: str
    value: float | None
    unit: str
    status: str  # VALID | INCONCLUSIVE
    quality: dict
    norm: dict
    details: dict = field(default_factory=dict)
    pain: dict | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _upright_points(seq: PoseSequence, i: int) -> list[list[float]]:
    """Frame ``i`` as y-up image points, turned upright by the phone's roll when it was read (brief
    §4.0 "Gravity reference": a tilted phone would bias every angle from vertical by its tilt)."""
    points = to_image_points(seq.xyz[i], seq.image_size)
    roll = None if seq.camera_tilt is None else seq.camera_tilt[i, 0]
    if roll is None or np.isnan(roll):
        return points
    return level_image_points(points, float(roll), seq.image_size[0] / seq.image_size[1])


class Track:
    """A sequence as y-up points per frame, with which frames have every required landmark.

    ``joints`` are generic names ("shoulder", "hip", ...; "nose" has no side). In side view only the
    near side is required and used (far-side landmarks are unreliable, §4.0); in front view both.
    """

    def __init__(self, seq: PoseSequence, joints: list[str], view: str) -> None:
        if len(seq) < 2:
            raise CameraTestError(f"recording has {len(seq)} frame(s); a camera test needs a movement")
        self.seq, self.t, self.joints, self.view = seq, seq.t, joints, view
        self.points = [_upright_points(seq, i) for i in range(len(seq))]
        self.side = near_side(np.nanmean(seq.visibility, axis=0).tolist())
        self.ok = np.array([self.frame_ok(i) for i in range(len(seq))], dtype=bool)

    def required(self) -> list[int]:
        names = []
        for joint in self.joints:
            if f"left_{joint}" not in INDEX:
                names.append(joint)
            elif self.view == "side":
                names.append(f"{self.side}_{joint}")
            else:
                names += [f"left_{joint}", f"right_{joint}"]
        return [INDEX[name] for name in names]

    def frame_ok(self, i: int) -> bool:
        """Every required landmark of frame i is finite with visibility >= 0.5 (current side)."""
        idx = self.required()
        vis = self.seq.visibility[i, idx]
        return bool((vis >= TH["camera_min_visibility"]).all() and np.isfinite(self.seq.xyz[i, idx, :2]).all())

    def quality(self) -> dict:
        fraction = float(self.ok.mean())
        good = fraction >= TH["camera_min_visible_fraction"]
        reason = None if good else (f"required landmarks visible in {fraction:.0%} of frames "
                                    f"(need {TH['camera_min_visible_fraction']:.0%}): fix the camera set-up")
        return {"visible_fraction": round(fraction, 3), "verdict": "good" if good else "poor", "reason": reason}

    def p(self, i: int, name: str) -> tuple[float, float]:
        return self.points[i][INDEX[name]]

    def near(self, i: int, joint: str) -> tuple[float, float]:
        return self.p(i, f"{self.side}_{joint}")

    def mid(self, i: int, joint: str) -> tuple[float, ...]:
        return midpoint(self.p(i, f"left_{joint}"), self.p(i, f"right_{joint}"))

    def joint(self, i: int, joint: str) -> tuple[float, ...]:
        """The near side's point in side view, the left-right midpoint in front view."""
        return self.near(i, joint) if self.view == "side" else self.mid(i, joint)


def facing_side_view(track: Track) -> float:
    """+1 when the person faces image +X (nose ahead of the near ear), -1 otherwise."""
    frames = np.flatnonzero(track.ok)
    offsets = [track.p(i, "nose")[0] - track.near(i, "ear")[0] for i in frames]
    offsets = [o for o in offsets if np.isfinite(o)]
    return -1.0 if offsets and np.mean(offsets) < 0 else 1.0


def subject_left_direction(track: Track) -> float:
    """+1 when the subject's own left is image +X (facing the camera), -1 when seen from behind."""
    frames = np.flatnonzero(track.ok)
    dx = [track.p(i, "left_shoulder")[0] - track.p(i, "right_shoulder")[0] for i in frames]
    return -1.0 if dx and np.mean(dx) < 0 else 1.0


def trunk_series(track: Track, facing: float) -> np.ndarray:
    """Trunk inclination ``incl_v(H -> S)`` per frame (NaN where untracked), positive toward
    ``facing``; near-side hip and shoulder in side view, their midpoints in front view."""
    out = np.full(len(track.t), np.nan)
    for i in np.flatnonzero(track.ok):
        value = incl_v(track.joint(i, "hip"), track.joint(i, "shoulder"), facing)
        if not isinstance(value, Missing):
            out[i] = value
    return out


def find_reps(series: np.ndarray) -> list[tuple[int, int, int]]:
    """Repetitions of an excursion: (start, peak, end) frame indices.

    A rep starts when the value passes 50% of the recording's largest excursion above its starting
    value and ends when it falls back below 20% (hysteresis, so jitter near one line cannot count
    twice). The starting value is the median of the first 10% of tracked frames.
    """
    valid = np.flatnonzero(np.isfinite(series))
    if len(valid) == 0:
        return []
    base = float(np.median(series[valid[: max(1, len(valid) // 10)]]))
    top = float(np.nanmax(series))
    if top - base <= 0:
        return []
    up_fraction, down_fraction = TH["rom_rep_fraction"]
    up, down = base + up_fraction * (top - base), base + down_fraction * (top - base)
    reps, start = [], None
    for i in valid:
        if start is None and series[i] > up:
            start = i
        elif start is not None and series[i] < down:
            reps.append((start, start + int(np.nanargmax(series[start:i + 1])), i))
            start = None
    if start is not None:  # recording ended at the far position: the peak is still a valid maximum
        reps.append((start, start + int(np.nanargmax(series[start:])), int(valid[-1])))
    return reps


def forward_lean_series(track: Track) -> np.ndarray:
    """Forward lean toward a front camera per frame, degrees (§6.2 side-bend rejection).

    A front view cannot see the lean directly; it shortens the hip-shoulder line and leaves the
    shoulder width alone, and coming nearer the camera enlarges both alike. So the lean is
    arccos(r / r_neutral) with r = torso length / shoulder width and r_neutral its median over the
    first 10% of tracked frames (upright). Perspective cancels exactly with the camera at hip height
    and nearly at chest height; a side bend keeps both lengths, so it reads ~0.
    """
    frames = np.flatnonzero(track.ok)
    out = np.full(len(track.t), np.nan)
    ratios = []
    for i in frames:
        width = distance(track.p(i, "left_shoulder"), track.p(i, "right_shoulder"))
        torso = distance(track.mid(i, "hip"), track.mid(i, "shoulder"))
        ratios.append(torso / width if width > 0 else np.nan)
    ratios = np.asarray(ratios, dtype=float)
    if len(frames) == 0 or not np.isfinite(ratios).any():
        return out
    neutral = float(np.nanmedian(ratios[: max(1, len(frames) // 10)]))
    if not neutral > 0:
        return out
    out[frames] = np.degrees(np.arccos(np.clip(ratios / neutral, 0.0, 1.0)))
    return out


def _lean_at(lean: np.ndarray, t: np.ndarray, peak: int) -> float | None:
    """Median forward lean within ``rom_lean_window_s`` of a peak frame (None when untracked)."""
    near = np.abs(t - t[peak]) <= TH["rom_lean_window_s"]
    values = lean[near]
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else None


def _knee_angle(track: Track, i: int) -> float | None:
    value = ang(track.near(i, "hip"), track.near(i, "knee"), track.near(i, "ankle"))
    return None if isinstance(value, Missing) else value


def _ftf(track: Track, i: int, height_cm: float | None) -> dict:
    """Fingertip-to-floor at frame i: index finger height above the heel line, in stature or cm."""
    floor, finger = track.near(i, "heel")[1], track.near(i, "index")[1]
    first = int(np.flatnonzero(track.ok)[0])
    stature = (track.p(first, "nose")[1] - track.near(first, "heel")[1]) / TH["stature_nose_fraction"]
    if not all(np.isfinite([floor, finger, stature])) or stature <= 0:
        return {"ftf_stature": None, "ftf_cm": None}
    fraction = max(0.0, (finger - floor) / stature)
    return {"ftf_stature": round(fraction, 3), "ftf_cm": None if height_cm is None else round(fraction * height_cm, 1)}


def rotation_series(track: Track, left: float) -> np.ndarray:
    """Seated rotation per frame (§6.2): arccos(clamp(Ws / Ws_neutral, 0, 1)) in degrees, positive
    toward the subject's left (the side the nose moves to); Ws_neutral is the median shoulder width
    over the first 10% of tracked frames."""
    frames = np.flatnonzero(track.ok)
    widths = np.array([abs(track.p(i, "left_shoulder")[0] - track.p(i, "right_shoulder")[0]) for i in frames])
    out = np.full(len(track.t), np.nan)
    if len(frames) == 0:
        return out
    neutral = float(np.median(widths[: max(1, len(frames) // 10)]))
    if neutral <= 0:
        return out
    for i, width in zip(frames, widths):
        angle = np.degrees(np.arccos(np.clip(width / neutral, 0.0, 1.0)))
        side = np.sign((track.p(i, "nose")[0] - track.mid(i, "shoulder")[0]) * left)
        out[i] = angle * (side if side != 0 else 1.0)
    return out


ROM_DIRECTIONS = {"rom_flexion": 1.0, "rom_extension": -1.0, "rom_lateral_left": 1.0, "rom_lateral_right": -1.0,
                  "rom_rotation_left": 1.0, "rom_rotation_right": -1.0}


def measure_rom(seq: PoseSequence, test_id: str, pain: dict | None = None,
                height_cm: float | None = None) -> CameraResult:
    """Active ROM (§6.2): maximum and mean trunk angle over the accepted repetitions.

    ``pain`` is the patient's own report for this direction (e.g. ``{"nrs": 4, "location": "back"}``),
    kept with the result. Flexion and extension reps in which the near knee bends below 170 degrees
    at the peak are rejected (§6.2), and so are side-bend reps with the trunk leaning forward more
    than 10 degrees (``forward_lean_series``). Rotation trials are not checked for a lean: their
    measure is the shoulder width itself, so the front view has no second length to compare.
    """
    spec = test_spec(test_id)
    if spec["kind"] != "rom":
        raise CameraTestError(f"{test_id} is a {spec['kind']} test, not a range-of-motion test")
    track = Track(seq, spec["joints"], spec["view"])
    quality = track.quality()
    sign = ROM_DIRECTIONS[test_id]
    facing = facing_side_view(track) if spec["view"] == "side" else subject_left_direction(track)
    if test_id.startswith("rom_rotation"):
        series = sign * rotation_series(track, facing)
    else:
        series = sign * trunk_series(track, facing)
    reps = find_reps(series)
    lean = forward_lean_series(track) if test_id.startswith("rom_lateral") else None
    accepted, rejected = [], []
    for start, peak, end in reps:
        knee = _knee_angle(track, peak) if spec["view"] == "side" else None
        forward = _lean_at(lean, track.t, peak) if lean is not None else None
        if knee is not None and knee < TH["rom_knee_min_deg"]:
            rejected.append({"peak_frame": peak, "reason": f"knee bent to {knee:.0f} deg (< {TH['rom_knee_min_deg']})"})
        elif forward is not None and forward > TH["rom_lean_max_deg"]:
            rejected.append({"peak_frame": peak,
                             "reason": f"trunk leaned forward {forward:.0f} deg (> {TH['rom_lean_max_deg']})"})
        else:
            accepted.append(peak)
    peaks = [float(series[i]) for i in accepted]
    details = {"reps_detected": len(reps), "reps_expected": TH["rom_reps"], "rejected": rejected,
               "rep_peaks_deg": [round(p, 1) for p in peaks], "mean_deg": round(float(np.mean(peaks)), 1) if peaks else None,
               "view": spec["view"]}
    if test_id == "rom_flexion" and accepted:
        details.update(_ftf(track, accepted[int(np.argmax(peaks))], height_cm))
    valid = quality["verdict"] == "good" and bool(peaks)
    if quality["verdict"] == "good" and not peaks:
        quality = {**quality, "reason": "no accepted repetition"}
    return CameraResult(test_id, round(max(peaks), 1) if peaks else None, "deg", "VALID" if valid else "INCONCLUSIVE",
                        quality, spec["norm"], details, pain)


def repeated_test_quality(seq: PoseSequence, test_id: str, expected: int) -> dict:
    """§3.5 camera-quality rule for a repeated-movement test (T1, T2 standing; T6 movements).

    VALID only if the required landmarks are visible in >= 80% of frames and the camera detects
    >= 8 of 10 repetitions (T1-T4) or >= 4 of 5 (T6); otherwise INCONCLUSIVE with reason
    ``camera_quality``, and the patient fixes the set-up and repeats once.
    """
    minimum = TH["repeated_min_reps"].get(str(expected))
    if minimum is None:
        raise CameraTestError(f"{test_id}: a repeated test has 10 (T1-T4) or 5 (T6) repetitions, not {expected}")
    result = measure_rom(seq, test_id)
    detected = result.details["reps_detected"]
    problems = []
    if result.quality["verdict"] != "good":
        problems.append(result.quality["reason"])
    if detected < minimum:
        problems.append(f"{detected} of {expected} repetitions detected (need {minimum})")
    return {"status": "INCONCLUSIVE" if problems else "VALID", "reason": "camera_quality" if problems else None,
            "problems": problems, "reps_detected": detected, "visible_fraction": result.quality["visible_fraction"]}


def count_heel_raises(seq: PoseSequence, side: str | None = None) -> CameraResult:
    """T9 single-leg heel raises (§3.5): count lifts of the heel by >= 3% of leg length above its
    standing height (median of the first 10% of tracked frames), each ending when the heel is back
    below half that lift. ``side`` is the standing leg (default: the near side)."""
    spec = test_spec("t9_heel_raises")
    track = Track(seq, spec["joints"], spec["view"])
    if side is not None:
        track.side = side
        track.ok = np.array([track.frame_ok(i) for i in range(len(seq))], dtype=bool)
    quality = track.quality()
    frames = np.flatnonzero(track.ok)
    if len(frames) == 0:
        return CameraResult("t9_heel_raises", None, "raises", "INCONCLUSIVE", quality, spec["norm"], {"side": track.side})
    leg = float(np.median([distance(track.near(i, "hip"), track.near(i, "ankle")) for i in frames]))
    heel = np.array([track.near(i, "heel")[1] for i in frames])
    base = float(np.median(heel[: max(1, len(frames) // 10)]))
    lift = (heel - base) / leg
    up = TH["t9_heel_raise_lift_ll"]
    down = up * TH["t9_heel_raise_return_fraction"]
    count, raised = 0, False
    for value in lift:
        if not raised and value >= up:
            raised, count = True, count + 1
        elif raised and value < down:
            raised = False
    status = "VALID" if quality["verdict"] == "good" else "INCONCLUSIVE"
    return CameraResult("t9_heel_raises", count if status == "VALID" else None, "raises", status, quality,
                        spec["norm"], {"side": track.side, "max_lift_ll": round(float(lift.max()), 3)})

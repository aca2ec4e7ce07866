"""Movement-control signs during forward bending (clinical brief §3.5 T5 detectors, all [E]).

Each detector returns True, False, or None when it cannot judge (untracked, wrong view), and the
result fills :class:`~backcoach.clinical.examination.AberrantSigns` for classification step 3.
Side view: Gowers sign, reversal of lumbopelvic rhythm, painful arc. Front view: instability catch.

Validity limits: these 2D signatures are engineering proxies of the APTA definitions (κ ≈ 0.6
between clinicians [V]); none has been validated against a clinician's judgement yet.
"""

from __future__ import annotations

import numpy as np

from backcoach.clinical.camera import Track, facing_side_view, find_reps, trunk_series
from backcoach.clinical.examination import AberrantSigns
from backcoach.clinical.thresholds import TH
from backcoach.motion.geometry import Missing, ang, distance
from backcoach.pose.sequence import PoseSequence

SIDE_JOINTS = ["shoulder", "hip", "knee", "ankle"]
FRONT_JOINTS = ["shoulder", "hip"]


def _runs(mask: np.ndarray, t: np.ndarray) -> list[tuple[int, int, float]]:
    """Contiguous True runs as (first, last, duration in seconds)."""
    out, start = [], None
    for i, value in enumerate(mask):
        if value and start is None:
            start = i
        if start is not None and (not value or i == len(mask) - 1):
            last = i if value else i - 1
            out.append((start, last, float(t[last] - t[start])))
            start = None
    return out


def instability_catch(seq: PoseSequence) -> bool | None:
    """Front view: S_mid off the vertical through H_mid by > 0.15 shoulder widths for >= 150 ms,
    then back, with no such deviation at the start."""
    track = Track(seq, FRONT_JOINTS, "front")
    if track.quality()["verdict"] != "good":
        return None
    offsets = np.full(len(track.t), np.nan)
    for i in np.flatnonzero(track.ok):
        width = distance(track.p(i, "left_shoulder"), track.p(i, "right_shoulder"))
        if width > 0:
            offsets[i] = abs(track.mid(i, "shoulder")[0] - track.mid(i, "hip")[0]) / width
    limit = TH["catch_offset_ws"]
    valid = np.flatnonzero(np.isfinite(offsets))
    if np.nanmax(offsets[valid[: max(1, len(valid) // 10)]]) > limit:
        return False  # deviated from the start: a posture, not a transient catch
    above = np.nan_to_num(offsets, nan=0.0) > limit
    return any(duration >= TH["catch_min_s"] and last < valid[-1] for _, last, duration in _runs(above, track.t))


def _return_frames(series: np.ndarray) -> list[range]:
    return [range(peak, end + 1) for _, peak, end in find_reps(series)]


def gowers_sign(seq: PoseSequence) -> bool | None:
    """Side view, return phase: a wrist within 10% leg length of the thigh segment (H-K),
    travelling toward the hip, for >= 0.5 s."""
    track = Track(seq, SIDE_JOINTS, "side")
    if track.quality()["verdict"] != "good":
        return None
    series = trunk_series(track, facing_side_view(track))
    for frames in _return_frames(series):
        near = np.zeros(len(track.t), dtype=bool)
        along_prev = None
        for i in frames:
            if not track.ok[i]:
                continue
            h, k, a = track.near(i, "hip"), track.near(i, "knee"), track.near(i, "ankle")
            leg = distance(h, a)
            thigh = np.subtract(h, k)
            length = float(np.hypot(*thigh))
            if leg <= 0 or length <= 0:
                continue
            for wrist in (f"{track.side}_wrist", f"{'right' if track.side == 'left' else 'left'}_wrist"):
                w = np.subtract(track.p(i, wrist), k)
                along = float(np.dot(w, thigh) / length)  # 0 at the knee, `length` at the hip
                across = abs(float(np.cross(thigh, w) / length))
                if 0 <= along <= length and across <= TH["gowers_distance_ll"] * leg:
                    climbing = along_prev is None or along >= along_prev
                    near[i] = climbing
                    along_prev = along
                    break
        if any(duration >= TH["gowers_min_s"] for _, _, duration in _runs(near, track.t)):
            return True
    return False


def reversal_of_rhythm(seq: PoseSequence) -> bool | None:
    """Side view, return phase: knee angle drops > 15 deg and H_mid moves toward the toes by
    > 10% leg length before the trunk is back within 45 deg of vertical."""
    track = Track(seq, SIDE_JOINTS, "side")
    if track.quality()["verdict"] != "good":
        return None
    facing = facing_side_view(track)
    series = trunk_series(track, facing)
    for frames in _return_frames(series):
        peak = frames[0]
        knee0 = ang(track.near(peak, "hip"), track.near(peak, "knee"), track.near(peak, "ankle"))
        hip0 = track.near(peak, "hip")[0]
        leg = distance(track.near(peak, "hip"), track.near(peak, "ankle"))
        if isinstance(knee0, Missing) or leg <= 0:
            continue
        for i in frames:
            if not track.ok[i] or series[i] < TH["reversal_trunk_deg"]:
                continue
            knee = ang(track.near(i, "hip"), track.near(i, "knee"), track.near(i, "ankle"))
            shift = (track.near(i, "hip")[0] - hip0) * facing / leg
            if not isinstance(knee, Missing) and knee0 - knee > TH["reversal_knee_drop_deg"] \
                    and shift > TH["reversal_hip_shift_ll"]:
                return True
    return False


def painful_arc(seq: PoseSequence, tap_times: list[float]) -> bool | None:
    """'Hurts now' taps: positive if pain falls in the middle 20-80% of the rep's range, never at
    end range, on >= 2 of the repetitions (§3.5: 2 of 3)."""
    track = Track(seq, SIDE_JOINTS, "side")
    if track.quality()["verdict"] != "good":
        return None
    series = trunk_series(track, facing_side_view(track))
    reps = find_reps(series)
    if not reps:
        return None
    low, high = TH["painful_arc_band"]
    hits = 0
    window_start = 0
    for _, peak, end in reps:
        # the whole movement of this rep: from the end of the previous one through its return
        base = float(np.nanmin(series[window_start:peak + 1]))
        top = series[peak]
        fractions = []
        for tap in tap_times:
            if track.t[window_start] <= tap <= track.t[end]:
                i = int(np.argmin(np.abs(track.t - tap)))
                if np.isfinite(series[i]) and top > base:
                    fractions.append((series[i] - base) / (top - base))
        if fractions and all(low <= f <= high for f in fractions):
            hits += 1
        window_start = end + 1
    return hits >= TH["painful_arc_min_reps"]


def aberrant_signs(side: PoseSequence | None, front: PoseSequence | None = None,
                   tap_times: list[float] | None = None) -> AberrantSigns:
    """All four T5 signs from the T1 recordings; missing views leave their signs unknown."""
    signs = {
        "painful_arc": painful_arc(side, tap_times or []) if side is not None else None,
        "gowers_sign": gowers_sign(side) if side is not None else None,
        "reversal_of_rhythm": reversal_of_rhythm(side) if side is not None else None,
        "instability_catch": instability_catch(front) if front is not None else None,
    }
    return AberrantSigns(status="VALID" if side is not None or front is not None else "INCONCLUSIVE", **signs)

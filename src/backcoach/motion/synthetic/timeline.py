"""The schedule of a synthetic recording: joint angles and labels for every frame.

A recording is a setup lead-in (walk into view, turn to face the exercise's way, get into the
start posture, stay still), the repetitions, and an idle tail in the start pose. Each repetition
follows the motion's segments with minimum-jerk easing; injected errors perturb it as their
motion file says. Optional *jitter* makes the movement hover and wobble around the engine's
out (30% of the excursion) and return (20% from the start) thresholds of brief §4.0, which must
not produce extra counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial.transform import Rotation, Slerp

from backcoach.motion.synthetic.body import JOINT_INDEX, JOINTS, pose_vector
from backcoach.motion.synthetic.motions import Motion, resolve
from backcoach.motion.synthetic.postures import POSTURES

WALK_S = 3.0
WALK_DISTANCE = 1.6
STRIDE_S = 1.1
TURN_S = 0.8
GET_DOWN_S = 2.5
STILL_S = 1.5
IDLE_S = 2.0
#: Progress levels at which jitter hovers: the brief's out and return thresholds (§4.0).
OUT_LEVEL, RETURN_LEVEL = 0.30, 0.20
HOVER_S, HOVER_HZ = 1.0, 3.0


def min_jerk(tau: np.ndarray | float) -> np.ndarray | float:
    """Minimum-jerk easing from 0 to 1 over tau in [0, 1] (zero velocity and acceleration at both ends)."""
    tau = np.clip(tau, 0.0, 1.0)
    return tau**3 * (10 - 15 * tau + 6 * tau**2)


@dataclass
class RepPlan:
    """One planned repetition: when, which side, which errors, and its holds."""

    index: int
    side: str | None
    start: float
    end: float
    errors: list[tuple[str, str | None]]
    holds: list[tuple[float, float]] = field(default_factory=list)
    peak: float = 0.0  # end of the first unbroken run of "out" segments: the end pose is reached


@dataclass
class Plan:
    """Per-frame schedule: pose vectors, pelvis base rotations and labels."""

    t: np.ndarray
    poses: np.ndarray  # (T, len(JOINTS))
    base: np.ndarray  # (T, 3, 3)
    free: np.ndarray  # (T,) True while the body is placed on the floor frame by frame (setup)
    origin_xy: np.ndarray  # (T, 2) hip midpoint over the floor while free
    progress: np.ndarray  # (T,) 0 at the start pose, 1 at the end pose of a repetition
    phase: np.ndarray  # (T,) object: setup | still | out | hold | return | rest | idle
    rep_index: np.ndarray  # (T,) int, -1 outside repetitions
    jitter: list[tuple[float, float]]
    reps: list[RepPlan]
    setup_end: float
    idle_start: float
    start_pose: np.ndarray


Piece = Callable[[float], tuple[np.ndarray, np.ndarray, bool, np.ndarray, float]]


def _hover_curve(seconds: float, level: float, amplitude: float) -> tuple[float, Callable[[float], float]]:
    """Easing that stops at ``level``, wobbles by ``amplitude`` for HOVER_S, then completes."""
    reach = max(seconds * level, 0.3)
    rest = max(seconds - reach, 0.3)
    total = reach + HOVER_S + rest

    def s(u: float) -> float:
        if u < reach:
            return level * float(min_jerk(u / reach))
        if u < reach + HOVER_S:
            return level + amplitude * float(np.sin(2 * np.pi * HOVER_HZ * (u - reach)))
        return level + (1 - level) * float(min_jerk((u - reach - HOVER_S) / rest))

    return total, s


def build_plan(
    motion: Motion,
    *,
    reps: int,
    sides: list[str | None],
    errors: dict[int, list[tuple[str, str | None]]],
    tempo: float,
    range_scale: float,
    hold_s: float | None,
    jitter: float,
    fps: float,
    walk_direction: np.ndarray,
    setup: bool = True,
    idle_s: float = IDLE_S,
) -> Plan:
    """Schedule a whole recording (see the module docstring)."""
    posture = POSTURES[motion.posture]
    standing = POSTURES["standing"]
    start = posture.pose(resolve(motion.start, None))
    stand = standing.pose()
    pieces: list[tuple[float, Piece, str, int]] = []  # (duration, piece, phase label, rep index)
    jitter_spans: list[tuple[float, float]] = []
    clock = 0.0

    def add(duration: float, piece: Piece, label: str, rep: int = -1) -> None:
        nonlocal clock
        pieces.append((duration, piece, label, rep))
        clock += duration

    origin = np.zeros(2)
    if setup:
        heading_yaw = 0.0  # standing base faces +x
        walk_yaw = float(np.degrees(np.arctan2(walk_direction[1], walk_direction[0])))
        walk_from = origin - WALK_DISTANCE * walk_direction[:2]

        def walk(u: float) -> tuple:
            fade = min(1.0, (WALK_S - u) / 0.5)
            phi = 2 * np.pi * u / STRIDE_S
            gait = {"pelvis_yaw": walk_yaw - heading_yaw}
            for side, sign in (("left", 1.0), ("right", -1.0)):
                gait[f"{side}_hip_flex"] = fade * 20 * sign * np.sin(phi)
                gait[f"{side}_knee_flex"] = fade * 35 * max(0.0, sign * np.cos(phi))
                gait[f"{side}_shoulder_flex"] = -fade * 15 * sign * np.sin(phi)
            xy = walk_from + (origin - walk_from) * float(min_jerk(u / WALK_S) * 0.4 + 0.6 * u / WALK_S)
            return stand + pose_vector(gait), standing.base, True, xy, 0.0

        def turn(u: float) -> tuple:
            yaw = (walk_yaw - heading_yaw) * (1 - float(min_jerk(u / TURN_S)))
            return stand + pose_vector({"pelvis_yaw": yaw}), standing.base, True, origin, 0.0

        add(WALK_S, walk, "setup")
        add(TURN_S, turn, "setup")
        if motion.posture != "standing":
            slerp = Slerp([0.0, 1.0], Rotation.from_matrix([standing.base, posture.base]))

            def get_down(u: float) -> tuple:
                w = float(min_jerk(u / GET_DOWN_S))
                return stand + w * (start - stand), slerp(w).as_matrix(), True, origin, 0.0

            add(GET_DOWN_S, get_down, "setup")
    setup_end = clock

    def still(u: float) -> tuple:
        return start, posture.base, False, origin, 0.0

    add(STILL_S if setup else 0.5, still, "still")

    plans: list[RepPlan] = []
    for index in range(reps):
        side = sides[index]
        rep_errors = errors.get(index, [])
        scale = range_scale
        speed = tempo
        offsets = np.zeros(len(JOINTS))
        whole_rep_offsets = np.zeros(len(JOINTS))
        pose_offsets: dict[str, np.ndarray] = {}
        for error_id, error_side in rep_errors:
            spec = motion.errors[error_id]
            scale *= spec.range
            speed *= spec.tempo
            vector = _delta(resolve(spec.offsets, error_side or side))
            if spec.apply == "rep":
                whole_rep_offsets += vector
            elif spec.apply.startswith("pose:"):
                name = spec.apply.removeprefix("pose:")
                pose_offsets[name] = pose_offsets.get(name, np.zeros(len(JOINTS))) + vector
            else:
                offsets += vector
        targets = {"start": (np.zeros(len(JOINTS)), 0.0, np.zeros(len(JOINTS)))}
        for name, angles in motion.poses.items():
            delta = posture.pose({**resolve(motion.start, None), **resolve(angles, side)}) - start
            targets[name] = (delta, 1.0, pose_offsets.get(name, np.zeros(len(JOINTS))))
        rep_start = clock
        plan = RepPlan(index=index, side=side, start=rep_start, end=rep_start, errors=list(rep_errors))
        previous = targets["start"]
        segments = []
        for segment in motion.rep:
            seconds = segment.seconds
            if segment.kind == "hold" and hold_s is not None:
                seconds = hold_s
            if seconds is None:
                raise ValueError(f"{motion.exercise}: hold segment has no seconds and no hold_s was given")
            if segment.kind in ("out", "return"):
                seconds /= speed
            elif segment.kind == "rest":
                seconds /= tempo
            segments.append((segment, seconds))
        rep_length = sum(s for _, s in segments)
        peak_done = False
        first_out = next((i for i, (s, _) in enumerate(segments) if s.kind == "out"), None)
        last_return = max((i for i, (s, _) in enumerate(segments) if s.kind == "return"), default=None)
        for i, (segment, seconds) in enumerate(segments):
            target = targets[segment.to]
            ease: Callable[[float], float] = lambda u, d=seconds: float(min_jerk(u / d))  # noqa: E731
            if jitter > 0 and i in (first_out, last_return):
                level = OUT_LEVEL if i == first_out else 1 - RETURN_LEVEL
                seconds, ease = _hover_curve(seconds, level, jitter)
                reach = max(segments[i][1] * level, 0.3)
                jitter_spans.append((clock + reach, clock + reach + HOVER_S))
            piece = _segment_piece(start, posture.base, previous, target, ease, scale, offsets, whole_rep_offsets, clock - rep_start, rep_length)
            if segment.kind == "hold":
                plan.holds.append((clock, clock + seconds))
            # The peak ends the first unbroken run of "out" segments (a move may pass waypoints).
            if segment.kind == "out" and not peak_done:
                plan.peak = clock + seconds
            elif plan.peak:
                peak_done = True
            add(seconds, piece, segment.kind, index)
            previous = target
        plan.end = clock
        plans.append(plan)

    idle_start = clock
    add(idle_s, still, "idle")

    n = int(np.floor(clock * fps)) + 1
    t = np.arange(n) / fps
    poses = np.zeros((n, len(JOINTS)))
    base = np.zeros((n, 3, 3))
    free = np.zeros(n, bool)
    xy = np.zeros((n, 2))
    progress = np.zeros(n)
    phase = np.empty(n, dtype=object)
    rep_index = np.full(n, -1)
    bounds = np.cumsum([0.0] + [p[0] for p in pieces])
    k = 0
    for i, ti in enumerate(t):
        while k < len(pieces) - 1 and ti >= bounds[k + 1]:
            k += 1
        duration, piece, label, rep = pieces[k]
        poses[i], base[i], free[i], xy[i], progress[i] = piece(min(ti - bounds[k], duration))
        phase[i], rep_index[i] = label, rep
    return Plan(t, poses, base, free, xy, progress, phase, rep_index, jitter_spans, plans, setup_end, idle_start, start)


def _delta(values: dict[str, float]) -> np.ndarray:
    vector = np.zeros(len(JOINTS))
    for name, value in values.items():
        vector[JOINT_INDEX[name]] += value
    return vector


def _segment_piece(start, base, previous, target, ease, scale, offsets, whole_rep, rep_clock, rep_length) -> Piece:
    (from_delta, from_progress, from_extra), (to_delta, to_progress, to_extra) = previous, target

    def piece(u: float) -> tuple:
        s = ease(u)
        delta = from_delta + s * (to_delta - from_delta)
        # Errors tied to one pose ride along with it (``from_extra``/``to_extra``).
        delta = delta + (from_extra + s * (to_extra - from_extra)) / scale
        progress = from_progress + s * (to_progress - from_progress)
        # Whole-rep offsets ramp in over the first and out over the last 15% of the repetition.
        r = (rep_clock + u) / rep_length
        ramp = float(min_jerk(min(r, 1 - r) / 0.15))
        pose = start + scale * delta + progress * offsets + ramp * whole_rep
        return pose, base, False, np.zeros(2), progress

    return piece

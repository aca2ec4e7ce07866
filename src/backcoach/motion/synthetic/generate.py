"""Synthetic recordings of an exercise with exact ground truth.

:func:`generate` animates the articulated body through an exercise's reference motion, films it
with a pinhole camera from the exercise's view and adds what real pose tracking adds (pixel noise,
dropped frames, unreliable far-side landmarks). :func:`demo_frames` gives one clean repetition for
the app's animated demonstration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from backcoach.exercises import load_exercise
from backcoach.motion.synthetic import camera as cam
from backcoach.motion.synthetic.body import JOINTS, BodyShape
from backcoach.motion.synthetic.motions import Motion, load_motion
from backcoach.motion.synthetic.postures import POSTURES
from backcoach.motion.synthetic.render import render
from backcoach.motion.synthetic.timeline import Plan, RepPlan, build_plan
from backcoach.motion.synthetic.truth import image_angles, world_angles
from backcoach.paths import EXERCISES_DIR
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import Landmark

#: Margin kept between the body and the image border while exercising (fraction of the image);
#: the brief (§4.0) asks for at least 5%.
FRAME_MARGIN = 0.06
#: Extra noise (in multiples of ``noise_px``, plus pixels) on hidden far-side landmarks.
FAR_SIDE_NOISE = (3.0, 4.0)


class SyntheticError(ValueError):
    """Impossible generator settings (unknown error id, bad rep index, bad side...)."""


@dataclass
class RepTruth:
    """What really happened in one repetition."""

    index: int
    side: str | None
    start: float
    end: float
    peak: float
    errors: list[tuple[str, str | None]]
    holds: list[tuple[float, float]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "side": self.side, "start": self.start, "end": self.end, "peak": self.peak,
            "errors": [{"id": e, "side": s} for e, s in self.errors], "holds": [list(h) for h in self.holds],
        }  # fmt: skip


@dataclass
class Truth:
    """Exact ground truth of a synthetic recording (times in seconds).

    ``angles`` are the standard angles (:mod:`.truth`) of the noise-free image landmarks, what a
    perfect tracker would show; ``angles_3d`` the same of the true 3D body; ``joints`` the joint
    parameters (degrees) that drove the body. ``phase`` labels every frame (setup, still, out,
    hold, return, rest, idle); ``missing`` marks dropped frames.
    """

    exercise: str
    reps: list[RepTruth]
    setup: tuple[float, float]
    idle: tuple[float, float]
    jitter: list[tuple[float, float]]
    phase: np.ndarray
    rep_index: np.ndarray
    progress: np.ndarray
    missing: np.ndarray
    angles: dict[str, np.ndarray]
    angles_3d: dict[str, np.ndarray]
    joints: dict[str, np.ndarray]
    view: str
    camera_side: str
    camera_distance: float

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (no per-frame arrays), stored in recording metadata."""
        return {
            "exercise": self.exercise, "reps": [r.as_dict() for r in self.reps],
            "setup": list(self.setup), "idle": list(self.idle), "jitter": [list(j) for j in self.jitter],
            "view": self.view, "camera_side": self.camera_side, "camera_distance": self.camera_distance,
        }  # fmt: skip


@dataclass
class SyntheticRecording:
    """A generated recording: what the engine sees, the truth, and the noise-free originals."""

    sequence: PoseSequence
    truth: Truth
    camera: cam.Camera
    world: np.ndarray = field(repr=False)  # (T, 33, 3) true world landmarks, metres, z up
    clean: np.ndarray = field(repr=False)  # (T, 33, 3) noise-free normalised image landmarks


def _exercise_settings(exercise_id: str, motion: Motion) -> tuple[str, str, float | None, bool]:
    """(view, sides, hold seconds, defined) from the exercise definition, or motion-based fallbacks.

    Reads only this exercise's file, so one broken file elsewhere in the library does not stop
    the generator.
    """
    path = EXERCISES_DIR / f"{exercise_id}.toml"
    if not path.is_file():
        return "side", "alternating" if motion.sided else "bilateral", None, False
    exercise = load_exercise(path)
    hold = exercise.dosage.beginner.hold_s or None
    return exercise.view, exercise.sides, hold, True


def _rep_sides(pattern: str, reps: int, side: str | None) -> list[str | None]:
    if side not in (None, "left", "right"):
        raise SyntheticError(f"side {side!r} must be 'left', 'right' or None")
    if pattern == "bilateral":
        return [None] * reps
    first = side or "left"
    if pattern == "per_side":
        return [first] * reps
    second = "right" if first == "left" else "left"
    return [first if i % 2 == 0 else second for i in range(reps)]


def parse_error_spec(item: str) -> tuple[str, str | None]:
    """``"error_id"`` or ``"error_id:left"`` -> (id, side or None)."""
    error_id, _, side = item.partition(":")
    if side and side not in ("left", "right"):
        raise SyntheticError(f"error {item!r}: side after ':' must be 'left' or 'right'")
    return error_id, side or None


def _check_errors(motion: Motion, reps: int, errors: dict[int, list[str]] | None, sides: list[str | None]) -> dict[int, list[tuple[str, str | None]]]:
    out: dict[int, list[tuple[str, str | None]]] = {}
    for rep, items in (errors or {}).items():
        if not 0 <= rep < reps:
            raise SyntheticError(f"errors: repetition index {rep} is outside 0..{reps - 1}")
        for item in items:
            error_id, side = parse_error_spec(item)
            if error_id not in motion.errors:
                raise SyntheticError(
                    f"errors: {error_id!r} is not an error of {motion.exercise}; "
                    f"known: {', '.join(sorted(motion.errors)) or '(none)'}"
                )
            spec = motion.errors[error_id]
            if spec.sided:
                default = sides[rep] or "left"
                if spec.on == "other" and sides[rep]:
                    default = "right" if sides[rep] == "left" else "left"
                side = side or default
            else:
                side = sides[rep]
            out.setdefault(rep, []).append((error_id, side))
    return out


def _fit_camera(world: np.ndarray, plan: Plan, direction: np.ndarray, distance: float, size: tuple[int, int], yaw: float, pitch: float, roll: float) -> cam.Camera:
    """Camera at ``distance`` (or further back until the exercising body fits the image)."""
    exercising = world[~plan.free]
    lo, hi = exercising.reshape(-1, 3).min(axis=0), exercising.reshape(-1, 3).max(axis=0)
    target = (lo + hi) / 2
    for _ in range(40):
        camera = cam.place_camera(target, direction, distance, size, yaw, pitch, roll)
        xy = camera.project(exercising, exercising[:, Landmark.left_hip])[..., :2]
        if xy.min() >= FRAME_MARGIN and xy.max() <= 1 - FRAME_MARGIN:
            return camera
        distance *= 1.1
    raise SyntheticError("the body does not fit the image even 40x further away; check the motion")


def generate(
    exercise_id: str,
    reps: int = 3,
    *,
    tempo: float = 1.0,
    range_scale: float = 1.0,
    side: str | None = None,
    errors: dict[int, list[str]] | None = None,
    hold_s: float | None = None,
    noise_px: float = 0.0,
    jitter: float = 0.0,
    dropout_rate: float = 0.0,
    occlude_far_side: bool = False,
    occlusion: bool = False,
    view: str | None = None,
    camera_side: str = "left",
    view_yaw_deg: float = 0.0,
    view_pitch_deg: float = 0.0,
    view_roll_deg: float = 0.0,
    distance_m: float = 1.5,
    image_size: tuple[int, int] | None = None,
    body: BodyShape | None = None,
    fps: float = 30.0,
    setup: bool = True,
    idle_s: float = 2.0,
    seed: int = 0,
) -> SyntheticRecording:
    """Generate a recording of ``reps`` repetitions of an exercise with exact ground truth.

    Parameters
    ----------
    exercise_id : str
        An exercise with a reference motion (``exercises/motions/<id>.toml``).
    reps : int
        Repetitions (all on ``side`` for per-side exercises; alternating sides, starting with
        ``side``, for alternating ones).
    tempo, range_scale : float
        Speed multiplier (2 = twice as fast) and excursion multiplier (0.5 = half-range reps).
    side : {"left", "right"} or None
        First (or only) moving side; None = left for sided exercises.
    errors : dict of int to list of str
        Errors to inject: ``{rep_index: ["error_id", "error_id:right", ...]}``. A sided error
        happens on the given side, else the repetition's side (left for bilateral exercises).
    hold_s : float, optional
        Length of every hold; default the exercise's beginner dosage, else the motion's.
    noise_px : float
        Standard deviation of Gaussian landmark noise, pixels.
    jitter : float
        Amplitude (fraction of the excursion) of a wobble around the out and return thresholds
        in every repetition; 0 disables it.
    dropout_rate : float
        Probability that a frame has no detected person (all landmarks NaN, visibility 0).
    occlude_far_side : bool
        Make hidden far-side landmarks unreliable too (extra noise), not just less visible.
    occlusion : bool
        Hide landmarks by the body's shape (torso, head and limb solids between them and the
        lens) instead of lowering every far member of a left/right pair by how side-on it is.
    view, camera_side : str
        Camera view (default: the exercise's) and, for a side view, the subject's side it films.
    view_yaw_deg, view_pitch_deg : float
        Camera turned about the subject (yaw) and raised (pitch) from the nominal view.
    view_roll_deg : float
        Phone turned about its lens axis (positive: true up leans toward the image's right).
        Every frame carries the tilt the phone's accelerometer would report.
    distance_m : float
        Camera distance; moved back automatically if the exercising body would not fit.
    image_size : (int, int), optional
        Default portrait 720x1280 for upright postures, landscape 1280x720 otherwise.
    body : BodyShape, optional
        Height and proportions (default 1.70 m, average proportions).
    fps : float
        Frame rate.
    setup : bool
        Include the lead-in (walk in, turn, get into position); off gives 0.5 s of start pose.
    idle_s : float
        Seconds in the start pose after the last repetition.
    seed : int
        Seed of every random choice: equal seeds give identical recordings.
    """
    motion = load_motion(exercise_id)
    default_view, pattern, dosage_hold, defined = _exercise_settings(exercise_id, motion)
    view = view or default_view
    if reps < 0:
        raise SyntheticError(f"reps = {reps} must be 0 or more")
    if not 0 <= dropout_rate < 1:
        raise SyntheticError(f"dropout_rate = {dropout_rate} must lie in [0, 1)")
    if tempo <= 0 or range_scale <= 0 or fps <= 0:
        raise SyntheticError("tempo, range_scale and fps must be positive")
    sides = _rep_sides(pattern, reps, side)
    if motion.start_depends_on_side:
        if len(set(sides)) > 1:
            raise SyntheticError(
                f"{exercise_id}: the motion's start depends on the side (mirror or {{side}} in [start]), "
                f"so every rep of a set must be on one side; this set goes {', '.join(map(str, sides))}"
            )
        motion = motion.for_set(sides[0] if sides else side)
    rep_errors = _check_errors(motion, reps, errors, sides)
    body = body or BodyShape()
    posture = POSTURES[motion.posture]
    direction = cam.view_direction(view, posture.heading, posture.left, posture.base[:, 0], camera_side)
    # Walk in across the picture: perpendicular to the line of sight.
    walk_direction = np.cross([0.0, 0.0, 1.0], direction)
    plan = build_plan(
        motion, reps=reps, sides=sides, errors=rep_errors, tempo=tempo, range_scale=range_scale,
        hold_s=hold_s if hold_s is not None else dosage_hold, jitter=jitter, fps=fps,
        walk_direction=walk_direction, setup=setup, idle_s=idle_s,
    )  # fmt: skip
    world, head_forward = render(body, motion, plan)

    upright = posture.upright if motion.image is None else motion.image == "portrait"
    size = image_size or (cam.PORTRAIT if upright else cam.LANDSCAPE)
    pitch = view_pitch_deg + cam.VIEW_PITCH.get(view, 0.0)
    camera = _fit_camera(world, plan, direction, distance_m, size, view_yaw_deg, pitch, view_roll_deg)
    hip_mid = (world[:, Landmark.left_hip] + world[:, Landmark.right_hip]) / 2
    clean = camera.project(world, hip_mid)
    visibility = cam.visibility(camera, world, head_forward, body, occlusion)
    camera_frame = camera.to_camera(world)
    world_out = camera_frame - camera.to_camera(hip_mid)[:, None, :]

    rng = np.random.default_rng(seed)
    xyz, world_noisy = _add_noise(clean, world_out, camera_frame, visibility, camera, noise_px, occlude_far_side, rng)
    visibility = np.clip(visibility + rng.normal(0.0, 0.01, visibility.shape), 0.0, 1.0)
    in_frame = ((clean[..., :2] >= 0) & (clean[..., :2] <= 1)).all(axis=-1).mean(axis=1)
    missing = (rng.random(len(plan.t)) < dropout_rate) | (in_frame < 0.5)
    xyz[missing] = np.nan
    world_noisy[missing] = np.nan
    visibility[missing] = 0.0

    truth = Truth(
        exercise=exercise_id,
        reps=[RepTruth(r.index, r.side, r.start, r.end, r.peak, r.errors, r.holds) for r in plan.reps],
        setup=(0.0, plan.setup_end), idle=(plan.idle_start, float(plan.t[-1])), jitter=plan.jitter,
        phase=plan.phase, rep_index=plan.rep_index, progress=plan.progress, missing=missing,
        angles=image_angles(clean, size, camera.tilt[0]), angles_3d=world_angles(world),
        joints={name: plan.poses[:, i] for i, name in enumerate(JOINTS)},
        view=view, camera_side=camera_side, camera_distance=float(np.linalg.norm(camera.position - (world[~plan.free].reshape(-1, 3).min(0) + world[~plan.free].reshape(-1, 3).max(0)) / 2)),
    )  # fmt: skip
    meta = {
        "source": "synthetic", "exercise": exercise_id, "seed": seed, "fps": fps, "noise_px": noise_px,
        "jitter": jitter, "dropout_rate": dropout_rate, "occlude_far_side": occlude_far_side, "occlusion": occlusion,
        "view_yaw_deg": view_yaw_deg, "view_pitch_deg": view_pitch_deg, "view_roll_deg": view_roll_deg, "camera_tilt": list(camera.tilt), "body_height": body.height,
        "exercise_defined": defined, "truth": truth.summary(),
    }  # fmt: skip
    # The phone stands still: every frame reports the same accelerometer reading.
    tilt = np.tile(camera.tilt, (len(plan.t), 1))
    sequence = PoseSequence(t=plan.t, xyz=xyz, visibility=visibility, image_size=size, meta=meta, world=world_noisy, camera_tilt=tilt)
    return SyntheticRecording(sequence=sequence, truth=truth, camera=camera, world=world, clean=clean)


def _add_noise(clean, world_out, camera_frame, visibility, camera, noise_px, occlude_far_side, rng):
    """Pixel noise on image landmarks and the matching metric noise on world landmarks."""
    width, height = camera.image_size
    sigma = np.full(visibility.shape, float(noise_px))
    if occlude_far_side:
        hidden = visibility < 0.6
        sigma[hidden] = FAR_SIDE_NOISE[0] * noise_px + FAR_SIDE_NOISE[1]
    pixels = rng.normal(size=clean.shape) * sigma[..., None]
    xyz = clean.copy()
    xyz[..., 0] += pixels[..., 0] / width
    xyz[..., 1] += pixels[..., 1] / height
    xyz[..., 2] += pixels[..., 2] / width
    metres = pixels * (camera_frame[..., 2:3] / camera.focal)
    return xyz.astype(np.float32), (world_out + metres).astype(np.float32)


def demo_frames(exercise_id: str, fps: float = 30.0, *, body: BodyShape | None = None) -> PoseSequence:
    """One clean repetition (with half a second in the start pose either side) for the app's demo.

    Filmed from the exercise's recommended view; no noise, no setup lead-in.
    """
    recording = generate(exercise_id, reps=1, fps=fps, body=body, setup=False, idle_s=0.5, seed=0)
    sequence = recording.sequence
    sequence.meta = {**sequence.meta, "demo": True}
    return sequence

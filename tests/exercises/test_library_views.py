"""Exercise features read the body the way a real camera sees it: turned, pitched, from one side.

Hand-built frames (y-up points in image heights) with known answers; the synthetic sets under the
same cameras are in tests/motion/test_synthetic_accuracy.py.
"""

from __future__ import annotations

import math

import pytest

from backcoach.evaluation import exercise_correction
from backcoach.evaluation.runner import run_set
from backcoach.evaluation.synthetic import match_reps
from backcoach.exercises import get_exercise
from backcoach.motion.features import CompiledFeatures, FrameView
from backcoach.motion.geometry import distance, near_side, to_image_points
from backcoach.motion.synthetic import generate as synthetic_generate
from backcoach.motion.synthetic.motions import load_motion
from backcoach.pose.formats import load_recording
from backcoach.pose.skeleton import INDEX

REFS = {"torso": 0.5, "leg": 0.9, "shoulder_width": 0.25, "hip_width": 0.2}


def view(**points) -> FrameView:
    """A frame view with the named landmarks at the given (X, Y) points, all visible."""
    pts = [(0.0, 0.0)] * 33
    vis = [0.0] * 33
    for name, point in points.items():
        pts[INDEX[name]] = point
        vis[INDEX[name]] = 1.0
    return FrameView(points=pts, vis=vis, refs=dict(REFS))


def feature(exercise_id: str, name: str, side: str | None, frame: FrameView) -> float:
    return CompiledFeatures(get_exercise(exercise_id)).evaluate(name, side, frame)


def along(origin, length, incl_deg):
    """The point ``length`` from ``origin`` toward the left of the image at ``incl_deg`` from horizontal."""
    a = math.radians(incl_deg)
    return (origin[0] - length * math.cos(a), origin[1] + length * math.sin(a))


def supine(tilt_deg: float, thigh_deg: float, hip_up: float = 0.0) -> FrameView:
    """Lying on the back, head to the right, stretching the left leg (right leg resting). The whole
    body line slopes ``tilt_deg`` in the image (perspective); the resting thigh is at ``thigh_deg``
    from the image horizontal; ``hip_up`` raises both hips above that line."""
    shoulder_mid = (1.2, 0.31)
    line_hip = along(shoulder_mid, 0.5, tilt_deg)
    hip_mid = (line_hip[0], line_hip[1] + hip_up)
    return view(
        left_shoulder=(1.2, 0.30), right_shoulder=(1.2, 0.32),
        left_hip=(hip_mid[0], hip_mid[1] - 0.01), right_hip=(hip_mid[0], hip_mid[1] + 0.01),
        right_knee=along((hip_mid[0], hip_mid[1] + 0.01), 0.45, thigh_deg),
    )  # fmt: skip


@pytest.mark.parametrize(
    "tilt, thigh, hip_up, expected",
    [
        pytest.param(-11.0, -11.0, 0.0, 0.0, id="flat-leg-camera-turned"),  # the old abs(incl_h) read 11
        pytest.param(0.0, 0.0, 0.0, 0.0, id="flat-leg-level-camera"),
        pytest.param(-11.0, 9.0, 0.0, 20.0, id="leg-lifted-20-camera-turned"),
        pytest.param(0.0, 20.0, 0.0, 20.0, id="leg-lifted-20"),
        # Hips 0.07 up with the knee on the floor: trunk +7.97 deg, thigh -8.84 deg.
        pytest.param(0.0, -math.degrees(math.atan(0.07 / 0.45)), 0.07, -16.81, id="hips-lifted-knee-down"),
    ],
)
def test_hamstring_resting_thigh_is_read_against_the_lying_trunk(tilt, thigh, hip_up, expected):
    """S16: the resting leg lifts when it rises off the line of the trunk, not off the image horizontal."""
    assert feature("hamstring_stretch", "other_thigh", "left", supine(tilt, thigh, hip_up)) == pytest.approx(expected, abs=0.01)


# --- front_plank: a sag as deep as the real ones is a rep, not counted, with hips_sagging ---------

#: A sag as deep as Exercise-Correction's sagging planks (body line +0.19 there): the pelvis and the
#: trunk tilt 13 deg and the hips extend 20 deg more than the reference motion's milder sag, so the
#: toes stay on the floor and the legs lie level, hips about 11 cm below the correct plank's.
DEEP_SAG = {"pelvis_pitch": -13.0, "hip_flex": -20.0, "shoulder_flex": -13.0}


def _deep_sag_recording(monkeypatch, **camera):
    motion = load_motion("front_plank")
    deep = motion.errors["hips_sagging"].model_copy(update={"offsets": DEEP_SAG})
    monkeypatch.setattr(synthetic_generate, "load_motion", lambda _id: motion.model_copy(
        update={"errors": {**motion.errors, "hips_sagging": deep}}))
    return synthetic_generate.generate("front_plank", 3, errors={1: ["hips_sagging"]}, hold_s=3.0, seed=7, **camera)


def test_deep_sag_motion_keeps_the_toes_on_the_floor(monkeypatch):
    recording = _deep_sag_recording(monkeypatch)
    mid = [int((r.start + r.end) / 2 * recording.sequence.fps) for r in recording.truth.reps]
    toe, hip = (recording.world[mid][:, INDEX[f"left_{p}"], 2] for p in ("foot_index", "hip"))
    assert toe[1] == pytest.approx(toe[0], abs=0.005)  # on the floor like the correct plank's toes
    assert hip[0] - hip[1] == pytest.approx(0.109, abs=0.005)


@pytest.mark.parametrize("camera", [
    pytest.param({}, id="level"),
    pytest.param({"noise_px": 2.0, "view_yaw_deg": 15.0}, id="noise2-yaw15"),
    pytest.param({"noise_px": 3.0, "view_yaw_deg": -10.0, "view_pitch_deg": 10.0}, id="noise3-yaw-10-pitch10"),
])  # fmt: skip
def test_deep_sag_is_a_rep_not_counted_with_hips_sagging(monkeypatch, camera):
    """Before: the rise of the hips (0.61) stayed under OUT and the sag was no rep at all."""
    recording = _deep_sag_recording(monkeypatch, **camera)
    run = run_set("front_plank", recording.sequence.frames(), hold_s=3.0)
    matched = match_reps(recording, run)
    assert sorted(matched) == [0, 1, 2], [(r.t, r.reason) for r in run.reps]
    assert [matched[i].counted for i in range(3)] == [True, False, True]
    assert [[e.id for e in matched[i].errors] for i in range(3)] == [[], ["hips_sagging"], []]
    assert matched[1].errors[0].value > 0.19


def test_real_sagging_planks_pass_out(shared_data):
    """Exercise-Correction's sagging-plank frames (body line +0.19): the hips rise only to 0.50 of
    the line, under OUT, but on the toes the knees are clear of the floor."""
    exercise = get_exercise("front_plank")
    phases = exercise.phases
    out = phases.start + phases.out_fraction * (phases.target - phases.start) + phases.hysteresis
    sequence = load_recording(exercise_correction.PATH, "exercise-correction", image_size=exercise_correction.IMAGE_SIZE)
    compiled = CompiledFeatures(exercise)
    lift, rise = [], []
    for frame, label in zip(sequence.frames(), sequence.meta["labels"]):
        if label != "L":
            continue
        points = to_image_points(frame.xyz, frame.image_size)
        vis = frame.visibility.tolist()
        side = near_side(vis)
        s, h = INDEX[f"{side}_shoulder"], INDEX[f"{side}_hip"]
        refs = {**REFS, "torso": distance(points[s], points[h])}
        lift.append(compiled.evaluate("lift", side, FrameView(points, vis, refs)))
        rise.append(compiled.evaluate("rise", side, FrameView(points, vis, refs)))
    assert len(lift) == 235
    assert sum(v >= out for v in rise) / len(rise) == pytest.approx(0.04, abs=0.005)
    assert sum(v >= out for v in lift) / len(lift) == pytest.approx(0.67, abs=0.005)

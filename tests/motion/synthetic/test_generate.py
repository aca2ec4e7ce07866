"""The generator: determinism, ground truth, injected errors, noise and dropouts."""

from __future__ import annotations

import numpy as np
import pytest

from backcoach.motion.synthetic.body import JOINTS
from backcoach.motion.synthetic.generate import SyntheticError, demo_frames, generate
from backcoach.motion.synthetic.motions import load_motion, motion_ids, resolve
from backcoach.motion.synthetic.truth import image_angles
from backcoach.pose.skeleton import MIRROR, Landmark as L


def at(recording, time):
    return int(round(time * recording.sequence.fps))


def test_same_seed_gives_the_same_recording_and_another_seed_differs():
    a = generate("squat", reps=2, noise_px=2.0, dropout_rate=0.05, seed=7)
    b = generate("squat", reps=2, noise_px=2.0, dropout_rate=0.05, seed=7)
    c = generate("squat", reps=2, noise_px=2.0, dropout_rate=0.05, seed=8)
    np.testing.assert_array_equal(a.sequence.xyz, b.sequence.xyz)
    np.testing.assert_array_equal(a.sequence.visibility, b.sequence.visibility)
    assert not np.array_equal(np.nan_to_num(a.sequence.xyz), np.nan_to_num(c.sequence.xyz))


def test_truth_lists_each_rep_after_the_setup_with_its_side():
    recording = generate("squat", reps=3)
    truth = recording.truth
    assert truth.rep_count == 3
    assert truth.reps[0].start >= truth.setup[1]
    assert all(a.end <= b.start + 1e-9 for a, b in zip(truth.reps, truth.reps[1:]))
    assert truth.idle[0] == pytest.approx(truth.reps[-1].end)
    assert [r.side for r in truth.reps] == [None, None, None]
    # Phase labels agree with the rep boundaries.
    t = recording.sequence.t
    inside = (t >= truth.reps[1].start) & (t < truth.reps[1].end)
    assert set(truth.phase[inside]) <= {"out", "hold", "return", "rest"}
    assert set(truth.rep_index[inside]) == {1}
    assert set(truth.phase[t < truth.setup[1]]) == {"setup"}


def test_noise_free_recording_matches_its_clean_projection():
    recording = generate("squat", reps=1)
    seen = ~recording.truth.missing  # frames while walking in from off screen have no person
    assert seen.sum() > 0.8 * len(seen)
    np.testing.assert_allclose(recording.sequence.xyz[seen], recording.clean[seen], atol=1e-6)


def test_pixel_noise_has_the_requested_spread():
    recording = generate("squat", reps=2, noise_px=3.0, seed=1, setup=False)
    width, height = recording.sequence.image_size
    pixels = (recording.sequence.xyz[..., :2] - recording.clean[..., :2]) * np.array([width, height])
    assert np.std(pixels) == pytest.approx(3.0, rel=0.05)


def test_dropouts_blank_whole_frames():
    recording = generate("squat", reps=3, dropout_rate=0.2, seed=3, setup=False)
    missing = recording.truth.missing
    assert 0.12 < missing.mean() < 0.28
    assert np.isnan(recording.sequence.xyz[missing]).all()
    assert (recording.sequence.visibility[missing] == 0).all()
    assert np.isfinite(recording.sequence.xyz[~missing]).all()


def test_setup_walks_in_from_outside_the_picture():
    recording = generate("squat", reps=1)
    first = recording.clean[0, L.left_hip, 0]
    assert first < 0 or first > 1  # the subject starts off screen...
    assert recording.truth.missing[0]  # ...where no person is detected
    assert 0.3 < recording.clean[at(recording, recording.truth.setup[1]), L.left_hip, 0] < 0.7


def test_tempo_scales_the_duration_of_a_rep():
    slow = generate("squat", reps=1, setup=False).truth.reps[0]
    fast = generate("squat", reps=1, tempo=2.0, setup=False).truth.reps[0]
    assert fast.end - fast.start == pytest.approx((slow.end - slow.start) / 2, abs=1 / 30)


def test_range_scale_scales_the_excursion():
    full = generate("squat", reps=1, setup=False)
    half = generate("squat", reps=1, range_scale=0.5, setup=False)
    drop = lambda r: r.truth.joints["pelvis_up"][at(r, r.truth.reps[0].peak)]  # noqa: E731
    assert drop(half) == pytest.approx(drop(full) / 2)


def test_jitter_hovers_around_the_out_and_return_thresholds():
    recording = generate("squat", reps=2, jitter=0.08, setup=False)
    truth = recording.truth
    assert len(truth.jitter) == 4  # one hover going out, one coming back, per rep
    t = recording.sequence.t
    for start, end in truth.jitter:
        progress = truth.progress[(t >= start) & (t < end)]
        assert progress.max() - progress.min() == pytest.approx(0.16, abs=0.01)
        assert np.mean(progress) == pytest.approx(0.3, abs=0.02) or np.mean(progress) == pytest.approx(0.2, abs=0.02)


def test_squat_error_changes_the_trunk_lean_by_its_offset():
    recording = generate("squat", reps=2, errors={1: ["trunk_too_far_forward"]}, setup=False)
    reps = recording.truth.reps
    lean = recording.truth.angles_3d["trunk_incl_v"]
    change = lean[at(recording, reps[1].peak)] - lean[at(recording, reps[0].peak)]
    assert change == pytest.approx(30.0, abs=1e-6)


def test_squat_heels_lift_raises_the_heels_about_the_toes():
    recording = generate("squat", reps=2, errors={1: ["heels_lift"]}, setup=False)
    world = recording.world

    def foot_pitch(rep):
        foot = world[at(recording, recording.truth.reps[rep].peak), L.left_foot_index]
        foot = foot - world[at(recording, recording.truth.reps[rep].peak), L.left_heel]
        return np.degrees(np.arcsin(-foot[2] / np.linalg.norm(foot)))

    # The foot turns 20 deg about the toes: its pitch changes by exactly the offset.
    assert foot_pitch(1) - foot_pitch(0) == pytest.approx(20.0, abs=1e-6)
    assert world[at(recording, recording.truth.reps[0].peak), L.left_heel, 2] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("exercise_id", motion_ids())
def test_every_error_offsets_the_joints_by_its_documented_amount(exercise_id):
    motion = load_motion(exercise_id)
    for error_id, spec in motion.errors.items():
        recording = generate(exercise_id, reps=3, errors={2: [error_id]}, setup=False)
        truth = recording.truth
        clean, bad = truth.reps[0], truth.reps[2]
        assert clean.side == bad.side
        assert [e for e, _ in bad.errors] == [error_id]
        joints = np.array([truth.joints[name] for name in JOINTS]).T
        if spec.tempo != 1.0:
            out = lambda rep: rep.peak - rep.start  # noqa: E731
            assert out(bad) < out(clean) / spec.tempo + 0.1, error_id
        if spec.offsets and spec.apply == "progress" and spec.range == 1.0:
            delta = joints[at(recording, bad.peak)] - joints[at(recording, clean.peak)]
            expected = resolve(spec.offsets, bad.errors[0][1] or bad.side)
            for name, value in expected.items():
                assert delta[JOINTS.index(name)] == pytest.approx(value, abs=1e-9), f"{error_id}: {name}"
        if spec.range != 1.0:
            start = joints[at(recording, clean.start)]
            ratio = np.abs(joints[at(recording, bad.peak)] - start).max() / np.abs(joints[at(recording, clean.peak)] - start).max()
            assert ratio == pytest.approx(spec.range, rel=1e-6), error_id


@pytest.mark.parametrize("exercise_id", motion_ids())
def test_no_body_part_sinks_into_the_floor(exercise_id):
    motion = load_motion(exercise_id)
    errors = {i + 1: [error_id] for i, error_id in enumerate(motion.errors)}
    recording = generate(exercise_id, reps=len(errors) + 1, errors=errors, setup=False)
    from backcoach.motion.synthetic.body import BodyShape

    gap = recording.world[..., 2] - BodyShape().clearance
    assert gap.min() > -0.03, f"lowest landmark {gap.min():.3f} m into the floor"


@pytest.mark.parametrize("exercise_id", motion_ids())
def test_demo_is_one_clean_rep(exercise_id):
    demo = demo_frames(exercise_id, fps=20)
    assert demo.fps == pytest.approx(20)
    assert demo.meta["truth"]["reps"] and len(demo.meta["truth"]["reps"]) == 1
    assert np.isfinite(demo.xyz).all()


def test_bad_settings_are_clear_errors():
    with pytest.raises(SyntheticError, match="'wobble' is not an error of squat; known: heels_lift"):
        generate("squat", reps=2, errors={0: ["wobble"]})
    with pytest.raises(SyntheticError, match="repetition index 5 is outside 0..1"):
        generate("squat", reps=2, errors={5: ["heels_lift"]})
    with pytest.raises(SyntheticError, match="side 'up'"):
        generate("squat", side="up")


def test_a_right_side_plank_is_the_left_one_mirrored():
    left = generate("side_plank", reps=1, side="left", setup=False, seed=0)
    right = generate("side_plank", reps=1, side="right", setup=False, seed=0)
    assert [r.side for r in right.truth.reps] == ["right"]
    mirrored = right.world[:, list(MIRROR)] * np.array([1.0, -1.0, 1.0])
    assert np.allclose(mirrored, left.world, atol=1e-6)
    # Left side down: the left shoulder is the lower one, and on a right set the right one.
    i = at(left, left.truth.reps[0].peak)
    assert left.world[i, L.left_shoulder, 2] < left.world[i, L.right_shoulder, 2] - 0.2
    assert right.world[i, L.right_shoulder, 2] < right.world[i, L.left_shoulder, 2] - 0.2


def test_a_side_dependent_start_cannot_alternate_sides(monkeypatch):
    import backcoach.motion.synthetic.generate as gen

    real = gen._exercise_settings
    monkeypatch.setattr(gen, "_exercise_settings", lambda e, m: (*real(e, m)[:1], "alternating", *real(e, m)[2:]))
    with pytest.raises(SyntheticError, match="start depends on the side .* this set goes left, right"):
        generate("side_plank", reps=2)


def test_with_occlusion_the_far_hand_on_the_chest_is_seen_and_the_far_knee_is_not():
    # Lying on the back, filmed from the left at floor level: the right (far) hand rests on the chest.
    flat = generate("diaphragmatic_breathing", 1, setup=False, seed=2)
    shaped = generate("diaphragmatic_breathing", 1, setup=False, seed=2, occlusion=True)
    assert shaped.sequence.meta["occlusion"] is True
    for recording, wrist in ((flat, (0.2, 0.5)), (shaped, (0.7, 0.9))):
        visibility = recording.sequence.visibility
        assert wrist[0] < np.median(visibility[:, L.right_wrist]) < wrist[1]
        assert np.median(visibility[:, L.right_knee]) < 0.5  # behind the near knee either way
        assert np.median(visibility[:, L.left_wrist]) > 0.9


def test_a_rolled_camera_turns_the_picture_not_the_truth():
    level = generate("squat", 1, setup=False)
    rolled = generate("squat", 1, setup=False, view_roll_deg=15.0)
    assert rolled.camera.tilt == pytest.approx((15.0, 0.0))  # lens at the target's height: level
    assert rolled.sequence.meta["view_roll_deg"] == 15.0
    # The trunk stands upright at the start: level in the truth, leaning 15 deg in the picture.
    np.testing.assert_allclose(rolled.truth.angles["trunk_incl_v"], level.truth.angles["trunk_incl_v"], atol=0.5)
    picture = image_angles(rolled.clean, rolled.sequence.image_size)["trunk_incl_v"]
    assert picture[0] == pytest.approx(15.0, abs=0.5)


def test_every_frame_carries_the_tilt_of_the_phone_that_filmed_it():
    recording = generate("squat", 1, dropout_rate=0.2, view_roll_deg=-7.0, view_pitch_deg=12.0, seed=4)
    frames = list(recording.sequence.frames())
    assert any(np.isnan(f.xyz).all() for f in frames)  # the accelerometer reads on with no person
    for frame in frames:
        assert frame.camera_tilt == pytest.approx((-7.0, 12.0))
    # Lying flat, the body's middle is below the lowest lens (25 cm): the phone looks down a little.
    floor = generate("abdominal_drawing_in", 1, setup=False)
    roll, pitch = floor.sequence.camera_tilt[0]
    assert roll == pytest.approx(0.0, abs=1e-9) and 0.5 < pitch < 3.0

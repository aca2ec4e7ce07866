"""Reference motion files: valid, and in step with the exercise definitions."""

from __future__ import annotations

import pytest

from backcoach.exercises import load_exercise
from backcoach.motion.synthetic.motions import MOTIONS_DIR, MotionFileError, load_motion, load_motion_file, motion_ids, parse_motion


@pytest.mark.parametrize("exercise_id", motion_ids())
def test_motion_belongs_to_an_exercise_and_covers_its_errors(exercise_id):
    path = MOTIONS_DIR.parent / "library" / f"{exercise_id}.toml"
    assert path.is_file(), f"motions/{exercise_id}.toml has no exercise definition"
    exercise = load_exercise(path)
    motion = load_motion(exercise_id)
    defined = {error.id for error in exercise.errors}
    assert set(motion.errors) == defined, (
        f"{exercise_id}: motion errors {sorted(motion.errors)} differ from the definition's {sorted(defined)}"
    )
    posture = "side_lying" if motion.posture == "side_lying_right" else motion.posture
    assert posture == exercise.start_position
    if exercise.sides == "bilateral":
        assert not motion.sided, f"{exercise_id} is bilateral but its poses use {{side}}"
    else:
        assert motion.sided, f"{exercise_id} is {exercise.sides} but no pose uses {{side}}"


BASE = {
    "exercise": "squat", "posture": "standing", "source": "test",
    "poses": {"down": {"knee_flex": 40.0}},
    "rep": [{"to": "down", "kind": "out", "seconds": 1.0}, {"to": "start", "kind": "return", "seconds": 1.0}],
}  # fmt: skip


@pytest.mark.parametrize(
    "change, message",
    [
        pytest.param({"posture": "floating"}, "posture: unknown posture 'floating'", id="posture"),
        pytest.param({"poses": {"down": {"knee_bend": 40.0}}}, "unknown joint 'knee_bend'", id="joint"),
        pytest.param({"planted": ["left_foot"]}, "unknown limb 'left_foot'", id="limb"),
        pytest.param({"anchor": ["belly"]}, "unknown landmark 'belly'", id="anchor"),
        pytest.param({"rep": [{"to": "up", "kind": "out", "seconds": 1.0}]}, r"rep\[0\].to = 'up' is not 'start' or a pose", id="pose"),
        pytest.param({"errors": {"x": {"doc": "nothing"}}}, "changes nothing", id="empty-error"),
        pytest.param({"mirror": True}, "mirror: posture 'standing' is its own mirror image", id="mirror"),
    ],
)
def test_bad_motion_data_names_the_field(change, message):
    with pytest.raises(MotionFileError, match=message):
        parse_motion({**BASE, **change}, "test.toml")


def test_motion_file_must_match_its_name(tmp_path):
    path = tmp_path / "bridge.toml"
    path.write_text('exercise = "squat"\nposture = "standing"\nsource = "x"\n[[rep]]\nto = "start"\nkind = "rest"\nseconds = 1\n')
    with pytest.raises(MotionFileError, match="differs from the file name 'bridge'"):
        load_motion_file(path)


def test_unknown_exercise_names_the_known_motions():
    with pytest.raises(MotionFileError, match="no reference motion for exercise 'yoga'; motions exist for: .*squat"):
        load_motion("yoga")


def test_a_set_resolves_a_sided_start_and_mirrors_the_posture():
    motion = parse_motion({**BASE, "posture": "side_lying", "mirror": True, "start": {"{side}_knee_flex": 10.0}}, "t")
    left, right = motion.for_set("left"), motion.for_set("right")
    assert (left.posture, right.posture) == ("side_lying", "side_lying_right")
    assert left.start == {"left_knee_flex": 10.0} and right.start == {"right_knee_flex": 10.0}
    assert motion.start_depends_on_side and not right.start_depends_on_side

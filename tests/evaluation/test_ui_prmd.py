"""UI-PRMD stream construction: Kinect's lost shank is read as a missing foot, not as the body."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from backcoach.evaluation import ui_prmd
from backcoach.motion.events import ErrorFound
from backcoach.pose.formats import load_recording
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX

LA, LK, LH, RA = INDEX["left_ankle"], INDEX["left_knee"], INDEX["left_hip"], INDEX["right_ankle"]
LEFT_FOOT = [LA, INDEX["left_heel"], INDEX["left_foot_index"]]


def _standing(frames: int) -> PoseSequence:
    """A still figure in the loader's virtual image (2.4 m across): knee 0.4 m above the ankle."""
    xyz = np.full((frames, 33, 3), 0.5, dtype=np.float32)
    for side, x in (("left", 0.54), ("right", 0.46)):
        xyz[:, INDEX[f"{side}_hip"]] = (x, 0.30, 0.5)
        xyz[:, INDEX[f"{side}_knee"]] = (x, 0.30 + 0.4 / 2.4, 0.5)
        xyz[:, INDEX[f"{side}_ankle"]] = (x, 0.30 + 0.8 / 2.4, 0.5)
    world = (xyz - 0.5) * 2.4
    return PoseSequence(np.arange(frames) / 30, xyz, np.ones((frames, 33)), (1000, 1000), {}, world)


def test_an_ankle_half_a_shank_from_its_planted_place_is_dropped_with_its_foot():
    sequence = _standing(30)
    # Frames 10-12: the left ankle jumps 0.25 m up (more than half its 0.4 m shank); frame 20 moves
    # it 0.15 m (less than half), which is tracking jitter, not a lost shank.
    sequence.xyz[10:13, LA, 1] -= 0.25 / 2.4
    sequence.xyz[20, LA, 1] -= 0.15 / 2.4
    cleaned, dropped = ui_prmd.drop_lost_feet(sequence)
    assert dropped == 3
    lost = np.isnan(cleaned.xyz[:, LA, 0])
    assert lost.nonzero()[0].tolist() == [10, 11, 12]
    assert np.isnan(cleaned.world[10:13][:, LEFT_FOOT]).all()
    assert (cleaned.visibility[10:13][:, LEFT_FOOT] == 0).all()
    # Nothing else changes, and the input is left as it was.
    assert not np.isnan(cleaned.xyz[:, RA]).any() and not np.isnan(cleaned.xyz[:, LK]).any()
    assert not np.isnan(sequence.xyz).any()


def test_kinect_lost_shank_in_a_correct_deep_squat_is_dropped(shared_data):
    # s06 correct rep 3: Kinect lifts the right ankle above the hip for ~0.6 s at the bottom
    # (frames 42-58); the left foot stays planted.
    path = ui_prmd.rep_files("m01", "s06", "correct")[2]
    raw = load_recording(path, "ui-prmd")
    hip_above_ankle = raw.world[:, RA, 1] - raw.world[:, INDEX["right_hip"], 1]
    assert hip_above_ankle.min() < 0  # an ankle above the hip: the glitch is there
    cleaned, dropped = ui_prmd.drop_lost_feet(raw)
    assert 10 <= dropped <= 25
    kept = ~np.isnan(cleaned.world[:, RA, 1])
    assert (cleaned.world[kept, RA, 1] - cleaned.world[kept, INDEX["right_hip"], 1]).min() > 0.2
    assert not np.isnan(cleaned.world[:, LA]).any()


def test_squat_streams_count_every_rep_of_the_clean_subjects(shared_data):
    # Subjects whose ten correct squats Kinect tracks through: every one counted, none flagged.
    for subject in ("s01", "s03", "s05", "s06"):
        sequence = ui_prmd.concatenate(ui_prmd.rep_files("m01", subject, "correct"), feet_planted=True)
        run, _ = ui_prmd.judge("squat", sequence)
        assert (run.attempts, run.counted) == (10, 10), subject


def test_sit_to_stand_counts_every_stand_sit_stand_rep_of_a_subject(shared_data):
    # s03 sits down slowly and stays seated briefly; before the standing-start definition the engine
    # counted none of its ten repetitions (it waited for a seated start that never came).
    for label in ("correct", "incorrect"):
        sequence = ui_prmd.concatenate(ui_prmd.rep_files("m05", "s03", label), feet_planted=True)
        run, _ = ui_prmd.judge("sit_to_stand", sequence)
        assert run.attempts == 10, label


def _rep(counted, *errors):
    return SimpleNamespace(counted=counted, errors=[ErrorFound(e, None, 1.0, 2.0, "minor", "cue") for e in errors])


@pytest.mark.parametrize("rep, expected", [
    pytest.param(_rep(True), set(), id="clean"),
    pytest.param(_rep(True, "too_fast"), {"too_fast"}, id="tempo-only"),
    pytest.param(_rep(False, "knees_cave_in"), {"knees_cave_in", "not_counted"}, id="critical-error"),
    pytest.param(_rep(False), {"not_counted"}, id="standard-missed"),
])  # fmt: skip
def test_rep_flags_name_each_error_and_a_missed_count(rep, expected):
    assert ui_prmd.rep_flags(rep) == expected


def test_tempo_rules_are_the_too_fast_errors_of_the_exercise():
    assert ui_prmd.tempo_rules("squat") == {"too_fast"}
    assert ui_prmd.tempo_rules("sit_to_stand") == {"dropping_down"}


def test_side_view_turns_the_front_view_so_the_subject_faces_image_right():
    sequence = _standing(3)
    nose, hip = INDEX["nose"], INDEX["left_hip"]
    # The loader's depth points away from a front camera: the nose is 0.1 m nearer to it than the hips.
    sequence.xyz[:, nose] = (0.5, 0.1, 0.5 - 0.1 / 2.4)
    sequence.world[:, nose] = (sequence.xyz[:, nose] - 0.5) * 2.4
    side = ui_prmd.side_view(sequence)
    assert side.xyz[0, nose, 0] - side.xyz[0, hip, 0] > 0  # ahead = image right
    np.testing.assert_allclose(side.xyz[..., 1], sequence.xyz[..., 1])  # heights unchanged
    pairs = [(nose, hip), (INDEX["left_knee"], INDEX["right_ankle"])]
    for a, b in pairs:  # a rotation: every 3D distance is kept
        np.testing.assert_allclose(np.linalg.norm(side.world[:, a] - side.world[:, b], axis=1),
                                   np.linalg.norm(sequence.world[:, a] - sequence.world[:, b], axis=1), rtol=1e-6)
    # The left hip (image right in the front view, +x) is now on the far side, away from the camera.
    assert side.world[0, INDEX["left_hip"], 2] > side.world[0, INDEX["right_hip"], 2]


def test_the_virtual_side_view_judges_trunk_lean_on_the_acted_incorrect_squats(shared_data):
    # s03's acted incorrect squats lean the trunk 55 deg (p95) against 29 deg in its correct set.
    flags = {}
    for label in ("correct", "incorrect"):
        stream = ui_prmd.concatenate(ui_prmd.rep_files("m01", "s03", label), feet_planted=True)
        run, _ = ui_prmd.judge("squat", ui_prmd.side_view(stream))
        flags[label] = sum("trunk_too_far_forward" in ui_prmd.rep_flags(rep) for rep in run.reps)
    assert flags["correct"] == 0 and flags["incorrect"] >= 6

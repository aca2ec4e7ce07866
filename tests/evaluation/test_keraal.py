"""The KERAAL harness module on the shared recordings (skipped locally without them)."""

from __future__ import annotations

from backcoach.evaluation import keraal
from backcoach.pose.formats import load_recording


def _clip(folder: str, wanted: str):
    (path,) = [bp for label, _, bp, _ in keraal.executions(folder) if label == wanted]
    return load_recording(path, "keraal-blazepose")


def test_a_clip_cut_at_the_movement_keeps_its_rep_only_with_the_start_confirmed_at_its_first_frame(shared_data):
    # CTK Error1Bodypart1_0: the dataset's BlazePose lacks the first 13 video frames (the rest), so
    # the arm rises 0.2 s into the file, before the exercise's own 0.5 s setup could end.
    sequence = _clip("cacheTete", "Error1Bodypart1_0")
    assert len(sequence.t) == 184
    assert len(keraal.run_clip("seated_arms_up_breathing", sequence, setup_s=None).reps) == 0
    (rep,) = keraal.run_clip("seated_arms_up_breathing", sequence).reps
    assert keraal.detected_side([rep]) == (True, "left")

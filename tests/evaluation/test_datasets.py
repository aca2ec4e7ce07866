"""The dataset modules on the shared real recordings (skipped locally without them)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from backcoach.evaluation import exercise_correction, keraal, tfjs_squat, ui_prmd
from backcoach.motion.events import ErrorFound


def _rep(*errors):
    return SimpleNamespace(errors=[ErrorFound(e, side, 10.0, 20.0, "critical", "cue") for e, side in errors])


@pytest.mark.parametrize("reps, expected", [
    pytest.param([_rep()], (False, None), id="nothing-flagged"),
    pytest.param([_rep(("error-1", "left"))], (True, "left"), id="left"),
    pytest.param([_rep(("error-1", "left")), _rep(("error-1", "right"))], (True, "both"), id="left-then-right"),
    pytest.param([_rep(("error-1", "both"))], (True, "both"), id="both"),
    pytest.param([_rep(("error-3", "left"))], (False, None), id="other-error-ignored"),
])  # fmt: skip
def test_keraal_detected_side(reps, expected):
    assert keraal.detected_side(reps) == expected


def test_plank_classes_follow_front_plank_thresholds():
    # front_plank: hips_sagging above +0.08, hips_high below -0.08 (torso lengths).
    assert exercise_correction.classify([0.081, -0.081, 0.0, 0.08, None]) == ["L", "H", "C", "C", None]
    assert exercise_correction.classify([0.0, -0.3, -0.1], thresholds=(-0.2, -0.05)) == ["L", "H", "C"]


def test_plank_rows_split_into_recordings_at_label_changes_and_jumps():
    xy = np.zeros((7, 33, 2))
    xy[:, :, 0] = [[0.1], [0.11], [0.12], [0.5], [0.51], [0.52], [0.53]]  # a jump before row 3
    labels = ["C", "C", "C", "C", "C", "L", "L"]  # a label change before row 5
    parts = exercise_correction.clips(xy, labels)
    assert parts == [range(0, 3), range(3, 5), range(5, 7)]
    # The recording boundary nearest the middle row (3.5) is row 3 (0.5 away; row 5 is 1.5 away).
    assert exercise_correction.halves(parts) == ([0, 1, 2], [3, 4, 5, 6])


def test_plank_calibration_separates_the_classes_midway():
    values = [-0.5, -0.45, -0.2, -0.15, 0.1, 0.2, None]
    labels = ["H", "H", "C", "C", "L", "L", "C"]
    pike, sag = exercise_correction.calibrate(values, labels)
    assert pike == pytest.approx(-0.325) and sag == pytest.approx(-0.025)


def test_keraal_labels_and_sides_come_from_file_names(shared_data):
    ctk = keraal.executions("cacheTete")
    sides = [side for _, side, _, _ in ctk]
    assert len(ctk) == 20 and sides.count(None) == 5
    assert sides.count("left") == sides.count("right") == sides.count("both") == 5
    assert all(v.is_file() for _, _, _, v in ctk)


def test_ui_prmd_concatenation_holds_the_first_frame_then_joins_every_rep(shared_data):
    paths = ui_prmd.rep_files("m01", "s01", "correct")
    sequence = ui_prmd.concatenate(paths)
    lead = int(round(ui_prmd.LEAD_IN_S * 30))
    assert len(sequence.meta["rep_starts_s"]) == 10
    assert sequence.meta["rep_starts_s"][0] == pytest.approx(lead / 30)
    np.testing.assert_array_equal(sequence.xyz[0], sequence.xyz[lead])
    assert np.all(np.diff(sequence.t) > 0)


@pytest.mark.parametrize("counted, error", [(2, 0), (3, 1), (0, 2)])
def test_tfjs_count_error_is_the_distance_from_two(counted, error):
    run = SimpleNamespace(counted=counted, reps=[None] * 3)
    figure = tfjs_squat._figure(run, "reference landmarks", "cmd")
    assert figure.value == error and figure.met is (error == 0)


def test_tfjs_quick_evaluation_reads_the_reference_landmarks(shared_data):
    frames = list(tfjs_squat.reference_frames())
    assert len(frames) == 65 and frames[-1].t == pytest.approx(64 / 5)
    (figure,) = tfjs_squat.evaluate(quick=True).figures
    assert figure.metric == "count_error" and figure.condition == "reference landmarks"


def test_plank_evaluation_scores_each_labelled_class(shared_data):
    result = exercise_correction.evaluate(quick=True)
    brief = {f.metric: f.n for f in result.figures if f.condition == "per frame"}
    assert brief == {"accuracy_correct": 234, "accuracy_hips_high": 241, "accuracy_hips_sagging": 235, "accuracy_all": 710}
    # Calibrated on the first half of the recordings, scored on the second half only.
    calibrated = {f.metric: f.n for f in result.figures if f.condition == exercise_correction.CALIBRATED}
    assert calibrated["accuracy_all"] == sum(n for m, n in calibrated.items() if m != "accuracy_all") < 710

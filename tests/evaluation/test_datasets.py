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
    sizes = {f.metric: f.n for f in result.figures}
    assert sizes == {"accuracy_correct": 234, "accuracy_hips_high": 241, "accuracy_hips_sagging": 235, "accuracy_all": 710}

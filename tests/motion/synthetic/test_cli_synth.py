"""``backcoach synth`` writes a loadable recording with its ground truth."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from backcoach.cli.main import app
from backcoach.cli.synth import parse_errors
from backcoach.cli._errors import UserError
from backcoach.pose.formats import load_recording

runner = CliRunner()


def test_synth_writes_a_recording_with_truth(tmp_path):
    out = tmp_path / "squat.npz"
    result = runner.invoke(app, ["synth", "squat", "-o", str(out), "--reps", "2", "--errors", "heels_lift@2", "--noise", "1.5", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert "rep 2:" in result.output and "heels_lift" in result.output
    sequence = load_recording(out)
    truth = sequence.meta["truth"]
    assert [r["errors"] for r in truth["reps"]] == [[], [{"id": "heels_lift", "side": None}]]
    assert sequence.world is not None and len(sequence) > 100


def test_synth_reports_an_unknown_error_id(tmp_path):
    result = runner.invoke(app, ["synth", "squat", "-o", str(tmp_path / "x.npz"), "--errors", "wobble@1"])
    assert result.exit_code == 2, result.output
    assert "'wobble' is not an error of squat" in result.output


def test_error_list_counts_reps_from_one():
    assert parse_errors("heels_lift@2,error-1:left@2, too_fast@1") == {1: ["heels_lift", "error-1:left"], 0: ["too_fast"]}
    with pytest.raises(UserError, match="write ERROR_ID@REP"):
        parse_errors("heels_lift@0")


def test_synth_rolls_the_phone_and_hides_what_the_body_hides(tmp_path):
    out = tmp_path / "breathing.npz"
    result = runner.invoke(app, ["synth", "diaphragmatic_breathing", "-o", str(out), "--reps", "1", "--view-roll", "6", "--view-pitch", "10", "--occlusion"])
    assert result.exit_code == 0, result.output
    meta = load_recording(out).meta
    assert meta["occlusion"] is True and meta["view_roll_deg"] == 6.0
    roll, pitch = meta["camera_tilt"]
    assert roll == pytest.approx(6.0) and pitch == pytest.approx(10.0, abs=1.0)

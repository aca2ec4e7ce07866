"""``backcoach analyze``, ``backcoach exercises`` and ``backcoach bench engine`` through the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from backcoach.cli.main import app
from backcoach.pose.formats import save_recording
from backcoach.pose.sequence import PoseSequence

runner = CliRunner()


@pytest.fixture()
def squat_recording(tmp_path, shared_data):
    # The tfjs squat video's reference landmarks as an .npz recording (5 fps, 720x1280).
    path = shared_data / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.full.json"
    pixels = np.asarray(json.loads(path.read_text()), dtype=np.float64)
    xyz = np.stack([pixels[..., 0] / 720, pixels[..., 1] / 1280, pixels[..., 2] / 720], axis=-1)
    sequence = PoseSequence(np.arange(len(xyz)) / 5, xyz, np.ones(xyz.shape[:2]), (720, 1280))
    out = tmp_path / "squats.npz"
    save_recording(sequence, out)
    return out


def test_analyze_json_has_the_documented_shape(squat_recording):
    result = runner.invoke(app, ["analyze", str(squat_recording), "--exercise", "squat", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"exercise", "reps", "summary"}
    assert report["exercise"] == "squat"
    assert [r["counted"] for r in report["reps"]] == [True, True, False]
    first = report["reps"][0]
    assert set(first) == {"index", "side", "counted", "reason", "score", "grade", "errors", "not_judged", "metrics"}
    assert first["side"] == "both" and first["grade"] in ("qualified", "good", "excellent", "super excellent")
    assert report["summary"]["counted"] == 2


def test_analyze_table(squat_recording):
    result = runner.invoke(app, ["analyze", str(squat_recording), "-e", "squat"])
    assert result.exit_code == 0, result.output
    assert "squat: 2 counted of 3" in result.output


def test_analyze_unknown_exercise_is_a_user_error(squat_recording):
    result = runner.invoke(app, ["analyze", str(squat_recording), "-e", "handstand"])
    assert result.exit_code == 2
    assert "unknown exercise 'handstand'" in result.output


def test_analyze_missing_file_is_a_user_error(tmp_path):
    result = runner.invoke(app, ["analyze", str(tmp_path / "none.npz"), "-e", "squat"])
    assert result.exit_code == 2
    assert "error:" in result.output


def test_video_out_needs_a_video(squat_recording, tmp_path):
    result = runner.invoke(app, ["analyze", str(squat_recording), "-e", "squat", "--video-out", str(tmp_path / "o.mp4")])
    assert result.exit_code == 2
    assert "--video-out needs a video" in result.output


def test_exercises_list_json_has_the_nine_engine_exercises():
    result = runner.invoke(app, ["exercises", "list", "--json"])
    assert result.exit_code == 0, result.output
    ids = {row["id"] for row in json.loads(result.output)}
    assert {"squat", "glute_bridge", "bird_dog", "dead_bug", "cat_camel", "prone_press_up",
            "seated_trunk_rotation", "seated_flank_stretch", "seated_arms_up_breathing"} <= ids


def test_exercises_show_json_and_unknown():
    result = runner.invoke(app, ["exercises", "show", "glute_bridge", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["phases"]["target"] == 175
    result = runner.invoke(app, ["exercises", "show", "nope"])
    assert result.exit_code == 2 and "unknown exercise 'nope'" in result.output


def test_exercises_validate_reports_broken_file(tmp_path):
    bad = tmp_path / "squat.toml"
    bad.write_text('id = "squat"\nmodality = "yoga"\n', encoding="utf-8")
    result = runner.invoke(app, ["exercises", "validate", str(bad), "--json"])
    assert result.exit_code == 2, result.output
    report = json.loads(result.output)
    assert report["ok"] is False and "modality" in report["files"][0]["error"]


def test_exercises_validate_library_is_clean():
    result = runner.invoke(app, ["exercises", "validate"])
    assert result.exit_code == 0, result.output


def test_bench_engine_json_prints_figures():
    result = runner.invoke(app, ["bench", "engine", "--json", "-e", "squat", "--reps", "1", "--repeats", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["frames_per_second"] > 0
    assert figures["exercises"][0]["bytes_per_engine"] > 0

"""``backcoach eval``: datasets by name, JSON output, the Markdown report, user errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backcoach.cli.main import app

runner = CliRunner()


def test_unknown_dataset_is_a_user_error():
    result = runner.invoke(app, ["eval", "--dataset", "nope"])
    assert result.exit_code == 2, result.output
    assert "unknown dataset 'nope'" in result.output and "synthetic" in result.output


def test_update_floors_needs_the_whole_quick_run():
    result = runner.invoke(app, ["eval", "--update-floors", "--dataset", "tfjs_squat"])
    assert result.exit_code == 2, result.output
    assert "--update-floors needs --quick" in result.output


def test_one_dataset_as_json_and_markdown(tmp_path, shared_data):
    report = tmp_path / "accuracy.md"
    result = runner.invoke(app, ["eval", "--dataset", "exercise_correction", "--quick", "--json", "-o", str(report)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (dataset,) = data["datasets"]
    assert data["quick"] is True and dataset["name"] == "exercise_correction"
    metrics = {f["metric"]: f for f in dataset["figures"] if f["condition"] == "per frame"}
    assert metrics["accuracy_hips_high"]["n"] == 241
    assert metrics["accuracy_hips_high"]["goal"] == {"op": ">=", "target": 0.85, "note": "issue 4"}
    text = report.read_text()
    assert "## Exercise-Correction plank frames" in text
    assert "`backcoach eval --dataset exercise_correction --quick`" in text

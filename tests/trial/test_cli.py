import json

from typer.testing import CliRunner

from backcoach.cli.main import app

runner = CliRunner()


def test_simulate_then_analyze_json(tmp_path):
    data, cov = tmp_path / "trial.csv", tmp_path / "cov.csv"
    result = runner.invoke(app, ["trial", "simulate-paper", "-o", str(data), "--seed", "3", "--covariates-out", str(cov)])
    assert result.exit_code == 0, result.output
    assert "38 participants" in result.output
    result = runner.invoke(app, ["trial", "analyze", "--data", str(data), "--reference", "video",
                                 "--covariates", str(cov), "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert len(document["table2"]) == 20
    assert document["table1"][0]["variable"] == "age"
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["analysis.json", "figure3_nrs.png", "figure4_secondary.png",
                       "table1.csv", "table2.csv", "tables.html", "tables.md"]


def test_analyze_prints_markdown_by_default(tmp_path):
    data = tmp_path / "trial.csv"
    runner.invoke(app, ["trial", "simulate-paper", "-o", str(data), "--seed", "1"])
    result = runner.invoke(app, ["trial", "analyze", "--data", str(data), "--reference", "video", "--set", "itt"])
    assert result.exit_code == 0, result.output
    assert "Table 1. Baseline characteristics (itt)" in result.output
    assert "| video (n=19) | AI (n=19) |" in result.output


def test_bad_input_exits_2_with_the_reason(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("subject,arm,week,outcome,value\n1,AI,zero,tug,3\n")
    result = runner.invoke(app, ["trial", "analyze", "--data", str(data), "--reference", "AI"])
    assert result.exit_code == 2
    assert "line 2: week 'zero' is not a whole number" in result.output


def test_bad_week_groups_is_a_usage_error(tmp_path):
    data = tmp_path / "trial.csv"
    runner.invoke(app, ["trial", "simulate-paper", "-o", str(data), "--seed", "1"])
    result = runner.invoke(app, ["trial", "analyze", "--data", str(data), "--reference", "video", "--week-groups", "2;x"])
    assert result.exit_code == 2
    assert "expected weeks like '2,4|8'" in result.output

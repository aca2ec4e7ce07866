import json

import pytest
from typer.testing import CliRunner

from backcoach.cli.main import app

runner = CliRunner()
KEYS = ["instrument", "total", "max", "percent", "subscales", "band", "valid", "n_answered", "rule"]


@pytest.mark.parametrize("instrument, answers, total, band", [
    ("gad7", "1,2,3,1,0,2,1", 10, "moderate"),
    ("startback", "1,0,1,0,1,1,0,1,3", 6, "high"),
    ("odi", "3,2,1,1,2,2,1,na,2,2", 16, "moderate"),
    ("rmdq", ",".join(["1"] * 5 + ["0"] * 19), 5, None),
    ("pcs", ",".join(["1"] * 13), 13, "below cut-off"),
    ("cr10", "3.5", 3.5, "moderate"),
    ("tug", "10.2,10.4,10.0", 10.2, "intermediate"),
    ("nrs", "3,4,6", None, None),
])
def test_score_json_has_exactly_the_documented_keys(instrument, answers, total, band):
    result = runner.invoke(app, ["score", instrument, "--answers", answers, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == KEYS
    assert data["total"] == total and data["band"] == band and data["instrument"] == instrument


def test_score_missing_positions_are_missing_answers():
    result = runner.invoke(app, ["score", "odi", "--answers", "1,1,1,1,1,1,1,,1,", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n_answered"] == 8 and data["percent"] == 20.0 and data["band"] == "minimal"


def test_score_refuses_out_of_range_with_item_and_range():
    result = runner.invoke(app, ["score", "gad7", "--answers", "1,1,1,1,1,1,4", "--json"])
    assert result.exit_code == 2, result.output
    assert "gad7 item 7 (dread): 4 is outside the allowed range 0-3" in result.output


def test_score_unknown_instrument():
    result = runner.invoke(app, ["score", "sf36", "--answers", "1"])
    assert result.exit_code == 2, result.output
    assert "unknown instrument 'sf36'" in result.output


def test_redflags_emergency_from_intake_file(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"patient": {"age": 40}, "red_flags": {"saddle_numbness": True}}))
    result = runner.invoke(app, ["redflags", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["outcome"] == "EMERGENCY" and data["urgency"] == "emergency" and data["exercise_blocked"]
    assert data["therapist_alert"]["findings"][0]["id"] == "cauda_equina"
    assert "120" in data["patient_message"]["zh-Hans"]


def test_redflags_bad_intake_names_the_field(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"patient": {"age": 40}, "red_flags": {"saddle_numb": True}}))
    result = runner.invoke(app, ["redflags", str(path)])
    assert result.exit_code == 2, result.output
    assert "red_flags.saddle_numb" in result.output


def test_classify_json_from_file(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"patient": {"age": 30}, "examination": {
        "t2_extension_standing": {"pre_nrs": 4, "nrs_60s": 4, "pre_location": 2, "immediate_location": 2,
                                  "location_60s": 0}}}))
    result = runner.invoke(app, ["classify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["category"] == "FLEXION_INTOLERANCE" and data["rules_fired"]


def test_classify_schema_export_lists_sections():
    result = runner.invoke(app, ["classify", "--schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert {"patient", "history", "red_flags", "examination", "questionnaires"} <= set(schema["properties"])


def test_classify_refuses_out_of_range_questionnaire(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"patient": {"age": 30}, "questionnaires": {"gad7": [0, 0, 0, 0, 0, 0, 9]}}))
    result = runner.invoke(app, ["classify", str(path)])
    assert result.exit_code == 2, result.output
    assert "gad7 item 7 (dread): 9 is outside the allowed range 0-3" in result.output


def test_plan_command_rejects_unknown_category_and_missing_arguments():
    result = runner.invoke(app, ["plan", "--category", "BACK_ACHE"])
    assert result.exit_code == 2, result.output
    assert "unknown category 'BACK_ACHE'" in result.output
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 2 and "give either --category or --from-intake" in result.output


def test_plan_command_on_an_empty_library_fails_loudly(tmp_path):
    result = runner.invoke(app, ["plan", "--category", "STABILITY_DEFICIENCY", "--library", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "Missing library files" in result.output


def test_plan_command_json_from_package_library():
    result = runner.invoke(app, ["plan", "--category", "FLEXION_INTOLERANCE", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["sessions"]) == 12 and all(30 <= s["minutes"] <= 45 for s in data["sessions"])


def test_assess_command_on_a_recording(tmp_path, poses):
    from backcoach.pose.formats import save_recording
    path = save_recording(poses.sequence([poses.standing_side(a) for a in poses.bends([50, 60, 55])]),
                          tmp_path / "bend.npz")
    result = runner.invoke(app, ["assess", "rom_flexion", str(path), "--height-cm", "170", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert abs(data["value"] - 60) < 0.5 and data["status"] == "VALID"
    result = runner.invoke(app, ["assess", "rom_twist", str(path)])
    assert result.exit_code == 2 and "unknown camera test 'rom_twist'" in result.output


def test_thresholds_command_lists_engineering_defaults():
    result = runner.invoke(app, ["thresholds", "--tag", "E", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["thresholds"]
    assert rows and all(r["tag"] == "E" for r in rows)
    assert "odi_min_sections" in {r["name"] for r in rows}


def test_checkin_asks_then_blocks_on_a_yes(tmp_path):
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"patient": {"age": 40}, "questionnaires": {"nrs": [3, 4, 5]}}))
    first = json.loads(runner.invoke(app, ["checkin", str(path), "--json"]).output)
    assert first["status"] == "ask" and "saddle_numbness" in first["questions"]
    result = runner.invoke(app, ["checkin", str(path), "--no", "all", "--yes", "saddle_numbness", "--pre", "3"])
    assert result.exit_code == 0, result.output
    assert "status: blocked" in result.output and "120" in result.output
    bad = runner.invoke(app, ["checkin", str(path), "--yes", "saddle", "--pre", "3"])
    assert bad.exit_code == 2 and "unknown question 'saddle'" in bad.output

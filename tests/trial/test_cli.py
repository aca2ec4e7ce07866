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


def test_randomise_seal_reveal_verify_and_detect_tampering(tmp_path):
    vault, public, log = tmp_path / "vault.json", tmp_path / "public.json", tmp_path / "log.jsonl"
    result = runner.invoke(app, ["trial", "randomise", "seal", "--arms", "AI,video", "--per-stratum", "8",
                                 "--vault", str(vault), "--public", str(public)])
    assert result.exit_code == 0, result.output
    assert "AI" not in public.read_text().replace('"AI"', "")  # arms appear only in the definition
    heads = []
    for p in ("P01", "P02", "P03"):
        result = runner.invoke(app, ["trial", "randomise", "reveal", "--vault", str(vault), "--log", str(log),
                                     "--participant", p, "--actor", "ra1"])
        assert result.exit_code == 0, result.output
        heads.append(result.output.split("head ")[1].strip())
    result = runner.invoke(app, ["trial", "randomise", "verify", "--public", str(public), "--log", str(log),
                                 "--head", heads[-1], "--vault", str(vault)])
    assert result.exit_code == 0, result.output
    assert "ok: 3 reveal(s)" in result.output
    again = runner.invoke(app, ["trial", "randomise", "reveal", "--vault", str(vault), "--log", str(log),
                                "--participant", "P01", "--actor", "ra1"])
    assert again.exit_code == 2 and "already allocated" in again.output
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:2]) + "\n")  # drop the last reveal
    result = runner.invoke(app, ["trial", "randomise", "verify", "--public", str(public), "--log", str(log),
                                 "--head", heads[-1]])
    assert result.exit_code == 2 and "records were removed or added" in result.output


def test_export_fhir_writes_a_valid_bundle(tmp_path):
    from fhir.resources.R4B.bundle import Bundle

    data = tmp_path / "trial.csv"
    data.write_text("subject,arm,week,outcome,value\nP1,AI,0,tug,10.2\nP1,AI,4,tug,9.5\nP1,AI,4,odi,\n")
    out = tmp_path / "bundle.json"
    result = runner.invoke(app, ["trial", "export-fhir", "--data", str(data), "--start", "2023-03-01", "-o", str(out)])
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate_json(out.read_text())
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds == ["Patient", "Observation", "Observation"]  # one pseudonymous Patient, holding the code
    assert bundle.entry[0].resource.identifier[0].value == "P1" and bundle.entry[0].resource.name is None
    observations = bundle.entry[1:]
    assert [e.resource.effectiveDateTime.isoformat() for e in observations] == ["2023-03-01", "2023-03-29"]
    assert {e.resource.subject.reference for e in observations} == {"Patient/P1"}
    result = runner.invoke(app, ["trial", "export-fhir", "--data", str(data), "-o", str(out)])
    assert result.exit_code == 2 and "exactly one of --start or --baseline-dates" in result.output


def test_consort_command_draws_svg_and_reports_bad_counts(tmp_path):
    flow = {"assessed": 45, "excluded_not_eligible": 5, "exclusion_reasons": {"age_at_most_75": 5},
            "incomplete_screening": 0, "eligible_not_randomised": 2, "randomised": 38,
            "allocated": {"AI": 19, "video": 19}, "discontinued": {"AI": {"lost_to_follow_up": 1}, "video": {"other": 3}},
            "analysed": {"AI": 18, "video": 16}, "excluded_from_analysis": {"AI": 1, "video": 3}}
    (tmp_path / "flow.json").write_text(json.dumps(flow))
    out = tmp_path / "consort.svg"
    result = runner.invoke(app, ["trial", "consort", "--flow", str(tmp_path / "flow.json"), "-o", str(out),
                                 "--label", "AI=AI-guided"])
    assert result.exit_code == 0, result.output
    assert "Allocated to AI-guided (n=19)" in out.read_text()
    (tmp_path / "bad.json").write_text(json.dumps({"assessed": 1}))
    result = runner.invoke(app, ["trial", "consort", "--flow", str(tmp_path / "bad.json"), "-o", str(out)])
    assert result.exit_code == 2 and "error:" in result.output


def test_analyze_itt_with_imputation(tmp_path):
    data = tmp_path / "trial.csv"
    runner.invoke(app, ["trial", "simulate-paper", "-o", str(data), "--seed", "2"])
    result = runner.invoke(app, ["trial", "analyze", "--data", str(data), "--reference", "video", "--set", "itt",
                                 "--impute", "5", "--impute-seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert {row["method"] for row in json.loads(result.output)["table2"]} == {"GEE, MI (m=5)", "ANCOVA, MI (m=5)"}


def test_export_csv_codes_arms_for_the_blinded_statistician(tmp_path):
    runner.invoke(app, ["trial", "randomise", "seal", "--arms", "AI,video", "--per-stratum", "4",
                        "--vault", str(tmp_path / "v.json"), "--public", str(tmp_path / "p.json"),
                        "--codes", str(tmp_path / "codes.json")])
    codes = json.loads((tmp_path / "codes.json").read_text())
    assert sorted(codes) == ["AI", "video"] and sorted(codes.values()) == ["Arm X", "Arm Y"]
    data = tmp_path / "trial.csv"
    runner.invoke(app, ["trial", "simulate-paper", "-o", str(data), "--seed", "1"])
    out = tmp_path / "coded.csv"
    result = runner.invoke(app, ["trial", "export-csv", "--data", str(data), "--role", "statistician",
                                 "--codes", str(tmp_path / "codes.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "Arm X" in text and ",AI," not in text and ",video," not in text
    result = runner.invoke(app, ["trial", "export-csv", "--data", str(data), "--role", "statistician", "-o", str(out)])
    assert result.exit_code == 2 and "has no code" in result.output

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from typer.testing import CliRunner

from backcoach.app.portal.trial import stored_trial
from backcoach.cli.main import app as cli
from backcoach.store import db as store_db
from backcoach.store.repo import trial as trial_repo

runner = CliRunner()


def _url(app: FastAPI) -> str:
    return str(app.state.engine.url)


def test_analyze_without_data_reads_the_stored_trial(app: FastAPI, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["trial", "analyze", "--database-url", _url(app), "--json"])
    assert result.exit_code == 0, result.output
    from_db = json.loads(result.output)
    with app.state.sessionmaker() as db:
        stored = stored_trial(db, None)
    csv = tmp_path / "long.csv"
    stored.long.to_csv(csv, index=False, float_format="%.17g")
    # The --data path on the same rows gives the same tables once it knows who completed.
    assert stored.reference == "video" and len(stored.completed) == 34
    subset = stored.long[stored.long["subject"].isin(stored.completed)]
    subset.to_csv(csv, index=False, float_format="%.17g")
    from_csv = json.loads(runner.invoke(cli, ["trial", "analyze", "--data", str(csv), "--reference", "video",
                                              "--json"]).output)
    assert [(r["outcome"], r["week"], r["arms"]["AI"]["n"]) for r in from_db["table2"]] == \
        [(r["outcome"], r["week"], r["arms"]["AI"]["n"]) for r in from_csv["table2"]]
    for a, b in zip(from_db["table2"], from_csv["table2"]):
        assert abs(a["adjusted_difference"] - b["adjusted_difference"]) < 1e-9


def test_analyze_asks_which_trial_when_the_database_holds_several(app: FastAPI) -> None:
    with store_db.transaction(app.state.sessionmaker) as db:
        trial_repo.create_trial(db, name="Second", definition={"definition": {}, "reference": "x"})
    result = runner.invoke(cli, ["trial", "analyze", "--database-url", _url(app)])
    assert result.exit_code == 2
    assert "holds 2 trials" in result.output and "--trial ID" in result.output


def test_analyze_with_data_still_needs_a_reference(tmp_path: Path) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("subject,arm,week,outcome,value\n")
    result = runner.invoke(cli, ["trial", "analyze", "--data", str(csv)])
    assert result.exit_code == 2 and "--reference" in result.output


def test_analyze_explains_an_empty_database(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["trial", "analyze", "--database-url", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert result.exit_code == 2
    assert "has no backcoach tables" in result.output

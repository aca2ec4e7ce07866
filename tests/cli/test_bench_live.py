from __future__ import annotations

import json

from typer.testing import CliRunner

from backcoach.cli.main import app

runner = CliRunner()


def test_bench_live_is_listed_with_help() -> None:
    result = runner.invoke(app, ["bench", "live", "--help"])
    assert result.exit_code == 0, result.output
    assert "--no-browser" in result.output and "--model" in result.output


def test_bench_live_without_browser_prints_server_figures() -> None:
    result = runner.invoke(app, ["bench", "live", "--no-browser", "--reps", "1"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["server"]["reps_counted"] == 1 and "browser" not in figures
    socket = figures["server_socket"]  # over a real WebSocket, timed and logged by the endpoint
    assert socket["reps_counted"] == 1 and socket["frames"] == figures["server"]["frames"]


def test_bench_live_with_a_missing_clip_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["bench", "live", "--reps", "1", "--clip", str(tmp_path / "none.mp4")])
    assert result.exit_code == 2
    assert f"camera clip {tmp_path / 'none.mp4'} not found" in result.output

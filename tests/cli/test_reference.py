from typer.testing import CliRunner

from backcoach.cli._reference import REFERENCE, iter_commands, render
from backcoach.cli.main import app


def test_every_command_has_a_help_summary():
    missing = [name for name, summary in iter_commands() if not summary]
    assert not missing, f"commands without help text: {missing}"


def test_every_command_answers_help():
    runner = CliRunner()
    for name, _ in iter_commands():
        result = runner.invoke(app, [*name.split()[1:], "--help"])
        assert result.exit_code == 0, f"{name} --help failed:\n{result.output}"


def test_docs_cli_reference_is_current():
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m backcoach.cli._reference`"
    )

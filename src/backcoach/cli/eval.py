"""``backcoach eval``: the accuracy harness (figures per dataset, exercise and error)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from backcoach.cli._errors import UserError, user_errors
from backcoach.evaluation.floors import floors_from, write_floors
from backcoach.evaluation.harness import UnknownDatasetError, run
from backcoach.evaluation.report import ALL_DATASETS, below_goal, render_markdown
from backcoach.paths import ROOT

DEFAULT_REPORT = ROOT / "docs" / "accuracy.md"


def eval_command(
    as_json: bool = typer.Option(False, "--json", help="Print every figure as JSON instead of a table."),
    quick: bool = typer.Option(False, "--quick", help="Small version (one view and noise level, fewer subjects, no video)."),
    dataset: list[str] = typer.Option([], "--dataset", "-d", help=f"Dataset to run (repeatable): {', '.join(ALL_DATASETS)}. Default: all."),
    exercise: str | None = typer.Option(None, "--exercise", help="Limit the synthetic dataset to one exercise id."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the Markdown report here (default docs/accuracy.md, only when every dataset runs)."),
    write: bool = typer.Option(True, "--write/--no-write", help="Write the Markdown report."),
    update_floors: bool = typer.Option(False, "--update-floors", help="With --quick: record the measured figures as the new regression floors (src/backcoach/evaluation/floors.toml)."),
) -> None:
    """Measure how well the engine judges exercises, on synthetic truth and real recordings.

    Writes docs/accuracy.md (per dataset, exercise and error, each figure beside its goal and the
    command that reproduces it) when all datasets run, or to --output.
    """
    console = Console(stderr=True)
    with user_errors(UnknownDatasetError):
        if update_floors and (not quick or dataset or exercise):
            raise UserError("--update-floors needs --quick and every dataset (no --dataset or --exercise)")
        results = run(dataset or None, quick=quick, exercise=exercise,
                      progress=None if as_json else (lambda name: console.print(f"evaluating {name}...")))
    if update_floors:
        write_floors(floors_from(results))
    target = output or (DEFAULT_REPORT if not dataset and exercise is None else None)
    if write and target is not None:
        generated = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_markdown(results, quick=quick, generated=generated), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps({"quick": quick, "datasets": [r.to_dict() for r in results]}, indent=2))
        return
    out = Console()
    for result in results:
        if result.skipped:
            out.print(f"[bold]{result.title}[/]: not measured ({result.skipped})")
            continue
        table = Table(title=result.title)
        for column in ("exercise", "error", "condition", "metric", "value", "goal", "n"):
            table.add_column(column)
        for f in result.figures:
            value = "n/a" if f.value is None else f"{f.value:.3g}"
            style = "red" if f.met is False else None
            goal = f"{f.goal.op} {f.goal.target:g}" if f.goal else ""
            table.add_row(f.exercise or "", f.error or "", f.condition or "", f.metric, value, goal, str(f.n), style=style)
        out.print(table)
    misses = below_goal(results)
    out.print(f"{len(misses)} figure(s) below goal" + (f"; report written to {target}" if write and target else ""))


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)

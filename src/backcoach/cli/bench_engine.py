"""``backcoach bench engine``: engine frames/s on one core and memory per live engine."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from backcoach.cli.bench import bench_app


@bench_app.command("engine")
def bench_engine_command(
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    exercise: list[str] = typer.Option(None, "--exercise", "-e", help="Exercises to time (repeatable; default all)."),
    reps: int = typer.Option(5, min=1, help="Reps in each generated 30 fps set."),
    repeats: int = typer.Option(3, min=1, help="Timed passes per exercise (the best is kept)."),
) -> None:
    """Frames/s of the movement engine over a generated 30 fps set per exercise, and bytes per engine."""
    from backcoach.motion.bench import bench_engine

    results = bench_engine(exercise or None, reps=reps, repeats=repeats)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    table = Table(title=f"engine on one core, {results['stream_fps']:g} fps synthetic sets")
    for column in ("exercise", "frames", "frames/s", "µs/frame", "bytes/engine", "reps counted"):
        table.add_column(column, justify="right")
    for row in results["exercises"]:
        table.add_row(row["exercise"], str(row["frames"]), f"{row['frames_per_second']:,}", f"{row['us_per_frame']:.1f}",
                      f"{row['bytes_per_engine']:,}", f"{row['reps_counted']}/{row['reps_generated']}")
    Console().print(table)
    for exercise_id, reason in results["skipped"].items():
        typer.echo(f"skipped {exercise_id}: {reason}")
    typer.echo(
        f"median frames/s {results['frames_per_second']:,} (goal >= {results['goal_frames_per_second']:,}); "
        f"largest bytes per engine {results['bytes_per_engine_max']:,} (goal < {results['goal_bytes_per_engine']:,})"
    )


def register(app: typer.Typer) -> None:
    """The command is attached to ``bench_app``, which ``cli/bench.py`` registers."""

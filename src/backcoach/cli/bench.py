"""``backcoach bench ...``: speed benchmarks that print figures (never timed unit tests).

Other areas add their benchmarks as commands of ``bench_app``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from backcoach import paths
from backcoach.cli._errors import user_errors
from backcoach.pose.bundles import MODELS, BundleError
from backcoach.pose.formats import RecordingError

bench_app = typer.Typer(help="Speed benchmarks.", no_args_is_help=True)
DEFAULT_VIDEO = paths.SHARED_DATA / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.mp4"


@bench_app.command("pose")
def bench_pose(
    video: Path = typer.Argument(DEFAULT_VIDEO, help="Video to time (default: the shared tfjs squat clip)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    repeats: int = typer.Option(3, min=1, help="Passes per model and variant."),
    model: list[str] = typer.Option(list(MODELS), "--model", "-m", help="Models to time (repeatable)."),
) -> None:
    """Per-frame latency and frames/s of lite/full/heavy, and our overhead over bare MediaPipe."""
    from backcoach.pose.bench import benchmark_pose

    with user_errors(RecordingError, BundleError):
        results = benchmark_pose(video, tuple(model), repeats)
    if as_json:
        typer.echo(json.dumps(results, indent=2))
        return
    table = Table(title=f"{results['frames']} frames {results['size'][0]}x{results['size'][1]}, {repeats} passes")
    columns = ("model", "bare ms (median)", "bare fps", "pipeline ms (median)", "pipeline fps", "own steps ms", "overhead")
    for column in columns:
        table.add_column(column, justify="right")
    for name, stats in results["models"].items():
        table.add_row(
            name, f"{stats['bare']['median_ms']:.1f}", f"{stats['bare']['fps']:.1f}",
            f"{stats['pipeline']['median_ms']:.1f}", f"{stats['pipeline']['fps']:.1f}",
            f"{stats['own_steps']['mean_ms']:.2f}", f"{stats['overhead']:+.1%}",
        )
    Console().print(table)
    typer.echo(f"overhead = our own steps / bare inference, goal <= {results['overhead_goal']:.0%}")


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")

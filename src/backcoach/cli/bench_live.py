"""``backcoach bench live``: server frame-to-event time, browser pose frames/s, capture-to-cue latency."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from backcoach import paths
from backcoach.cli.bench import bench_app

DEFAULT_CLIP = paths.SHARED_DATA / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.mp4"


def bench_live(
    browser: bool = typer.Option(True, help="Also run the page in headless Chromium (needs chromium, ffmpeg)."),
    clip: Path = typer.Option(DEFAULT_CLIP, help="Video fed to the browser's fake camera."),
    seconds: float = typer.Option(20.0, min=5.0, help="Seconds of camera per browser run."),
    variant: list[str] = typer.Option(["full", "lite"], "--model", "-m", help="Browser models to time (repeatable)."),
    reps: int = typer.Option(10, min=1, help="Synthetic squats streamed through the server."),
) -> None:
    """Print the live session's figures as JSON (see docs/benchmarks.md)."""
    from backcoach.app.live import bench

    results: dict = {"server": bench.server_latency(reps=reps), "server_socket": bench.socket_latency(reps=reps)}
    if browser:
        if not clip.is_file():
            typer.echo(f"error: camera clip {clip} not found; pass --clip or --no-browser", err=True)
            raise typer.Exit(2)
        results["browser"] = [bench.browser_figures(clip, name, seconds) for name in variant]
    typer.echo(json.dumps(results, indent=2))


def register(app: typer.Typer) -> None:
    bench_app.command("live")(bench_live)

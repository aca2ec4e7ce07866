"""``backcoach analyze``: judge every repetition of an exercise in a video or a recording."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from backcoach.cli._errors import UserError, user_errors
from backcoach.exercises import ExerciseFileError, UnknownExerciseError
from backcoach.pose.bundles import BundleError
from backcoach.pose.formats import FORMATS, RecordingError, load_recording
from backcoach.pose.frame import FrameError

LIBRARY_ERRORS = (RecordingError, BundleError, FrameError, ExerciseFileError, UnknownExerciseError)


def analyze(
    source: Path = typer.Argument(..., help="A video (mp4, avi, webm, mov) or a recording in any known format."),
    exercise: str = typer.Option(..., "--exercise", "-e", help="Exercise id (see `backcoach exercises list`)."),
    format: str = typer.Option(None, "--format", "-f", help=f"Recording format (default: detected): {', '.join(FORMATS)}."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    video_out: Path = typer.Option(None, "--video-out", help="For a video: write it with skeleton, counter, grade and cues (.mp4)."),
    model: str = typer.Option("full", "--model", "-m", help="Pose model for videos: lite, full or heavy."),
    setup_s: float = typer.Option(None, "--setup-s", min=0, help="Seconds in the start position before reps count (default: the exercise's)."),
    hold_s: float = typer.Option(None, "--hold-s", min=0, help="Hold at the end of each rep, seconds (default: the beginner dose)."),
    smooth: bool = typer.Option(False, "--smooth", help="One-euro filter the landmarks first (for raw recordings)."),
) -> None:
    """Count, check and grade each repetition of EXERCISE in SOURCE: a table per rep, or JSON."""
    from backcoach.exercises import get_exercise
    from backcoach.motion.analysis import analyse
    from backcoach.pose.video import VIDEO_SUFFIXES

    with user_errors(*LIBRARY_ERRORS):
        definition = get_exercise(exercise)
        options = {"setup_s": setup_s, "hold_s": hold_s, "smoothing": _smoothing() if smooth else None}
        options = {k: v for k, v in options.items() if v is not None}
        is_video = source.suffix.lower() in VIDEO_SUFFIXES
        if video_out is not None and not is_video:
            raise UserError("--video-out needs a video SOURCE (a recording has no images to draw on)")
        if video_out is not None and video_out.suffix.lower() != ".mp4":
            raise UserError(f"{video_out}: the output must be a .mp4 file")
        if is_video and video_out is not None:
            result = _analyse_video_with_overlay(source, definition, model, video_out, options)
        elif is_video:
            from backcoach.pose.video import video_frames

            if not source.exists():
                raise UserError(f"{source}: no such file")
            result = analyse(video_frames(source, model), definition, **options)
        else:
            result = analyse(load_recording(source, format).frames(), definition, **options)
    report = result.report()
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    _print_table(report)


def _smoothing():
    from backcoach.pose.filters import OneEuroFilter

    # 1 Hz at rest removes landmark jitter; beta 0.5 lets a moving limb through without lag.
    return OneEuroFilter(min_cutoff=1.0, beta=0.5)


def _analyse_video_with_overlay(source: Path, definition, model: str, video_out: Path, options: dict):
    from backcoach.motion.analysis import analyse
    from backcoach.motion.overlay import Overlay
    from backcoach.pose.render import write_video
    from backcoach.pose.video import PoseTracker, decode_frames, probe_video

    info = probe_video(source)
    images: list = []
    overlay = Overlay()

    def frames():
        with PoseTracker(model) as tracker:
            for t, image in decode_frames(source):
                images.append(image)
                yield tracker.process(image, t)

    drawn: list = []

    def on_frame(frame, events, engine):
        drawn.append(overlay.draw(images.pop(0), frame, events))

    result = analyse(frames(), definition, on_frame=on_frame, **options)
    write_video(iter(drawn), video_out, info.fps)
    return result


def _print_table(report: dict) -> None:
    console = Console()
    table = Table(title=f"{report['exercise']}: {report['summary']['counted']} counted of {report['summary']['attempts']}")
    for column in ("rep", "side", "counted", "score", "grade", "errors", "reason"):
        table.add_column(column)
    for rep in report["reps"]:
        errors = ", ".join(
            f"{e['id']}" + (f" ({e['side']})" if e["side"] else "") + (f" {e['value']:g} vs {e['threshold']}" if e["value"] is not None else "")
            for e in rep["errors"]
        )
        table.add_row(
            str(rep["index"]), rep["side"] or "-", "yes" if rep["counted"] else "no",
            "-" if rep["score"] is None else f"{rep['score']:.0f}", rep["grade"] or "-", errors or "-", rep["reason"] or "",
        )
    console.print(table)
    summary = report["summary"]
    if summary["setup_issues"]:
        console.print(f"setup issues seen: {', '.join(summary['setup_issues'])}")
    if summary["frames_skipped"]:
        console.print(f"{summary['frames_skipped']} of {summary['frames']} frames skipped (bad data)")


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)

"""``backcoach pose`` and ``backcoach render``: landmarks from a video, skeletons drawn on video."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from backcoach.cli._errors import UserError, user_errors
from backcoach.pose.bundles import BundleError
from backcoach.pose.formats import RecordingError, load_recording, save_recording
from backcoach.pose.frame import FrameError
from backcoach.pose.render import blank_canvas, draw_pose, write_video
from backcoach.pose.video import VIDEO_SUFFIXES, PoseTracker, analyse_video, decode_frames, probe_video

stderr = Console(stderr=True)
LIBRARY_ERRORS = (RecordingError, BundleError, FrameError)


class PoseModel(str, Enum):
    lite = "lite"
    full = "full"
    heavy = "heavy"


MODEL_OPTION = typer.Option(PoseModel.full, "--model", "-m", help="Pose model: lite (fastest), full, heavy (most accurate).")


def _progress(quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=stderr, disable=quiet, transient=False,
    )


def _require_suffix(path: Path, suffix: str) -> None:
    if path.suffix.lower() != suffix:
        raise UserError(f"{path}: the output must be a {suffix} file")


def pose(
    video: Path = typer.Argument(..., help="Video file (mp4, avi, webm, mov)."),
    output: Path = typer.Option(..., "--output", "-o", help="Recording to write (.npz)."),
    model: PoseModel = MODEL_OPTION,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Find the person's 33 landmarks in every frame of VIDEO and save them as a recording (.npz)."""
    with user_errors(*LIBRARY_ERRORS):
        _require_suffix(output, ".npz")
        with _progress(quiet) as progress:
            task = progress.add_task(f"pose ({model.value})", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            sequence = analyse_video(video, model.value, on_frame=advance)
        if not sequence.visibility.any():
            raise UserError(f"{video}: no person found in any of its {len(sequence)} frames; nothing written")
        save_recording(sequence, output)
    found = len(sequence) - sequence.meta["frames_without_person"]
    if not quiet:
        stderr.print(f"{output}: {len(sequence)} frames, person found in {found}, model {model.value}")


def _video_overlay(source: Path, model: str, landmarks: Path | None, progress: Progress) -> Iterator[np.ndarray]:
    info = probe_video(source)
    task = progress.add_task("render", total=info.frame_count or None)
    images = decode_frames(source)
    if landmarks is not None:
        recording = load_recording(landmarks)
        frames = iter(recording.frames())
        for _, image in images:
            frame = next(frames, None)
            if frame is None:
                raise UserError(f"{landmarks}: holds {len(recording)} frames but {source} has more")
            progress.advance(task)
            yield draw_pose(image, frame)
        return
    with PoseTracker(model) as tracker:
        for t, image in images:
            progress.advance(task)
            yield draw_pose(image, tracker.process(image, t))


def _recording_canvas(source: Path, progress: Progress) -> tuple[Iterator[np.ndarray], float]:
    recording = load_recording(source)
    task = progress.add_task("render", total=len(recording))

    def images() -> Iterator[np.ndarray]:
        for frame in recording.frames():
            progress.advance(task)
            yield draw_pose(blank_canvas(recording.image_size), frame)

    fps = recording.fps if np.isfinite(recording.fps) else 30.0
    return images(), fps


def render(
    source: Path = typer.Argument(..., help="A video (skeleton drawn over it) or a recording (drawn on a blank canvas)."),
    output: Path = typer.Option(..., "--output", "-o", help="Video to write (.mp4, H.264)."),
    model: PoseModel = MODEL_OPTION,
    landmarks: Path = typer.Option(None, "--landmarks", help="For a video: draw this recording instead of running the model."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Draw the skeleton (subject's left orange, right blue) over a video or a recording."""
    with user_errors(*LIBRARY_ERRORS):
        _require_suffix(output, ".mp4")
        with _progress(quiet) as progress:
            if source.suffix.lower() in VIDEO_SUFFIXES:
                fps = probe_video(source).fps
                count = write_video(_video_overlay(source, model.value, landmarks, progress), output, fps)
            else:
                images, fps = _recording_canvas(source, progress)
                count = write_video(images, output, fps)
    if not quiet:
        stderr.print(f"{output}: {count} frames at {fps:.2f} fps")


def register(app: typer.Typer) -> None:
    app.command("pose")(pose)
    app.command("render")(render)

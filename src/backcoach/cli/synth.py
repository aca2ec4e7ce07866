"""``backcoach synth``: write a synthetic recording with exact ground truth."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from backcoach.cli._errors import UserError, user_errors
from backcoach.exercises import ExerciseFileError
from backcoach.motion.synthetic.body import BodyShape
from backcoach.motion.synthetic.generate import SyntheticError, generate
from backcoach.motion.synthetic.motions import MotionFileError
from backcoach.pose.formats import RecordingError, save_recording

console = Console()


def parse_errors(text: str | None) -> dict[int, list[str]]:
    """``"heels_lift@2,error-1:left@3"`` -> ``{1: ["heels_lift"], 2: ["error-1:left"]}`` (reps count from 1)."""
    out: dict[int, list[str]] = {}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        error_id, at, rep = item.rpartition("@")
        if not at or not error_id or not rep.isdigit() or int(rep) < 1:
            raise UserError(f"--errors item {item!r}: write ERROR_ID@REP with REP counting from 1, e.g. heels_lift@2")
        out.setdefault(int(rep) - 1, []).append(error_id)
    return out


def synth(
    exercise: str = typer.Argument(..., help="Exercise id, e.g. squat."),
    output: Path = typer.Option(..., "--output", "-o", help="Recording to write (.npz)."),
    reps: int = typer.Option(3, "--reps", "-n", min=0, help="Repetitions (alternating exercises alternate sides)."),
    errors: str = typer.Option(None, "--errors", help="Errors to inject: ERROR_ID@REP[,...]; REP counts from 1; ERROR_ID:left|right picks a side."),
    noise: float = typer.Option(0.0, "--noise", min=0.0, help="Landmark noise, standard deviation in pixels."),
    jitter: float = typer.Option(0.0, "--jitter", min=0.0, help="Wobble around the rep thresholds, fraction of the range."),
    dropout: float = typer.Option(0.0, "--dropout", min=0.0, max=0.99, help="Fraction of frames with no person found."),
    occlude: bool = typer.Option(False, "--occlude-far-side", help="Make hidden far-side landmarks noisy too."),
    view: str = typer.Option(None, "--view", help="Camera view (side, front, back, foot_end, head_end); default the exercise's."),
    camera_side: str = typer.Option("left", "--camera-side", help="Side of the subject a side view films: left or right."),
    view_yaw: float = typer.Option(0.0, "--view-yaw", help="Camera turned about the subject, degrees."),
    view_pitch: float = typer.Option(0.0, "--view-pitch", help="Camera raised, degrees."),
    view_roll: float = typer.Option(0.0, "--view-roll", help="Phone turned about its lens axis, degrees (+ leans true up toward the image's right); the phone's tilt reading goes in the metadata (camera_tilt)."),
    occlusion: bool = typer.Option(False, "--occlusion", help="Hide landmarks by the body's shape (torso, head, limbs) instead of every far-side one."),
    side: str = typer.Option(None, "--side", help="First (or only) moving side: left or right."),
    tempo: float = typer.Option(1.0, "--tempo", min=0.1, help="Speed multiplier (2 = twice as fast)."),
    range_scale: float = typer.Option(1.0, "--range", min=0.1, help="Range-of-motion multiplier."),
    height: float = typer.Option(1.70, "--height", help="Body height in metres."),
    fps: float = typer.Option(30.0, "--fps", min=1.0, help="Frames per second."),
    seed: int = typer.Option(0, "--seed", help="Random seed; the same seed gives the same recording."),
) -> None:
    """Write a synthetic recording of an exercise, with its ground truth in the metadata."""
    with user_errors(SyntheticError, MotionFileError, ExerciseFileError, RecordingError, ValueError):
        recording = generate(
            exercise, reps, errors=parse_errors(errors), noise_px=noise, jitter=jitter, dropout_rate=dropout,
            occlude_far_side=occlude, occlusion=occlusion, view=view, camera_side=camera_side, view_yaw_deg=view_yaw,
            view_pitch_deg=view_pitch, view_roll_deg=view_roll, side=side, tempo=tempo, range_scale=range_scale,
            body=BodyShape(height=height), fps=fps, seed=seed,
        )  # fmt: skip
        save_recording(recording.sequence, output)
    truth = recording.truth
    console.print(
        f"wrote {output}: {len(recording.sequence)} frames, {truth.rep_count} reps, "
        f"view {truth.view}, camera {truth.camera_distance:.2f} m away",
        highlight=False,
    )
    for rep in truth.reps:
        found = ", ".join(f"{e}" + (f" ({s})" if s else "") for e, s in rep.errors) or "correct"
        console.print(f"  rep {rep.index + 1}: {rep.start:.2f}-{rep.end:.2f} s, side {rep.side or 'both'}: {found}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)

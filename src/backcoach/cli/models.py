"""``backcoach models ...``: build the PoseLandmarker bundles the Python and browser pipelines use."""

from __future__ import annotations

import typer
from rich.console import Console

from backcoach.cli._errors import user_errors
from backcoach.pose.bundles import BundleError, build_all

models_app = typer.Typer(help="Pose model bundles (lite, full, heavy).", no_args_is_help=True)


@models_app.command("build")
def build(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing when all goes well."),
    force: bool = typer.Option(False, "--force", help="Rebuild even when the bundles are up to date."),
) -> None:
    """Build pose_landmarker_{lite,full,heavy}.task from the mediapipe wheel and npm weights (idempotent)."""
    with user_errors(BundleError):
        status = build_all(force=force)
    if not quiet:
        console = Console()
        for model, state in status.items():
            console.print(f"{model}: {state}")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")

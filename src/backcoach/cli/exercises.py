"""``backcoach exercises list|show|validate``: the exercise library from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from backcoach.cli._errors import UserError, user_errors
from backcoach.exercises import ExerciseFileError, UnknownExerciseError, get_exercise, load_exercise, load_library
from backcoach.paths import EXERCISES_DIR

exercises_app = typer.Typer(help="The exercise library: list, show and validate exercise files.", no_args_is_help=True)


@exercises_app.command("list")
def list_exercises(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Every exercise in the library with its modality, position, view and sides."""
    with user_errors(ExerciseFileError):
        library = load_library()
    rows = [
        {"id": e.id, "name": e.name.en, "name_zh": e.name.zh_hans, "modality": e.modality,
         "start_position": e.start_position, "view": e.view, "sides": e.sides}
        for e in library.values()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} exercises")
    for column in ("id", "name", "modality", "start_position", "view", "sides"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(row[c] for c in ("id", "name", "modality", "start_position", "view", "sides")))
    Console().print(table)


@exercises_app.command("show")
def show(
    exercise_id: str = typer.Argument(..., help="Exercise id."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole definition as JSON."),
) -> None:
    """One exercise: dose, phases, standards and errors with their thresholds and sources."""
    with user_errors(ExerciseFileError, UnknownExerciseError):
        exercise = get_exercise(exercise_id)
    if as_json:
        typer.echo(json.dumps(exercise.model_dump(mode="json", by_alias=True), indent=2, ensure_ascii=False))
        return
    console = Console()
    dose = exercise.dosage.beginner
    console.print(f"[bold]{exercise.name.en}[/] ({exercise.name.zh_hans}) — {exercise.id}")
    console.print(f"{exercise.modality}, start {exercise.start_position}, view {', '.join(exercise.views)}, {exercise.sides}")
    console.print(f"beginner: {dose.reps} reps x {dose.sets} sets, hold {dose.hold_s:g} s, rest {dose.rest_s:g} s")
    p = exercise.phases
    console.print(f"phases: {p.feature} from {p.start:g} to {p.target:g} (±{p.tolerance:g})  {p.source}")
    table = Table(title="standards and errors")
    for column in ("id", "kind", "phase", "rule", "severity", "source"):
        table.add_column(column)
    for s in exercise.standards:
        table.add_row(s.id, "standard", s.phase, f"{s.measure} {s.feature} in {list(s.range)}",
                      "critical" if s.critical else "-", s.source)
    for e in exercise.errors:
        table.add_row(e.id, "error", e.phase, _rule_text(e), e.severity, e.source)
    console.print(table)
    for note in exercise.not_measurable:
        console.print(f"not measurable: {note.what} — proxy: {note.proxy}")


def _rule_text(rule) -> str:
    if rule.too_fast is not None:
        return f"{rule.too_fast.phase} phase < {rule.too_fast.seconds:g} s"
    if rule.condition is not None:
        return rule.condition
    w = rule.when
    bound = f"< {w.below:g}" if w.below is not None else f"> {w.above:g}" if w.above is not None else f"outside {list(w.outside)}"
    return f"{'change of ' if w.change else ''}{w.feature} {bound}"


@exercises_app.command("validate")
def validate(
    path: Path = typer.Argument(None, help="An exercise file or a folder of them (default: the library)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Check exercise files; every problem names the file, the field and the reason."""
    target = path or EXERCISES_DIR
    with user_errors():
        if not target.exists():
            raise UserError(f"{target}: no such file or folder")
        files = sorted(target.glob("*.toml")) if target.is_dir() else [target]
        if not files:
            raise UserError(f"{target}: no .toml exercise files")
    results = []
    for file in files:
        try:
            load_exercise(file)
            results.append({"file": str(file), "ok": True, "error": None})
        except ExerciseFileError as error:
            results.append({"file": str(file), "ok": False, "error": str(error)})
    bad = [r for r in results if not r["ok"]]
    if as_json:
        typer.echo(json.dumps({"files": results, "ok": not bad}, indent=2, ensure_ascii=False))
    else:
        for result in results:
            typer.echo(f"ok     {result['file']}" if result["ok"] else f"error: {result['error']}")
        typer.echo(f"{len(results) - len(bad)} of {len(results)} valid")
    if bad:
        raise typer.Exit(code=2)


def register(app: typer.Typer) -> None:
    app.add_typer(exercises_app, name="exercises")

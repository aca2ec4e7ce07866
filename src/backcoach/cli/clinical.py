"""Clinical commands: score questionnaires, screen red flags, classify, plan, run the worked example."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from backcoach.cli._errors import UserError, user_errors
from backcoach.clinical.instruments import INSTRUMENT_IDS, AnswerError, parse_answers
from backcoach.clinical.scoring import SCORERS

console = Console()


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def score(
    instrument: str = typer.Argument(..., help=f"Instrument id: {', '.join(INSTRUMENT_IDS)}."),
    answers: str = typer.Option(..., "--answers", help="Comma-separated answers in item order; leave a "
                                "position empty for a missing answer; 'na' for a not-applicable ODI section."),
    as_json: bool = typer.Option(False, "--json", help="Print the score as JSON."),
) -> None:
    """Score one questionnaire or measure from its raw answers."""
    with user_errors(AnswerError):
        if instrument not in SCORERS:
            raise UserError(f"unknown instrument {instrument!r}; choose one of {', '.join(INSTRUMENT_IDS)}")
        result = SCORERS[instrument](parse_answers(instrument, answers)).public()
    if as_json:
        _print_json(result)
        return
    for key, value in result.items():
        console.print(f"{key:>11}: {value}", highlight=False)


def _load_intake(path: Path):
    from pydantic import ValidationError

    from backcoach.clinical.intake import Intake

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read ({error.strerror})") from None
    try:
        return Intake.model_validate_json(text)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise UserError(f"{path}: {problems}") from None


def redflags(
    intake: Path = typer.Argument(None, help="Intake JSON (schema: `backcoach classify --schema`)."),
    questions: bool = typer.Option(False, "--questions", help="Print the red-flag questions instead."),
    checkin: bool = typer.Option(False, "--checkin", help="With --questions: only the session check-in set."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Screen an intake for red flags (brief §3.1): outcome, patient message and therapist alert."""
    from backcoach.clinical.redflags import checkin_questions, redflag_data, screen

    if questions:
        data = checkin_questions() if checkin else redflag_data()["questions"]
        _print_json({k: {"en": v["en"], "zh-Hans": v["zh-Hans"]} for k, v in data.items()})
        return
    with user_errors():
        if intake is None:
            raise UserError("give an intake JSON file, or --questions")
        result = screen(_load_intake(intake)).to_dict()
    if as_json:
        _print_json(result)
        return
    console.print(f"outcome: [bold]{result['outcome']}[/] (exercise blocked: {result['exercise_blocked']})")
    for finding in result["findings"]:
        console.print(f"  - {finding['id']} -> {finding['action']}: {finding['reason']}", highlight=False)
    for flag in result["weak_flags"]:
        console.print(f"  - weak flag: {flag}", highlight=False)
    console.print(result["patient_message"]["en"], highlight=False)
    console.print(result["patient_message"]["zh-Hans"], highlight=False)


def classify(
    intake: Path = typer.Argument(None, help="Intake JSON: patient, history, red_flags, conditions, "
                                  "questionnaires (raw answers) and examination (tests T1-T11)."),
    schema: bool = typer.Option(False, "--schema", help="Print the JSON schema of the input and exit."),
    as_json: bool = typer.Option(False, "--json", help="Print the classification as JSON."),
) -> None:
    """Classify an intake into one of the five categories (brief §3.6); red flags override everything."""
    from backcoach.clinical.classify import classify as run_classify
    from backcoach.clinical.intake import Intake

    if schema:
        _print_json(Intake.model_json_schema())
        return
    with user_errors(AnswerError):
        if intake is None:
            raise UserError("give an intake JSON file (see --schema)")
        result = run_classify(_load_intake(intake)).to_dict()
    if as_json:
        _print_json(result)
        return
    name = result["category_name"]["en"] if result["category"] else result["outcome"]
    console.print(f"[bold]{name}[/] confidence {result['confidence']}  runner-up {result['runner_up']}")
    for rule in result["rules_fired"]:
        console.print(f"  step {rule['step']}: {rule['text']}", highlight=False)
    if result["actions"]:
        console.print(f"actions: {', '.join(result['actions'])}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("classify")(classify)
    app.command("score")(score)
    app.command("redflags")(redflags)

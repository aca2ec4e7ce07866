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


CATEGORY_HELP = "FLEXION_INTOLERANCE, EXT_ROT_INTOLERANCE, STABILITY_DEFICIENCY, MUSCLE_TENSION or NERVE_COMPRESSION"


def _catalog(library: Path | None):
    from backcoach.clinical.catalog import catalog_from_library

    return catalog_from_library(library)


def plan(
    category: str = typer.Option(None, "--category", help=f"Category: {CATEGORY_HELP}."),
    intake: Path = typer.Option(None, "--from-intake", help="Classify this intake JSON and plan for its category."),
    approach: str = typer.Option("movement_control", "--approach",
                                 help="symptom_modulation, movement_control or function_optimization (brief §3.3)."),
    mode: str = typer.Option("ai_guided", "--mode", help="ai_guided or video_only."),
    exclude: list[str] = typer.Option([], "--exclude", help="Direction never loaded (repeatable)."),
    avoid: list[str] = typer.Option([], "--avoid-end-range", help="Direction kept to mid-range (repeatable)."),
    centralizing: str = typer.Option(None, "--centralizing", help="Nerve compression: extension or flexion."),
    library: Path = typer.Option(None, "--library", help="Exercise library folder (default: the package's)."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Build the 4-week plan (3 sessions a week, 30-45 min) from the exercise library (brief §3.7, §5)."""
    from backcoach.clinical.approach import APPROACHES
    from backcoach.clinical.catalog import PlanError
    from backcoach.clinical.classify import classify as run_classify
    from backcoach.clinical.prescription import build_plan, plan_from_classification

    with user_errors(PlanError, AnswerError):
        if (category is None) == (intake is None):
            raise UserError("give either --category or --from-intake")
        if approach not in APPROACHES:
            raise UserError(f"unknown approach {approach!r}; choose one of {', '.join(APPROACHES)}")
        catalog = _catalog(library)
        if intake is not None:
            result = plan_from_classification(run_classify(_load_intake(intake)), catalog, mode)
        else:
            result = build_plan(category.upper(), catalog, approach=approach, mode=mode, excluded_directions=exclude,
                                avoid_end_range=avoid, centralizing=centralizing)
    data = result.to_dict()
    if as_json:
        _print_json(data)
        return
    console.print(f"[bold]{data['category']}[/] ({data['approach']}, {data['mode']}), CR10 targets {data['cr10_upper']}")
    for note in data["notes"]:
        console.print(f"For the {note['for']}: {note['en']}\n  {note['zh-Hans']}", highlight=False)
    for session in data["sessions"]:
        items = ", ".join(f"{i['id']} L{i['level']} {i['sets']}x{i['reps']}" for i in session["items"])
        console.print(f"week {session['week']} session {session['number']} ({session['minutes']} min): {items}",
                      highlight=False)


def assess(
    test: str = typer.Argument(..., help="Camera test id: rom_flexion, rom_extension, rom_lateral_left/right, "
                               "rom_rotation_left/right, hold_prone_plank, hold_side_bridge_left/right, "
                               "hold_biering_sorensen, hold_trunk_flexor, t9_heel_raises."),
    recording: Path = typer.Argument(..., help="Landmark recording (any format `backcoach` reads)."),
    height_cm: float = typer.Option(None, "--height-cm", help="Standing height, for fingertip-to-floor in cm."),
    sex: str = typer.Option(None, "--sex", help="female or male: picks the hold norm."),
    by_label: bool = typer.Option(False, "--by-label", help="Hold tests on a recording with per-frame labels: "
                                  "how often the position rule agrees with each label, and each labelled run timed as a hold."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Measure one camera assessment (brief §6) from a landmark recording."""
    from backcoach.clinical.assess import measure_test
    from backcoach.clinical.camera import CameraTestError, camera_tests, test_spec
    from backcoach.clinical.holds import position_by_label
    from backcoach.pose.formats import load_recording

    with user_errors(CameraTestError, ValueError, OSError):
        spec = test_spec(test)
        seq = load_recording(recording)
        if by_label:
            if spec["kind"] != "hold":
                raise UserError("--by-label checks the position rule of a hold test")
            _print_json(position_by_label(seq, test))
            return
        result = measure_test(seq, test, height_cm=height_cm, sex=sex)
    data = result.to_dict()
    if as_json:
        _print_json(data)
        return
    label = camera_tests()["tests"][test]["label"]["en"]
    console.print(f"{label}: {data['value']} {data['unit']} ({data['status']}, tracking {data['quality']['verdict']})",
                  highlight=False)


def chain(
    example: Path = typer.Argument(None, help="Chain input JSON (default: the bundled worked example)."),
    library: Path = typer.Option(None, "--library", help="Exercise library folder (default: the package's)."),
    as_json: bool = typer.Option(False, "--json", help="Print every stage as JSON."),
) -> None:
    """Run the whole chain on one patient, intake to week-2 reassessment (docs/worked-example.md)."""
    from pydantic import ValidationError

    from backcoach.clinical.camera import CameraTestError
    from backcoach.clinical.catalog import PlanError
    from backcoach.clinical.chain import ChainInput, run_chain
    from backcoach.clinical.thresholds import DATA_DIR
    from backcoach.pose.formats import load_recording

    path = example or DATA_DIR / "examples" / "worked_example.json"
    with user_errors(PlanError, AnswerError, CameraTestError, OSError):
        try:
            data = ChainInput.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
            raise UserError(f"{path}: {problems}") from None
        recordings = {test: load_recording(path.parent / spec.recording) for test, spec in data.camera.items()}
        result = run_chain(data, _catalog(library), recordings)
    if as_json:
        _print_json(result)
        return
    _print_chain(result)


def _print_chain(result: dict) -> None:
    c = result["classification"]
    console.print(f"red flags: {result['red_flags']['outcome']}")
    for test, value in result["camera"].items():
        if test != "ratios":
            console.print(f"camera {test}: {value['value']} {value['unit']} ({value['status']})", highlight=False)
    console.print(f"category: {c['outcome']} (confidence {c['confidence']}, runner-up {c['runner_up']}, "
                  f"approach {c['approach']})", highlight=False)
    if "plan" in result:
        first = result["plan"]["sessions"][0]
        console.print(f"plan: {len(result['plan']['sessions'])} sessions; session 1 {first['minutes']} min: "
                      + ", ".join(i["id"] for i in first["items"]), highlight=False)
        for session in result["sessions"]:
            moves = [f"{d['exercise']} {d['action']}" for d in session["decisions"] if d["action"] != "hold"]
            console.print(f"  session {session['session']}: {', '.join(moves) or 'all hold'}", highlight=False)
    if "week2" in result:
        w = result["week2"]
        console.print(f"week 2: {w['reassessment']['row']}; reclassified as {w['classification']['outcome']}; "
                      f"{len(w.get('plan_difference', {}).get('changes', []))} change(s) pending therapist review",
                      highlight=False)
    for week in ("week4", "week8"):
        if week in result:
            r = result[week]["reassessment"]
            console.print(f"{week.replace('week', 'week ')}: {r['row']}; {'; '.join(r['reasons'])}"
                          + (f"; {r['offer']}" if r["offer"] else ""), highlight=False)


def thresholds(
    tag: str = typer.Option(None, "--tag", help="Only thresholds with this evidence tag: V, P, U or E."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the clinical thresholds the code relies on, with their source tag from the brief."""
    from backcoach.clinical.thresholds import TAGS, TH

    with user_errors():
        if tag is not None and tag.upper() not in TAGS:
            raise UserError(f"unknown tag {tag!r}; choose one of {', '.join(TAGS)}")
        rows = [TH.info(name) for name in TH if tag is None or TH.info(name).tag == tag.upper()]
    if as_json:
        _print_json({"version": TH.version, "thresholds": [r.__dict__ for r in rows]})
        return
    for row in rows:
        console.print(f"[{row.tag}] {row.name} = {row.value}  ({row.source})", highlight=False, markup=False)


def checkin(
    intake: Path = typer.Argument(..., help="The patient's stored intake JSON (schema: `backcoach classify --schema`)."),
    yes: list[str] = typer.Option([], "--yes", help="A question answered yes (id from `backcoach redflags --questions`); repeat."),
    no: list[str] = typer.Option([], "--no", help="A question answered no; repeat, or 'all' for every question asked so far."),
    pre: int = typer.Option(None, "--pre", help="Today's pre-session pain, 0-10."),
    previous: str = typer.Option("", "--previous", help="Earlier pre-session pain values, oldest first: '4,3,4'."),
    new_leg_symptoms: bool = typer.Option(False, "--new-leg-symptoms", help="New leg symptoms or numbness reported."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The session safety check-in (brief §3.1, §5.1, §5.4): what to ask next, or block / continue."""
    from backcoach.clinical.checkin import CheckinError, session_checkin
    from backcoach.clinical.redflags import redflag_data

    with user_errors(CheckinError):
        patient = _load_intake(intake)
        try:
            earlier = [float(v) for v in previous.split(",") if v.strip()]
        except ValueError:
            raise UserError(f"--previous: {previous!r} is not a comma-separated list of numbers") from None
        answers = {q: False for q in (redflag_data()["questions"] if "all" in no else no)}
        answers |= {q: True for q in yes}
        result = session_checkin(patient, answers, pre, earlier, new_leg_symptoms).to_dict()
    if as_json:
        _print_json(result)
        return
    console.print(f"status: [bold]{result['status']}[/]", highlight=False)
    console.print(f"{result['message']['en']}\n{result['message']['zh-Hans']}", highlight=False)
    for qid, text in result["questions"].items():
        console.print(f"  {qid}: {text['en']} / {text['zh-Hans']}", highlight=False)


def register(app: typer.Typer) -> None:
    for command in (score, redflags, checkin, classify, assess, plan, chain, thresholds):
        app.command(command.__name__)(command)

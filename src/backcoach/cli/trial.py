"""``backcoach trial ...``: analyse a trial, simulate the paper's data set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from backcoach.cli._errors import user_errors

trial_app = typer.Typer(help="Randomised trial: analysis (Tables 1-2, figures), paper simulation, randomisation, CONSORT, FHIR export.",
                        no_args_is_help=True)


def _week_groups(text: str | None) -> list[list[int]] | None:
    if not text:
        return None
    try:
        return [[int(w) for w in group.split(",") if w.strip()] for group in text.split("|")]
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: expected weeks like '2,4|8'", param_hint="--week-groups") from error


def _stored(trial_id: int | None, database_url: str | None, reference: str | None):  # type: ignore[no-untyped-def]
    """The stored trial's long table, reference arm, completers and covariates (real arms: for trial staff)."""
    from backcoach.app.portal.trial import stored_trial
    from backcoach.app.settings import Settings
    from backcoach.store import db as store_db

    engine = store_db.make_engine(database_url or Settings().database_url)
    with store_db.make_sessionmaker(engine)() as db:
        stored = stored_trial(db, trial_id)
    engine.dispose()
    return stored.long, reference or stored.reference, stored.completed, stored.covariates


@trial_app.command()
def analyze(
    data: Path | None = typer.Option(None, "--data", help="Long CSV: subject,arm,week,outcome,value (week 0 = baseline). Without it, the trial stored in the database is analysed."),
    reference: str | None = typer.Option(None, "--reference", help="Reference arm; differences are other arm minus it. Required with --data; from the database, the trial's defined reference arm."),
    trial_id: int | None = typer.Option(None, "--trial", help="Without --data: id of the stored trial (needed when the database holds several)."),
    database_url: str | None = typer.Option(None, "--database-url", help="Without --data: database to read (default: DATABASE_URL or the app's SQLite file)."),
    covariates: Path | None = typer.Option(None, "--covariates", help="CSV: subject plus one column per baseline characteristic (numeric = continuous, text = categorical)."),
    analysis_set: str = typer.Option("per-protocol", "--set", help="Analysis set: per-protocol or itt."),
    week_groups: str | None = typer.Option(None, "--week-groups", help="Split multi-visit outcomes into separate GEEs, e.g. '2,4|8' (the paper's Models A and B). Default: one GEE over all weeks."),
    se: str = typer.Option("robust", "--se", help="GEE standard errors: robust (the paper's sandwich) or bias-reduced (Mancl-DeRouen)."),
    impute: int = typer.Option(0, "--impute", help="With --set itt: multiple imputations under MAR (e.g. 20); 0 = available data."),
    impute_seed: int = typer.Option(0, "--impute-seed", help="Seed of the imputations."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document instead of Markdown."),
    out: Path | None = typer.Option(None, "--out", help="Directory to write table1/table2 as .md, .csv, .html, analysis.json and the figures."),
) -> None:
    """Analyse a two-arm trial as the paper did: Table 1, Table 2 (GEE / ANCOVA), figures."""
    from backcoach.trial.analysis import (
        AnalysisSet, ImputationError, ModelError, TrialDataError, analyze as run, read_covariates_csv, read_long_csv,
    )
    from backcoach.trial.analysis import render
    from backcoach.trial.analysis.figures import write_figures

    from backcoach.app.portal.trial import TrialActionError

    with user_errors(TrialDataError, ModelError, ImputationError, TrialActionError):
        try:
            chosen_set = AnalysisSet(analysis_set)
        except ValueError:
            raise typer.BadParameter(f"{analysis_set!r}: use per-protocol or itt", param_hint="--set") from None
        completed = None
        if data is not None:
            if reference is None:
                raise typer.BadParameter("give the reference arm with --data", param_hint="--reference")
            long = read_long_csv(data)
        else:
            long, reference, completed, stored_covariates = _stored(trial_id, database_url, reference)
        cov = read_covariates_csv(covariates) if covariates else (None if data else stored_covariates)
        result = run(long, reference, cov, chosen_set, completed=completed, week_groups=_week_groups(week_groups),
                     se=se, imputations=impute, seed=impute_seed)
    document = json.dumps(result.to_dict(), indent=2, allow_nan=False)
    if out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "analysis.json").write_text(document + "\n")
        markdown = render.to_markdown(result)
        (out / "tables.md").write_text(markdown)
        (out / "tables.html").write_text(render.to_html(result))
        (out / "table1.csv").write_text(render.to_csv(render.table1_frame(result)))
        (out / "table2.csv").write_text(render.to_csv(render.table2_frame(result)))
        write_figures(result, out)
    typer.echo(document if as_json else render.to_markdown(result))


@trial_app.command("simulate-paper")
def simulate_paper(
    output: Path = typer.Option(..., "-o", "--output", help="Long CSV to write (subject,arm,week,outcome,value)."),
    seed: int = typer.Option(..., "--seed", help="Random seed; the same seed gives the same data."),
    covariates_out: Path | None = typer.Option(None, "--covariates-out", help="Also write the baseline covariates CSV here."),
) -> None:
    """Draw a data set shaped like the paper (19 + 19 randomised, 18 + 16 per protocol)."""
    from backcoach.trial.simulate import simulate_paper as draw

    trial = draw(seed)
    trial.long.to_csv(output, index=False, float_format="%.6f")
    if covariates_out:
        trial.covariates.to_csv(covariates_out, index=False)
    typer.echo(f"wrote {len(trial.long)} rows for {trial.long['subject'].nunique()} participants to {output}")


@trial_app.command("reproduce-paper")
def reproduce_paper(
    seed: int = typer.Option(2023, "--seed", help="Seed of the simulated data set shown row by row."),
    seeds: int = typer.Option(0, "--seeds", help="Also summarise recovery over this many seeds (0, 1, ...)."),
    week_groups: str | None = typer.Option(None, "--week-groups", help="As for analyze, e.g. '2,4|8'."),
    se: str = typer.Option("robust", "--se", help="As for analyze: robust or bias-reduced."),
) -> None:
    """Table 2 from simulated paper data next to the paper's numbers (docs/paper-reproduction.md)."""
    from backcoach.trial.reproduce import (
        WITHIN, compare_with_paper, comparison_markdown, recovery_markdown, recovery_over_seeds,
    )

    from backcoach.trial.analysis import ModelError

    groups = _week_groups(week_groups)
    with user_errors(ModelError):
        table = compare_with_paper(seed, groups, se)
    within = (table["z_vs_paper"].abs() <= WITHIN).sum()
    typer.echo(f"Seed {seed}, per-protocol (18 AI, 16 video), adjusted difference = AI minus video\n")
    typer.echo(comparison_markdown(table))
    typer.echo(f"\n{within} of {len(table)} rows within {WITHIN:g} paper standard errors of the paper's value.")
    if seeds:
        summary = recovery_over_seeds(range(seeds), groups, se)
        typer.echo(f"\nRecovery over seeds 0-{seeds - 1}:\n")
        typer.echo(recovery_markdown(summary))
        typer.echo(f"\nMean coverage of the simulator truth by the 95% CIs: {summary['coverage'].mean():.1%}; "
                   f"rows within {WITHIN:g} paper SE: {summary['within_paper_error'].mean():.1%}.")


@trial_app.command("export-fhir")
def export_fhir(
    data: Path = typer.Option(..., "--data", help="Long CSV: subject,arm,week,outcome,value."),
    output: Path = typer.Option(..., "-o", "--output", help="FHIR Bundle (JSON) to write."),
    start: str | None = typer.Option(None, "--start", help="Baseline date (YYYY-MM-DD) for every subject."),
    baseline_dates: Path | None = typer.Option(None, "--baseline-dates", help="CSV subject,date of each baseline visit."),
) -> None:
    """Export outcome values as a de-identified FHIR Bundle (R4B models; no arm, codes only).

    Each subject becomes a Patient holding only its code, with one Observation per value.
    """
    from datetime import date, datetime, timedelta, timezone

    import pandas as pd

    from backcoach.trial.analysis import TrialDataError, read_long_csv
    from backcoach.trial.fhir import collection, observations_from_long, pseudonymous_patients

    with user_errors(TrialDataError, ValueError):
        if (start is None) == (baseline_dates is None):
            raise typer.BadParameter("give exactly one of --start or --baseline-dates", param_hint="--start")
        long = read_long_csv(data)
        if start is not None:
            first = {s: date.fromisoformat(start) for s in long["subject"].unique()}
        else:
            table = pd.read_csv(baseline_dates, dtype=str)
            first = {row.subject: date.fromisoformat(row.date) for row in table.itertuples(index=False)}
        absent = sorted(set(long["subject"]) - set(first))
        if absent:
            raise ValueError(f"{baseline_dates}: no baseline date for subject(s) {absent[:5]}")
        observations = observations_from_long(long, lambda s, w: first[s] + timedelta(weeks=int(w)))
        patients = pseudonymous_patients(long["subject"], data.stem)
        bundle = collection([*patients, *observations], f"export-{data.stem}", datetime.now(timezone.utc))
    output.write_text(bundle.model_dump_json(indent=1))
    typer.echo(f"wrote {len(patients)} Patient(s) and {len(observations)} Observation(s) to {output}")


@trial_app.command("export-csv")
def export_csv(
    data: Path = typer.Option(..., "--data", help="Long CSV: subject,arm,week,outcome,value."),
    role: str = typer.Option(..., "--role", help="Who receives the file: statistician, outcome_assessor, therapist, ..."),
    output: Path = typer.Option(..., "-o", "--output", help="CSV to write."),
    codes: Path | None = typer.Option(None, "--codes", help="JSON arm -> code (from 'randomise seal --codes'); needed for a blinded statistician."),
    unblinded: bool = typer.Option(False, "--unblinded", help="The trial has been unblinded."),
) -> None:
    """Write the analysis table as a role may see it (coded arms for the blinded statistician)."""
    from backcoach.trial.analysis import TrialDataError, read_long_csv
    from backcoach.trial.blinding import BlindingError, Role
    from backcoach.trial.export import long_csv

    with user_errors(TrialDataError, BlindingError):
        try:
            who = Role(role)
        except ValueError:
            raise typer.BadParameter(f"{role!r}: use one of {[r.value for r in Role]}", param_hint="--role") from None
        mapping = json.loads(codes.read_text()) if codes else {}
        output.write_text(long_csv(read_long_csv(data), who, mapping, unblinded))
    typer.echo(f"wrote {output} for role {who.value}")


@trial_app.command("consort")
def consort(
    flow: Path = typer.Option(..., "--flow", help="JSON of the CONSORT counts (ConsortFlow.to_dict(), e.g. from the portal)."),
    output: Path = typer.Option(..., "-o", "--output", help="SVG file to write."),
    label: list[str] = typer.Option([], "--label", help="Display name of an arm as arm=name (repeatable)."),
) -> None:
    """Draw the CONSORT flow diagram (SVG) from its counts."""
    from backcoach.trial.consort import ConsortFlow, consort_svg

    with user_errors(ValueError, TypeError, KeyError):
        try:
            counts = json.loads(flow.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise ValueError(f"{flow}: cannot read the counts ({error})") from error
        diagram = consort_svg(ConsortFlow(**counts), dict(item.split("=", 1) for item in label))
    output.write_text(diagram)
    typer.echo(f"wrote {output}")


randomise_app = typer.Typer(help="Sealed permuted-block randomisation kept in local JSON files.",
                            no_args_is_help=True)


@randomise_app.command("seal")
def randomise_seal(
    arms: str = typer.Option(..., "--arms", help="Comma-separated arm names, e.g. 'AI,video'."),
    per_stratum: int = typer.Option(..., "--per-stratum", help="Slots to draw per stratum (whole blocks)."),
    vault: Path = typer.Option(..., "--vault", help="Where to write the secret sequence (JSON)."),
    public: Path = typer.Option(..., "--public", help="Where to write the seal and commitments (JSON)."),
    trial_id: str = typer.Option("trial", "--trial-id", help="Trial identifier, part of every hash."),
    ratio: str | None = typer.Option(None, "--ratio", help="Allocation ratio, e.g. '2,1' (default equal)."),
    strata: list[str] = typer.Option([], "--stratum", help="Stratification factor as name=level1,level2 (repeatable)."),
    codes: Path | None = typer.Option(None, "--codes", help="Also write random neutral arm codes (Arm X, Arm Y) here, for the blinded statistician."),
) -> None:
    """Generate and seal the allocation sequence before enrolment; prints the seal to publish."""
    from datetime import datetime, timezone

    from backcoach.trial.randomisation import (
        RandomisationError, TrialDefinition, generate_sequence, public_view, sequence_to_dict,
    )

    with user_errors(RandomisationError):
        factors = {}
        for item in strata:
            name, _, levels = item.partition("=")
            if not name or not levels:
                raise typer.BadParameter(f"{item!r}: expected name=level1,level2", param_hint="--stratum")
            factors[name] = tuple(levels.split(","))
        weights = tuple(int(r) for r in ratio.split(",")) if ratio else ()
        definition = TrialDefinition(trial_id, tuple(a.strip() for a in arms.split(",")), weights, strata=factors)
        sealed = generate_sequence(definition, per_stratum, datetime.now(timezone.utc).isoformat())
    vault.write_text(json.dumps(sequence_to_dict(sealed), indent=1))
    if codes:
        from backcoach.trial.blinding import make_arm_codes

        codes.write_text(json.dumps(make_arm_codes(definition.arms), indent=1))
    public.write_text(json.dumps(public_view(sealed), indent=1))
    typer.echo(f"seal {sealed.seal}")


@randomise_app.command("reveal")
def randomise_reveal(
    vault: Path = typer.Option(..., "--vault", help="The sealed sequence (JSON)."),
    log: Path = typer.Option(..., "--log", help="Reveal log (JSON lines); created if absent."),
    participant: str = typer.Option(..., "--participant", help="Participant (screening) id to allocate."),
    actor: str = typer.Option(..., "--actor", help="Who reveals (user id), recorded in the log."),
    factor: list[str] = typer.Option([], "--factor", help="Stratification value as name=level (repeatable)."),
) -> None:
    """Allocate one participant; appends the reveal to the log and prints the arm and new head hash."""
    from datetime import datetime, timezone

    from backcoach.trial.randomisation import (
        RandomisationError, TamperError, record_from_dict, reveal_next, sequence_from_dict, verify_sequence,
    )

    with user_errors(RandomisationError, TamperError):
        sealed = sequence_from_dict(json.loads(vault.read_text()))
        verify_sequence(sealed, sealed.seal)
        records = [record_from_dict(json.loads(line)) for line in log.read_text().splitlines() if line.strip()] \
            if log.exists() else []
        factors = dict(item.split("=", 1) for item in factor)
        record = reveal_next(sealed, records, participant, actor, datetime.now(timezone.utc).isoformat(), factors)
    with log.open("a") as handle:
        handle.write(json.dumps(record.to_dict()) + "\n")
    typer.echo(f"{participant}: {record.arm}\nhead {record.hash}")


@randomise_app.command("verify")
def randomise_verify(
    public: Path = typer.Option(..., "--public", help="The published seal and commitments (JSON)."),
    log: Path = typer.Option(..., "--log", help="Reveal log (JSON lines)."),
    head: str | None = typer.Option(None, "--head", help="Last head hash you recorded (detects deleted records)."),
    vault: Path | None = typer.Option(None, "--vault", help="Also check the sealed sequence against the seal."),
) -> None:
    """Check the reveal log (and optionally the vault) for tampering."""
    from backcoach.trial.randomisation import (
        TamperError, record_from_dict, sequence_from_dict, verify_reveals, verify_sequence,
    )

    with user_errors(TamperError):
        view = json.loads(public.read_text())
        records = [record_from_dict(json.loads(line)) for line in log.read_text().splitlines() if line.strip()]
        verify_reveals(view, records, head)
        if vault:
            verify_sequence(sequence_from_dict(json.loads(vault.read_text())), view["seal"])
    typer.echo(f"ok: {len(records)} reveal(s) verified against seal {view['seal'][:16]}...")


def register(app: typer.Typer) -> None:
    trial_app.add_typer(randomise_app, name="randomise")
    app.add_typer(trial_app, name="trial")

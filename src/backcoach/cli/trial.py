"""``backcoach trial ...``: analyse a trial, simulate the paper's data set."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from backcoach.cli._errors import user_errors

trial_app = typer.Typer(help="Randomised trial: analysis (Tables 1-2, figures) and simulation.",
                        no_args_is_help=True)


def _week_groups(text: str | None) -> list[list[int]] | None:
    if not text:
        return None
    try:
        return [[int(w) for w in group.split(",") if w.strip()] for group in text.split("|")]
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: expected weeks like '2,4|8'", param_hint="--week-groups") from error


@trial_app.command()
def analyze(
    data: Path = typer.Option(..., "--data", help="Long CSV: subject,arm,week,outcome,value (week 0 = baseline)."),
    reference: str = typer.Option(..., "--reference", help="Reference arm; differences are other arm minus it."),
    covariates: Path | None = typer.Option(None, "--covariates", help="CSV: subject plus one column per baseline characteristic (numeric = continuous, text = categorical)."),
    analysis_set: str = typer.Option("per-protocol", "--set", help="Analysis set: per-protocol or itt."),
    week_groups: str | None = typer.Option(None, "--week-groups", help="Split multi-visit outcomes into separate GEEs, e.g. '2,4|8' (the paper's Models A and B). Default: one GEE over all weeks."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document instead of Markdown."),
    out: Path | None = typer.Option(None, "--out", help="Directory to write table1/table2 as .md, .csv, .html, analysis.json and the figures."),
) -> None:
    """Analyse a two-arm trial as the paper did: Table 1, Table 2 (GEE / ANCOVA), figures."""
    from backcoach.trial.analysis import (
        AnalysisSet, ModelError, TrialDataError, analyze as run, read_covariates_csv, read_long_csv,
    )
    from backcoach.trial.analysis import render
    from backcoach.trial.analysis.figures import write_figures

    with user_errors(TrialDataError, ModelError):
        try:
            chosen_set = AnalysisSet(analysis_set)
        except ValueError:
            raise typer.BadParameter(f"{analysis_set!r}: use per-protocol or itt", param_hint="--set") from None
        long = read_long_csv(data)
        cov = read_covariates_csv(covariates) if covariates else None
        result = run(long, reference, cov, chosen_set, week_groups=_week_groups(week_groups))
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
) -> None:
    """Table 2 from simulated paper data next to the paper's numbers (docs/paper-reproduction.md)."""
    from backcoach.trial.reproduce import (
        WITHIN, compare_with_paper, comparison_markdown, recovery_markdown, recovery_over_seeds,
    )

    groups = _week_groups(week_groups)
    table = compare_with_paper(seed, groups)
    within = (table["z_vs_paper"].abs() <= WITHIN).sum()
    typer.echo(f"Seed {seed}, per-protocol (18 AI, 16 video), adjusted difference = AI minus video\n")
    typer.echo(comparison_markdown(table))
    typer.echo(f"\n{within} of {len(table)} rows within {WITHIN:g} paper standard errors of the paper's value.")
    if seeds:
        summary = recovery_over_seeds(range(seeds), groups)
        typer.echo(f"\nRecovery over seeds 0-{seeds - 1}:\n")
        typer.echo(recovery_markdown(summary))
        typer.echo(f"\nMean coverage of the simulator truth by the 95% CIs: {summary['coverage'].mean():.1%}; "
                   f"rows within {WITHIN:g} paper SE: {summary['within_paper_error'].mean():.1%}.")


def register(app: typer.Typer) -> None:
    app.add_typer(trial_app, name="trial")

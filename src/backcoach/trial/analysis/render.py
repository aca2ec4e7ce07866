"""Tables 1 and 2 as Markdown, CSV and HTML, laid out like the paper's."""

from __future__ import annotations

import html
import io

import pandas as pd

from backcoach.trial.analysis.pipeline import TrialAnalysis


def format_p(p: float | None) -> str:
    """P value in the paper's style: ``.38``, ``.002``, ``<.001``."""
    if p is None or pd.isna(p):
        return ""
    if p < 0.001:
        return "<.001"
    text = f"{p:.3f}" if p < 0.01 else f"{p:.2f}"
    return text.lstrip("0") if text != "1.00" else "1.00"


def table1_frame(result: TrialAnalysis) -> pd.DataFrame:
    """Table 1 as a DataFrame of display strings, one column per arm (reference first)."""
    records = []
    for row in result.table1:
        label = row.label if row.level is None else f"{row.label}: {row.level}"
        record = {"Characteristic": label, "Statistic": row.statistic}
        for arm in result.arms:
            record[f"{arm} (n={result.n_by_arm[arm]})"] = row.formatted[arm]
        record["P value"] = format_p(row.p)
        record["Test"] = row.test or ""
        records.append(record)
    return pd.DataFrame(records)


def table2_frame(result: TrialAnalysis) -> pd.DataFrame:
    """Table 2 as a DataFrame of display strings: other arm first, as the paper."""
    other = [a for a in result.arms if a != result.reference]
    order = other + [result.reference]
    records = []
    for row in result.table2:
        record = {"Outcome": row.label, "Week": row.week}
        for arm in order:
            s = row.arms[arm]
            mean = "" if s["mean_change"] is None else f"{s['mean_change']:.2f}"
            sd = "" if s["sd_change"] is None else f" ({s['sd_change']:.2f})"
            record[f"{arm}, mean (SD)"] = f"{mean}{sd}"
            record[f"{arm} n"] = s["n"]
        d = row.difference
        record["Adjusted mean difference (95% CI)"] = f"{d.estimate:.2f} ({d.ci_low:.2f} to {d.ci_high:.2f})"
        record["P value"] = format_p(d.p)
        record["Method"] = d.method
        records.append(record)
    return pd.DataFrame(records)


def to_markdown(result: TrialAnalysis) -> str:
    """Both tables as GitHub-flavoured Markdown."""
    title1 = f"Table 1. Baseline characteristics ({result.analysis_set.value})."
    other = [a for a in result.arms if a != result.reference][0]
    title2 = (
        f"Table 2. Change from baseline; adjusted mean difference = {other} minus "
        f"{result.reference}, adjusted for baseline."
    )
    return "\n".join([
        f"**{title1}**", "", _markdown(table1_frame(result)), "",
        f"**{title2}**", "", _markdown(table2_frame(result)), "",
    ])


def _markdown(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def to_csv(frame: pd.DataFrame) -> str:
    """A display table as CSV text."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue()


def to_html(result: TrialAnalysis) -> str:
    """A standalone HTML page with both tables."""
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Trial analysis</title></head><body>"]
    for title, frame in (("Table 1. Baseline characteristics", table1_frame(result)),
                         ("Table 2. Change from baseline", table2_frame(result))):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(frame.to_html(index=False, escape=True, border=0))
    parts.append("</body></html>")
    return "\n".join(parts)

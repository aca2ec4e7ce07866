"""Recorded floors of the quick harness: accuracy may rise, never silently fall.

``floors.toml`` maps a figure's key (:attr:`Figure.key`) to ``{ min = x }`` (higher is better) or
``{ max = x }`` (lower is better). Floors are written from a measured quick run by
``backcoach eval --quick --update-floors``, each a small margin on the safe side of the figure,
and committed with the change that earned them.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

from backcoach.evaluation.report import DatasetResult, Figure

FLOORS_PATH = Path(__file__).with_name("floors.toml")
#: Metrics where lower is better (the rest: higher is better).
LOWER_IS_BETTER = ("mae", "rmse", "count_error", "false_alarm")
#: Margin kept between a measured figure and its floor: absolute for rates and counts, and
#: relative (plus absolute) for errors measured in degrees.
MARGIN = 0.01


def lower_is_better(figure: Figure) -> bool:
    if figure.goal is not None:
        return figure.goal.op == "<="
    if figure.metric == "flagged_share":  # a false alarm on the correct set, a detection on the incorrect one
        return "incorrect" not in (figure.condition or "")
    return any(word in figure.metric for word in LOWER_IS_BETTER)


def load_floors(path: Path = FLOORS_PATH) -> dict[str, dict[str, float]]:
    """The floors by figure key."""
    with path.open("rb") as stream:
        return tomllib.load(stream).get("floors", {})


def floors_from(results: list[DatasetResult]) -> dict[str, dict[str, float]]:
    """Floors a little on the safe side of every measured figure."""
    out: dict[str, dict[str, float]] = {}
    for result in results:
        for figure in result.figures:
            if figure.value is None or not math.isfinite(figure.value):
                continue
            if lower_is_better(figure):
                out[figure.key] = {"max": round(figure.value * 1.1 + MARGIN, 3)}
            else:
                out[figure.key] = {"min": round(max(figure.value - MARGIN, 0.0), 3)}
    return out


def write_floors(floors: dict[str, dict[str, float]], path: Path = FLOORS_PATH) -> None:
    """Write the floors file (sorted, one line per figure)."""
    lines = [
        "# Floors of `backcoach eval --quick` (checked by tests/evaluation/test_floors.py).",
        "# Written by `backcoach eval --quick --update-floors` from a measured run; each floor is a",
        "# little on the safe side of its figure. Raise them when accuracy improves; never lower one",
        "# to make a test pass without saying why in the commit.",
        "[floors]",
    ]
    for key in sorted(floors):
        (bound, value), = floors[key].items()
        lines.append(f'"{key}" = {{ {bound} = {value} }}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def check(results: list[DatasetResult], floors: dict[str, dict[str, float]]) -> list[str]:
    """Every floor broken (or figure gone missing) by these results, as readable lines.

    Floors of datasets that were skipped (data absent) or not run are not checked.
    """
    figures = {f.key: f for r in results for f in r.figures}
    ran = {r.name for r in results if not r.skipped}
    problems = []
    for key, bound in sorted(floors.items()):
        if key.split("/", 1)[0] not in ran:
            continue
        figure = figures.get(key)
        if figure is None or figure.value is None:
            problems.append(f"{key}: figure missing (was floored at {bound})")
        elif "min" in bound and figure.value < bound["min"]:
            problems.append(f"{key}: {figure.value:.4g} fell below its floor {bound['min']}")
        elif "max" in bound and figure.value > bound["max"]:
            problems.append(f"{key}: {figure.value:.4g} rose above its ceiling {bound['max']}")
    return problems

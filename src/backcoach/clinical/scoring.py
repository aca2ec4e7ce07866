"""Versioned pure scoring functions for the instruments (clinical brief §2).

Each scorer takes the raw answers (as :func:`instruments.validate_answers` returns them) and
returns a :class:`Score`; raw answers are never changed and nothing is imputed silently: every
proration or rescaling is named in ``rule``.

Validity limits: scores describe questionnaire answers; they are not diagnoses. Bands are display
and screening aids (brief §2.10); [E] rules are engineering defaults awaiting clinical review.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from statistics import fmean

from backcoach.clinical.instruments import NA, Answer, load_instrument, validate_answers
from backcoach.clinical.thresholds import TH

SCORING_VERSION = "1.0"


@dataclass(frozen=True)
class Score:
    instrument: str
    total: float | None
    max: float | None
    percent: float | None
    subscales: dict[str, float | None]
    band: str | None
    valid: bool
    n_answered: int
    rule: str
    scoring_version: str = SCORING_VERSION
    raw: tuple = field(default=(), repr=False)

    def public(self) -> dict:
        """The CLI/JSON view: exactly the nine documented keys."""
        data = asdict(self)
        return {key: data[key] for key in
                ("instrument", "total", "max", "percent", "subscales", "band", "valid", "n_answered", "rule")}


def _answered(answers: Sequence[Answer]) -> list[float]:
    return [a for a in answers if a is not None and a is not NA]


def band_by_lower_edges(value: float, edges: Sequence[float], labels: Sequence[str]) -> str:
    """``labels[i]`` for the highest edge ``<= value`` (labels[0] below the first edge)."""
    index = sum(1 for edge in edges if value >= edge)
    return labels[index]


def nrs_band(value: float) -> str:
    """Trial display bands (brief §2.1 [V]): 0 none, 1-3 mild, 4-6 moderate, 7-10 severe."""
    return band_by_lower_edges(value, TH["nrs_band_lower_edges"], ("none", "mild", "moderate", "severe"))


def odi_band(percent: float) -> str:
    """Half-open intervals on the unrounded % (brief §2.2): [0,20] minimal, (20,40] moderate, ..."""
    labels = ("minimal", "moderate", "severe", "very severe", "extreme")
    for edge, label in zip(TH["odi_band_upper_edges"], labels):
        if percent <= edge:
            return label
    raise ValueError(f"ODI {percent}% is above 100")


def score_nrs(answers: Sequence[Answer]) -> Score:
    """Three recall frames kept apart (no total): current, 7-day average, 7-day worst (§2.1)."""
    names = ("current", "average", "worst")
    subscales = {name: answers[i] for i, name in enumerate(names)}
    n = len(_answered(answers))
    return Score("nrs", None, 10, None, subscales, None, n == 3, n, "nrs_items_kept_separate", raw=tuple(answers))


def score_odi(answers: Sequence[Answer]) -> Score:
    """ODI 2.1a: sum / (5 x scored sections) x 100; valid with >= 8 scored sections (odi_min8)."""
    scored = _answered(answers)
    n = len(scored)
    total = float(sum(scored))
    valid = n >= TH["odi_min_sections"]
    percent = total / (5 * n) * 100 if valid else None
    return Score(
        "odi", total, 5 * n, percent, {"raw_points_0_50": total if n == 10 else None},
        odi_band(percent) if valid else None, valid, n, "odi_min8", raw=tuple(answers),
    )


def score_rmdq(answers: Sequence[Answer]) -> Score:
    """RMDQ-24: count of ticked items; <= 2 missing rescaled x 24 / n (unrounded), else invalid."""
    scored = _answered(answers)
    n = len(scored)
    missing = 24 - n
    if missing == 0:
        total, rule = float(sum(scored)), "rmdq_complete"
    elif missing <= TH["rmdq_max_missing_for_rescale"]:
        total, rule = sum(scored) * 24 / n, "rmdq_rescaled_max2_missing"
    else:
        total, rule = None, "rmdq_invalid_over2_missing"
    return Score("rmdq", total, 24, None if total is None else total / 24 * 100, {}, None,
                 total is not None, n, rule, raw=tuple(answers))


def _pcs_subscale(answers: Sequence[Answer], items: tuple[int, ...], max_missing: int) -> float | None:
    values = [answers[i - 1] for i in items]
    present = _answered(values)
    if len(items) - len(present) > max_missing or not present:
        return None
    return fmean(present) * len(items)


def score_pcs(answers: Sequence[Answer]) -> Score:
    """PCS: prorated subscales (rumination/helplessness <= 1 missing, magnification complete),
    total = unrounded sum of the three, band at the >= 30 cut-off (§2.4)."""
    spec = load_instrument("pcs").subscales
    subscales = {
        "rumination": _pcs_subscale(answers, spec["rumination"], TH["pcs_max_missing_rumination"]),
        "magnification": _pcs_subscale(answers, spec["magnification"], TH["pcs_max_missing_magnification"]),
        "helplessness": _pcs_subscale(answers, spec["helplessness"], TH["pcs_max_missing_helplessness"]),
    }
    valid = all(v is not None for v in subscales.values())
    total = sum(subscales.values()) if valid else None
    band = None
    if total is not None:
        band = "clinically relevant" if total >= TH["pcs_clinical_cutoff"] else "below cut-off"
    n = len(_answered(answers))
    rule = "pcs_complete" if n == 13 else "pcs_prorated_subscales"
    return Score("pcs", total, 52, None if total is None else total / 52 * 100, subscales, band, valid, n,
                 rule, raw=tuple(answers))


def score_startback(answers: Sequence[Answer]) -> Score:
    """STarT Back 9-item: items 1-8 0/1, item 9 scores 1 at 'very much'/'extremely'; all required."""
    n = len(_answered(answers))
    if n < 9:
        return Score("startback", None, 9, None, {"psychosocial": None}, None, False, n,
                     "startback_all_items_required", raw=tuple(answers))
    item_scores = [int(a) for a in answers[:8]] + [int(answers[8] >= TH["startback_item9_scoring_min"])]
    total = sum(item_scores)
    psychosocial = sum(item_scores[4:9])
    if total <= TH["startback_low_max_total"]:
        band = "low"
    elif psychosocial >= TH["startback_high_min_psychosocial"]:
        band = "high"
    else:
        band = "medium"
    return Score("startback", total, 9, total / 9 * 100, {"psychosocial": psychosocial}, band, True, n,
                 "startback_keele_9item", raw=tuple(answers))


def score_gad7(answers: Sequence[Answer]) -> Score:
    """GAD-7: sum 0-21, bands 5/10/15; all 7 items required (§2.6 [E])."""
    n = len(_answered(answers))
    if n < 7:
        return Score("gad7", None, 21, None, {}, None, False, n, "gad7_all_items_required", raw=tuple(answers))
    total = sum(answers)
    band = band_by_lower_edges(total, TH["gad7_band_lower_edges"], ("minimal", "mild", "moderate", "severe"))
    return Score("gad7", total, 21, total / 21 * 100, {}, band, True, n, "gad7_complete", raw=tuple(answers))


CR10_ANCHORS = (  # (lowest value, our own plain description); "> 10" is stored as 11 (§2.8)
    (0, "nothing at all"), (0.5, "barely noticeable"), (1, "very light"), (2, "light"),
    (3, "moderate"), (4, "somewhat hard"), (5, "hard"), (7, "very hard"), (10, "extremely hard"),
    (11, "beyond maximal"),
)


def score_cr10(answers: Sequence[Answer]) -> Score:
    value = answers[0]
    if value is None:
        return Score("cr10", None, 10, None, {}, None, False, 0, "cr10_single_rating", raw=tuple(answers))
    band = [label for low, label in CR10_ANCHORS if value >= low][-1]
    return Score("cr10", value, 10, None, {}, band, True, 1, "cr10_single_rating", raw=tuple(answers))


def score_tug(answers: Sequence[Answer]) -> Score:
    """TUG: mean of 3 timed trials to 0.1 s; fewer than 3 -> inconclusive, no value (§2.7)."""
    trials = _answered(answers)
    n = len(trials)
    if n < TH["tug_trials"]:
        return Score("tug", None, None, None, {}, None, False, n, "tug_mean_of_3_inconclusive", raw=tuple(answers))
    mean = round(fmean(trials), 1)
    normal_below, limited_above = TH["tug_band_edges_s"]
    band = "normal" if mean < normal_below else "limited" if mean > limited_above else "intermediate"
    return Score("tug", mean, None, None, {}, band, True, n, "tug_mean_of_3", raw=tuple(answers))


SCORERS: dict[str, Callable[[Sequence[Answer]], Score]] = {
    "nrs": score_nrs, "odi": score_odi, "rmdq": score_rmdq, "pcs": score_pcs,
    "startback": score_startback, "gad7": score_gad7, "cr10": score_cr10, "tug": score_tug,
}


def score(instrument_id: str, answers: Sequence[Answer | str]) -> Score:
    """Validate raw answers against the instrument's items, then score them."""
    checked = validate_answers(instrument_id, list(answers))
    return SCORERS[instrument_id](checked)


def responder(baseline: float | None, follow_up: float | None, mcid_points: float) -> bool | None:
    """§2.1 responder rule: improvement >= MCID points or >= 30%; baseline 0 -> non-responder."""
    if baseline is None or follow_up is None:
        return None
    drop = baseline - follow_up
    if drop >= mcid_points:
        return True
    if baseline == 0:
        return False
    return drop / baseline * 100 >= TH["mcid_relative_percent"]

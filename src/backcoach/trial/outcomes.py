"""The trial's outcome measures: one registry for labels, units, visits and codes.

Identifiers are the ``outcome`` values of the long analysis CSV. Visits follow the paper
(Outcomes and Table 2; clinical brief §1 and §7.3 [V]): NRS at weeks 2, 4 and 8; ODI, RMDQ and
PCS at weeks 2 and 4; TUG and ultrasound thickness at week 4 only (face-to-face).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """One outcome measure of the trial."""

    id: str
    label: str
    unit: str
    follow_up_weeks: tuple[int, ...]
    figure: int  # the paper's figure that plots it (3 = NRS, 4 = secondary outcomes)
    lower_is_better: bool = True


OUTCOMES: dict[str, Outcome] = {
    o.id: o
    for o in (
        Outcome("nrs_worst", "Most severe NRS", "points", (2, 4, 8), 3),
        Outcome("nrs_mean", "Mean NRS", "points", (2, 4, 8), 3),
        Outcome("nrs_current", "Current NRS", "points", (2, 4, 8), 3),
        Outcome("odi", "ODI", "points", (2, 4), 4),
        Outcome("rmdq", "RMDQ", "points", (2, 4), 4),
        Outcome("pcs", "PCS", "points", (2, 4), 4),
        Outcome("tug", "Timed up-and-go", "s", (4,), 4),
        Outcome("tra_left", "Left TrA thickness", "mm", (4,), 4, lower_is_better=False),
        Outcome("tra_right", "Right TrA thickness", "mm", (4,), 4, lower_is_better=False),
        Outcome("mf_left", "Left MF thickness", "mm", (4,), 4, lower_is_better=False),
        Outcome("mf_right", "Right MF thickness", "mm", (4,), 4, lower_is_better=False),
    )
}


def outcome_label(outcome_id: str) -> str:
    """Human label of an outcome; unknown outcomes (user-defined) are shown by their id."""
    known = OUTCOMES.get(outcome_id)
    return known.label if known else outcome_id


def outcome_figure(outcome_id: str) -> int:
    """The paper figure an outcome belongs to; NRS-like ids go to Figure 3, the rest to 4."""
    known = OUTCOMES.get(outcome_id)
    if known:
        return known.figure
    return 3 if outcome_id.startswith("nrs") else 4


def order_outcomes(outcome_ids) -> list[str]:
    """Registry order first (the paper's), then any other outcomes alphabetically."""
    ids = set(outcome_ids)
    known = [o for o in OUTCOMES if o in ids]
    return known + sorted(ids - set(known))


# Labels of the paper's baseline characteristics (Table 1), for covariate columns of these names.
COVARIATE_LABELS = {
    "age": "Age (years)",
    "sex": "Gender",
    "education_years": "Education (years)",
    "bmi": "BMI (kg/m²)",
    "pain_duration_months": "Pain duration (months)",
}


def covariate_label(column: str) -> str:
    """Label of a covariate column: the paper's wording when known, else the column name."""
    return COVARIATE_LABELS.get(column, column.replace("_", " "))

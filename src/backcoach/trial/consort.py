"""CONSORT flow: counts from the trial records and an SVG diagram."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from backcoach.trial.eligibility import ScreeningResult, Verdict
from backcoach.trial.events import Withdrawal


@dataclass(frozen=True)
class ConsortFlow:
    assessed: int
    excluded_not_eligible: int
    exclusion_reasons: dict[str, int]  # criterion id -> people (one person can have several)
    incomplete_screening: int
    eligible_not_randomised: int
    randomised: int
    allocated: dict[str, int]
    discontinued: dict[str, dict[str, int]]  # arm -> reason -> n
    analysed: dict[str, int]
    excluded_from_analysis: dict[str, int]

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def consort_counts(
    screening: Iterable[ScreeningResult],
    allocation: Mapping[str, str],
    withdrawals: Iterable[Withdrawal],
    analysed: Iterable[str],
) -> ConsortFlow:
    """Count the CONSORT boxes.

    Parameters
    ----------
    screening : iterable of ScreeningResult
        Every screening, eligible or not.
    allocation : mapping
        Participant -> arm, from the reveal log.
    withdrawals : iterable of Withdrawal
    analysed : iterable of str
        Participants in the analysis set (e.g. per-protocol).
    """
    screening = list(screening)
    verdicts = Counter(s.verdict for s in screening)
    reasons = Counter(reason for s in screening if s.verdict is Verdict.NOT_ELIGIBLE for reason in s.failed)
    arms = sorted(set(allocation.values()))
    allocated = {arm: sum(1 for a in allocation.values() if a == arm) for arm in arms}
    discontinued = {arm: {} for arm in arms}
    for w in withdrawals:
        if w.participant not in allocation:
            raise ValueError(f"withdrawal of {w.participant!r}: participant was never randomised")
        bucket = discontinued[allocation[w.participant]]
        bucket[w.reason.value] = bucket.get(w.reason.value, 0) + 1
    analysed = set(analysed)
    unknown = analysed - set(allocation)
    if unknown:
        raise ValueError(f"analysed participants never randomised: {sorted(unknown)}")
    analysed_by_arm = {arm: sum(1 for p in analysed if allocation[p] == arm) for arm in arms}
    return ConsortFlow(
        assessed=len(screening),
        excluded_not_eligible=verdicts[Verdict.NOT_ELIGIBLE],
        exclusion_reasons=dict(reasons.most_common()),
        incomplete_screening=verdicts[Verdict.INCOMPLETE],
        eligible_not_randomised=max(verdicts[Verdict.ELIGIBLE] - len(allocation), 0),
        randomised=len(allocation),
        allocated=allocated,
        discontinued=discontinued,
        analysed=analysed_by_arm,
        excluded_from_analysis={arm: allocated[arm] - analysed_by_arm[arm] for arm in arms},
    )


BOX_W, BOX_H, GAP = 300, 70, 40


def _box(x: float, y: float, lines: list[str], width: float = BOX_W) -> str:
    text = "".join(
        f'<text x="{x + 8}" y="{y + 20 + 16 * i}" font-size="13">{escape(line)}</text>' for i, line in enumerate(lines)
    )
    height = max(BOX_H, 16 * len(lines) + 16)
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="white" stroke="black"/>{text}'


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="black" marker-end="url(#arrow)"/>'


def consort_svg(flow: ConsortFlow, labels: Mapping[str, str] | None = None) -> str:
    """A CONSORT 2010-style flow diagram as standalone SVG text."""
    labels = labels or {}
    arms = list(flow.allocated)
    width = max(2, len(arms)) * (BOX_W + GAP) + GAP
    centre = width / 2 - BOX_W / 2
    parts = ['<defs><marker id="arrow" markerWidth="10" markerHeight="10" refX="9" refY="3" orient="auto">'
             '<path d="M0,0 L9,3 L0,6 z"/></marker></defs>']
    y = 20
    parts.append(_box(centre, y, ["Enrolment", f"Assessed for eligibility (n={flow.assessed})"]))
    excluded = flow.excluded_not_eligible + flow.incomplete_screening + flow.eligible_not_randomised
    reasons = [f"  {reason}: {n}" for reason, n in flow.exclusion_reasons.items()]
    side = [f"Excluded (n={excluded})", f"  Not meeting criteria: {flow.excluded_not_eligible}", *reasons,
            f"  Screening incomplete: {flow.incomplete_screening}",
            f"  Eligible, not randomised: {flow.eligible_not_randomised}"]
    side_x = min(centre + BOX_W + GAP, width - BOX_W - 10)
    parts.append(_box(side_x, y + BOX_H + GAP / 2, side))
    side_h = max(BOX_H, 16 * len(side) + 16)
    y2 = y + BOX_H + GAP + side_h
    parts.append(_arrow(centre + BOX_W / 2, y + BOX_H, centre + BOX_W / 2, y2))
    parts.append(_box(centre, y2, [f"Randomised (n={flow.randomised})"]))
    y3 = y2 + BOX_H + GAP
    rows = []
    for i, arm in enumerate(arms):
        x = GAP + i * (BOX_W + GAP)
        name = labels.get(arm, arm)
        parts.append(_arrow(centre + BOX_W / 2, y2 + BOX_H, x + BOX_W / 2, y3))
        parts.append(_box(x, y3, ["Allocation", f"Allocated to {name} (n={flow.allocated[arm]})"]))
        lost = flow.discontinued[arm]
        follow = ["Follow-up", f"Discontinued (n={sum(lost.values())})"] + [f"  {r}: {n}" for r, n in sorted(lost.items())]
        parts.append(_arrow(x + BOX_W / 2, y3 + BOX_H, x + BOX_W / 2, y3 + BOX_H + GAP))
        parts.append(_box(x, y3 + BOX_H + GAP, follow))
        rows.append(max(BOX_H, 16 * len(follow) + 16))
    y4 = y3 + BOX_H + GAP + max(rows, default=BOX_H) + GAP
    for i, arm in enumerate(arms):
        x = GAP + i * (BOX_W + GAP)
        parts.append(_arrow(x + BOX_W / 2, y4 - GAP, x + BOX_W / 2, y4))
        parts.append(_box(x, y4, ["Analysis", f"Analysed (n={flow.analysed[arm]})",
                                  f"Excluded from analysis (n={flow.excluded_from_analysis[arm]})"]))
    height = y4 + BOX_H + 30
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif">' + "".join(parts) + "</svg>")

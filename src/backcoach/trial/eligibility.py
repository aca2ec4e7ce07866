"""Eligibility screening against the trial's criteria (data in ``data/eligibility.toml``).

The screening log keeps every person screened, eligible or not, with the criteria they failed:
CONSORT needs the number assessed and the reasons for exclusion. A missing answer never counts
as met: the record is *incomplete* until it is answered.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import Enum
from importlib import resources
from pathlib import Path

RULE_KEYS = ("above", "at_least", "at_most", "equals")
KINDS = ("inclusion", "exclusion")


class EligibilityError(ValueError):
    """A criteria file or a screening answer is malformed."""


class Verdict(str, Enum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Criterion:
    """One inclusion or exclusion criterion."""

    id: str
    kind: str
    field: str
    rule: str  # one of RULE_KEYS
    threshold: float | bool
    source: str
    text: dict[str, str]  # language -> wording

    def holds(self, answer) -> bool:
        """Whether the criterion's condition is true for this answer."""
        if self.rule == "equals":
            if not isinstance(answer, bool):
                raise EligibilityError(f"criterion {self.id!r}: field {self.field!r} needs true/false, got {answer!r}")
            return answer is self.threshold
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            raise EligibilityError(f"criterion {self.id!r}: field {self.field!r} needs a number, got {answer!r}")
        return {"above": answer > self.threshold, "at_least": answer >= self.threshold,
                "at_most": answer <= self.threshold}[self.rule]


@dataclass(frozen=True)
class ScreeningResult:
    """Outcome of screening one person: the verdict and the reasons behind it."""

    screening_id: str
    verdict: Verdict
    failed: tuple[str, ...]  # inclusion criteria not met and exclusion criteria met, by id
    missing: tuple[str, ...]  # answer fields still needed

    def to_dict(self) -> dict:
        return {"screening_id": self.screening_id, "verdict": self.verdict.value,
                "failed": list(self.failed), "missing": list(self.missing)}


def load_criteria(path: str | Path | None = None) -> list[Criterion]:
    """Read and validate a criteria file (the paper's by default)."""
    if path is None:
        text = resources.files("backcoach.trial").joinpath("data/eligibility.toml").read_text("utf-8")
        where = "eligibility.toml"
    else:
        where = str(path)
        text = Path(path).read_text("utf-8")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EligibilityError(f"{where}: {error}") from error
    criteria = []
    for i, item in enumerate(document.get("criteria", []), start=1):
        at = f"{where}: criteria[{i}] ({item.get('id', '?')})"
        for key in ("id", "kind", "field", "source", "en", "zh-Hans"):
            if key not in item:
                raise EligibilityError(f"{at}: missing {key!r}")
        if item["kind"] not in KINDS:
            raise EligibilityError(f"{at}: kind = {item['kind']!r}; expected one of {list(KINDS)}")
        rules = [k for k in RULE_KEYS if k in item]
        if len(rules) != 1:
            raise EligibilityError(f"{at}: needs exactly one of {list(RULE_KEYS)}, found {rules}")
        criteria.append(Criterion(item["id"], item["kind"], item["field"], rules[0], item[rules[0]],
                                  item["source"], {"en": item["en"], "zh-Hans": item["zh-Hans"]}))
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise EligibilityError(f"{where}: duplicate criterion ids")
    return criteria


def screen(screening_id: str, answers: dict, criteria: list[Criterion] | None = None) -> ScreeningResult:
    """Screen one person from their answers (``field -> value``)."""
    criteria = criteria if criteria is not None else load_criteria()
    failed, missing = [], []
    for criterion in criteria:
        answer = answers.get(criterion.field)
        if answer is None:
            if criterion.field not in missing:
                missing.append(criterion.field)
            continue
        holds = criterion.holds(answer)
        if (criterion.kind == "inclusion") != holds:
            failed.append(criterion.id)
    if failed:
        verdict = Verdict.NOT_ELIGIBLE  # one failed criterion is enough, even if others are missing
    elif missing:
        verdict = Verdict.INCOMPLETE
    else:
        verdict = Verdict.ELIGIBLE
    return ScreeningResult(screening_id, verdict, tuple(failed), tuple(missing))

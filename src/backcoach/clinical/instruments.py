"""Questionnaires and measures as data: items (en / zh-Hans, our own wording) and answer ranges.

The files in ``data/instruments/`` describe what is asked and what may be answered; this module
loads them and turns typed answers into checked raw values. Scoring lives in :mod:`scoring`.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from functools import cache

from backcoach.clinical.thresholds import DATA_DIR, TH, ClinicalDataError

INSTRUMENTS_DIR = DATA_DIR / "instruments"
LANGUAGES = ("en", "zh-Hans")
INSTRUMENT_IDS = ("nrs", "odi", "rmdq", "pcs", "startback", "gad7", "cr10", "tug")


class AnswerError(ValueError):
    """An answer is outside what the item allows (names the item and the allowed range)."""


class NotApplicable:
    """The patient marked an item as not applicable (ODI sex life): distinct from missing."""

    _instance: NotApplicable | None = None

    def __new__(cls) -> NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"


NA = NotApplicable()
Answer = float | int | None | NotApplicable


@dataclass(frozen=True)
class Item:
    number: int
    id: str
    text: dict[str, str]
    options: tuple[int, ...] = ()
    option_text: tuple[dict[str, str], ...] = ()
    not_applicable: bool = False


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: dict[str, str]
    kind: str  # integer | options | half_steps | seconds
    items: tuple[Item, ...]
    bounds: tuple[float, float] | None = None
    above_max: float | None = None
    subscales: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def allowed(self, item: Item) -> str:
        """Plain description of what the item accepts, for error messages."""
        if self.kind == "options":
            extra = " or na (not applicable)" if item.not_applicable else ""
            return f"{min(item.options)}-{max(item.options)}{extra}"
        if self.kind == "integer":
            return f"whole numbers {self.bounds[0]:g}-{self.bounds[1]:g}"
        if self.kind == "half_steps":
            return f"{self.bounds[0]:g}-{self.bounds[1]:g} in steps of 0.5, or >10"
        return f"{self.bounds[0]:g}-{self.bounds[1]:g} seconds"


def _texts(where: str, body: dict) -> dict[str, str]:
    missing = [lang for lang in LANGUAGES if not body.get(lang)]
    if missing:
        raise ClinicalDataError(f"{where}: missing text in {', '.join(missing)}")
    return {lang: body[lang] for lang in LANGUAGES}


@cache
def load_instrument(instrument_id: str) -> Instrument:
    if instrument_id not in INSTRUMENT_IDS:
        raise AnswerError(f"unknown instrument {instrument_id!r}; choose one of {', '.join(INSTRUMENT_IDS)}")
    path = INSTRUMENTS_DIR / f"{instrument_id}.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    answer = raw["answer"]
    kind = answer["kind"]
    shared = raw.get("options", [])
    items = []
    for number, body in enumerate(raw["items"], start=1):
        where = f"{path.name}: item {number} ({body.get('id')})"
        options = body.get("options", shared)
        if kind == "options" and not options:
            raise ClinicalDataError(f"{where}: an options item needs response options")
        items.append(Item(
            number=number,
            id=body["id"],
            text=_texts(where, body),
            options=tuple(int(o["value"]) for o in options),
            option_text=tuple(_texts(f"{where} option {o['value']}", o) for o in options),
            not_applicable=bool(body.get("not_applicable", False)),
        ))
    if kind == "seconds":
        bounds = tuple(TH["tug_plausible_range_s"])
    elif kind in ("integer", "half_steps"):
        bounds = (answer["min"], answer["max"])
    else:
        bounds = None
    subscales = {name: tuple(numbers) for name, numbers in raw.get("subscales", {}).items()}
    return Instrument(
        id=raw["id"], version=raw["version"], title=_texts(path.name, raw["title"]), kind=kind,
        items=tuple(items), bounds=bounds, above_max=answer.get("above_max"), subscales=subscales,
    )


def _parse_one(instrument: Instrument, item: Item, text: str) -> Answer:
    text = text.strip()
    where = f"{instrument.id} item {item.number} ({item.id})"
    if text == "":
        return None
    if text.lower() == "na":
        if item.not_applicable:
            return NA
        raise AnswerError(f"{where}: 'na' is not allowed here; allowed: {instrument.allowed(item)}")
    if instrument.kind == "half_steps" and text.replace(" ", "") == ">10":
        return instrument.above_max
    try:
        value = float(text)
    except ValueError:
        raise AnswerError(f"{where}: {text!r} is not a number; allowed: {instrument.allowed(item)}") from None
    return check_answer(instrument, item, value)


def check_answer(instrument: Instrument, item: Item, value: float) -> Answer:
    """Return the value as stored (int where whole) or raise :class:`AnswerError`."""
    where = f"{instrument.id} item {item.number} ({item.id})"
    bad = AnswerError(f"{where}: {value:g} is outside the allowed range {instrument.allowed(item)}")
    if not math.isfinite(value):
        raise bad
    if instrument.kind == "options":
        if value != int(value) or int(value) not in item.options:
            raise bad
        return int(value)
    low, high = instrument.bounds
    if instrument.kind == "half_steps" and value == instrument.above_max:
        return value
    if not low <= value <= high:
        raise bad
    if instrument.kind == "integer":
        if value != int(value):
            raise bad
        return int(value)
    if instrument.kind == "half_steps" and (value * 2) != int(value * 2):
        raise bad
    return value


def parse_answers(instrument_id: str, text: str) -> list[Answer]:
    """Parse ``"a,b,,d"`` (an empty position is a missing answer) for the instrument's items."""
    instrument = load_instrument(instrument_id)
    parts = text.split(",")
    if len(parts) != len(instrument.items):
        raise AnswerError(
            f"{instrument_id} has {len(instrument.items)} items but {len(parts)} answers were given; "
            f"leave a position empty (e.g. '1,,3') for a missing answer"
        )
    return [_parse_one(instrument, item, part) for item, part in zip(instrument.items, parts)]


def validate_answers(instrument_id: str, answers: list[Answer]) -> list[Answer]:
    """Check already-typed answers (from JSON or code) against the items; same errors as parsing."""
    instrument = load_instrument(instrument_id)
    if len(answers) != len(instrument.items):
        raise AnswerError(f"{instrument_id} has {len(instrument.items)} items but {len(answers)} answers were given")
    out: list[Answer] = []
    for item, value in zip(instrument.items, answers):
        if value is None or value is NA:
            if value is NA and not item.not_applicable:
                raise AnswerError(f"{instrument_id} item {item.number} ({item.id}): 'na' is not allowed here")
            out.append(value)
        elif isinstance(value, str):
            out.append(_parse_one(instrument, item, value))
        else:
            out.append(check_answer(instrument, item, float(value)))
    return out

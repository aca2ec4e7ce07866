"""The one named place for clinical thresholds, read from ``data/thresholds.toml``.

Code asks for a threshold by name (``TH["odi_min_sections"]``); the file keeps its value, its
evidence tag ([V]/[P]/[U]/[E] from the clinical brief) and the section it comes from, so the list
of engineering defaults still awaiting clinical review is always one call away.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
TAGS = ("V", "P", "U", "E")


class ClinicalDataError(ValueError):
    """A clinical data file is malformed (names the file and the entry)."""


@dataclass(frozen=True)
class Threshold:
    name: str
    value: Any
    tag: str
    source: str


class Thresholds(Mapping[str, Any]):
    """Read-only name -> value mapping; ``.info(name)`` gives the tag and source."""

    def __init__(self, entries: dict[str, Threshold], version: str) -> None:
        self._entries = entries
        self.version = version

    def __getitem__(self, name: str) -> Any:
        try:
            return self._entries[name].value
        except KeyError:
            raise KeyError(f"unknown clinical threshold {name!r}; add it to data/thresholds.toml") from None

    def __iter__(self):
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def info(self, name: str) -> Threshold:
        return self._entries[name]

    def tagged(self, tag: str) -> list[Threshold]:
        return [t for t in self._entries.values() if t.tag == tag]


def load_thresholds(path: Path = DATA_DIR / "thresholds.toml") -> Thresholds:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    version = raw.pop("version", None)
    if not isinstance(version, str):
        raise ClinicalDataError(f"{path}: missing top-level 'version'")
    entries = {}
    for name, body in raw.items():
        if not isinstance(body, dict) or not {"value", "tag", "source"} <= body.keys():
            raise ClinicalDataError(f"{path}: [{name}] needs value, tag and source")
        if body["tag"] not in TAGS:
            raise ClinicalDataError(f"{path}: [{name}] tag {body['tag']!r} is not one of {TAGS}")
        entries[name] = Threshold(name, body["value"], body["tag"], body["source"])
    return Thresholds(entries, version)


@cache
def _default() -> Thresholds:
    return load_thresholds()


TH = _default()

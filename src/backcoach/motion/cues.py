"""Choosing what to say: at most one cue at a time, by priority, never nagging (brief §4.0).

Priority: safety > setup (tracking cannot be trusted) > critical form > minor form > praise.
The same cue is not repeated within ``REPEAT_S`` seconds (brief: 5 s), and no two cues come
closer than ``GAP_S`` seconds, so a patient hears one thing at a time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PRIORITY = {"safety": 0, "setup": 1, "critical": 2, "minor": 3, "praise": 4, "info": 5}
#: Same cue not again within this many seconds [E] (brief §4.0: at most every 5 s).
REPEAT_S = 5.0
#: Any two cues at least this far apart [E].
GAP_S = 2.0
#: Safety cues are never held back by the gap (only by their own repeat time).
UNGATED = frozenset({"safety"})


@lru_cache(maxsize=1)
def engine_cue_texts() -> dict[str, dict[str, str]]:
    """Setup and praise cue texts, by id: ``{"en": ..., "zh-Hans": ...}``."""
    data = tomllib.loads((Path(__file__).parent / "cue_texts.toml").read_text(encoding="utf-8"))
    return {key: dict(value) for key, value in data.items()}


@dataclass(slots=True)
class CueScheduler:
    """Picks at most one cue per frame among candidates ``(priority, cue_id)``."""

    last_any: float = float("-inf")
    last_by_id: dict = field(default_factory=dict)

    def choose(self, t: float, candidates: list[tuple[str, str]]) -> tuple[str, str] | None:
        """The cue to say now, or None; records it as said."""
        for priority, cue_id in sorted(candidates, key=lambda c: PRIORITY[c[0]]):
            if t - self.last_by_id.get(cue_id, float("-inf")) < REPEAT_S:
                continue
            if priority not in UNGATED and t - self.last_any < GAP_S:
                return None
            self.last_any = t
            self.last_by_id[cue_id] = t
            return priority, cue_id
        return None

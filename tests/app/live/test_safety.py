from __future__ import annotations

import pytest

from backcoach.app.live.safety import pain_stop
from backcoach.clinical.thresholds import TH


def test_thresholds_are_the_brief_engineering_defaults() -> None:
    assert (TH["stop_nrs"], TH["stop_rise"]) == (7, 3)
    assert TH.info("stop_nrs").tag == "E"


@pytest.mark.parametrize("pre, now, rule", [
    pytest.param(3, 5, None, id="rise-of-2-goes-on"),
    pytest.param(3, 6, "pain_rise", id="rise-of-3-stops"),
    pytest.param(6, 7, "pain_high", id="seven-stops"),
    pytest.param(0, 2, None, id="low"),
    pytest.param(None, 6, None, id="no-check-in-value"),
    pytest.param(None, 9, "pain_high", id="no-check-in-but-high"),
])
def test_pain_stop_rule(pre: int | None, now: int, rule: str | None) -> None:
    verdict = pain_stop(pre, now)
    assert (verdict.rule if verdict else None) == rule

"""Tempo verdicts: a phase a hidden limb kept out of sight gets none."""

from __future__ import annotations

import pytest

from backcoach.exercises import get_exercise
from backcoach.motion.phases import START, Transition
from backcoach.motion.verdict import tempo_errors, tempo_verdict


def test_too_fast_needs_a_timed_phase():
    rules = [r for r in get_exercise("squat").errors if r.too_fast]
    fast = Transition(START, "both", rep_done=True, out_s=0.5, return_s=2.0)
    (found,) = tempo_errors(rules, fast)
    assert (found.id, found.value, found.threshold) == ("too_fast", 0.5, 1.0)
    hidden = Transition(START, "both", rep_done=True, out_s=0.5, return_s=2.0, out_timed=False)
    assert tempo_errors(rules, hidden) == []
    assert tempo_errors(rules, Transition(START, "both", rep_done=True, out_s=1.5, return_s=2.0)) == []


@pytest.mark.parametrize("took, rough, expected", [
    (1.0, True, "fast"), (1.49, True, "fast"), (1.5, True, "unsure"), (2.49, True, "unsure"), (2.5, True, "ok"),
    (1.9, False, "fast"), (2.0, False, "ok"),
])
def test_a_rough_phase_time_is_judged_only_clear_of_the_limit(took, rough, expected):
    # dead_bug rushing: out phase under 2 s; a rough time within 25 % of it gives no verdict.
    rule = next(r for r in get_exercise("dead_bug").errors if r.id == "rushing")
    rep = Transition(START, "right", rep_done=True, out_s=took, return_s=2.5, out_rough=rough)
    assert tempo_verdict(rule, rep) == expected
    assert [e.id for e in tempo_errors([rule], rep)] == (["rushing"] if expected == "fast" else [])

"""Tempo verdicts: a phase a hidden limb kept out of sight gets none."""

from __future__ import annotations

from backcoach.exercises import get_exercise
from backcoach.motion.phases import START, Transition
from backcoach.motion.verdict import tempo_errors


def test_too_fast_needs_a_timed_phase():
    rules = [r for r in get_exercise("squat").errors if r.too_fast]
    fast = Transition(START, "both", rep_done=True, out_s=0.5, return_s=2.0)
    (found,) = tempo_errors(rules, fast)
    assert (found.id, found.value, found.threshold) == ("too_fast", 0.5, 1.0)
    hidden = Transition(START, "both", rep_done=True, out_s=0.5, return_s=2.0, out_timed=False)
    assert tempo_errors(rules, hidden) == []
    assert tempo_errors(rules, Transition(START, "both", rep_done=True, out_s=1.5, return_s=2.0)) == []

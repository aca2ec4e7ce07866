"""Cue scheduling: one at a time, by priority, with repeat and gap cool-downs."""

from __future__ import annotations

from backcoach.motion.cues import CueScheduler, engine_cue_texts
from backcoach.motion.guard import ISSUES


def test_highest_priority_wins():
    scheduler = CueScheduler()
    assert scheduler.choose(0.0, [("minor", "slow_down"), ("critical", "lift_higher"), ("praise", "praise_good")]) == (
        "critical", "lift_higher")


def test_gap_between_cues_and_no_repeat_within_five_seconds():
    scheduler = CueScheduler()
    assert scheduler.choose(0.0, [("minor", "a")]) == ("minor", "a")
    assert scheduler.choose(1.0, [("minor", "b")]) is None  # within the 2 s gap
    assert scheduler.choose(2.5, [("minor", "a"), ("minor", "b")]) == ("minor", "b")  # a is within 5 s
    assert scheduler.choose(5.0, [("minor", "a")]) == ("minor", "a")


def test_safety_is_not_held_back_by_the_gap():
    scheduler = CueScheduler()
    scheduler.choose(0.0, [("minor", "a")])
    assert scheduler.choose(0.5, [("safety", "stop")]) == ("safety", "stop")


def test_every_setup_issue_and_praise_has_both_languages():
    texts = engine_cue_texts()
    for cue in (*ISSUES, "ready", "praise_good", "praise_excellent"):
        assert texts[cue]["en"] and texts[cue]["zh-Hans"], cue

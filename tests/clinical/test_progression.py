import itertools

import pytest

from backcoach.clinical.progression import (
    ExerciseRecord, FlareState, InSessionEvent, before_session, check_stop, decide, flare_adjust, flare_plan_text,
    fall_confirmed, fall_spike, fall_unanswered, pain_zone, reclassification_due, recheck_ready, settled,
    tracking_loss_action, update_flare,
)


def rec(level=2, day=0, pre=3, max_in=4, nm=3, form=0.9, cr10=3, **kw):
    return ExerciseRecord("bird_dog", level, day, pre, max_in, nm, form, cr10, **kw)


@pytest.mark.parametrize("pre, max_in, nm, zone", [
    (3, 6, 3, "red"), (3, 7, 3, "red"), (3, 4, 5, "red"), (3, 6, None, "red"),
    (3, 4, None, "unknown"), (3, 4, 4, "green"), (3, 5, 3, "amber"), (4, 6, 4, "amber"), (5, 5, 6, "green"),
])
def test_pain_zone(pre, max_in, nm, zone):
    assert pain_zone(pre, max_in, nm) == zone


def test_pain_zones_partition_every_combination():
    for pre, max_in, nm in itertools.product(range(11), range(11), [None, *range(11)]):
        assert pain_zone(pre, max_in, nm) in {"red", "unknown", "green", "amber"}


@pytest.mark.parametrize("history, action, row, level", [
    pytest.param([rec(peripheralized=True)], "remove", 1, 2, id="peripheralization-removes"),
    pytest.param([rec(day=0, rule2_stop=True), rec(day=10, rule2_stop=True)], "remove", 1, 2, id="two-stops-14d"),
    pytest.param([rec(day=0, rule2_stop=True), rec(day=20, rule2_stop=True, max_in=7)], "regress", 2, 1,
                 id="stops-too-far-apart"),
    pytest.param([rec(max_in=7)], "regress", 2, 1, id="red-zone"),
    pytest.param([rec(form=0.55)], "regress", 2, 1, id="poor-form"),
    pytest.param([rec(cr10=7)], "regress", 2, 1, id="cr10-7"),
    pytest.param([rec(cue50=True)], "regress", 2, 1, id="cue-on-most-reps"),
    pytest.param([rec(max_in=5)], "hold", 3, 2, id="amber"),
    pytest.param([rec(nm=None)], "hold", 3, 2, id="unknown-zone"),
    pytest.param([rec(form=0.7)], "hold", 3, 2, id="fair-form"),
    pytest.param([rec(cr10=5)], "hold", 3, 2, id="cr10-above-upper"),
    pytest.param([rec()], "hold", 5, 2, id="one-session-only"),
    pytest.param([rec(), rec(day=2)], "progress", 4, 3, id="two-green-sessions"),
    pytest.param([rec(level=1), rec(day=2)], "hold", 5, 2, id="window-reset-by-level-change"),
    pytest.param([rec(level=4), rec(level=4, day=2)], "hold", 5, 4, id="top-of-ladder"),
    pytest.param([rec(form=None), rec(day=2, form=None)], "hold", 5, 2, id="video-only-no-form"),
])
def test_decision_rows(history, action, row, level):
    decision = decide(history, cr10_upper=4, top_level=4)
    assert (decision.action, decision.row, decision.level) == (action, row, level), decision.reason


def test_regress_at_level_one_substitutes_and_asks_clinician():
    decision = decide([rec(level=1, max_in=8)], cr10_upper=4, top_level=4)
    assert decision.substitute and decision.clinician_review and decision.level == 1


def test_no_progress_during_flare():
    decision = decide([rec(), rec(day=2)], cr10_upper=4, top_level=4, flare_active=True)
    assert decision.action == "hold" and "flare" in decision.reason


def test_four_simulated_weeks_progress_hold_regress():
    """Bird-dog over 12 sessions: steady progress, an amber hold, a red regression, then recovery."""
    upper = [3, 3, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5]  # movement control cr10_upper by session
    story = [  # (max_in, next-morning, form, cr10)
        (3, 3, 0.85, 3), (3, 3, 0.9, 3), (3, 3, 0.9, 3),  # week 1: progress after 2 sessions
        (3, 3, 0.9, 4), (5, 3, 0.9, 4), (3, 3, 0.9, 4),  # week 2: amber hold, then fresh window
        (3, 3, 0.9, 4), (7, 4, 0.9, 5), (3, 3, 0.9, 4),  # week 3: red -> regress
        (3, 3, 0.9, 4), (3, 3, 0.92, 5), (3, 3, 0.95, 5),  # week 4: back up
    ]
    level, history, actions = 2, [], []
    for session, ((max_in, nm, form, cr10), cap) in enumerate(zip(story, upper)):
        history.append(ExerciseRecord("bird_dog", level, session * 2, 3, max_in, nm, form, cr10))
        decision = decide(history, cr10_upper=cap, top_level=6)
        actions.append(decision.action)
        level = decision.level
    assert actions == ["hold", "progress", "hold", "progress", "hold", "hold",
                       "progress", "regress", "hold", "progress", "hold", "progress"]
    assert level == 6  # 2 -> 3 -> 4 -> 5, back to 4, then 5 -> 6


@pytest.mark.parametrize("event, rule", [
    (InSessionEvent(pre=3, nrs=7), "2"), (InSessionEvent(pre=2, nrs=5), "2"), (InSessionEvent(pre=3, nrs=5), None),
    (InSessionEvent(pre=3, peripheralization=True, nrs=8), "1"),
    (InSessionEvent(pre=3, saddle_weakness_or_bladder=True, chest_dizzy_palpitations=True), "3"),
    (InSessionEvent(pre=3, chest_dizzy_palpitations=True, fall=True), "4"),
    (InSessionEvent(pre=3, fall=True, peripheralization=True), "5a"),
    (InSessionEvent(pre=3, stop_tapped=True, tracking_lost_s_loaded=9), "5b"),
    (InSessionEvent(pre=3, tracking_lost_s_loaded=5.5), "6"), (InSessionEvent(pre=3, tracking_lost_s_loaded=5), None),
])
def test_stop_rules_and_precedence(event, rule):
    decision = check_stop(event)
    assert (decision.rule if decision else None) == rule
    if decision:
        assert decision.message["en"] and decision.message["zh-Hans"]


def test_stop_rule_3_is_emergency():
    assert check_stop(InSessionEvent(pre=2, saddle_weakness_or_bladder=True)).outcome == "EMERGENCY"


@pytest.mark.parametrize("pre, recheck, legs, expected", [(3, 4, False, True), (3, 5, False, False),
                                                          (3, 3, True, False)])
def test_settled(pre, recheck, legs, expected):
    assert settled(pre, recheck, legs) is expected


def test_recheck_after_five_minutes():
    assert not recheck_ready(299.0) and recheck_ready(300.0)


@pytest.mark.parametrize("lost, valid, paused, expected", [
    (5.0, 0.0, None, "continue"),   # exactly 5 s lost: not yet "> 5 s"
    (5.1, 0.0, None, "pause"),
    (0.0, 2.9, 10.0, "continue"),   # back in view, not yet 3 s in the start position
    (0.0, 3.0, 10.0, "resume"),
    (0.0, 3.0, 61.0, "resume"),     # resumes when both come together
    (8.0, 0.0, 60.0, "continue"),
    (8.0, 0.0, 60.5, "skip"),
])
def test_tracking_loss_in_a_loaded_position(lost, valid, paused, expected):
    assert tracking_loss_action(lost, valid, paused) == expected


def test_fall_needs_a_hip_speed_spike_then_the_body_on_the_floor():
    assert not fall_spike(0.5) and fall_spike(2.0)  # a squat's descent is about 0.5 torso lengths/s
    assert fall_confirmed(1.9, lying=True) and fall_confirmed(2.0, lying=True)
    assert not fall_confirmed(2.1, lying=True) and not fall_confirmed(0.5, lying=False)
    assert not fall_confirmed(None, lying=True)  # lying down slowly is not a fall
    assert not fall_unanswered(59.0) and fall_unanswered(60.0)


def test_reclassification_escalation():
    assert reclassification_due([1, 6], [], today=7)
    assert not reclassification_due([1], [3], today=7)
    assert reclassification_due([], [2, 8], today=9)
    assert not reclassification_due([0, 8], [], today=9)


def test_flare_lifecycle():
    state = update_flare(FlareState(), pre=7, previous_pre=[3, 3, 4], onboarding_nrs=4, day=10)
    assert state.active and state.pre_flare_mean == pytest.approx(10 / 3)
    state = update_flare(state, pre=5, previous_pre=[3, 4, 7], onboarding_nrs=4, day=12)
    assert state.active and state.sessions == 2  # at least 2 sessions before it can end
    state = update_flare(state, pre=4, previous_pre=[4, 7, 5], onboarding_nrs=4, day=14)
    assert not state.active and state.events == ["flare ended"]


def test_flare_rise_trigger_rescreens_and_long_flare_asks_clinician():
    state = update_flare(FlareState(), pre=6, previous_pre=[3, 3, 3], onboarding_nrs=3, day=0)
    assert state.active and "red-flag re-screen" in state.events
    for day in (2, 4, 7):
        state = update_flare(state, pre=6, previous_pre=[3, 3, 6], onboarding_nrs=3, day=day)
    assert state.active and any("CLINICIAN_REVIEW" in e for e in state.events)


def test_flare_adjust_and_texts():
    assert flare_adjust(level=3, sets=3) == (2, 2)
    assert flare_adjust(level=1, sets=1) == (1, 1)
    assert "walking" in flare_plan_text()["en"] and flare_plan_text()["zh-Hans"]
    assert before_session(7)["loaded_exercise"] is False and before_session(6) is None

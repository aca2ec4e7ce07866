"""Progression, stop rules and the flare-up plan (clinical brief §5.3, §5.4, §5.5; all [E]).

After each session every exercise gets exactly one decision - remove, regress, hold or
progress - from its pain zone, form score, CR10 and the window of its last 2 sessions at the
current level. Pain rules use the session's pre-session NRS (``pre``) as their baseline.

Validity limits: the pain-monitoring numbers adapt Thomeé 1997 [U]; in video-only mode there is no
form score, so the form conditions are skipped and no exercise can Progress on form grounds.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from statistics import fmean

from backcoach.clinical.thresholds import DATA_DIR, TH


@cache
def safety_texts() -> dict:
    return tomllib.loads((DATA_DIR / "safety.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ExerciseRecord:
    """What one completed session recorded for one exercise (§5.3 inputs)."""

    exercise_id: str
    level: int
    day: int  # day number of the session (for the 7- and 14-day windows)
    pre: int  # pre-session NRS
    max_in: int  # highest NRS during or right after this exercise's sets
    next_morning: int | None = None
    form: float | None = None  # 0..1; None in video-only mode
    cr10: float | None = None
    cue50: bool = False
    peripheralized: bool = False
    new_neural: bool = False
    rule2_stop: bool = False


@dataclass(frozen=True)
class Decision:
    exercise_id: str
    action: str  # remove | regress | hold | progress
    row: int  # §5.3 decision row 1-5
    reason: str
    level: int  # level for the next session
    clinician_review: bool = False
    substitute: bool = False  # ladder end: replace with the next-easier exercise of the block


def pain_zone(pre: int, max_in: int, next_morning: int | None) -> str:
    """§5.3 zones, first match: red, unknown (no next-morning NRS), green, amber."""
    d_in = max_in - pre
    d_nm = None if next_morning is None else next_morning - pre
    if d_in >= TH["zone_red_delta_in"] or max_in >= TH["zone_red_max_in"] or (
            d_nm is not None and d_nm >= TH["zone_red_delta_nm"]):
        return "red"
    if d_nm is None:
        return "unknown"
    if d_in <= TH["zone_green_delta_in"] and max_in <= TH["zone_green_max_in"] and d_nm <= TH["zone_green_delta_nm"]:
        return "green"
    return "amber"


def _window(history: Sequence[ExerciseRecord]) -> list[ExerciseRecord]:
    """The last 2 sessions at the current level; a level change empties the window."""
    level = history[-1].level
    window = []
    for record in reversed(history):
        if record.level != level:
            break
        window.append(record)
    return window[: TH["progress_window_sessions"]]


def decide(history: Sequence[ExerciseRecord], cr10_upper: float, top_level: int,
           flare_active: bool = False) -> Decision:
    """One §5.3 decision for one exercise, from its records in session order (latest last)."""
    latest = history[-1]
    level = latest.level
    zone = pain_zone(latest.pre, latest.max_in, latest.next_morning)
    count, days = TH["remove_rule2_stops"]
    recent_stops = [r for r in history if r.rule2_stop and latest.day - r.day <= days]
    if latest.peripheralized or latest.new_neural or len(recent_stops) >= count:
        why = ("symptoms spread into the leg" if latest.peripheralized else "new nerve symptoms" if latest.new_neural
               else f"pain stops in {len(recent_stops)} sessions within {days} days")
        return Decision(latest.exercise_id, "remove", 1, why, level, clinician_review=True, substitute=True)
    form, cr10 = latest.form, latest.cr10
    regress = [why for why, hit in (
        (f"pain zone {zone}", zone == "red"),
        (f"form {form:.2f} < {TH['form_regress_below']}" if form is not None else "", form is not None
         and form < TH["form_regress_below"]),
        (f"exertion CR10 {cr10:g} >= {TH['cr10_regress']}" if cr10 is not None else "", cr10 is not None
         and cr10 >= TH["cr10_regress"]),
        ("one error cue on more than half the reps", latest.cue50)) if hit]
    if regress:
        if level == 1:
            return Decision(latest.exercise_id, "regress", 2, "; ".join(regress) + "; already at level 1", 1,
                            clinician_review=True, substitute=True)
        return Decision(latest.exercise_id, "regress", 2, "; ".join(regress), level - 1)
    hold = [why for why, hit in (
        (f"pain zone {zone}", zone in ("amber", "unknown")),
        (f"form {form:.2f} below {TH['form_progress_min']}" if form is not None else "", form is not None
         and form < TH["form_progress_min"]),
        (f"exertion CR10 {cr10:g} above this week's {cr10_upper:g}" if cr10 is not None else "", cr10 is not None
         and cr10 > cr10_upper)) if hit]
    if hold:
        return Decision(latest.exercise_id, "hold", 3, "; ".join(hold), level)
    window = _window(history)
    ready = len(window) == TH["progress_window_sessions"] and all(
        r.form is not None and r.form >= TH["form_progress_min"] and r.cr10 is not None and r.cr10 <= cr10_upper
        and pain_zone(r.pre, r.max_in, r.next_morning) == "green" and not r.peripheralized for r in window)
    if ready and flare_active:
        return Decision(latest.exercise_id, "hold", 5, "flare-up plan active: no progression", level)
    if ready and level >= top_level:
        return Decision(latest.exercise_id, "hold", 5, "top of the ladder", level)
    if ready:
        return Decision(latest.exercise_id, "progress", 4, "2 sessions at this level with good form, "
                        "exertion within target and green pain", level + 1)
    return Decision(latest.exercise_id, "hold", 5, f"{len(window)} qualifying session(s) at this level so far", level)


# --- §5.4 stop rules ------------------------------------------------------------------------

STOP_PRECEDENCE = ("3", "4", "5a", "1", "2", "5b", "6")


@dataclass(frozen=True)
class InSessionEvent:
    """What happened during the current exercise (all optional)."""

    pre: int
    nrs: int | None = None
    peripheralization: bool = False
    saddle_weakness_or_bladder: bool = False
    chest_dizzy_palpitations: bool = False
    fall: bool = False
    stop_tapped: bool = False
    tracking_lost_s_loaded: float = 0.0


@dataclass(frozen=True)
class StopDecision:
    rule: str
    follow_up: str
    message: dict[str, str]
    outcome: str | None = None  # EMERGENCY / lock, when the rule escalates


def check_stop(event: InSessionEvent) -> StopDecision | None:
    """The most severe §5.4 rule triggered by this event, or None to continue."""
    fired = {
        "1": event.peripheralization,
        "2": event.nrs is not None and (event.nrs >= TH["stop_nrs"] or event.nrs - event.pre >= TH["stop_rise"]),
        "3": event.saddle_weakness_or_bladder,
        "4": event.chest_dizzy_palpitations,
        "5a": event.fall,
        "5b": event.stop_tapped,
        "6": event.tracking_lost_s_loaded > TH["tracking_pause_s"],
    }
    rule = next((r for r in STOP_PRECEDENCE if fired[r]), None)
    if rule is None:
        return None
    follow = {
        "1": ("re-check in 5 min; settled: skip and remove this exercise; not settled: end session + CLINICIAN_REVIEW",
              None),
        "2": ("re-check in 5 min; settled: skip this exercise (it regresses); not settled: end session + "
              "CLINICIAN_REVIEW", None),
        "3": ("end the session", "EMERGENCY"),
        "4": ("end the session; urgent medical help; lock exercise until clearance", "LOCK"),
        "5a": ("ask about injury, run the red-flag check; any yes: URGENT_REFERRAL; all no: end + CLINICIAN_REVIEW",
               None),
        "5b": ("ask why: pain -> rule 2 re-check; spreading -> rule 1; other -> skip and offer to continue", None),
        "6": ("pause the timer; resume after 3 s of valid tracking, skip after 60 s; set not scored", None),
    }[rule]
    texts = safety_texts()["stop"][rule]
    return StopDecision(rule, follow[0], {"en": texts["en"], "zh-Hans": texts["zh-Hans"]}, follow[1])


def settled(pre: int, recheck_nrs: int, legs_beyond_pre_extent: bool) -> bool:
    """§5.4: NRS <= pre + 1 at the 5-minute re-check and no leg symptoms beyond their pre-session extent."""
    return recheck_nrs <= pre + TH["settled_margin"] and not legs_beyond_pre_extent


def recheck_ready(elapsed_s: float) -> bool:
    """§5.4 rules 1/2: the settled re-check is asked after ``recheck_s`` (5 min) in relief or rest positions."""
    return elapsed_s >= TH["recheck_s"]


def tracking_loss_action(lost_s: float, valid_in_start_s: float, paused_s: float | None) -> str:
    """§5.4 rule 6 in a loaded position: what to do with the set now.

    ``lost_s``: seconds tracking has been lost without a break; ``valid_in_start_s``: seconds of
    valid tracking in the start position without a break; ``paused_s``: seconds since the set was
    paused for lost tracking (None when it is not paused). Returns ``continue``, ``pause`` (lost
    > 5 s), ``resume`` (3 s back in the start position) or ``skip`` (not resumed within 60 s).
    """
    if paused_s is None:
        return "pause" if lost_s > TH["tracking_pause_s"] else "continue"
    if valid_in_start_s >= TH["tracking_resume_s"]:
        return "resume"
    return "skip" if paused_s > TH["tracking_skip_s"] else "continue"


def fall_spike(hip_drop_speed: float) -> bool:
    """§5.4 rule 5a: the hips drop faster than ``fall_hip_speed`` torso lengths per second."""
    return hip_drop_speed >= TH["fall_hip_speed"]


def fall_confirmed(since_spike_s: float | None, lying: bool) -> bool:
    """A fall: the body unexpectedly on the floor within ``fall_window_s`` of a hip-speed spike."""
    return lying and since_spike_s is not None and since_spike_s <= TH["fall_window_s"]


def fall_unanswered(elapsed_s: float) -> bool:
    """No answer to the fall questions within ``fall_answer_s``: the emergency-number prompt and alarm."""
    return elapsed_s >= TH["fall_answer_s"]


def reclassification_due(peripheralization_days: Sequence[int], stop_days: Sequence[int], today: int) -> bool:
    """§5.3/§5.4 escalation: a recurring peripheralization, or two rule-1/2 stops, within 7 days."""
    window = TH["escalation_days"]
    recent_p = [d for d in peripheralization_days if today - d <= window]
    recent_s = [d for d in stop_days if today - d <= window]
    return len(recent_p) >= 2 or len(recent_s) >= 2


# --- §5.5 flare-up plan ---------------------------------------------------------------------


@dataclass
class FlareState:
    active: bool = False
    started_day: int | None = None
    pre_flare_mean: float | None = None
    sessions: int = 0
    events: list[str] = field(default_factory=list)


def update_flare(state: FlareState, pre: int, previous_pre: Sequence[int], onboarding_nrs: int, day: int) -> FlareState:
    """Advance the flare state at a session check-in (§5.5)."""
    recent = list(previous_pre)[-TH["rescreen_window_sessions"]:]
    mean = fmean(recent) if recent else float(onboarding_nrs)
    if not state.active:
        if pre >= TH["flare_pre_nrs"] or pre - mean >= TH["flare_rise"]:
            events = ["flare started"] + (["red-flag re-screen"] if pre - mean >= TH["flare_rise"] else [])
            return FlareState(True, day, mean, 1, events)
        return FlareState()
    if state.sessions >= TH["flare_min_sessions"] and pre <= state.pre_flare_mean + 1:
        return FlareState(events=["flare ended"])
    events = []
    if day - state.started_day >= TH["flare_review_days"]:
        events.append("CLINICIAN_REVIEW: flare still active after 7 days")
    return FlareState(True, state.started_day, state.pre_flare_mean, state.sessions + 1, events)


def flare_adjust(level: int, sets: int) -> tuple[int, int]:
    """While a flare is active: every exercise one level lower and volume halved (at least 1 set)."""
    return max(1, level - 1), max(1, round(sets * TH["flare_volume_factor"]))


def flare_plan_text() -> dict[str, str]:
    text = safety_texts()["flare_plan"]
    return {"en": text["en"], "zh-Hans": text["zh-Hans"]}


def before_session(pre: int) -> dict | None:
    """§5.4 'Before the session': pre-session NRS >= 7 -> no loaded exercise, relief and breathing only."""
    if pre < TH["flare_pre_nrs"]:
        return None
    text = safety_texts()["before_session_high_pain"]
    return {"loaded_exercise": False, "message": {"en": text["en"], "zh-Hans": text["zh-Hans"]}}

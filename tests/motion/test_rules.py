"""Per-rep judging of error rules: which frames a verdict rests on."""

from __future__ import annotations

from types import SimpleNamespace

from backcoach.exercises.schema import Persistence
from backcoach.motion.features import FrameView
from backcoach.motion.geometry import Missing
from backcoach.motion.phases import END, OUT, RETURN
from backcoach.motion.rules import PHASE_MEMBERS, Check, RepRecord

ARM_LOW = SimpleNamespace(
    id="arm_low", phase="end", persistence=Persistence(fraction=0.3, seconds=0.5), severity="critical", cue=None
)


#: "Never bent during END" (E1/H5-2): a fraction persistence with no seconds.
NEVER_BENT = SimpleNamespace(
    id="arm_low", phase="end", persistence=Persistence(fraction=1.0, seconds=0.0), severity="minor", cue=None
)


def record(rule=ARM_LOW) -> RepRecord:
    # The check reads the value straight from the view's cache; None stands for a hidden arm.
    def evaluate(view):
        value = view.cache["arm"]
        return Missing("hidden") if value is None else value

    check = Check(rule, side="left", reads=None, evaluate=evaluate, phases=PHASE_MEMBERS["end"],
                  change=False, low=-0.25)
    return RepRecord(standards=[], errors=[check])


def run(frames: list[tuple[str, float | None]], rule=ARM_LOW, live: list | None = None) -> list:
    rep = record(rule)
    for i, (phase, value) in enumerate(frames):
        newly = rep.observe(i * 0.1, phase, FrameView(points=[], vis=[], refs={}, cache={"arm": value}), None, "front")
        if live is not None:
            live.extend((i, check.rule.id) for check in newly)
    return rep.errors_found()


def test_fraction_is_decided_over_the_whole_phase_not_its_first_frames():
    # Low in END's first 3 frames (still rising into place), level for the other 17: 15 % < 30 %.
    live = []
    frames = [(OUT, -0.5)] * 5 + [(END, -0.4)] * 3 + [(END, -0.1)] * 17 + [(RETURN, -0.5)] * 5
    assert run(frames, live=live) == [] and live == []


def test_fraction_one_means_every_frame_of_the_phase():
    never_bent = [(END, -0.4)] * 3 + [(END, -0.1)] + [(END, -0.4)] * 6
    assert run(never_bent, NEVER_BENT) == []
    assert [e.id for e in run([(END, -0.4)] * 10, NEVER_BENT)] == ["arm_low"]


def test_fraction_present_over_the_phase_is_found_when_the_rep_ends():
    # 4 of 10 END frames low, never 0.5 s in a row: present (40 % >= 30 %), reported at the end,
    # not as a live cue.
    live = []
    frames = [(END, -0.4), (END, -0.4), (END, -0.1), (END, -0.1), (END, -0.1)] * 2
    found = run(frames, live=live)
    assert [(e.id, e.value) for e in found] == [("arm_low", -0.4)] and live == []


def test_seconds_persistence_is_still_a_live_cue():
    live = []
    frames = [(END, -0.1)] * 10 + [(END, -0.4)] * 6 + [(END, -0.1)] * 30
    found = run(frames, live=live)
    assert live == [(14, "arm_low")]  # 5 frames in error, each counting the 0.1 s before it
    assert [e.id for e in found] == ["arm_low"]  # 6 of 46 frames, but 0.5 s continuously


def test_end_seen_in_passing_is_judged_over_the_whole_rep():
    # END lasts 10 frames but the arm is readable in one of them (trunk turned): the verdict
    # falls back to the whole rep, where the arm stayed low (-0.5) while raised.
    frames = [(OUT, -0.5)] * 5 + [(END, -0.2)] + [(END, None)] * 9 + [(RETURN, -0.5)] * 5
    found = run(frames)
    assert [(e.id, e.side, e.value) for e in found] == [("arm_low", "left", -0.5)]


def test_end_with_enough_readable_frames_is_judged_on_end_alone():
    # Low while rising and lowering, level throughout END: no error.
    frames = [(OUT, -0.5)] * 5 + [(END, -0.1)] * 5 + [(RETURN, -0.5)] * 5
    assert run(frames) == []

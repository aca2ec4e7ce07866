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


def record() -> RepRecord:
    # The check reads the value straight from the view's cache; None stands for a hidden arm.
    def evaluate(view):
        value = view.cache["arm"]
        return Missing("hidden") if value is None else value

    check = Check(ARM_LOW, side="left", reads=None, evaluate=evaluate, phases=PHASE_MEMBERS["end"],
                  change=False, low=-0.25)
    return RepRecord(standards=[], errors=[check])


def run(frames: list[tuple[str, float | None]]) -> list:
    rep = record()
    for i, (phase, value) in enumerate(frames):
        rep.observe(i * 0.1, phase, FrameView(points=[], vis=[], refs={}, cache={"arm": value}), None, "front")
    return rep.errors_found()


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

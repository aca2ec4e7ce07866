"""A patient who leaves the picture between reps and walks back in (engine.ExerciseEngine)."""

from __future__ import annotations

from dataclasses import replace

from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.synthetic.generate import generate


def test_walking_back_in_after_leaving_the_picture_is_not_a_rep_and_the_set_goes_on() -> None:
    # Three squats (walk-in, then reps ending near 8.7, 13.5 and 18.3 s). The patient squats once,
    # leaves, and the camera then sees the whole recording again: nobody, the walk-in, three squats.
    recording = generate("squat", reps=3, fps=30)
    frames = list(recording.sequence.frames())
    first_rep_done = next(i for i, f in enumerate(frames) if f.t > 10.0)
    again = frames[-1].t + 1.0
    stream = frames[:first_rep_done] + [replace(f, t=f.t + again) for f in frames]

    engine = ExerciseEngine("squat", reps_target=4)
    events = [e for frame in stream for e in engine.push(frame)] + engine.finish()

    reps = [e for e in events if e.type == "rep"]
    assert [(r.index, r.counted) for r in reps] == [(1, True), (2, True), (3, True), (4, True)]
    # Every rep after the return lies inside one of the replayed squats, none in the walk-in.
    truth = [(r.start + again, r.end + again) for r in recording.truth.reps]
    assert all(any(start <= r.t <= end + 0.6 for start, end in truth) for r in reps[1:])
    back = [e.t for e in events if e.type == "phase" and e.phase == "setup"]
    assert len(back) == 1 and again < back[0] < again + recording.truth.reps[0].start

"""The engine end to end on hand-built squat figures with known angles, and on bad input."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from backcoach.exercises import UnknownExerciseError
from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.events import FrameSkippedEvent, RepEvent, SetDoneEvent
from backcoach.pose.frame import Frame, make_frame
from backcoach.pose.skeleton import INDEX

SIZE = (1000, 1000)
FPS = 30


def side_squat_frame(t: float, knee_deg: float, lean_deg: float | None = None, heel_lift: float = 0.0,
                     near_vis: float = 0.95, far_vis: float = 0.6, dx: float = 0.0) -> Frame:
    """A person seen from their left, facing +x, squatting to a knee angle of ``knee_deg``, moved
    ``dx`` image widths to the right.

    The shank leans forward by a quarter of the knee bend and the thigh back by three quarters (a
    squat sits back); the trunk leans forward by ``lean_deg`` (default a third of the bend).
    Coordinates are y-up then flipped to y-down.
    """
    bend = 180.0 - knee_deg
    shank, thigh = math.radians(bend / 4), math.radians(3 * bend / 4)
    lean = math.radians(bend / 3 if lean_deg is None else lean_deg)
    leg, torso = 0.2, 0.25
    ankle = (0.5 + dx, 0.12)
    knee = (ankle[0] + leg * math.sin(shank), ankle[1] + leg * math.cos(shank))
    hip = (knee[0] - leg * math.sin(thigh), knee[1] + leg * math.cos(thigh))
    shoulder = (hip[0] + torso * math.sin(lean), hip[1] + torso * math.cos(lean))
    ear = (shoulder[0] + 0.01, shoulder[1] + 0.08)
    nose = (ear[0] + 0.04, ear[1] - 0.01)
    elbow = (shoulder[0], shoulder[1] - 0.13)
    wrist = (shoulder[0], shoulder[1] - 0.25)
    heel = (ankle[0] - 0.03, ankle[1] - 0.03 + heel_lift)
    toe = (ankle[0] + 0.07, ankle[1] - 0.04)
    parts = {"nose": nose, "ear": ear, "eye": (nose[0] - 0.01, nose[1] + 0.01), "shoulder": shoulder,
             "elbow": elbow, "wrist": wrist, "hip": hip, "knee": knee, "ankle": ankle, "heel": heel,
             "foot_index": toe}
    xyz = np.zeros((33, 3), dtype=np.float32)
    vis = np.zeros(33, dtype=np.float32)
    for name, index in INDEX.items():
        base = name.split("_", 1)[1] if name.startswith(("left_", "right_")) else name
        base = {"eye_inner": "eye", "eye_outer": "eye", "pinky": "wrist", "index": "wrist", "thumb": "wrist"}.get(base, base)
        if name.startswith("mouth"):
            base = "nose"
        x, y = parts[base]
        far = name.startswith("right_")
        xyz[index] = (x + (0.01 if far else 0.0), 1.0 - y, 0.0)
        vis[index] = far_vis if far else near_vis
    return make_frame(t, xyz, vis, SIZE)


def squat_stream(knees: list[float], **kw) -> list[Frame]:
    return [side_squat_frame(i / FPS, k, **kw) for i, k in enumerate(knees)]


def ramp(a: float, b: float, seconds: float) -> list[float]:
    n = max(2, int(seconds * FPS))
    return [a + (b - a) * i / (n - 1) for i in range(n)]


def rep(depth: float = 80.0, down_s: float = 1.5, pause_s: float = 0.3, up_s: float = 1.5) -> list[float]:
    return ramp(175, depth, down_s) + [depth] * int(pause_s * FPS) + ramp(depth, 175, up_s) + [175] * 10


START = [175.0] * 45


def run(frames, engine=None, exercise="squat"):
    engine = engine or ExerciseEngine(exercise)
    events = []
    for frame in frames:
        events.extend(engine.push(frame))
    events.extend(engine.finish())
    return engine, events


def reps_of(events) -> list[RepEvent]:
    return [e for e in events if isinstance(e, RepEvent)]


def test_figure_has_the_requested_knee_angle():
    from backcoach.motion.features import FrameView
    from backcoach.motion.geometry import to_image_points

    engine = ExerciseEngine("squat")
    frame = side_squat_frame(0.0, 100.0)
    view = FrameView(to_image_points(frame.xyz, SIZE), frame.visibility.tolist(), {"torso": 0.25})
    assert engine.features.evaluate("knee", "left", view) == pytest.approx(100.0, abs=1e-3)


@pytest.mark.parametrize(
    "knees, counted, attempts",
    [
        pytest.param(START + rep() * 3, 3, 3, id="three-good-reps"),
        pytest.param(rep() + START + rep(), 1, 1, id="rep-before-setup-not-counted"),
        pytest.param(START + rep(depth=115), 0, 1, id="too-shallow"),
        pytest.param(START + rep() + ramp(175, 90, 1.5), 1, 2, id="last-rep-never-returns"),
        pytest.param(START + [175 + (3 if i % 2 else -3) for i in range(120)], 0, 0, id="jitter-at-start"),
    ],
)
def test_counts_reps(knees, counted, attempts):
    engine, events = run(squat_stream(knees))
    assert engine.count == counted
    assert len(reps_of(events)) == attempts


def test_shallow_rep_is_not_counted_with_reason():
    _, events = run(squat_stream(START + rep(depth=115)))
    (only,) = reps_of(events)
    assert not only.counted
    assert "did not reach the target range" in only.reason
    assert "Squat deep enough" in only.reason
    # Knee 115: shank 16.25, thigh 48.75 deg from vertical: hip height (cos + cos) / 2 of the leg,
    # relative to standing at knee 175 (shank 1.25, thigh 3.75 deg).
    standing = (math.cos(math.radians(1.25)) + math.cos(math.radians(3.75))) / 2
    expected = (math.cos(math.radians(16.25)) + math.cos(math.radians(48.75))) / 2 / standing
    assert only.metrics["rom"] == pytest.approx(expected, abs=0.01)
    assert only.metrics["standards"]["knee_bend"] == pytest.approx(115, abs=0.5)


def test_good_rep_reports_rom_grade_and_parts():
    _, events = run(squat_stream(START + rep(depth=80)))
    (good,) = reps_of(events)
    assert good.counted and good.reason is None
    assert good.side == "both"
    standing = (math.cos(math.radians(1.25)) + math.cos(math.radians(3.75))) / 2  # knee 175 deg
    expected = (math.cos(math.radians(25)) + math.cos(math.radians(75))) / 2 / standing  # knee 80 deg
    assert good.metrics["rom"] == pytest.approx(expected, abs=0.01)
    assert good.metrics["standards"]["depth"] == pytest.approx(expected, abs=0.01)
    assert good.metrics["standards"]["knee_bend"] == pytest.approx(80, abs=0.5)
    assert set(good.parts) == {"range", "form", "tempo", "stability"}
    assert good.grade in ("excellent", "super excellent")
    assert good.errors == []


def test_fast_rep_flags_tempo_error():
    _, events = run(squat_stream(START + rep(down_s=0.4, up_s=0.4)))
    (fast,) = reps_of(events)
    assert [e.id for e in fast.errors] == ["too_fast"]
    assert fast.errors[0].value < 1.0 and fast.errors[0].threshold == 1.0
    assert fast.parts["tempo"] < 1.0


def test_forward_lean_error_with_value_threshold_and_cue():
    frames = [side_squat_frame(i / FPS, k, lean_deg=(60 if k < 100 else 10)) for i, k in enumerate(START + rep())]
    _, events = run(frames)
    (leaning,) = reps_of(events)
    (error,) = leaning.errors
    assert error.id == "trunk_too_far_forward" and error.threshold == 50
    assert error.value == pytest.approx(60, abs=0.5)
    cues = [e for e in events if e.type == "cue"]
    assert "chest_up" in [c.id for c in cues]


def test_one_cue_at_a_time_and_no_repeat_within_five_seconds():
    frames = [side_squat_frame(i / FPS, k, lean_deg=(60 if k < 100 else 10))
              for i, k in enumerate(START + rep(pause_s=2.0) * 3)]
    _, events = run(frames)
    cues = [e for e in events if e.type == "cue"]
    times = [c.t for c in cues]
    assert len(times) == len(set(times))
    chest = [c.t for c in cues if c.id == "chest_up"]
    assert all(b - a >= 5.0 for a, b in zip(chest, chest[1:]))


def test_set_done_after_target_reps():
    engine = ExerciseEngine("squat", reps_target=2)
    _, events = run(squat_stream(START + rep() * 2), engine=engine)
    done = [e for e in events if isinstance(e, SetDoneEvent)]
    assert len(done) == 1 and done[0].counted == 2


def test_events_serialise_to_json():
    _, events = run(squat_stream(START + rep()))
    text = json.dumps([e.to_dict() for e in events])
    types = {d["type"] for d in json.loads(text)}
    assert {"setup", "phase", "rep", "cue", "set_done"} <= types


def test_hidden_body_gives_setup_cue_not_form_feedback():
    hidden = [side_squat_frame(i / FPS, 175.0, near_vis=0.1, far_vis=0.1) for i in range(60)]
    engine, events = run(hidden)
    setups = [e for e in events if e.type == "setup"]
    assert setups and not setups[-1].ok and "no_person" in setups[-1].issues
    assert engine.phase == "setup"


def test_too_far_from_camera():
    small = []
    for i in range(40):
        frame = side_squat_frame(i / FPS, 175.0)
        xyz = frame.xyz.copy()
        xyz[:, :2] = 0.5 + (xyz[:, :2] - 0.5) * 0.4
        small.append(make_frame(frame.t, xyz, frame.visibility, SIZE))
    _, events = run(small)
    assert "too_far" in [e for e in events if e.type == "setup"][-1].issues


def test_front_view_squat_is_not_wrong_view_but_lying_is_wrong_position():
    engine = ExerciseEngine("squat")
    events = engine.push(side_squat_frame(0.0, 175.0))
    assert events[0].type == "setup" and events[0].ok and events[0].view == "side"
    lying = ExerciseEngine("squat")
    frame = side_squat_frame(0.0, 175.0)
    xyz = frame.xyz.copy()
    xyz[:, 0], xyz[:, 1] = frame.xyz[:, 1], 1 - frame.xyz[:, 0]  # rotate the body by 90 degrees
    first = lying.push(make_frame(0.0, xyz, frame.visibility, SIZE))[0]
    assert "wrong_position" in first.issues


# ---------------------------------------------------------------- bad input


def bad_frames():
    good = side_squat_frame(1.0, 175.0)
    nan_t = Frame(float("nan"), good.xyz, good.visibility, SIZE)
    infinite = good.xyz.copy()
    infinite[3, 0] = np.inf
    return [
        pytest.param(Frame(2.0, infinite, good.visibility, SIZE), "infinite coordinate", id="inf"),
        pytest.param(nan_t, "not a finite number", id="nan-time"),
        pytest.param(Frame(2.0, good.xyz[:20], good.visibility, SIZE), r"shape \(20, 3\)", id="wrong-shape"),
        pytest.param(Frame(2.0, good.xyz, good.visibility[:5], SIZE), r"visibility has shape \(5,\)", id="wrong-vis"),
        pytest.param(Frame(0.5, good.xyz, good.visibility, SIZE), "time goes backwards", id="backwards"),
        pytest.param(Frame(1.0, good.xyz, good.visibility, SIZE), "repeats", id="repeated-time"),
        pytest.param("not a frame", "not a Frame", id="not-a-frame"),
    ]


@pytest.mark.parametrize("bad, reason", bad_frames())
def test_bad_frame_mid_stream_is_skipped_and_reported(bad, reason):
    engine = ExerciseEngine("squat")
    engine.push(side_squat_frame(1.0, 175.0))
    (event,) = engine.push(bad)
    assert isinstance(event, FrameSkippedEvent)
    assert event.t == 1.0 and event.index == 1
    assert re.search(reason, event.reason), event.reason
    assert engine.push(side_squat_frame(3.0, 175.0)) is not None  # the stream goes on
    assert engine.skipped == 1


def test_nan_landmarks_are_missing_not_a_crash():
    frames = squat_stream(START + rep())
    broken = frames[60]
    xyz = broken.xyz.copy()
    xyz[INDEX["left_knee"]] = np.nan
    vis = broken.visibility.copy()
    vis[INDEX["left_knee"]] = 0.9  # a source that forgot to zero the visibility
    frames[60] = Frame(broken.t, xyz, vis, SIZE)
    engine, _ = run(frames)
    assert engine.count == 1


def test_empty_stream_finishes_with_empty_set():
    engine = ExerciseEngine("squat")
    (done,) = engine.finish()
    assert isinstance(done, SetDoneEvent) and done.counted == 0 and done.attempts == 0


def test_unknown_exercise_is_a_clear_error():
    with pytest.raises(UnknownExerciseError, match="unknown exercise 'handstand'"):
        ExerciseEngine("handstand")


def test_landmark_a_source_never_has_is_not_out_of_frame():
    # UI-PRMD and Vicon skeletons have no heels: NaN in every frame must not block the set.
    frames = []
    for frame in squat_stream(START + rep()):
        xyz = frame.xyz.copy()
        xyz[[INDEX["left_heel"], INDEX["right_heel"]]] = np.nan
        frames.append(make_frame(frame.t, xyz, frame.visibility, SIZE))
    engine, events = run(frames)
    assert engine.count == 1
    assert all("out_of_frame" not in e.issues for e in events if e.type == "setup")


def test_hold_mode_exercise_times_the_hold_and_counts_it():
    import tomllib

    from backcoach.exercises import parse_exercise
    from backcoach.paths import EXERCISES_DIR

    data = tomllib.loads((EXERCISES_DIR / "squat.toml").read_text(encoding="utf-8"))
    data["phases"]["mode"] = "hold"
    data["dosage"]["beginner"]["hold_s"] = 2.0
    data["errors"] = [e for e in data["errors"] if "too_fast" not in e]
    wall_sit = parse_exercise(data, "wall-sit test")
    knees = START + ramp(175, 80, 1.0) + [80.0] * 90 + ramp(80, 175, 1.0) + [175.0] * 30
    engine, events = run(squat_stream(knees), engine=ExerciseEngine(wall_sit))
    (held,) = reps_of(events)
    assert held.counted and held.metrics["hold_s"] == pytest.approx(2.0, abs=0.05)
    holds = [e for e in events if e.type == "hold"]
    assert [round(h.elapsed_s) for h in holds] == [1, 2]


def test_quick_shake_past_the_out_threshold_is_not_an_attempt():
    # Knee 120 deg: hips at 0.84 of standing, progress 0.41 (> 0.3 + hysteresis, < 0.45), 0.4 s.
    shake = ramp(175, 120, 0.2) + ramp(120, 175, 0.2) + [175.0] * 20
    _, events = run(squat_stream(START + rep() + shake + rep()))
    assert [r.counted for r in reps_of(events)] == [True, True]


def test_far_side_limb_hidden_is_reported_as_not_judged():
    # Generated dead bug filmed from the left, camera turned 20 deg: the right leg is below
    # visibility 0.5 until past 60 % of its excursion, too little to time (phases.ROUGH_FROM), so
    # the right reps' tempo cannot be measured. The rep must say so, and must not be praised as clean.
    from backcoach.motion.engine import FAR_SIDE_HIDDEN
    from backcoach.motion.synthetic.generate import generate

    recording = generate("dead_bug", 4, noise_px=2, seed=3, camera_side="left", view_yaw_deg=20)
    engine, events = run(list(recording.sequence.frames()), engine=ExerciseEngine("dead_bug"))
    reps = reps_of(events)
    right = [r for r in reps if r.side == "right"]
    assert len(reps) == 4 and right
    for rep in right:
        assert rep.metrics["out_s"] is None
        assert ("rushing", None, FAR_SIDE_HIDDEN) in [(n.id, n.side, n.reason) for n in rep.not_judged]
        assert {"id": "rushing", "side": None, "reason": "not judged: far-side limb hidden"} in rep.to_dict()["not_judged"]
    # The first rep (near side, seen from rest to rest) is fully judged.
    assert reps[0].side == "left" and reps[0].not_judged == []
    # Praise only after reps judged in full.
    praised = {round(e.t, 2) for e in events if e.type == "cue" and e.id.startswith("praise")}
    assert not praised & {round(r.t, 2) for r in right}


def plank_hold_exercise():
    """front_plank as a static hold (its body line is the critical end standard, on ``{side}``)."""
    import tomllib

    from backcoach.exercises import parse_exercise
    from backcoach.paths import EXERCISES_DIR

    data = tomllib.loads((EXERCISES_DIR / "front_plank.toml").read_text(encoding="utf-8"))
    data["phases"]["mode"] = "hold"
    data["dosage"]["beginner"]["hold_s"] = 10.0
    return parse_exercise(data, "plank-hold test")


def plank_hold_frames(until: float | None = None, reps: int = 3) -> list[Frame]:
    """Generated side-view planks, 10 s holds, the far side hidden (visibility < 0.5)."""
    from backcoach.motion.synthetic.generate import generate

    recording = generate("front_plank", reps, noise_px=2, seed=3, occlude_far_side=True)
    assert recording.truth.view == "side" and [r.holds for r in recording.truth.reps][0] == [(9.8, 19.8)]
    frames = [f for f in recording.sequence.frames() if until is None or f.t <= until]
    far = [INDEX[f"right_{part}"] for part in ("knee", "ankle")]
    assert max(float(f.visibility[far].max()) for f in frames[300:]) < 0.5
    return frames


def test_side_view_hold_with_a_sided_standard_judges_the_near_side():
    # C1: the body-line standard reads {side}_hip/_shoulder/_ankle; the far side never gives a
    # reading, so only the near side's check can (and must) hold.
    engine, events = run(plank_hold_frames(), engine=ExerciseEngine(plank_hold_exercise()))
    reps = reps_of(events)
    assert [r.counted for r in reps] == [True, True, True]
    assert all(r.metrics["hold_s"] == pytest.approx(10.0, abs=0.05) for r in reps)
    assert all(r.errors == [] and r.not_judged == [] for r in reps)
    assert [round(h.elapsed_s) for h in events if h.type == "hold"][:10] == list(range(1, 11))


def test_unfinished_hold_reports_its_time_when_the_stream_ends():
    # C2: cut at 15 s; the hold began as the body came into line on the way up (8.8-9.8 s).
    engine, events = run(plank_hold_frames(until=15.0, reps=1), engine=ExerciseEngine(plank_hold_exercise()))
    (rep,) = reps_of(events)
    assert not rep.counted
    assert 15.0 - 9.8 <= rep.metrics["hold_s"] <= 15.0 - 8.8
    assert rep.reason == f"held {rep.metrics['hold_s']:.1f} s of 10 s (stream ended)"
    assert rep.metrics["end_s"] == pytest.approx(rep.metrics["hold_s"], abs=0.05)


def test_completed_hold_still_held_when_the_stream_ends_is_reported_once():
    engine, events = run(plank_hold_frames(until=19.5, reps=1), engine=ExerciseEngine(plank_hold_exercise()))
    (rep,) = reps_of(events)
    assert rep.counted and events[-1].type == "set_done" and events[-1].attempts == 1


def test_start_position_counts_only_once_the_walk_into_place_has_stopped():
    # Walking in from the left for 2 s (0.3 image widths/s, ~0.75 leg lengths/s, knees bending
    # 165 +- 10 deg with the gait), then standing still (knee 175) at x = 0.5 and squatting once.
    walk = [side_squat_frame(i / FPS, 165 + 10 * math.sin(2 * math.pi * i / 33), dx=-0.6 + 0.3 * i / FPS)
            for i in range(2 * FPS)]
    still = [side_squat_frame(2 + i / FPS, 175.0) for i in range(45)]
    engine, events = ExerciseEngine("squat"), []
    for frame in walk + still:
        events += engine.push(frame)
    start = next(e.t for e in events if e.type == "phase" and e.phase == "start")
    # Still from about 0.35 s after the stop (guard.STILL_WINDOW_S: both halves of the window
    # caught up), then the squat's setup_s = 0.5 s.
    assert 2.0 + 0.5 < start < 2.0 + 0.5 + 0.5
    # The leg length comes from the still standing frames only: hip to ankle at knee 175,
    # |(0.2 sin 1.25 - 0.2 sin 3.75, 0.2 cos 1.25 + 0.2 cos 3.75)|.
    leg = math.hypot(0.2 * math.sin(math.radians(1.25)) - 0.2 * math.sin(math.radians(3.75)),
                     0.2 * math.cos(math.radians(1.25)) + 0.2 * math.cos(math.radians(3.75)))
    assert engine.refs["leg"] == pytest.approx(leg, abs=1e-6)
    squat = [side_squat_frame(3.5 + i / FPS, k) for i, k in enumerate(rep())]
    _, events = run(squat, engine)
    assert [r.counted for r in reps_of(events)] == [True]


def test_setup_s_zero_waits_for_no_stillness():
    # A clip cut to one execution (KERAAL, setup_s 0) starts moving at once: the start position
    # counts on its first frame even while the body is moving.
    frames = [side_squat_frame(i / FPS, 175.0, dx=0.3 * i / FPS) for i in range(5)]
    engine, events = run(frames, ExerciseEngine("squat", setup_s=0))
    assert [e.t for e in events if e.type == "phase" and e.phase == "start"] == [0.0]


def test_facing_stays_constant_at_rest_with_a_turned_camera():
    # engine-issues H3-2: the harness's "moderate" hip_flexor_stretch set (2 px, 2% dropped frames,
    # camera turned 10 deg, hovering at the thresholds; the clean set's seed). The nose hovers at
    # visibility 0.5, so frame by frame the facing reading alternated between the nose (-1: the
    # face is toward -x in the image) and the toes, read as pointing forward although kneeling
    # they point backward: 45 flips at rest before the debounce and the kneeling toe rule.
    from backcoach.motion.synthetic.generate import generate

    recording = generate("hip_flexor_stretch", 4, side="left", hold_s=4.0, view="side", camera_side="left",
                         seed=33229, noise_px=2.0, dropout_rate=0.02, view_yaw_deg=10.0, jitter=0.05)
    engine = ExerciseEngine("hip_flexor_stretch", side="left", hold_s=4.0)
    facing = set()
    events = []
    for frame in recording.sequence.frames():
        events += engine.push(frame)
        if engine.phase != "setup":
            facing.add(engine.facing)
    assert facing == {-1.0}
    assert [r.counted for r in reps_of(events)] == [True] * 4


def test_a_roughly_timed_correct_rep_near_the_limit_is_not_judged_not_flagged():
    # Turned 15 deg, the far leg shows from ~57 %: its 2.5 s rep is timed from a few frames
    # (2.07 s here, within 25 % of the 2 s limit), so rushing gets no verdict, and no false error.
    from backcoach.motion.engine import ROUGHLY_TIMED
    from backcoach.motion.synthetic.generate import generate

    recording = generate("dead_bug", 4, noise_px=2, seed=3, camera_side="left", view_yaw_deg=15)
    _, events = run(list(recording.sequence.frames()), engine=ExerciseEngine("dead_bug"))
    (rough,) = [r for r in reps_of(events) if r.side == "right" and r.metrics["out_s"] is not None]
    assert 1.5 <= rough.metrics["out_s"] < 2.5 and rough.errors == []
    assert ("rushing", None, ROUGHLY_TIMED) in [(n.id, n.side, n.reason) for n in rough.not_judged]

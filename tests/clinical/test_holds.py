import pytest

from backcoach.clinical.holds import endurance_ratios, measure_hold


def test_plank_timed_until_hips_sag_for_more_than_one_second(poses):
    # 10 s good, then sagging 0.05 (0.25 torso lengths) for 3 s
    frames = [poses.plank(0.0)] * 300 + [poses.plank(0.05)] * 90
    result = measure_hold(poses.sequence(frames), "hold_prone_plank", sex="female")
    assert result.status == "VALID"
    assert result.value == pytest.approx(298 / 30, abs=0.05)  # frames 2-299: frame 0 enters the position
    assert result.details["end"] == "position lost for more than 1 s"
    assert result.norm["compared_with"] == 83


def test_plank_brief_wobble_under_one_second_keeps_the_hold_but_is_not_timed(poses):
    frames = [poses.plank(0.0)] * 150 + [poses.plank(0.05)] * 15 + [poses.plank(0.0)] * 150
    result = measure_hold(poses.sequence(frames), "hold_prone_plank")
    # The hold starts at frame 1 (frame 0 enters the start position): frames 2-149 and 165-314 are
    # timed, 298 frames at 30 fps = 9.93 s; the 0.5 s of sagging is not.
    assert result.details["seconds_timed"] == pytest.approx(9.93, abs=0.05)
    assert result.details["end"] == "recording ended while holding"
    assert result.details["timer"] == "backcoach.motion.engine"


def test_piking_also_fails_the_plank(poses):
    frames = [poses.plank(0.0)] * 60 + [poses.plank(-0.05)] * 60
    assert measure_hold(poses.sequence(frames), "hold_prone_plank").value == pytest.approx(58 / 30, abs=0.05)  # frames 2-59


def test_sorensen_fails_below_ten_degrees_and_caps_at_240(poses):
    frames = [poses.trunk_horizontal(0)] * 150 + [poses.trunk_horizontal(-15)] * 60
    assert measure_hold(poses.sequence(frames), "hold_biering_sorensen").value == pytest.approx(148 / 30, abs=0.05)
    long = [poses.trunk_horizontal(-5)] * (245 * 10)
    result = measure_hold(poses.sequence(long, fps=10), "hold_biering_sorensen")
    assert result.value == 240 and "cap" in result.details["end"]


def test_trunk_flexor_fails_five_degrees_below_its_start(poses):
    frames = [poses.trunk_horizontal(60)] * 120 + [poses.trunk_horizontal(57)] * 60 + [poses.trunk_horizontal(50)] * 60
    assert measure_hold(poses.sequence(frames), "hold_trunk_flexor").value == pytest.approx(178 / 30, abs=0.05)  # 57 deg still holds


@pytest.mark.parametrize("test_id", ["hold_side_bridge_left", "hold_side_bridge_right"])
def test_side_bridge_timed_until_the_hips_drop(poses, test_id):
    # 8 s hips in line, 0.5 s piked (allowed: only dropping fails), then 2 s dropped 0.3 torso lengths
    down = test_id.rsplit("_", 1)[1]
    frames = [poses.side_bridge(0.0, down)] * 240 + [poses.side_bridge(-0.06, down)] * 15 \
        + [poses.side_bridge(0.06, down)] * 60
    result = measure_hold(poses.sequence(frames), test_id, sex="male")
    assert result.status == "VALID" and result.quality["verdict"] == "good"
    assert result.value == pytest.approx(253 / 30, abs=0.05)  # frames 2-254 timed
    assert result.details["end"] == "position lost for more than 1 s"
    assert result.norm["compared_with"] == (97 if test_id.endswith("left") else 94)


def test_side_bridge_on_the_other_side_is_refused_as_that_side(poses):
    frames = [poses.side_bridge(0.0, "right")] * 90
    result = measure_hold(poses.sequence(frames), "hold_side_bridge_left")
    assert result.status == "INCONCLUSIVE" and result.value is None
    assert result.details["end"] == "the right side is down in this recording: it is hold_side_bridge_right"


def test_hold_that_never_reaches_the_position_is_inconclusive(poses):
    frames = [poses.plank(0.06)] * 90  # sagging 0.3 torso lengths throughout
    result = measure_hold(poses.sequence(frames), "hold_prone_plank")
    assert result.status == "INCONCLUSIVE" and result.details["end"] == "the start position was never reached"


def test_definitions_take_their_limits_from_the_threshold_file():
    from backcoach.clinical.holds import hold_definition
    from backcoach.clinical.thresholds import TH

    assert hold_definition("hold_prone_plank").standards[0].range == (-TH["plank_offset_lt"], TH["plank_offset_lt"])
    assert hold_definition("hold_side_bridge_left").standards[0].range == (float("-inf"), TH["plank_offset_lt"])
    assert hold_definition("hold_biering_sorensen").standards[0].range == (-TH["sorensen_drop_deg"], float("inf"))
    assert hold_definition("hold_trunk_flexor", 58.0).standards[0].range == (58.0 - TH["flexor_drop_deg"], float("inf"))
    assert hold_definition("hold_prone_plank").phases.mode == "hold"


def test_a_bad_limit_name_is_refused_with_the_file_and_standard(monkeypatch):
    from backcoach.clinical import holds
    from backcoach.clinical.camera import CameraTestError

    with pytest.raises(CameraTestError, match=r"trunk_flexor.toml: standards\[0\] \(angle_kept\) range: @start_angle"):
        holds.hold_definition("hold_trunk_flexor")  # no start angle measured
    with pytest.raises(CameraTestError, match="unknown @nope"):
        holds._resolve("@nope", {"a": 1.0}, "x")
    with pytest.raises(CameraTestError, match="not a number or a sum"):
        holds._resolve("0.1 + @a", {"a": 1.0}, "x")
    assert holds._resolve("@a-@b", {"a": 60.0, "b": 5.0}, "x") == 55.0


def test_tracking_lost_more_than_five_seconds_is_inconclusive(poses):
    frames = [poses.plank(0.0)] * 300
    result = measure_hold(poses.sequence(frames, hidden=set(range(100, 280))), "hold_prone_plank")
    assert result.status == "INCONCLUSIVE" and result.value is None
    assert "tracking lost" in result.details["end"]


def test_untracked_frames_are_not_timed(poses):
    frames = [poses.plank(0.0)] * 300
    result = measure_hold(poses.sequence(frames, hidden=set(range(100, 130))), "hold_prone_plank")
    assert result.value == pytest.approx(9.0, abs=0.1)  # 1 s of 10 lost, not counted


@pytest.mark.parametrize("holds, key, flag", [
    ({"hold_trunk_flexor": 150, "hold_biering_sorensen": 140}, "flexor_extensor", True),
    ({"hold_trunk_flexor": 120, "hold_biering_sorensen": 140}, "flexor_extensor", False),
    ({"hold_side_bridge_left": 80, "hold_side_bridge_right": 90}, "side_right_left", True),
    ({"hold_side_bridge_left": 80, "hold_side_bridge_right": 82}, "side_right_left", False),
    ({"hold_side_bridge_left": 110, "hold_biering_sorensen": 140}, "side_extensor", True),
])
def test_mcgill_ratios(holds, key, flag):
    result = endurance_ratios(holds)[key]
    assert list(result.values())[1] is flag


def test_plank_position_rule_on_real_blazepose_frames(shared_data):
    """Exercise-Correction plank frames (MIT): correct / hips high (pike) / hips low (sag).

    Checks the sign convention and that the §6.3 [E] band rejects sagging and piking frames. The
    same band also rejects most *correct* frames of this set (figures in docs/benchmarks.md): the
    threshold needs calibrating on pilot data; it is not fitted to this file.
    """
    from backcoach.clinical.holds import position_by_label
    from backcoach.pose.formats import load_recording

    seq = load_recording(shared_data / "exercise_correction" / "core" / "plank_model" / "test.csv")
    table = position_by_label(seq, "hold_prone_plank")
    assert {k: v["frames"] for k, v in table.items()} == {"C": 234, "H": 241, "L": 235}
    assert table["H"]["quartiles"][1] < table["C"]["quartiles"][1] < 0 < table["L"]["quartiles"][1]
    assert table["H"]["in_position"] == 0
    assert table["L"]["in_position"] / table["L"]["frames"] <= 0.05
    # The same frames timed as holds through the engine, run by run: sagging and piking runs are
    # never credited (the correct runs' figure is reported in docs/benchmarks.md, not fitted).
    assert {k: v["runs"] for k, v in table.items()} == {"C": 8, "H": 7, "L": 10}
    assert table["H"]["seconds_timed"] == 0 and table["L"]["seconds_timed"] == 0
    assert table["C"]["seconds_recorded"] == pytest.approx(7.5, abs=0.05)


@pytest.mark.parametrize("options", [{}, {"noise_px": 2.0, "seed": 1}, {"view_yaw_deg": 15, "noise_px": 2.0, "seed": 2}])
def test_generated_plank_is_timed_from_its_known_hold(options):
    """The synthetic generator's front plank (3D body, camera, far-side visibility loss) with a known
    20 s hold: the timer credits at least the hold and at most the whole rep (the body line is also
    within the band near the top of the way up and down), and a piked plank only for that transit."""
    from backcoach.motion.synthetic.generate import generate
    from backcoach.motion.synthetic.motions import motion_ids

    if "front_plank" not in motion_ids():
        pytest.skip("the generator has no front_plank reference motion in this checkout")
    recording = generate("front_plank", reps=1, hold_s=20, **options)
    rep = recording.truth.reps[0]
    ((hold_start, hold_end),) = rep.holds
    result = measure_hold(recording.sequence, "hold_prone_plank")
    assert result.status == "VALID" and result.details["end"] == "position lost for more than 1 s"
    assert hold_end - hold_start - 0.1 <= result.value <= rep.end - rep.start
    # A faulty plank is credited at most its transit through the band on the way up and down. The
    # piked motion (-0.13 torso lengths) is used because it lies clearly outside the clinical band
    # (0.10); the generator's sag (+0.10, made for the exercise's 0.08 rule) sits on the band's edge,
    # where noise alone flickers it in and out.
    piked = generate("front_plank", reps=1, hold_s=20, errors={0: ["hips_high"]}, **options)
    assert measure_hold(piked.sequence, "hold_prone_plank").details["seconds_timed"] <= 1.0


def test_the_clinical_failure_time_must_agree_with_the_engine_release(monkeypatch):
    from backcoach.clinical import holds
    from backcoach.clinical.camera import CameraTestError

    monkeypatch.setattr(holds, "RELEASE_S", 2.0)
    with pytest.raises(CameraTestError, match="hold_fail_persist_s = 1.0 s but the engine ends a hold after 2.0 s"):
        holds.hold_definition("hold_prone_plank")

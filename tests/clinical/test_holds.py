import pytest

from backcoach.clinical.holds import endurance_ratios, measure_hold


def test_plank_timed_until_hips_sag_for_more_than_one_second(poses):
    # 10 s good, then sagging 0.05 (0.25 torso lengths) for 3 s
    frames = [poses.plank(0.0)] * 300 + [poses.plank(0.05)] * 90
    result = measure_hold(poses.sequence(frames), "hold_prone_plank", sex="female")
    assert result.status == "VALID"
    assert result.value == pytest.approx(10.0, abs=0.1)
    assert result.details["end"] == "position lost for more than 1 s"
    assert result.norm["compared_with"] == 83


def test_plank_brief_wobble_under_one_second_keeps_counting(poses):
    frames = [poses.plank(0.0)] * 150 + [poses.plank(0.05)] * 15 + [poses.plank(0.0)] * 150
    result = measure_hold(poses.sequence(frames), "hold_prone_plank")
    assert result.value == pytest.approx(10.5, abs=0.1)  # 315 frames at 30 fps, minus the first
    assert result.details["end"] == "recording ended while holding"


def test_piking_also_fails_the_plank(poses):
    frames = [poses.plank(0.0)] * 60 + [poses.plank(-0.05)] * 60
    assert measure_hold(poses.sequence(frames), "hold_prone_plank").value == pytest.approx(2.0, abs=0.1)


def test_sorensen_fails_below_ten_degrees_and_caps_at_240(poses):
    frames = [poses.trunk_horizontal(0)] * 150 + [poses.trunk_horizontal(-15)] * 60
    assert measure_hold(poses.sequence(frames), "hold_biering_sorensen").value == pytest.approx(5.0, abs=0.1)
    long = [poses.trunk_horizontal(-5)] * (245 * 10)
    result = measure_hold(poses.sequence(long, fps=10), "hold_biering_sorensen")
    assert result.value == 240 and "cap" in result.details["end"]


def test_trunk_flexor_fails_five_degrees_below_its_start(poses):
    frames = [poses.trunk_horizontal(60)] * 120 + [poses.trunk_horizontal(57)] * 60 + [poses.trunk_horizontal(50)] * 60
    assert measure_hold(poses.sequence(frames), "hold_trunk_flexor").value == pytest.approx(6.0, abs=0.1)


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

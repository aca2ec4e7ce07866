"""One entry point for every camera test of ``data/camera_tests.toml``, by its kind."""

from __future__ import annotations

from backcoach.clinical.camera import CameraResult, count_heel_raises, measure_rom, test_spec
from backcoach.clinical.holds import measure_hold
from backcoach.pose.sequence import PoseSequence


def measure_test(seq: PoseSequence, test_id: str, *, pain: dict | None = None, height_cm: float | None = None,
                 sex: str | None = None) -> CameraResult:
    """Range of motion, endurance hold or count, as the test's ``kind`` says."""
    kind = test_spec(test_id)["kind"]
    if kind == "rom":
        return measure_rom(seq, test_id, pain, height_cm)
    if kind == "hold":
        return measure_hold(seq, test_id, sex)
    return count_heel_raises(seq)

"""KERAAL CTK and RTK (group 3, subject 1): correct executions vs error 1 with its side.

Each recording is one execution cut from a session, so the engine is run with ``setup_s=0`` (a
session confirms the start position before its first rep; the clips begin within about a second of
moving, and the dataset's BlazePose drops undetected frames, e.g. the first 13 of CTK
Error1Bodypart1_0). ``backcoach eval`` runs them the same way (``keraal.SETUP_S``).
Thresholds come from the exercise files (derived from the KERAAL definitions), never from these
files; the floors below record what the engine achieved, so a regression fails.
"""

from __future__ import annotations

import pytest

from backcoach.motion.analysis import analyse
from backcoach.pose.formats import load_recording

FOLDERS = {"seated_arms_up_breathing": "cacheTete", "seated_trunk_rotation": "rotationTronc"}
#: Body part codes of the file names (PROVENANCE.md): 1 left arm, 2 right arm, 3 both.
SIDES = {"1": "left", "2": "right", "3": "both"}


def verdict(path, exercise: str, format: str | None = None) -> tuple[bool, str | None, int]:
    """(error-1 flagged in the execution, side flagged: left/right/both/None, reps seen)."""
    result = analyse(load_recording(path, format).frames(), exercise, setup_s=0.0)
    sides = {e.side for rep in result.reps for e in rep.errors if e.id == "error-1"}
    if not sides:
        return False, None, len(result.reps)
    if "both" in sides or {"left", "right"} <= sides:
        return True, "both", len(result.reps)
    return True, sides.pop(), len(result.reps)


def executions(shared_data, exercise: str, source: str = "Skeleton_Blazepose"):
    folder = shared_data / "keraal" / "group3_sub01" / source / FOLDERS[exercise] / "sub01_trial01"
    paths = sorted(folder.glob("VideoColor_*.txt.gz"))
    assert paths, f"no KERAAL BlazePose files in {folder}"
    return paths


@pytest.mark.parametrize(
    "exercise, source, min_specificity, min_sensitivity, min_side_accuracy",
    [
        # Measured 2026-11-25: CTK 5/5 correct clean, 15/15 errors found, 15/15 with the right side
        # (was 13/15 and 12/13 while CTK read an arm angle that the hands-in-front position inflates);
        # RTK 5/5 clean, 14/14 found, 13/14 with the right side (was 10/14 before the arms were
        # read only while the chest faces the camera); Kinect CTK 15/15, 12/15 (was 10/15); RTK 14/14, 14/14.
        pytest.param("seated_arms_up_breathing", "Skeleton_Blazepose", 1.0, 15 / 15, 15 / 15, id="CTK"),
        pytest.param("seated_trunk_rotation", "Skeleton_Blazepose", 1.0, 14 / 14, 13 / 14, id="RTK"),
        pytest.param("seated_arms_up_breathing", "Skeleton_Kinect", 1.0, 15 / 15, 12 / 15, id="CTK-kinect"),
        pytest.param("seated_trunk_rotation", "Skeleton_Kinect", 1.0, 14 / 14, 14 / 14, id="RTK-kinect"),
    ],
)
def test_error_1_detection_with_side(shared_data, exercise, source, min_specificity, min_sensitivity, min_side_accuracy):
    correct, errors, found, right_side = 0, 0, 0, 0
    clean = 0
    fmt = "keraal-kinect" if source == "Skeleton_Kinect" else None
    for path in executions(shared_data, exercise, source):
        label = path.name.removeprefix("VideoColor_").removesuffix(".txt.gz")
        flagged, side, reps = verdict(path, exercise, fmt)
        if exercise == "seated_trunk_rotation":
            # One execution per file: an arm dipping behind the turned trunk must not split it.
            assert reps == 1, f"{path.name}: {reps} reps for one execution"
        if label.startswith("Correct"):
            correct += 1
            clean += not flagged
            continue
        errors += 1
        expected_side = SIDES[label.removeprefix("Error1Bodypart")[0]]
        found += flagged
        right_side += flagged and side == expected_side
    assert clean / correct >= min_specificity, f"{correct - clean} of {correct} correct executions flagged"
    assert found / errors >= min_sensitivity, f"error 1 found in {found} of {errors}"
    assert right_side / max(found, 1) >= min_side_accuracy, f"side right in {right_side} of {found}"


@pytest.mark.slow
@pytest.mark.parametrize(
    "label, expected_side",
    [pytest.param("Correct0", None, id="correct"), pytest.param("Error1Bodypart2_0", "right", id="right-arm-low"),
     pytest.param("Error1Bodypart1_1", "left", id="left-arm-low")],
)
def test_ctk_video_end_to_end(shared_data, label, expected_side):
    # Our own MediaPipe on the anonymised video (no mirroring), then the engine.
    from backcoach.pose.video import video_frames

    path = shared_data / "keraal" / "group3_sub01" / "VideosAnon" / "cacheTete" / "sub01_trial01" / f"VideoColor_{label}.avi"
    result = analyse(video_frames(path, "full"), "seated_arms_up_breathing", setup_s=0.0)
    sides = {e.side for rep in result.reps for e in rep.errors if e.id == "error-1"}
    assert result.reps, "no repetition seen"
    assert sides == ({expected_side} if expected_side else set())

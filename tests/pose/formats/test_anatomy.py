"""Anatomical sanity of the adapters, checked across modalities of the same execution."""

import numpy as np
import pytest

from backcoach.pose.formats import load_recording
from backcoach.pose.formats.ui_prmd import forward_kinematics
from backcoach.pose.skeleton import INDEX

G3 = "keraal/group3_sub01"
LS, RS, LW, RW = (INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_wrist", "right_wrist"))


def _keraal(shared_data, label):
    blazepose = load_recording(shared_data / f"{G3}/Skeleton_Blazepose/cacheTete/sub01_trial01/VideoColor_{label}.txt.gz")
    kinect = load_recording(shared_data / f"{G3}/Skeleton_Kinect/cacheTete/sub01_trial01/VideoColor_{label}.txt.gz")
    vicon = load_recording(shared_data / f"{G3}/Skeleton_Vicon/cacheTete/sub01_trial01/SkeletonVicon_{label}.txt.gz")
    return blazepose, kinect, vicon


def _wrist_rise(sequence):
    """95th percentile of each wrist's height above its shoulder (image units, up positive)."""
    rise = sequence.xyz[:, [LS, RS], 1] - sequence.xyz[:, [LW, RW], 1]
    return np.nanpercentile(rise, 95, axis=0)


def test_keraal_blazepose_left_shoulder_is_the_subjects_left_like_kinect(shared_data):
    blazepose, kinect, _ = _keraal(shared_data, "Correct0")
    # Facing the camera, the subject's left shoulder appears on the image's right (larger x).
    for sequence in (blazepose, kinect):
        left, right = np.nanmedian(sequence.xyz[:, [LS, RS], 0], axis=0)
        assert left > right + 0.04
    # Same execution, same video: the fixed BlazePose and the projected Kinect shoulders agree.
    frames = min(len(blazepose), len(kinect))
    offset_px = np.nanmedian(np.abs(blazepose.xyz[:frames, [LS, RS], 0] - kinect.xyz[:frames, [LS, RS], 0])) * 960
    assert offset_px < 20


@pytest.mark.parametrize("label, low_side", [("Error1Bodypart1_0", 0), ("Error1Bodypart2_0", 1)], ids=["left-arm", "right-arm"])
def test_keraal_arm_not_raised_is_on_the_same_side_in_blazepose_kinect_and_vicon(shared_data, label, low_side):
    """Error 1 body part 1 = the subject's left arm is not raised enough (checked on Vicon)."""
    for sequence in _keraal(shared_data, label):
        rise = _wrist_rise(sequence)
        assert rise[low_side] < 0.6 * rise[1 - low_side], (sequence.meta["format"], rise)


def test_ui_prmd_forward_kinematics_keeps_each_bone_length_equal_to_its_offset(shared_data):
    path = shared_data / "ui_prmd/data/Segmented Movements/Kinect/Positions/m01_s01_e01_positions.txt.gz"
    sequence = load_recording(path)
    offsets = np.loadtxt(path, delimiter=",").reshape(-1, 22, 3)
    # (canonical parent, canonical child, UI-PRMD child joint whose offset is that bone)
    for parent, child, joint in [("left_shoulder", "left_elbow", 8), ("left_elbow", "left_wrist", 9),
                                 ("right_hip", "right_knee", 19), ("right_knee", "right_ankle", 20)]:
        length = np.linalg.norm(sequence.world[:, INDEX[parent]] - sequence.world[:, INDEX[child]], axis=1)
        np.testing.assert_allclose(length, np.linalg.norm(offsets[:, joint], axis=1) / 100, rtol=1e-4)
        assert length.std() / length.mean() < 0.10  # Kinect re-estimates bones each frame; measured <= 9 %


def test_ui_prmd_subject_stands_upright_and_faces_the_view(shared_data):
    sequence = load_recording(shared_data / "ui_prmd/data/Segmented Movements/Kinect/Positions/m07_s02_e03_positions.txt.gz")
    first = sequence.xyz[0]
    assert first[INDEX["nose"], 1] < first[INDEX["left_hip"], 1] < first[INDEX["left_ankle"], 1]
    assert first[LS, 0] > first[RS, 0]
    # m07 is a right shoulder abduction: the right wrist rises above the shoulder, the left stays low.
    rise = _wrist_rise(sequence)
    assert rise[1] > 0.15 and rise[0] < -0.1


def test_forward_kinematics_on_a_hand_built_chain():
    # waist at origin; joint 1 offset 1 unit along x from the waist; waist rotated 90 deg about z.
    offsets = np.zeros((1, 22, 3))
    offsets[0, 1] = (1.0, 0.0, 0.0)
    offsets[0, 2] = (1.0, 0.0, 0.0)
    angles = np.zeros((1, 22, 3))
    angles[0, 0] = (0.0, 0.0, 90.0)  # Rz(90): x -> y
    angles[0, 1] = (90.0, 0.0, 0.0)  # Rx(90) on joint 1 leaves joint 2's x-offset along the chain
    positions = forward_kinematics(offsets, angles)
    np.testing.assert_allclose(positions[0, 1], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(positions[0, 2], [0.0, 2.0, 0.0], atol=1e-12)
    angles[0, 1] = (0.0, 0.0, 90.0)  # now joint 1 turns another 90 deg: joint 2 goes to -x
    np.testing.assert_allclose(forward_kinematics(offsets, angles)[0, 2], [-1.0, 1.0, 0.0], atol=1e-12)


def test_keraal_pie_openpose_is_unmirrored_like_blazepose(shared_data):
    openpose = load_recording(shared_data / f"{G3}/Skeleton_Openpose/cacheTete/sub01_trial01/VideoColor_Correct0.txt.gz")
    blazepose, _, _ = _keraal(shared_data, "Correct0")
    assert openpose.meta["mirror_fixed"] is True
    for landmark in (INDEX["nose"], LS, RS):
        assert np.nanmedian(openpose.xyz[:, landmark, 0]) == pytest.approx(np.nanmedian(blazepose.xyz[:, landmark, 0]), abs=0.01)
    official = load_recording(shared_data / "keraal/official_sample/draw_skeleton/dataSampleKeraal/G3-OP-CTK-P1T1-Unknown-C-0.json")
    assert official.meta["mirror_fixed"] is False
    assert np.nanmedian(official.xyz[:, LS, 0]) > np.nanmedian(official.xyz[:, RS, 0])

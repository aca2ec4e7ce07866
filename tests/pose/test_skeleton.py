import pytest

from backcoach.pose.skeleton import BONES, INDEX, LEFT_RIGHT_PAIRS, MIRROR, NAMES, NUM_LANDMARKS, landmark_index


def test_skeleton_has_the_33_blazepose_landmarks_in_model_order():
    assert NUM_LANDMARKS == 33
    assert (INDEX["nose"], INDEX["left_shoulder"], INDEX["right_hip"], INDEX["right_foot_index"]) == (0, 11, 24, 32)


@pytest.mark.parametrize(
    "left, right",
    [("left_shoulder", "right_shoulder"), ("mouth_left", "mouth_right"), ("left_eye_inner", "right_eye_inner")],
)
def test_mirror_swaps_sides(left, right):
    assert MIRROR[INDEX[left]] == INDEX[right]
    assert MIRROR[INDEX[right]] == INDEX[left]


def test_mirror_is_an_involution_that_keeps_the_nose():
    assert all(MIRROR[MIRROR[i]] == i for i in range(NUM_LANDMARKS))
    assert MIRROR[INDEX["nose"]] == INDEX["nose"]
    assert len(LEFT_RIGHT_PAIRS) == 16


def test_bones_join_known_landmarks():
    assert all(0 <= a < NUM_LANDMARKS and 0 <= b < NUM_LANDMARKS for a, b in BONES)


def test_unknown_landmark_suggests_the_right_name():
    with pytest.raises(KeyError, match="Did you mean left_shoulder"):
        landmark_index("left_shoulde")
    assert NAMES[landmark_index("left_knee")] == "left_knee"

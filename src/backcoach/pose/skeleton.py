"""The canonical skeleton: MediaPipe BlazePose's 33 landmarks.

Every source (video, webcam, browser, foreign recordings) is mapped onto these indices, so the
engine sees one skeleton whatever recorded it. Names are snake_case and sided from the *subject's*
point of view: ``left_shoulder`` is the person's own left shoulder, which appears on the right of
an image of someone facing the camera.
"""

from __future__ import annotations

from enum import IntEnum


class Landmark(IntEnum):
    """BlazePose landmark indices (Google's Pose Landmarker model card order)."""

    nose = 0
    left_eye_inner = 1
    left_eye = 2
    left_eye_outer = 3
    right_eye_inner = 4
    right_eye = 5
    right_eye_outer = 6
    left_ear = 7
    right_ear = 8
    mouth_left = 9
    mouth_right = 10
    left_shoulder = 11
    right_shoulder = 12
    left_elbow = 13
    right_elbow = 14
    left_wrist = 15
    right_wrist = 16
    left_pinky = 17
    right_pinky = 18
    left_index = 19
    right_index = 20
    left_thumb = 21
    right_thumb = 22
    left_hip = 23
    right_hip = 24
    left_knee = 25
    right_knee = 26
    left_ankle = 27
    right_ankle = 28
    left_heel = 29
    right_heel = 30
    left_foot_index = 31
    right_foot_index = 32


NUM_LANDMARKS = len(Landmark)
NAMES: tuple[str, ...] = tuple(landmark.name for landmark in Landmark)
INDEX: dict[str, int] = {landmark.name: int(landmark) for landmark in Landmark}


def _mirror_name(name: str) -> str:
    if name.startswith("left_"):
        return "right_" + name[len("left_"):]
    if name.startswith("right_"):
        return "left_" + name[len("right_"):]
    if name.endswith("_left"):
        return name[: -len("_left")] + "_right"
    if name.endswith("_right"):
        return name[: -len("_right")] + "_left"
    return name


#: ``MIRROR[i]`` is the index of landmark i's counterpart on the other side (itself for the nose).
MIRROR: tuple[int, ...] = tuple(INDEX[_mirror_name(name)] for name in NAMES)

#: (left, right) index pairs of every sided landmark.
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (i, MIRROR[i]) for i, name in enumerate(NAMES) if name.startswith("left_") or name.endswith("_left")
)

#: Bones drawn by renderers and checked by sanity tests (BlazePose's connection list, by name).
BONES: tuple[tuple[int, int], ...] = tuple(
    (INDEX[a], INDEX[b])
    for a, b in [
        ("left_shoulder", "right_shoulder"),
        ("left_hip", "right_hip"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("left_ankle", "left_heel"),
        ("left_heel", "left_foot_index"),
        ("left_ankle", "left_foot_index"),
        ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"),
        ("right_ankle", "right_foot_index"),
        ("left_wrist", "left_index"),
        ("right_wrist", "right_index"),
        ("left_ear", "left_eye"),
        ("right_ear", "right_eye"),
        ("left_eye", "nose"),
        ("right_eye", "nose"),
    ]
)


def landmark_index(name: str) -> int:
    """Index of a landmark by its snake_case name, with a helpful error for a typo."""
    try:
        return INDEX[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, NAMES, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"unknown landmark {name!r}.{hint}") from None

"""The engine on real recordings nobody on this project made (../shared/data)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backcoach.motion.engine import ExerciseEngine
from backcoach.motion.events import RepEvent
from backcoach.pose.frame import make_frame


def test_tfjs_squat_video_gives_exactly_two_counted_reps(shared_data):
    # Reference BlazePose landmarks of pose_squats.mp4 (720x1280, 5 fps, front view): two full
    # squats and a third descent cut off by the end of the video (PROVENANCE.md).
    path = shared_data / "tfjs_pose" / "pose-detection" / "test_data" / "pose_squats.full.json"
    frames = np.asarray(json.loads(path.read_text()), dtype=np.float64)
    width, height = 720, 1280
    engine = ExerciseEngine("squat")
    events = []
    for i, landmarks in enumerate(frames):
        xyz = np.column_stack([landmarks[:, 0] / width, landmarks[:, 1] / height, landmarks[:, 2] / width])
        events += engine.push(make_frame(i / 5, xyz, np.ones(33), (width, height)))
    events += engine.finish()
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert engine.count == 2
    assert [r.counted for r in reps] == [True, True, False]
    assert reps[2].reason == "did not return to the start position"
    # PROVENANCE: 2D knee angle at the bottom 85-96 deg; the hips drop to about half the standing
    # hip height (0.58 -> 0.29-0.31 image heights in the reference landmarks).
    for rep in reps[:2]:
        assert 0.45 <= rep.metrics["rom"] <= 0.6


def test_tfjs_squat_world_landmarks_give_the_same_two_reps(shared_data):
    # The same video's reference world landmarks (metres, hip-centred): the 3D path of the engine.
    folder = shared_data / "tfjs_pose" / "pose-detection" / "test_data"
    image = np.asarray(json.loads((folder / "pose_squats.full.json").read_text()), dtype=np.float64)
    world = np.asarray(json.loads((folder / "pose_squats_3d.full.json").read_text()), dtype=np.float64)
    engine = ExerciseEngine("squat", use_world=True)
    events = []
    for i, (landmarks, metres) in enumerate(zip(image, world)):
        xyz = np.column_stack([landmarks[:, 0] / 720, landmarks[:, 1] / 1280, landmarks[:, 2] / 720])
        events += engine.push(make_frame(i / 5, xyz, np.ones(33), (720, 1280), world=metres))
    events += engine.finish()
    reps = [e for e in events if isinstance(e, RepEvent)]
    assert [r.counted for r in reps] == [True, True, False]
    # In 3D the hips drop to about 0.57-0.6 of their standing height above the ankles.
    assert all(0.5 <= r.metrics["rom"] <= 0.65 for r in reps[:2])

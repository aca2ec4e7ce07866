"""Helpers for clinical tests: build intakes from a few keyword overrides."""

from __future__ import annotations

import pytest

from backcoach.clinical.intake import Intake


def make_intake(age: int = 35, red_flags: dict | None = None, history: dict | None = None,
                conditions: dict | None = None, weight_kg: float | None = 70, cleared: list[str] | None = None,
                **extra) -> Intake:
    return Intake.model_validate({
        "patient": {"age": age, "weight_kg": weight_kg},
        "red_flags": red_flags or {},
        "history": history or {},
        "conditions": conditions or {},
        "cleared": cleared or [],
        **extra,
    })


@pytest.fixture
def intake_factory():
    return make_intake


from backcoach.clinical.catalog import CatalogEntry, Dose  # noqa: E402

MODALITY = {
    "core": ["squat", "glute_bridge", "bird_dog", "dead_bug", "abdominal_drawing_in", "side_plank", "front_plank",
             "sit_to_stand"],
    "flexibility": ["cat_camel", "knee_to_chest", "childs_pose", "hamstring_stretch", "piriformis_stretch",
                    "hip_flexor_stretch", "lumbar_rotation_stretch", "seated_trunk_rotation", "seated_flank_stretch"],
    "mckenzie": ["prone_press_up", "prone_lying", "prone_on_elbows", "standing_extension", "flexion_in_lying",
                 "flexion_in_sitting"],
    "breathing": ["seated_arms_up_breathing", "diaphragmatic_breathing", "breathing_with_bracing"],
    "neural": ["nerve_slider"],
}
PER_SIDE = {"bird_dog", "dead_bug", "side_plank", "hamstring_stretch", "piriformis_stretch", "hip_flexor_stretch",
            "lumbar_rotation_stretch", "seated_trunk_rotation", "seated_flank_stretch", "knee_to_chest",
            "nerve_slider"}


def make_entry(exercise_id: str, modality: str) -> CatalogEntry:
    """A catalog entry with simple, hand-checkable doses: 10 reps x 2 sets of 4 s, 45 s rest."""
    if modality == "breathing":
        ladder = (Dose(reps=10, sets=1, rest_s=0, rep_s=6),)
        beginner = 1
    else:
        ladder = (Dose(reps=8, sets=2, rest_s=45, rep_s=4), Dose(reps=10, sets=2, rest_s=45, rep_s=4),
                  Dose(reps=12, sets=2, rest_s=45, rep_s=4), Dose(reps=12, sets=3, rest_s=45, rep_s=4))
        beginner = 2
    return CatalogEntry(exercise_id, {"en": exercise_id, "zh-Hans": exercise_id}, modality,
                        "per_side" if exercise_id in PER_SIDE else "bilateral", ladder, beginner)


@pytest.fixture(name="make_entry")
def make_entry_fixture():
    return make_entry


@pytest.fixture(scope="session")
def full_catalog() -> dict[str, CatalogEntry]:
    """Every exercise id of issue 4 with test doses (the real files are still being written)."""
    return {i: make_entry(i, modality) for modality, ids in MODALITY.items() for i in ids}


import math  # noqa: E402

import numpy as np  # noqa: E402

from backcoach.pose.sequence import PoseSequence  # noqa: E402
from backcoach.pose.skeleton import INDEX  # noqa: E402


class PoseBuilder:
    """Synthetic landmark sequences with known geometry, in y-up units on a square image.

    Each frame is a dict name -> (X, Y) (both sides of a pair may share a point in side view);
    unlisted landmarks are untracked (NaN, visibility 0).
    """

    size = (1000, 1000)

    def sequence(self, frames: list[dict], fps: float = 30.0, hidden: set[int] = frozenset()) -> PoseSequence:
        n = len(frames)
        xyz = np.full((n, 33, 3), np.nan, dtype=np.float32)
        vis = np.zeros((n, 33), dtype=np.float32)
        for i, frame in enumerate(frames):
            if i in hidden:
                continue
            for name, (x, y) in frame.items():
                xyz[i, INDEX[name]] = (x, 1.0 - y, 0.0)
                vis[i, INDEX[name]] = 0.99
        return PoseSequence(np.arange(n) / fps, xyz, vis, self.size)

    @staticmethod
    def both(frame: dict, joint: str, point) -> None:
        frame[f"left_{joint}"] = frame[f"right_{joint}"] = point

    def standing_side(self, trunk_deg: float, knee_bend_deg: float = 0.0, facing: float = 1.0,
                      hip_shift: float = 0.0, wrist=None) -> dict:
        """Side view, person facing `facing` (+1 = image +X); trunk leaning `trunk_deg` forward."""
        f: dict = {}
        ankle = (0.5, 0.05)
        knee = (0.5 + facing * 0.23 * math.sin(math.radians(knee_bend_deg)), 0.05 + 0.23 * math.cos(
            math.radians(knee_bend_deg)))
        hip = (0.5 + facing * hip_shift, knee[1] + 0.22)
        a = math.radians(trunk_deg)
        shoulder = (hip[0] + facing * 0.3 * math.sin(a), hip[1] + 0.3 * math.cos(a))
        head = (shoulder[0] + facing * 0.1 * math.sin(a), shoulder[1] + 0.1 * math.cos(a))
        for joint, point in (("ankle", ankle), ("knee", knee), ("hip", hip), ("shoulder", shoulder),
                             ("ear", head), ("heel", (0.5 - facing * 0.03, 0.04)), ("foot_index", (0.5 + facing * 0.07, 0.03))):
            self.both(f, joint, point)
        f["nose"] = (head[0] + facing * 0.03 * math.cos(a), head[1] - 0.03 * math.sin(a))
        hand = (shoulder[0], shoulder[1] - 0.33)
        self.both(f, "index", hand)
        self.both(f, "wrist", wrist if wrist is not None else (shoulder[0], shoulder[1] - 0.28))
        return f

    def standing_front(self, lateral_deg: float, offset: float = 0.0, forward_deg: float = 0.0) -> dict:
        """Front view, facing the camera (subject's left at image +X); positive = bend to the left.

        ``forward_deg`` leans the trunk toward the camera: its projection shortens by cos(forward).
        """
        a = math.radians(lateral_deg)
        torso = 0.3 * math.cos(math.radians(forward_deg))
        hip_mid = (0.5, 0.5)
        s_mid = (hip_mid[0] + torso * math.sin(a) + offset, hip_mid[1] + torso * math.cos(a))
        return {"left_hip": (0.55, 0.5), "right_hip": (0.45, 0.5),
                "left_shoulder": (s_mid[0] + 0.08, s_mid[1]), "right_shoulder": (s_mid[0] - 0.08, s_mid[1]),
                "nose": (s_mid[0], s_mid[1] + 0.12)}

    def heel_raise(self, lift: float) -> dict:
        """Side view, standing on one leg; the heel `lift` (y-up units) above the floor (leg length 0.45)."""
        f: dict = {}
        for joint, point in (("ankle", (0.5, 0.05 + lift)), ("heel", (0.48, 0.04 + lift)), ("knee", (0.5, 0.28 + lift)),
                             ("hip", (0.5, 0.5 + lift)), ("shoulder", (0.5, 0.8 + lift))):
            self.both(f, joint, point)
        return f

    def seated_rotation(self, rotation_deg: float) -> dict:
        """Front view, seated, facing the camera; positive = turn to the subject's left (image +X).

        Shoulders 0.16 apart in neutral appear `0.16 cos(a)` apart; the nose moves `0.05 sin(a)` sideways.
        """
        a = math.radians(rotation_deg)
        half = 0.08 * math.cos(a)
        return {"left_hip": (0.55, 0.4), "right_hip": (0.45, 0.4), "left_shoulder": (0.5 + half, 0.7),
                "right_shoulder": (0.5 - half, 0.7), "nose": (0.5 + 0.05 * math.sin(a), 0.82)}

    def plank(self, sag: float) -> dict:
        """Side view plank, shoulder-hip 0.2 apart; `sag` = hip drop below the S-A line (y-up units)."""
        f: dict = {}
        self.both(f, "shoulder", (0.3, 0.3))
        self.both(f, "hip", (0.5, 0.3 - sag))
        self.both(f, "ankle", (0.8, 0.3))
        return f

    def side_bridge(self, drop: float, down: str = "left") -> dict:
        """Front view side bridge, `down` side on the floor: body along X, shoulders stacked 0.14 and
        hips 0.10 apart vertically, torso 0.2 long; `drop` = mid-hip below the mid-shoulder / mid-ankle
        line (y-up units)."""
        up = "right" if down == "left" else "left"
        return {f"{down}_shoulder": (0.3, 0.3), f"{up}_shoulder": (0.3, 0.44), f"{down}_hip": (0.5, 0.32 - drop),
                f"{up}_hip": (0.5, 0.42 - drop), f"{down}_ankle": (0.85, 0.33), f"{up}_ankle": (0.85, 0.41)}

    def trunk_horizontal(self, angle_deg: float) -> dict:
        """Side view, shoulder at `angle_deg` above horizontal from the hip (Sorensen, flexor hold);
        knees level with the hip in front (legs on the bench, or seated: the engine sees the posture)."""
        a = math.radians(angle_deg)
        f: dict = {}
        self.both(f, "hip", (0.5, 0.4))
        self.both(f, "knee", (0.72, 0.41))
        self.both(f, "shoulder", (0.5 - 0.3 * math.cos(a), 0.4 + 0.3 * math.sin(a)))
        return f

    @staticmethod
    def bends(peaks: list[float], fps: float = 30.0, seconds: float = 2.0) -> list[float]:
        """Angles for repeated bends from 0 to each peak and back (raised-cosine profile)."""
        out = [0.0] * int(fps * 0.5)
        steps = int(fps * seconds)
        for peak in peaks:
            out += [peak * (1 - math.cos(2 * math.pi * k / steps)) / 2 for k in range(steps)]
            out += [0.0] * int(fps * 0.3)
        return out


@pytest.fixture
def poses() -> PoseBuilder:
    return PoseBuilder()

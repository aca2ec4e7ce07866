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
}
PER_SIDE = {"bird_dog", "dead_bug", "side_plank", "hamstring_stretch", "piriformis_stretch", "hip_flexor_stretch",
            "lumbar_rotation_stretch", "seated_trunk_rotation", "seated_flank_stretch", "knee_to_chest"}


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

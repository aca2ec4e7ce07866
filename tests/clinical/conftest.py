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

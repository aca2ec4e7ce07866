"""Fixtures for the pose tests: built model bundles and the tfjs reference data."""

from pathlib import Path

import pytest

from backcoach.pose.bundles import build_all


@pytest.fixture(scope="session")
def pose_models() -> None:
    """Make sure the PoseLandmarker bundles exist (a no-op when setup already built them)."""
    build_all()


@pytest.fixture(scope="session")
def tfjs_data(shared_data: Path) -> Path:
    return shared_data / "tfjs_pose" / "pose-detection" / "test_data"

"""Keep docs/clinical.md and the exported schema true to the code."""

import json
from pathlib import Path

from backcoach.clinical.camera import camera_tests
from backcoach.clinical.classify import CATEGORIES
from backcoach.clinical.instruments import INSTRUMENT_IDS
from backcoach.clinical.intake import Intake

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_clinical_doc_names_every_command_instrument_category_and_camera_test():
    text = (DOCS / "clinical.md").read_text(encoding="utf-8")
    for command in ("score", "redflags", "checkin", "classify", "plan", "assess", "chain", "thresholds"):
        assert f"backcoach {command}" in text, command
    for name in (*INSTRUMENT_IDS, *CATEGORIES):
        assert f"`{name}`" in text, name
    for test_id in camera_tests()["tests"]:
        assert test_id.replace("_left", "").replace("_right", "") in text, test_id


def test_exported_intake_schema_matches_the_model():
    exported = json.loads((DOCS / "clinical-intake.schema.json").read_text(encoding="utf-8"))
    assert exported == Intake.model_json_schema(), "regenerate: backcoach classify --schema > docs/clinical-intake.schema.json"

import json
import zipfile

import pytest
from typer.testing import CliRunner

from backcoach.cli.main import app
from backcoach.pose import bundles


def _normalisation(model_bytes: bytes) -> dict:
    from mediapipe.tasks.python.metadata import metadata

    info = json.loads(metadata.MetadataDisplayer.with_model_buffer(model_bytes).get_metadata_json())
    return info["subgraph_metadata"][0]["input_tensor_metadata"][0]["process_units"][0]["options"]


def test_build_all_writes_uncompressed_bundles_with_normalisation_and_is_idempotent(tmp_path):
    assert bundles.build_all(tmp_path) == {model: "built" for model in bundles.MODELS}
    for model in bundles.MODELS:
        with zipfile.ZipFile(bundles.bundle_path(model, tmp_path)) as bundle:
            assert sorted(bundle.namelist()) == ["pose_detector.tflite", "pose_landmarks_detector.tflite"]
            assert {info.compress_type for info in bundle.infolist()} == {zipfile.ZIP_STORED}
            assert _normalisation(bundle.read("pose_detector.tflite")) == {"mean": [127.5], "std": [127.5]}
            assert _normalisation(bundle.read("pose_landmarks_detector.tflite")) == {"mean": [0.0], "std": [255.0]}
    stamp = bundles.bundle_path("heavy", tmp_path).stat().st_mtime_ns
    assert bundles.build_all(tmp_path) == {model: "up to date" for model in bundles.MODELS}
    assert bundles.bundle_path("heavy", tmp_path).stat().st_mtime_ns == stamp
    assert not list(tmp_path.glob("*.part"))


def test_a_deleted_bundle_is_rebuilt(tmp_path):
    bundles.build_all(tmp_path)
    bundles.bundle_path("lite", tmp_path).unlink()
    assert bundles.build_all(tmp_path)["lite"] == "built"


def test_unknown_model_is_refused():
    with pytest.raises(bundles.BundleError, match="unknown pose model 'huge'; choose one of lite, full, heavy"):
        bundles.sources("huge")


def test_models_build_command_is_quiet_when_up_to_date():
    runner = CliRunner()
    runner.invoke(app, ["models", "build", "--quiet"])
    result = runner.invoke(app, ["models", "build", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""

"""PoseLandmarker ``.task`` bundles built from registry-shipped weights (no download).

A bundle is an uncompressed zip holding ``pose_detector.tflite`` and ``pose_landmarks_detector.tflite``,
each carrying TFLite image-input metadata with its normalisation (the Tasks runtime refuses models
without it). The detector comes from the mediapipe wheel; the lite/full/heavy landmark models from
npm ``@mediapipe/pose``. The browser app serves the same files.
"""

from __future__ import annotations

import gc
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

from backcoach import paths
from backcoach.pose._atomic import atomic_output

MODELS = ("lite", "full", "heavy")
#: Bump when the way bundles are built changes, so existing ones are rebuilt.
BUNDLE_VERSION = 1
MANIFEST = "manifest.json"

# (mean, std) that map the model's RGB 0..255 input to what it was trained on.
DETECTOR_NORMALISATION = (127.5, 127.5)  # -> [-1, 1]
LANDMARK_NORMALISATION = (0.0, 255.0)  # -> [0, 1]


class BundleError(RuntimeError):
    """A bundle cannot be built or found; the message says which file is missing and how to fix it."""


@dataclass(frozen=True)
class BundleSources:
    detector: Path
    landmarks: Path


def detector_source() -> Path:
    import mediapipe

    return Path(mediapipe.__file__).parent / "modules" / "pose_detection" / "pose_detection.tflite"


def sources(model: str) -> BundleSources:
    if model not in MODELS:
        raise BundleError(f"unknown pose model {model!r}; choose one of {', '.join(MODELS)}")
    return BundleSources(
        detector=detector_source(),
        landmarks=paths.NODE_MODULES / "@mediapipe" / "pose" / f"pose_landmark_{model}.tflite",
    )


def bundle_path(model: str, models_dir: Path | None = None) -> Path:
    return (models_dir or paths.MODELS_DIR) / f"pose_landmarker_{model}.task"


def with_image_metadata(model: bytes, name: str, mean: float, std: float) -> bytes:
    """The TFLite model with image-input metadata (RGB, normalisation mean/std) written into it."""
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer

    # mediapipe's writer leaves temporary files open; collect them here with their
    # ResourceWarnings silenced instead of letting them surface at a random later point.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        writer = metadata_writer.MetadataWriter.create(bytearray(model))
        writer.add_general_info(name, "BlazePose, bundled by backcoach")
        writer.add_image_input(norm_mean=[mean], norm_std=[std])
        content, _ = writer.populate()
        del writer
        gc.collect()
    return bytes(content)


def _fingerprint(files: BundleSources) -> dict[str, object]:
    def stat(path: Path) -> list[object]:
        if not path.is_file():
            raise BundleError(f"model weights {path} are missing; run scripts/setup.sh (npm install) first")
        info = path.stat()
        return [str(path), info.st_size, info.st_mtime_ns]

    return {"version": BUNDLE_VERSION, "detector": stat(files.detector), "landmarks": stat(files.landmarks)}


def build_bundle(model: str, models_dir: Path | None = None) -> Path:
    """Build one bundle, writing a temporary file and renaming it into place."""
    from mediapipe.tasks.python.metadata.metadata_writers.model_asset_bundle_utils import (
        create_model_asset_bundle,
    )

    files = sources(model)
    _fingerprint(files)
    target = bundle_path(model, models_dir)
    detector = with_image_metadata(files.detector.read_bytes(), "pose_detector", *DETECTOR_NORMALISATION)
    landmarks = with_image_metadata(files.landmarks.read_bytes(), f"pose_landmarks_{model}", *LANDMARK_NORMALISATION)
    with atomic_output(target) as temporary:
        create_model_asset_bundle(
            {"pose_detector.tflite": detector, "pose_landmarks_detector.tflite": landmarks}, str(temporary)
        )
    return target


def build_all(models_dir: Path | None = None, force: bool = False) -> dict[str, str]:
    """Build every bundle that is missing or older than its sources; returns model -> "built"/"up to date".

    Freshness is judged from a manifest of the source files' paths, sizes and modification times,
    so a second run only stats six files.
    """
    models_dir = models_dir or paths.MODELS_DIR
    manifest_path = models_dir / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, json.JSONDecodeError):
        manifest = {}
    status = {}
    for model in MODELS:
        fingerprint = _fingerprint(sources(model))
        if not force and manifest.get(model) == fingerprint and bundle_path(model, models_dir).is_file():
            status[model] = "up to date"
            continue
        build_bundle(model, models_dir)
        manifest[model] = fingerprint
        status[model] = "built"
    if "built" in status.values():
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return status


def require_bundle(model: str) -> Path:
    """Path of a built bundle, or a BundleError telling the user how to build it."""
    path = bundle_path(model)
    if model not in MODELS:
        raise BundleError(f"unknown pose model {model!r}; choose one of {', '.join(MODELS)}")
    if not path.is_file():
        raise BundleError(f"pose model bundle {path} is missing; run `backcoach models build`")
    return path

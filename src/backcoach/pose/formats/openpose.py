"""OpenPose JSON: native per-frame files (``people[].pose_keypoints_2d``, COCO-18 or BODY_25) or
a folder of them, and KERAAL's ``{"positions": {frame: {"rShoulder": [x, y], ...}}}`` documents.

KERAAL group 3 files in the 14-joint style of the Keraal_PIE extraction (the nose is called
"Head") were, like KERAAL's BlazePose, made from a horizontally flipped image: their ``lShoulder``
is the subject's right shoulder at mirrored x (checked: their nose and shoulders sit at exactly
1 - x of the fixed BlazePose and of our own model on the same video). Those are un-mirrored;
the official sample's 18-joint files are not mirrored and are kept as they are.

Native coordinates are pixels unless OpenPose normalised them (all values within [0, 1]); pass
``image_size=`` for pixel files. With several people in a frame we keep the one with the highest
summed confidence. Keypoints with confidence 0 are missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from backcoach.pose.formats._common import RecordingError, build_sequence, empty_landmarks, frame_keys, read_json
from backcoach.pose.formats.keypoints2d import BODY25, COCO17, NOMINAL_SIZE, OPENPOSE18, canonical_name
from backcoach.pose.sequence import PoseSequence
from backcoach.pose.skeleton import INDEX, MIRROR

FORMAT_ID = "openpose"
DESCRIPTION = "OpenPose JSON (COCO-18 / BODY_25 per-frame files or folder; KERAAL OpenPose)"
FPS = 30.0
KERAAL_SIZE = (960, 540)
LAYOUTS = {18: OPENPOSE18, 25: BODY25}


def sniff(path: Path, head: bytes) -> bool:
    return b'"pose_keypoints_2d"' in head or (b'"positions"' in head and b'"rShoulder"' in head)


def _native_frame(path: Path, document: Any) -> np.ndarray:
    """(J, 3) keypoints (x, y, confidence) of the most confident person, or an empty array."""
    people = document.get("people") if isinstance(document, dict) else None
    if not isinstance(people, list):
        raise RecordingError(path, "an OpenPose file needs a 'people' list")
    best = np.empty((0, 3))
    for number, person in enumerate(people):
        flat = np.asarray(person.get("pose_keypoints_2d", []), dtype=np.float64)
        if flat.size not in (18 * 3, 25 * 3):
            raise RecordingError(path, f"person {number}: pose_keypoints_2d has {flat.size} values, expected 54 or 75")
        keypoints = flat.reshape(-1, 3)
        if best.size == 0 or keypoints[:, 2].sum() > best[:, 2].sum():
            best = keypoints
    return best


def _load_native(path: Path, files: list[Path], fps: float, image_size: tuple[int, int] | None) -> PoseSequence:
    frames = [_native_frame(file, read_json(file)) for file in files]
    xyz, visibility = empty_landmarks(len(frames))
    present = [k for k in frames if k.size]
    if not present:
        raise RecordingError(path, "no person in any frame")
    normalised = max(float(np.abs(k[:, :2]).max()) for k in present) <= 1.0
    if image_size is None:
        if not normalised:
            raise RecordingError(path, "keypoints are in pixels: pass image_size=(width, height)")
        image_size = NOMINAL_SIZE
    scale = np.array([1.0, 1.0]) if normalised else np.array(image_size, dtype=np.float64)
    for row, keypoints in enumerate(frames):
        if not keypoints.size:
            continue
        for joint, name in enumerate(LAYOUTS[len(keypoints)]):
            target = canonical_name(name)
            if target is None or keypoints[joint, 2] <= 0:
                continue
            xyz[row, INDEX[target]] = (*(keypoints[joint, :2] / scale), 0.0)
            visibility[row, INDEX[target]] = min(float(keypoints[joint, 2]), 1.0)
    meta = {"source": str(path), "format": FORMAT_ID, "model": "OpenPose"}
    return build_sequence(path, np.arange(len(frames)) / fps, xyz, visibility, image_size, meta)


def load_positions(
    path: Path,
    document: dict,
    fps: float,
    image_size: tuple[int, int],
    format_id: str,
    model: str,
    mirrored: bool = False,
) -> PoseSequence:
    """KERAAL-style ``{"positions": {frame: {joint: [x, y]}}}`` with normalised coordinates.

    Joints are named (OpenPose) or numbered as COCO-17 indices (AlphaPose). ``mirrored`` undoes an
    extraction on a horizontally flipped image: x becomes 1 - x and left/right labels swap.
    """
    positions = document["positions"]
    keys = frame_keys(path, positions)
    xyz, visibility = empty_landmarks(len(keys))
    for row, key in enumerate(keys):
        for joint, value in positions[key].items():
            name = COCO17[int(joint)] if joint.isdigit() and int(joint) < len(COCO17) else canonical_name(joint)
            if name is None:
                continue
            if not (isinstance(value, list) and len(value) >= 2):
                raise RecordingError(path, f"frame {key!r} joint {joint!r}: expected [x, y], got {value!r}")
            index = MIRROR[INDEX[name]] if mirrored else INDEX[name]
            x = 1.0 - float(value[0]) if mirrored else float(value[0])
            xyz[row, index] = (x, float(value[1]), 0.0)
            visibility[row, index] = 1.0
    meta = {"source": str(path), "format": format_id, "model": model, "mirror_fixed": mirrored}
    return build_sequence(path, np.arange(len(keys)) / fps, xyz, visibility, image_size, meta)


def _keraal_pie_style(document: dict) -> bool:
    """The 14-joint files of the Keraal_PIE extraction (nose called "Head"), which are mirrored."""
    positions = document["positions"]
    first = positions[next(iter(positions))] if isinstance(positions, dict) and positions else {}
    return isinstance(first, dict) and "Head" in first


def load(
    path: Path, fps: float = FPS, image_size: tuple[int, int] | None = None, mirrored: bool | None = None
) -> PoseSequence:
    """Load OpenPose keypoints; ``mirrored=None`` fixes the mirror of Keraal_PIE-style files only."""
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise RecordingError(path, "the folder holds no OpenPose .json files")
        return _load_native(path, files, fps, image_size)
    document = read_json(path)
    if isinstance(document, dict) and "positions" in document:
        if mirrored is None:
            mirrored = _keraal_pie_style(document)
        return load_positions(path, document, fps, image_size or KERAAL_SIZE, FORMAT_ID, "OpenPose (KERAAL)", mirrored)
    return _load_native(path, [path], fps, image_size)

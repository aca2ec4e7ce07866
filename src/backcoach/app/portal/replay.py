"""Landmark traces for skeleton replay: the stored byte layout and the payload the replay page draws.

No video is ever stored. A trace is the set's landmarks only, as little-endian float32:
``n`` timestamps (seconds from the set's first frame) followed by ``n x 33 x 4`` values
(x, y in normalised image coordinates, z, visibility). The encoding string names the layout and
the image size, e.g. ``f32-txyzv-720x1280``, so a reader refuses what it does not understand and
can draw with the right aspect ratio.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from backcoach.exercises.loader import UnknownExerciseError, get_exercise
from backcoach.exercises.schema import Exercise
from backcoach.motion.cues import engine_cue_texts
from backcoach.pose.skeleton import BONES, NUM_LANDMARKS as LANDMARK_COUNT
from backcoach.store.models import ExerciseSet, LandmarkTrace

LAYOUT = "f32-txyzv"
_ENCODING = re.compile(rf"{LAYOUT}-(\d+)x(\d+)")
#: Decimals kept in the replay payload (1e-4 of the image is well under a pixel).
DECIMALS = 4


class TraceError(ValueError):
    """A stored trace that cannot be read (unknown encoding or wrong length)."""


def encode_trace(t: np.ndarray, xyz: np.ndarray, visibility: np.ndarray, image_size: tuple[int, int]) -> tuple[str, bytes]:
    """The encoding string and bytes of one set's landmarks.

    Parameters
    ----------
    t : ndarray of shape (n,)
        Seconds from the set's first frame.
    xyz : ndarray of shape (n, 33, 3)
        Normalised image coordinates (x right, y down) and relative depth.
    visibility : ndarray of shape (n, 33)
    image_size : (width, height) in pixels
    """
    n = len(t)
    if xyz.shape != (n, LANDMARK_COUNT, 3) or visibility.shape != (n, LANDMARK_COUNT):
        raise TraceError(f"trace of {n} frames needs xyz ({n}, 33, 3) and visibility ({n}, 33); "
                         f"got {xyz.shape} and {visibility.shape}")
    values = np.concatenate([xyz, visibility[..., None]], axis=2).astype("<f4")
    return f"{LAYOUT}-{image_size[0]}x{image_size[1]}", np.asarray(t, "<f4").tobytes() + values.tobytes()


def decode_trace(trace: LandmarkTrace) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Timestamps (n,), landmarks (n, 33, 4) and image size of a stored trace."""
    match = _ENCODING.fullmatch(trace.encoding)
    if match is None:
        raise TraceError(f"landmark trace {trace.id}: unknown encoding {trace.encoding!r}; expected {LAYOUT}-WxH")
    n = trace.frame_count
    expected = 4 * n * (1 + LANDMARK_COUNT * 4)
    if len(trace.data) != expected:
        raise TraceError(f"landmark trace {trace.id}: {len(trace.data)} bytes, expected {expected} for {n} frames")
    raw = np.frombuffer(trace.data, dtype="<f4")
    return raw[:n].astype(float), raw[n:].reshape(n, LANDMARK_COUNT, 4).astype(float), (int(match[1]), int(match[2]))


def rep_time(rep: Any, exercise_set: ExerciseSet) -> float:
    """When the rep ended, in seconds from the set's start (``metrics.t`` when the engine stored it)."""
    if isinstance(rep.metrics, dict) and isinstance(rep.metrics.get("t"), (int, float)):
        return float(rep.metrics["t"])
    return max(0.0, (rep.at - exercise_set.started_at).total_seconds())


def _drawable(xy: np.ndarray, visibility: np.ndarray) -> list:
    """(n, 33, 3) lists of x, y, visibility; a landmark the tracker lost is drawn as invisible."""
    lost = ~np.isfinite(xy).all(axis=-1) | ~np.isfinite(visibility)
    frames = np.concatenate([np.where(lost[..., None], 0.0, xy), np.where(lost, 0.0, visibility)[..., None]], axis=-1)
    return np.round(frames, DECIMALS).tolist()


def cue_texts(exercise_id: str, exercise: Exercise | None = None) -> dict[str, dict[str, str]]:
    """Cue id -> text by language, as the engine says them (the exercise's own cues first).

    ``exercise`` overrides the library's file (the editor's unsaved text).
    """
    texts = dict(engine_cue_texts())
    if exercise is None:
        try:
            exercise = get_exercise(exercise_id)
        except UnknownExerciseError:
            return texts
    texts.update({cue_id: {"en": text.en, "zh-Hans": text.zh_hans} for cue_id, text in exercise.cues.items()})
    return texts


def _cue_lines(errors: list, texts: dict[str, dict[str, str]], lang: str) -> list[str]:
    lines = []
    for error in errors or []:
        text = texts.get(error.get("cue")) if isinstance(error, dict) else None
        lines.append(text.get(lang, text["en"]) if text else str(error.get("id", "")))
    return lines


def replay_payload(exercise_set: ExerciseSet, trace: LandmarkTrace, lang: str) -> dict[str, Any]:
    """Everything the replay canvas needs: frames, bones, and each rep's time, grade and cues."""
    t, values, (width, height) = decode_trace(trace)
    texts = cue_texts(exercise_set.exercise_id)
    reps = []
    for rep in exercise_set.reps:
        reps.append({"index": rep.index, "t": round(rep_time(rep, exercise_set), 3), "counted": rep.counted,
                     "grade": rep.grade, "score": rep.score, "cues": _cue_lines(rep.errors, texts, lang),
                     "reason": rep.reason})
    return {
        "exercise_id": exercise_set.exercise_id, "width": width, "height": height,
        "t": np.round(t, 3).tolist(), "frames": _drawable(values[..., :2], values[..., 3]),
        "bones": [list(b) for b in BONES], "reps": reps,
    }


def sequence_payload(sequence: Any, rep_events: list[Any] = (), texts: dict | None = None,
                     lang: str = "en") -> dict[str, Any]:
    """The same drawing payload for a synthetic ``PoseSequence`` and the engine's rep events on it."""
    width, height = sequence.image_size
    reps = [{"index": e.index, "t": round(float(e.t - sequence.t[0]), 3), "counted": e.counted, "grade": e.grade,
             "score": e.score, "reason": e.reason,
             "cues": _cue_lines([{"id": x.id, "cue": x.cue} for x in e.errors], texts or {}, lang)}
            for e in rep_events]
    return {"exercise_id": sequence.meta.get("exercise", ""), "width": int(width), "height": int(height),
            "t": np.round(sequence.t - sequence.t[0], 3).tolist(),
            "frames": _drawable(sequence.xyz[..., :2], sequence.visibility), "bones": [list(b) for b in BONES],
            "reps": reps}

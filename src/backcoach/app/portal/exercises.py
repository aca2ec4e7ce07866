"""The exercise editor's checks: the library's own loader validates, this module only splits its
message into one problem per field so the page can list them beside the editor.

Edited files are saved as numbered versions in the database; the shipped files under
``EXERCISES_DIR`` are never written. A therapist's latest saved version is what their patients'
sessions use (:func:`exercise_for_patient`); a file the engine cannot run is refused at save time.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

import logging
from typing import Any

from sqlalchemy.orm import Session

from backcoach.exercises import UnknownExerciseError, get_exercise
from backcoach.exercises.loader import ExerciseFileError, parse_exercise
from backcoach.exercises.schema import Exercise
from backcoach.paths import EXERCISES_DIR
from backcoach.store.repo import portal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an edited file: where (file and field, or TOML line) and why."""

    file: str
    field: str
    message: str


def shipped_ids() -> list[str]:
    return sorted(p.stem for p in EXERCISES_DIR.glob("*.toml"))


def shipped_toml(exercise_id: str) -> str | None:
    if exercise_id not in shipped_ids():
        return None
    return (EXERCISES_DIR / f"{exercise_id}.toml").read_text(encoding="utf-8")


def check_toml(exercise_id: str, text: str) -> list[Problem]:
    """Every problem the exercise library finds in ``text`` (empty when the file is valid)."""
    return parse_toml(exercise_id, text)[1]


def parse_toml(exercise_id: str, text: str) -> tuple[Exercise | None, list[Problem]]:
    """The edited exercise, or None and every problem the exercise library finds in ``text``."""
    source = f"{exercise_id}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [Problem(source, "(TOML syntax)", str(error))]
    try:
        exercise = parse_exercise(data, source)
    except ExerciseFileError as error:
        return None, [Problem(source, *_split(part)) for part in str(error).removeprefix(f"{source}: ").split("; ")]
    if exercise.id != exercise_id:
        return None, [Problem(source, "id", f"id = {exercise.id!r} differs from the file name {exercise_id!r}; "
                                            f"keep id = {exercise_id!r} (a new exercise needs a new file)")]
    try:  # what a live session does with it: the loader accepts some files the engine cannot run
        _engine_for(exercise)
    except Exception as error:  # any engine fault is this file's problem, shown beside the editor
        return None, [Problem(source, "(movement engine)", f"the movement engine cannot use this file: {error}")]
    return exercise, []


def _engine_for(exercise: Exercise) -> Any:
    from backcoach.motion.engine import ExerciseEngine

    return ExerciseEngine(exercise)


def exercise_for_patient(db: Session, patient_id: int, exercise_id: str) -> Exercise | None:
    """The exercise as this patient's sessions run it: their therapist's latest saved version, else
    the shipped library file; None when the library has no movement definition for it."""
    version = portal.treating_therapist_version(db, patient_id, exercise_id)
    if version is not None:
        exercise, problems = parse_toml(exercise_id, version.toml)
        if exercise is not None:
            return exercise
        # Saving refuses such a file; one saved before a stricter check falls back, and is logged.
        logger.error("exercise %s version %d no longer loads (%s); using the shipped file",
                     exercise_id, version.version, "; ".join(p.message for p in problems))
    try:
        return get_exercise(exercise_id)
    except UnknownExerciseError:
        return None


#: Repetitions of the reference motion graded in the editor's preview.
PREVIEW_REPS = 3


def graded_preview(exercise: Exercise, fps: float = 15.0) -> tuple[Any, list[Any]]:
    """The reference motion on the synthetic body and the rep events the *edited* file gives it.

    Shows the effect of changed thresholds before saving: the same clean movement is counted and
    graded by the engine built from the edited definition.

    Raises
    ------
    MotionFileError
        When the exercise has no reference motion yet.
    """
    from backcoach.motion.engine import ExerciseEngine
    from backcoach.motion.synthetic.generate import generate

    sequence = generate(exercise.id, reps=PREVIEW_REPS, fps=fps, setup=False, idle_s=1.0, seed=0).sequence
    engine = ExerciseEngine(exercise, reps_target=PREVIEW_REPS)
    events = [e for frame in sequence.frames() for e in engine.push(frame)] + engine.finish()
    return sequence, [e for e in events if e.type == "rep"]


def _split(part: str) -> tuple[str, str]:
    match = re.match(r"([\w.\[\]()-]+(?: \([^)]*\))?): (.*)", part, re.DOTALL)
    return (match.group(1), match.group(2)) if match else ("(file)", part)

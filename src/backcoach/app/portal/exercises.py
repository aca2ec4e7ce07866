"""The exercise editor's checks: the library's own loader validates, this module only splits its
message into one problem per field so the page can list them beside the editor.

Edited files are saved as numbered versions in the database; the shipped files under
``EXERCISES_DIR`` are never written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass

from backcoach.exercises.loader import ExerciseFileError, parse_exercise
from backcoach.paths import EXERCISES_DIR


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
    source = f"{exercise_id}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return [Problem(source, "(TOML syntax)", str(error))]
    try:
        exercise = parse_exercise(data, source)
    except ExerciseFileError as error:
        return [Problem(source, *_split(part)) for part in str(error).removeprefix(f"{source}: ").split("; ")]
    if exercise.id != exercise_id:
        return [Problem(source, "id", f"id = {exercise.id!r} differs from the file name {exercise_id!r}; "
                                      f"keep id = {exercise_id!r} (a new exercise needs a new file)")]
    return []


def _split(part: str) -> tuple[str, str]:
    match = re.match(r"([\w.\[\]()-]+(?: \([^)]*\))?): (.*)", part, re.DOTALL)
    return (match.group(1), match.group(2)) if match else ("(file)", part)

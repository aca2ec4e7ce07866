"""Loading and validating exercise files (TOML, one per exercise, named ``<id>.toml``).

Validation runs in three layers, each naming the file, the field and the reason:
TOML syntax, the schema (:mod:`backcoach.exercises.schema`), then references that the schema
cannot see: landmark names, expressions, feature names inside conditions.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from backcoach.exercises.schema import Exercise
from backcoach.paths import EXERCISES_DIR


class ExerciseFileError(ValueError):
    """An exercise file that cannot be used; the message names the file, the field and why."""


class UnknownExerciseError(KeyError):
    """No exercise with that id in the library."""

    def __str__(self) -> str:
        return str(self.args[0])


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith("function-"):
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def parse_exercise(data: dict, source: str) -> Exercise:
    """Validate already-parsed exercise data; ``source`` names it in error messages.

    Raises
    ------
    ExerciseFileError
        For every schema violation, each naming its field, and for bad landmarks or expressions.
    """
    try:
        exercise = Exercise.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{_location(item['loc'])}: {message}")
        raise ExerciseFileError(f"{source}: " + "; ".join(problems)) from None
    _check_references(exercise, source)
    return exercise


def _check_references(exercise: Exercise, source: str) -> None:
    # Imported here: the engine imports this package's schema, and this check uses the engine's
    # compiler, so a top-level import would be circular.
    from backcoach.motion.expressions import ExpressionError
    from backcoach.motion.features import CompiledFeatures, FeatureError, check_condition

    try:
        CompiledFeatures(exercise)
    except FeatureError as error:
        raise ExerciseFileError(f"{source}: {error}") from None
    for i, rule in enumerate(exercise.errors):
        if rule.condition is not None:
            try:
                check_condition(rule.condition, exercise)
            except ExpressionError as error:
                raise ExerciseFileError(f"{source}: errors[{i}].condition ({rule.id}): {error}") from None


def load_exercise(path: Path | str) -> Exercise:
    """Read and validate one exercise file.

    Raises
    ------
    ExerciseFileError
        When the file is missing, is not valid TOML, breaks the schema, or its id differs from
        its file name.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExerciseFileError(f"{path}: cannot read the file ({error.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExerciseFileError(f"{path}: not valid TOML: {error}") from None
    exercise = parse_exercise(data, str(path))
    if exercise.id != path.stem:
        raise ExerciseFileError(
            f"{path}: id = {exercise.id!r} differs from the file name {path.stem!r}. "
            f"Hint: name the file {exercise.id}.toml"
        )
    return exercise


def load_library(directory: Path | str = EXERCISES_DIR) -> dict[str, Exercise]:
    """Every exercise file in a directory, by id, sorted by id."""
    directory = Path(directory)
    if directory == EXERCISES_DIR:
        return dict(_default_library())
    return {path.stem: load_exercise(path) for path in sorted(directory.glob("*.toml"))}


@lru_cache(maxsize=1)
def _default_library() -> tuple[tuple[str, Exercise], ...]:
    return tuple((path.stem, load_exercise(path)) for path in sorted(EXERCISES_DIR.glob("*.toml")))


def get_exercise(exercise_id: str) -> Exercise:
    """The library's exercise with this id.

    Raises
    ------
    UnknownExerciseError
        Naming the known ids.
    """
    library = load_library()
    if exercise_id not in library:
        raise UnknownExerciseError(
            f"unknown exercise {exercise_id!r}; known: {', '.join(library) or '(none)'}"
        )
    return library[exercise_id]

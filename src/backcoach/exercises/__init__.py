"""The exercise library: one data file per exercise, its schema and its validator."""

from backcoach.exercises.loader import (
    ExerciseFileError,
    UnknownExerciseError,
    get_exercise,
    load_exercise,
    load_library,
    parse_exercise,
)
from backcoach.exercises.schema import Exercise

__all__ = [
    "Exercise",
    "ExerciseFileError",
    "UnknownExerciseError",
    "get_exercise",
    "load_exercise",
    "load_library",
    "parse_exercise",
]

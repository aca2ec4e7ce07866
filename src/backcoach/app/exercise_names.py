"""Exercise names and key points from the exercise library, in the reader's language."""

from __future__ import annotations

from backcoach.exercises.loader import UnknownExerciseError, get_exercise


def exercise_name(exercise_id: str, locale: str) -> str:
    """The library's name of the exercise; the bare id when the library has no such file yet."""
    try:
        exercise = get_exercise(exercise_id)
    except UnknownExerciseError:
        return exercise_id.replace("_", " ")
    return exercise.name.zh_hans if locale == "zh_Hans" else exercise.name.en


def exercise_key_points(exercise_id: str, locale: str) -> list[str]:
    try:
        exercise = get_exercise(exercise_id)
    except UnknownExerciseError:
        return []
    return exercise.key_points.zh_hans if locale == "zh_Hans" else exercise.key_points.en

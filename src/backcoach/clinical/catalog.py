"""The exercise library as prescription sees it: ids, modality, sides and a dosage ladder.

Prescription reads the library only through :func:`catalog_from_library` (which calls the
``backcoach.exercises`` loader), so a plan can never name an exercise that has no file.
A ladder runs from the easiest regression to the hardest progression (brief §5.3): level 1 is
the first regression, the beginner dose sits after the regressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from backcoach.clinical.thresholds import TH


class PlanError(ValueError):
    """A plan cannot be built or fails its constraints (names what and why)."""


@dataclass(frozen=True)
class Dose:
    reps: int
    sets: int = 1
    hold_s: float = 0
    rest_s: float = 45
    rep_s: float | None = None  # seconds per repetition from the tempo; None -> default

    def seconds(self, sides: str) -> float:
        """Working time plus rests between sets; per-side and alternating exercises do both sides."""
        rep = self.rep_s if self.rep_s is not None else self.hold_s + TH["seconds_per_rep"]
        per_set = self.reps * rep * (1 if sides == "bilateral" else 2)
        return self.sets * per_set + (self.sets - 1) * self.rest_s

    def scaled(self, volume: float) -> Dose:
        """Fewer sets (at least 1) for a flare-up (§5.5 volume x 0.5)."""
        return replace(self, sets=max(1, round(self.sets * volume)))


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    name: dict[str, str]
    modality: str  # core | flexibility | mckenzie | breathing
    sides: str  # bilateral | per_side | alternating
    ladder: tuple[Dose, ...]
    beginner_level: int  # 1-based index of the beginner dose in the ladder

    @property
    def top_level(self) -> int:
        return len(self.ladder)

    def dose(self, level: int) -> Dose:
        if not 1 <= level <= self.top_level:
            raise PlanError(f"{self.id}: level {level} is outside its ladder 1-{self.top_level}")
        return self.ladder[level - 1]


def _dose(step) -> Dose:
    tempo = step.tempo
    rep_s = tempo.out_s + tempo.hold_s + tempo.return_s if tempo is not None else None
    return Dose(reps=step.reps, sets=step.sets, hold_s=step.hold_s, rest_s=step.rest_s, rep_s=rep_s)


def entry_from_exercise(exercise) -> CatalogEntry:
    """Convert one ``backcoach.exercises.Exercise`` (its [dosage] section) into a catalog entry."""
    dosage = exercise.dosage
    regressions = [_dose(s) for s in reversed(dosage.regressions)]  # listed one step easier first
    ladder = (*regressions, _dose(dosage.beginner), *[_dose(s) for s in dosage.progressions])
    return CatalogEntry(
        id=exercise.id, name={"en": exercise.name.en, "zh-Hans": exercise.name.zh_hans},
        modality=exercise.modality, sides=exercise.sides, ladder=ladder, beginner_level=len(regressions) + 1,
    )


def catalog_from_library(directory: Path | None = None) -> dict[str, CatalogEntry]:
    """Every exercise of the library (default: the package's library), by id."""
    from backcoach.exercises import ExerciseFileError, load_library

    try:
        library = load_library() if directory is None else load_library(directory)
    except ExerciseFileError as error:
        raise PlanError(f"the exercise library cannot be read: {error}") from None
    return {exercise_id: entry_from_exercise(ex) for exercise_id, ex in library.items()}


def require(catalog: Mapping[str, CatalogEntry], exercise_id: str) -> CatalogEntry:
    if exercise_id not in catalog:
        raise PlanError(f"exercise {exercise_id!r} is not in the library (have: {', '.join(sorted(catalog)) or 'none'})")
    return catalog[exercise_id]

"""Running the accuracy datasets by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from backcoach.evaluation import exercise_correction, keraal, synthetic, tfjs_squat, ui_prmd
from backcoach.evaluation.report import ALL_DATASETS, DatasetResult

EVALUATORS: dict[str, Callable[..., DatasetResult]] = {
    "synthetic": synthetic.evaluate,
    "ui_prmd": ui_prmd.evaluate,
    "keraal": keraal.evaluate,
    "exercise_correction": exercise_correction.evaluate,
    "tfjs_squat": tfjs_squat.evaluate,
}
assert tuple(EVALUATORS) == ALL_DATASETS


class UnknownDatasetError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def run(datasets: Iterable[str] | None = None, *, quick: bool = False, exercise: str | None = None,
        progress: Callable[[str], None] | None = None) -> list[DatasetResult]:
    """Evaluate the named datasets (all by default) in the report's order.

    ``exercise`` limits the synthetic dataset to one exercise id.

    Raises
    ------
    UnknownDatasetError
        For a name not in :data:`ALL_DATASETS`.
    """
    names = list(datasets or ALL_DATASETS)
    for name in names:
        if name not in EVALUATORS:
            raise UnknownDatasetError(f"unknown dataset {name!r}; known: {', '.join(ALL_DATASETS)}")
    results = []
    for name in ALL_DATASETS:
        if name not in names:
            continue
        if progress is not None:
            progress(name)
        if name == "synthetic":
            results.append(EVALUATORS[name](quick=quick, exercise=exercise))
        else:
            results.append(EVALUATORS[name](quick=quick))
    return results

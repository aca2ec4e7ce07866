"""Compiling an exercise's named features into fast per-frame evaluators.

Structured feature kinds (``angle``, ``incl_v``, ...) are sugar for one call of the expression
language, so both go through :mod:`backcoach.motion.expressions` and behave identically. Sided
features (with ``{side}``/``{other}``) are compiled once per side.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from backcoach.exercises.schema import Exercise, Feature
from backcoach.motion.expressions import WINDOWED, Evaluator, ExpressionError, compile_expression, parse
from backcoach.motion.geometry import Missing
from backcoach.motion.points import SIDES, is_sided

#: Default lowest landmark visibility for a reading (brief §4.0: reject below 0.5).
MIN_VISIBILITY = 0.5


@dataclass(slots=True)
class FrameView:
    """What evaluators read: y-up points, visibilities, reference lengths, facing direction; the
    frame time and the engine's memory for windowed functions."""

    points: list
    vis: list
    refs: dict
    facing: float = 1.0
    min_vis: float = MIN_VISIBILITY
    near: str = "left"
    cache: dict = field(default_factory=dict)
    t: float = 0.0
    memory: dict | None = None  # the engine's windows (``expressions.Window``), kept across frames


def feature_expression(feature: Feature) -> str:
    """The expression a structured feature stands for."""
    if feature.kind == "expr":
        assert feature.expr is not None
        return feature.expr
    p = ", ".join(feature.points)
    if feature.kind == "angle":
        return f"angle({p})"
    if feature.kind in ("sangle", "incl_v", "incl_h"):
        return f"{feature.kind}({p})"
    if feature.kind == "ratio" and len(feature.points) == 4:
        return f"ratio({p})"
    scale = "" if feature.over == "torso" else f" * torso / {feature.over}"
    return f"{feature.kind}({p}){scale}"


def _names(text: str) -> set[str]:
    """The bare names an expression mentions (features, references, landmarks)."""
    try:
        tree = parse(text)
    except ExpressionError:
        return set()  # reported with its position when the feature is compiled
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _calls(text: str) -> set[str]:
    """The functions an expression calls."""
    try:
        tree = parse(text)
    except ExpressionError:
        return set()
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def _sided(exercise: Exercise) -> set[str]:
    """Names of the features that depend on the side, directly or through another feature."""
    sided = {name for name, f in exercise.features.items() if is_sided(feature_expression(f))}
    uses = {name: _names(f.expr) for name, f in exercise.features.items() if f.kind == "expr"}
    changed = True
    while changed:
        changed = False
        for name, names in uses.items():
            if name not in sided and names & sided:
                sided.add(name)
                changed = True
    return sided


class CompiledFeatures:
    """Every feature of an exercise as ``evaluate(name, side, view) -> float | bool | Missing``.

    Raises
    ------
    ExpressionError
        With ``field`` set to the feature's name, for a bad expression or an unknown name.
    """

    def __init__(self, exercise: Exercise) -> None:
        self.sided = _sided(exercise)
        #: (name, side) of the features that call a windowed function: evaluated on every frame.
        self.windowed = [
            (name, side) for name, f in exercise.features.items() if _calls(feature_expression(f)) & WINDOWED
            for side in (SIDES if name in self.sided else (None,))
        ]
        self._evaluators: dict[tuple[str, str | None], Evaluator] = {}
        self._building: set[tuple[str, str | None]] = set()
        self._features = exercise.features
        for name in exercise.features:
            for side in SIDES if name in self.sided else (None,):
                self._build(name, side)

    def _build(self, name: str, side: str | None) -> Evaluator:
        key = (name, side if name in self.sided else None)
        if key in self._evaluators:
            return self._evaluators[key]
        if key in self._building:
            raise FeatureError(name, ExpressionError(f"feature {name!r} refers to itself", 0))
        self._building.add(key)
        try:
            inner = compile_expression(
                feature_expression(self._features[name]),
                side or "left",
                lambda other: self._lookup(other, side),
            )
        except ExpressionError as error:
            raise FeatureError(name, error) from None
        finally:
            self._building.discard(key)

        def cached(view: FrameView, key=key, inner=inner):
            cache = view.cache
            if key in cache:
                return cache[key]
            value = cache[key] = inner(view)
            return value

        self._evaluators[key] = cached
        return cached

    def _lookup(self, name: str, side: str | None) -> Evaluator:
        if name not in self._features:
            raise KeyError(name)
        return self._build(name, side)

    def evaluator(self, name: str, side: str | None) -> Evaluator:
        """The evaluator of a feature for a side (``side`` is ignored for unsided features)."""
        return self._evaluators[(name, side if name in self.sided else None)]

    def evaluate(self, name: str, side: str | None, view: FrameView) -> float | bool | Missing:
        """Evaluate one feature on one frame view."""
        return self.evaluator(name, side)(view)


class FeatureError(ValueError):
    """A feature that does not compile; names the feature and the position in its expression."""

    def __init__(self, feature: str, error: ExpressionError) -> None:
        super().__init__(f"features.{feature}: {error}")
        self.feature = feature
        self.error = error


def check_condition(text: str, exercise: Exercise) -> None:
    """Compile a condition expression against an exercise's features, for validation."""
    compiled = CompiledFeatures(exercise)
    parse(text)
    for side in SIDES:
        compile_expression(text, side, lambda name: compiled._lookup(name, side))

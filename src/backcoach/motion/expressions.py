"""A small, safe expression language for features and conditions in exercise files.

Text is parsed by Python's ``ast`` module, checked against a whitelist of node types and
functions, and compiled into a tree of closures; nothing is ever passed to ``eval``.

Grammar (Python syntax, a tiny subset): numbers; ``+ - * /``; unary ``-``; comparisons (chains
allowed); ``and``/``or``/``not``; names of features, of reference lengths (``torso``, ``leg``,
``shoulder_width``, ``hip_width``) and, as function arguments, of points; calls of
:data:`FUNCTIONS`. ``{side}`` and ``{other}`` are replaced per side before evaluation;
``{near}`` stands for the side nearer the camera (chosen by visibility while setting up).

``smooth(x, seconds)`` and ``amplitude(x, seconds)`` are *windowed*: they summarise x over the
frames of the last ``seconds`` (mean; max - min), kept per engine in ``view.memory``. They see the
frames they are evaluated on: a named feature that uses one is evaluated on every frame by the
engine (``CompiledFeatures.windowed``).

Example: ``angle({side}_shoulder, {side}_hip, {side}_knee) > 150 and abs(trunk) < 10``.
"""

from __future__ import annotations

import ast
import itertools
import operator
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from backcoach.motion import geometry as g
from backcoach.motion.geometry import Missing
from backcoach.motion.points import PointError, point_getter, resolve_point

#: Same-length stand-ins keep character positions in error messages true to the original text.
_PLACEHOLDERS = {"{side}": "side__", "{other}": "other__", "{near}": "near__"}
REFERENCES = ("torso", "leg", "shoulder_width", "hip_width")

Evaluator = Callable[[object], object]


@dataclass(frozen=True)
class Signature:
    points: tuple[int, ...]  # accepted numbers of point arguments (0 = takes numbers)
    numbers: tuple[int, int] = (0, 0)  # (min, max) number arguments when points == (0,)
    help: str = ""


#: Functions an expression may call, with what they take. ``ratio``, ``offset``, ``height`` and
#: ``ahead`` are divided by the torso length (``ratio`` with 4 points: |PQ| / |RS|).
FUNCTIONS: dict[str, Signature] = {
    "angle": Signature((3,), help="angle(A, B, C): interior angle at B, degrees 0-180"),
    "sangle": Signature((3,), help="sangle(A, B, C): signed angle for floor poses, >180 = B lifted"),
    "incl_v": Signature((2,), help="incl_v(P, Q): angle of P->Q from vertical-up, degrees"),
    "incl_h": Signature((2,), help="incl_h(P, Q): angle of P->Q from horizontal, + = Q above P"),
    "offset": Signature((3,), help="offset(P, A, B): signed distance of P from line AB / torso, + = below"),
    "ratio": Signature((2, 4), help="ratio(P, Q) = |PQ| / torso; ratio(P, Q, R, S) = |PQ| / |RS|"),
    "dist": Signature((2,), help="dist(P, Q): |PQ| in image heights (metres in 3D)"),
    "height": Signature((2,), help="height(P, Q): how far P is above Q / torso"),
    "ahead": Signature((2,), help="ahead(P, Q): how far P is ahead of Q horizontally, along the facing direction / torso"),
    "mid": Signature((2,), help="mid(P, Q): the midpoint, usable wherever a point is"),
    "abs": Signature((0,), (1, 1), help="abs(x)"),
    "min": Signature((0,), (2, 8), help="min(x, y, ...)"),
    "max": Signature((0,), (2, 8), help="max(x, y, ...)"),
    "when": Signature((0,), (2, 2), help="when(condition, x): x while the condition holds, else no reading"),
    "either": Signature((0,), (2, 2), help="either(x, y): x, or y on frames where x has no reading"),
    "smooth": Signature((0,), (2, 2), help="smooth(x, seconds): mean of x over the last `seconds` of frames"),
    "amplitude": Signature((0,), (2, 2), help="amplitude(x, seconds): max - min of x over the last `seconds` of frames"),
}
#: Functions that remember earlier frames (see :class:`Window`); their second argument is a window
#: in seconds, a number in (0, MAX_WINDOW_S].
WINDOWED = frozenset({"smooth", "amplitude"})
#: Longest window: 60 s at 30 fps is 1,800 readings, about 100 kB per windowed feature and side.
MAX_WINDOW_S = 60.0

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


class ExpressionError(ValueError):
    """A bad expression; ``position`` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.reason = message
        self.position = position


def _prepare(text: str) -> str:
    for placeholder, stand_in in _PLACEHOLDERS.items():
        text = text.replace(placeholder, stand_in)
    return text


def _position(node: ast.AST) -> int:
    return getattr(node, "col_offset", 0)


def _concrete(name: str, side: str) -> str:
    for placeholder, stand_in in _PLACEHOLDERS.items():
        if name.startswith(stand_in):
            return placeholder + name[len(stand_in):]
    return name


def parse(text: str) -> ast.expr:
    """Parse and check an expression's syntax and function calls (names are checked on compile).

    Raises
    ------
    ExpressionError
        On a syntax error, a disallowed construct or a call with the wrong arguments.
    """
    if "\n" in text:
        raise ExpressionError("an expression must fit on one line", text.index("\n"))
    try:
        tree = ast.parse(_prepare(text), mode="eval").body
    except SyntaxError as error:
        raise ExpressionError(f"syntax error: {error.msg}", max((error.offset or 1) - 1, 0)) from None
    _check(tree, want_point=False)
    return tree


def _check(node: ast.AST, want_point: bool) -> None:
    if want_point:
        if isinstance(node, ast.Name):
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "mid":
            _check_call(node)
            return
        raise ExpressionError("expected a point (a landmark name or mid(P, Q))", _position(node))
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}", _position(node))
    elif isinstance(node, ast.Name):
        return
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError("only + - * / are allowed", _position(node))
        _check(node.left, False)
        _check(node.right, False)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.Not)):
            raise ExpressionError("only unary - and not are allowed", _position(node))
        _check(node.operand, False)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, False)
    elif isinstance(node, ast.Compare):
        for op in node.ops:
            if type(op) not in _COMPARE:
                raise ExpressionError("only < <= > >= comparisons are allowed", _position(node))
        for value in (node.left, *node.comparators):
            _check(value, False)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "mid":
            raise ExpressionError("mid(P, Q) is a point; use it inside a function such as angle()", _position(node))
        _check_call(node)
    else:
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression", _position(node))


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        name = node.func.id if isinstance(node.func, ast.Name) else "this"
        raise ExpressionError(f"unknown function {name!r}; known: {', '.join(FUNCTIONS)}", _position(node))
    if node.keywords:
        raise ExpressionError("keyword arguments are not allowed", _position(node))
    signature = FUNCTIONS[node.func.id]
    count = len(node.args)
    if signature.points == (0,):
        low, high = signature.numbers
        if not low <= count <= high:
            raise ExpressionError(f"{signature.help} takes {low}-{high} arguments, got {count}", _position(node))
        for arg in node.args:
            _check(arg, want_point=False)
        if node.func.id in WINDOWED:
            seconds = node.args[1]
            if not (isinstance(seconds, ast.Constant) and 0 < seconds.value <= MAX_WINDOW_S):
                raise ExpressionError(
                    f"the window of {node.func.id}() must be a number of seconds in (0, {MAX_WINDOW_S:g}]",
                    _position(seconds),
                )
        return
    if count not in signature.points:
        raise ExpressionError(f"{signature.help}: got {count} arguments", _position(node))
    for arg in node.args:
        _check(arg, want_point=True)


def compile_expression(text: str, side: str, feature: Callable[[str], Evaluator]) -> Evaluator:
    """Compile an expression for one side into a function ``view -> float | bool | Missing``.

    Parameters
    ----------
    text : str
        The expression, possibly with ``{side}``/``{other}``.
    side : {"left", "right"}
        The side the placeholders stand for.
    feature : callable
        ``feature(name)`` returns the evaluator of a named feature, or raises ``KeyError``.

    Raises
    ------
    ExpressionError
        As :func:`parse`, and for a name that is neither a feature, a reference length nor
        (inside a function call) a landmark.
    """
    return _compile(parse(text), side, feature)


def _compile(node: ast.AST, side: str, feature: Callable[[str], Evaluator]) -> Evaluator:
    if isinstance(node, ast.Constant):
        value = float(node.value)
        return lambda view: value
    if isinstance(node, ast.Name):
        name = _concrete(node.id, side)
        if name in REFERENCES:
            return lambda view: view.refs[name]
        try:
            return feature(name)
        except KeyError:
            raise ExpressionError(
                f"{name!r} is not a feature or a reference length ({', '.join(REFERENCES)}); "
                "landmark names go inside a function such as angle()",
                _position(node),
            ) from None
    if isinstance(node, ast.BinOp):
        return _binary(_BINARY[type(node.op)], _compile(node.left, side, feature), _compile(node.right, side, feature))
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand, side, feature)
        if isinstance(node.op, ast.USub):
            return lambda view: v if isinstance(v := inner(view), Missing) else -v
        return lambda view: v if isinstance(v := inner(view), Missing) else not v
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, side, feature) for value in node.values]
        return _all_of(parts) if isinstance(node.op, ast.And) else _any_of(parts)
    if isinstance(node, ast.Compare):
        operands = [_compile(value, side, feature) for value in (node.left, *node.comparators)]
        ops = [_COMPARE[type(op)] for op in node.ops]
        return _compare(ops, operands)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _call(node, side, feature)


def _binary(op, left: Evaluator, right: Evaluator) -> Evaluator:
    def evaluate(view):
        a = left(view)
        if isinstance(a, Missing):
            return a
        b = right(view)
        if isinstance(b, Missing):
            return b
        if op is operator.truediv and b == 0:
            return Missing("division by zero")
        return op(a, b)

    return evaluate


def _all_of(parts: list[Evaluator]) -> Evaluator:
    def evaluate(view):
        for part in parts:
            value = part(view)
            if isinstance(value, Missing) or not value:
                return value
        return True

    return evaluate


def _any_of(parts: list[Evaluator]) -> Evaluator:
    def evaluate(view):
        missing = None
        for part in parts:
            value = part(view)
            if isinstance(value, Missing):
                missing = value
            elif value:
                return True
        return missing if missing is not None else False

    return evaluate


def _compare(ops, operands: list[Evaluator]) -> Evaluator:
    def evaluate(view):
        values = []
        for operand in operands:
            value = operand(view)
            if isinstance(value, Missing):
                return value
            values.append(value)
        return all(op(values[i], values[i + 1]) for i, op in enumerate(ops))

    return evaluate


def _point(node: ast.AST, side: str) -> Evaluator:
    if isinstance(node, ast.Name):
        name = _concrete(node.id, side)
        try:
            if name.startswith("{near}"):
                # The side nearer the camera, chosen per set from visibility (frame view's `near`).
                getters = {s: point_getter(name, resolve_point(name.replace("{near}", s), s)) for s in ("left", "right")}
                return lambda view: getters[view.near](view)
            return point_getter(name, resolve_point(name, side))
        except PointError as error:
            raise ExpressionError(str(error), _position(node)) from None
    assert isinstance(node, ast.Call)
    first, second = (_point(arg, side) for arg in node.args)

    def get_mid(view):
        p = first(view)
        if isinstance(p, Missing):
            return p
        q = second(view)
        if isinstance(q, Missing):
            return q
        return g.midpoint(p, q)

    return get_mid


def _call(node: ast.Call, side: str, feature: Callable[[str], Evaluator]) -> Evaluator:
    name = node.func.id
    if FUNCTIONS[name].points == (0,):
        args = [_compile(arg, side, feature) for arg in node.args]
        if name == "when":
            return _when(*args)
        if name == "either":
            return _either(*args)
        if name in WINDOWED:
            return _windowed(name, args[0], float(node.args[1].value))
        function = {"abs": abs, "min": min, "max": max}[name]

        def evaluate_numbers(view):
            values = []
            for arg in args:
                value = arg(view)
                if isinstance(value, Missing):
                    return value
                values.append(value)
            return function(*values)

        return evaluate_numbers
    points = [_point(arg, side) for arg in node.args]
    if name == "ratio" and len(points) == 4:
        return _on_points(points, lambda view, p, q, r, s: g.ratio(p, q, g.distance(r, s)))
    return _on_points(points, _GEOMETRY[name])


def _when(condition: Evaluator, value: Evaluator) -> Evaluator:
    # A reading that is only trustworthy in some poses (e.g. an arm seen while the trunk faces
    # the camera) is Missing otherwise, so phases and rules skip those frames.
    def evaluate(view):
        holds = condition(view)
        if isinstance(holds, Missing):
            return holds
        return value(view) if holds else Missing("condition of when() not met")

    return evaluate


def _either(first: Evaluator, fallback: Evaluator) -> Evaluator:
    # A reading with a stand-in for the poses that hide it (e.g. a body line to the knees when
    # the feet are out of sight behind the thighs).
    def evaluate(view):
        value = first(view)
        return fallback(view) if isinstance(value, Missing) else value

    return evaluate


class Window:
    """The readings of one expression over the last ``seconds``, one per frame.

    An evaluation at the time of the newest reading replaces it (the engine may evaluate a frame
    twice, e.g. after refining its reference lengths): the frame's last reading counts. Time going
    back (a new stream) starts afresh.
    """

    __slots__ = ("seconds", "times", "values")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.times: deque[float] = deque()
        self.values: deque[float] = deque()

    def add(self, t: float, value: float) -> None:
        """Add the reading of the frame at time ``t`` and drop those older than the window."""
        times, values = self.times, self.values
        if times and t <= times[-1]:
            if t < times[-1]:
                times.clear()
                values.clear()
            else:
                times.pop()
                values.pop()
        times.append(t)
        values.append(value)
        horizon = t - self.seconds
        while times[0] <= horizon:
            times.popleft()
            values.popleft()

    def mean(self) -> float:
        return sum(self.values) / len(self.values)

    def amplitude(self) -> float:
        return max(self.values) - min(self.values)


_WINDOW_KEYS = itertools.count()


def _windowed(name: str, inner: Evaluator, seconds: float) -> Evaluator:
    # Each compiled call keeps its readings in the caller's memory (one dict per engine, since
    # compiled features are shared between engines), under a key of its own. Without a memory
    # (a single frame judged on its own) the window is that one reading.
    key = next(_WINDOW_KEYS)
    summary = Window.mean if name == "smooth" else Window.amplitude

    def evaluate(view):
        value = inner(view)
        if isinstance(value, Missing):
            return value  # no reading now: the window waits (older readings age out)
        memory = view.memory
        if memory is None:
            return value if name == "smooth" else 0.0
        window = memory.get(key)
        if window is None:
            window = memory[key] = Window(seconds)
        window.add(view.t, float(value))
        return summary(window)

    return evaluate


_GEOMETRY = {
    "angle": lambda view, a, b, c: g.ang(a, b, c),
    "sangle": lambda view, a, b, c: g.sang(a, b, c),
    "incl_v": lambda view, p, q: g.incl_v(p, q, view.facing),
    "incl_h": lambda view, p, q: g.incl_h(p, q),
    "offset": lambda view, p, a, b: g.off(p, a, b, view.refs["torso"]),
    "ratio": lambda view, p, q: g.ratio(p, q, view.refs["torso"]),
    "dist": lambda view, p, q: g.distance(p, q),
    "height": lambda view, p, q: g.height(p, q, view.refs["torso"]),
    "ahead": lambda view, p, q: g.ahead(p, q, view.facing, view.refs["torso"]),
}


def _on_points(points: list[Evaluator], function) -> Evaluator:
    def evaluate(view):
        values = []
        for point in points:
            value = point(view)
            if isinstance(value, Missing):
                return value
            values.append(value)
        return function(view, *values)

    return evaluate

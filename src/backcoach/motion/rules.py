"""Standards and error rules of an exercise, checked frame by frame and judged per repetition.

Each rule is expanded into *checks*, one per side it is evaluated on. A :class:`RepRecord` keeps a
few running numbers per check (frames seen, frames in error, longest run, worst value, min, max,
sum), never the frames themselves, so a live engine stays small whatever the rep's length.

Persistence (brief §4.0): an error is present in a rep if its condition holds in at least
``fraction`` of the frames of its phase or for ``seconds`` continuously.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backcoach.exercises.schema import ErrorRule, Exercise, Standard
from backcoach.motion.events import ErrorFound
from backcoach.motion.expressions import compile_expression
from backcoach.motion.features import CompiledFeatures, FrameView
from backcoach.motion.geometry import Missing
from backcoach.motion.gravity import NOT_LEVEL
from backcoach.motion.phases import END, MAX_FRAME_GAP_S, OUT, RETURN, SETUP, START
from backcoach.motion.points import is_sided

#: Which machine phases each rule phase covers.
PHASE_MEMBERS = {
    "setup": frozenset({SETUP, START}),
    "out": frozenset({OUT}),
    "end": frozenset({END}),
    "return": frozenset({RETURN}),
    "rep": frozenset({OUT, END, RETURN}),
}
#: Fewest frames of a phase before a fraction-based persistence verdict is trusted.
MIN_FRAMES_FOR_FRACTION = 3


@dataclass(slots=True)
class Check:
    """One rule on one side.

    ``side`` is the side reported (``each`` rules); ``reads`` is the rep side the check applies to
    (``active`` rules: only the check of the rep's side runs); both None for unsided rules.
    """

    rule: Standard | ErrorRule
    side: str | None
    reads: str | None
    evaluate: object
    phases: frozenset
    change: bool
    views: frozenset | None = None
    low: float | None = None
    high: float | None = None

    def bad(self, value: float | bool) -> bool:
        """For an error check: does the condition hold for this value?"""
        if self.low is None and self.high is None:
            return bool(value)
        return (self.low is not None and value < self.low) or (self.high is not None and value > self.high)


def _bounds(rule: ErrorRule) -> tuple[float | None, float | None]:
    when = rule.when
    if when is None:
        return None, None
    if when.below is not None:
        return when.below, None
    if when.above is not None:
        return None, when.above
    return when.outside


def build_checks(exercise: Exercise, compiled: CompiledFeatures) -> tuple[list[Check], list[Check]]:
    """Expand the exercise's standards and (frame-based) errors into per-side checks."""
    standards: list[Check] = []
    errors: list[Check] = []
    for rule in [*exercise.standards, *exercise.errors]:
        if isinstance(rule, ErrorRule) and rule.too_fast is not None:
            continue
        if isinstance(rule, Standard):
            name, change = rule.feature, rule.change
        elif rule.when is not None:
            name, change = rule.when.feature, rule.when.change
        else:
            name, change = None, False
        sided = (name in compiled.sided) if name else is_sided(rule.condition)
        sides: tuple = ("left", "right") if sided and rule.sides != "none" else (None,)
        for side in sides:
            read_as = side or "left"
            if name is not None:
                evaluate = compiled.evaluator(name, read_as)
            else:
                evaluate = compile_expression(
                    rule.condition, read_as, lambda n, s=read_as: compiled.evaluator(n, s)
                )
            if isinstance(rule, Standard):
                low, high = rule.range
                target = standards
            else:
                low, high = _bounds(rule)
                target = errors
            target.append(Check(
                rule,
                side=side if rule.sides == "each" else None,
                reads=side if rule.sides == "active" else None,
                evaluate=evaluate,
                phases=PHASE_MEMBERS[rule.phase],
                change=change,
                views=frozenset(rule.views) if rule.views else None,
                low=low,
                high=high,
            ))
    return standards, errors


@dataclass(slots=True)
class Stats:
    n: int = 0
    hits: int = 0
    run_s: float = 0.0
    longest_s: float = 0.0
    low: float = float("inf")
    high: float = float("-inf")
    total: float = 0.0
    in_range: int = 0


@dataclass(slots=True)
class RepRecord:
    """Running numbers for the rep in progress (created when the machine enters START)."""

    standards: list[Check]
    errors: list[Check]
    baseline: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    fallback: dict = field(default_factory=dict)
    present: set = field(default_factory=set)
    unread: dict = field(default_factory=dict)
    last_t: float | None = None

    def observe_start(self, view: FrameView, checks: list[Check]) -> None:
        """Track the baseline of every ``change`` check while waiting in the start position."""
        for check in checks:
            if check.change:
                value = check.evaluate(view)
                if not isinstance(value, Missing):
                    old = self.baseline.get(id(check))
                    # An exponential average: the start pose, not its last noisy frame.
                    self.baseline[id(check)] = value if old is None else old + 0.3 * (value - old)

    def observe(
        self, t: float, phase: str, view: FrameView, side: str | None, camera_view: str, level: bool | None = None,
    ) -> list[Check]:
        """Update every check for one frame of the rep; return errors that just became present.

        ``level`` False (the frame's camera pitch is known to exceed the level bound) leaves the
        ``needs_level_camera`` errors unread on this frame (:data:`~backcoach.motion.gravity.NOT_LEVEL`).
        """
        dt = 0.0 if self.last_t is None else min(t - self.last_t, MAX_FRAME_GAP_S)
        self.last_t = t
        for check in self.standards:
            if not _applies(check, side, camera_view):
                continue
            in_phase = phase in check.phases
            if not in_phase and check.rule.phase != "end":
                continue
            value = self._value(check, view)
            if value is None or isinstance(value, Missing):
                continue
            ok = check.low <= value <= check.high
            _add(self.stats if in_phase else self.fallback, id(check), value, ok, dt)
        newly = []
        for check in self.errors:
            if not _applies(check, side, camera_view):
                continue
            in_phase = phase in check.phases
            # An end-phase error is also tracked over the whole rep, for reps that never reach END.
            if not in_phase and check.rule.phase != "end":
                continue
            value = NOT_LEVEL if level is False and check.rule.needs_level_camera else self._value(check, view)
            if isinstance(value, Missing):
                self.unread[id(check)] = value
                continue
            if value is None:
                continue
            stats = (self.stats if in_phase else self.fallback).setdefault(id(check), Stats())
            stats.n += 1
            if check.bad(value):
                stats.hits += 1
                stats.run_s += dt
                stats.longest_s = max(stats.longest_s, stats.run_s)
                if not isinstance(value, bool):
                    stats.total += value
                # Live: only the ``seconds`` persistence is final mid-phase; a fraction of the
                # phase's frames is decided when the rep ends (errors_found), over the whole phase
                # (engine-issues E1/H5-2: its first frames are not the phase).
                if in_phase and id(check) not in self.present and self._lasting(check, stats):
                    self.present.add(id(check))
                    newly.append(check)
            else:
                stats.run_s = 0.0
        return newly

    def _value(self, check: Check, view: FrameView):
        """The check's reading: a number or bool, Missing (no reading), or None (no baseline yet)."""
        value = check.evaluate(view)
        if isinstance(value, Missing):
            return value
        if check.change:
            base = self.baseline.get(id(check))
            return None if base is None else value - base
        return value

    @staticmethod
    def _lasting(check: Check, stats: Stats) -> bool:
        """The condition has held for the rule's ``seconds`` continuously (if it has any)."""
        seconds = check.rule.persistence.seconds
        return seconds > 0 and stats.longest_s >= seconds

    @classmethod
    def _persisted(cls, check: Check, stats: Stats) -> bool:
        """Present over the frames in ``stats``: for ``seconds`` continuously, or in at least
        ``fraction`` of them (at least MIN_FRAMES_FOR_FRACTION frames)."""
        if cls._lasting(check, stats):
            return True
        return stats.n >= MIN_FRAMES_FOR_FRACTION and stats.hits / stats.n >= check.rule.persistence.fraction

    def _judged(self, check: Check) -> Stats | None:
        """The frames a check is judged on: its phase's, or the whole rep's when its phase had
        fewer than MIN_FRAMES_FOR_FRACTION readable frames (END never reached, or seen only in
        passing because the reading was missing there)."""
        stats = self.stats.get(id(check))
        if stats is not None and stats.n >= MIN_FRAMES_FOR_FRACTION:
            return stats
        other = self.fallback.get(id(check))
        if other is None:
            return stats
        if stats is None:
            return other
        return Stats(
            n=stats.n + other.n,
            hits=stats.hits + other.hits,
            longest_s=max(stats.longest_s, other.longest_s),
            low=min(stats.low, other.low),
            high=max(stats.high, other.high),
            total=stats.total + other.total,
            in_range=stats.in_range + other.in_range,
        )

    def errors_found(self, side: str | None = None) -> list[ErrorFound]:
        """Errors present in the rep (by persistence), one per rule, sides merged into ``both``.

        ``side`` is the rep's side: ``active`` checks of the other side are left out.
        """
        found: dict[str, ErrorFound] = {}
        for check in self.errors:
            if check.reads is not None and side is not None and check.reads != side:
                continue
            stats = self._judged(check)
            if stats is None or not (id(check) in self.present or self._persisted(check, stats)):
                continue
            rule = check.rule
            threshold = _threshold(check)
            # The reported value is the mean over the frames in error: what the verdict rests on.
            value = None if check.low is None and check.high is None else round(stats.total / stats.hits, 3)
            if rule.id in found:
                found[rule.id].side = "both"
                continue
            found[rule.id] = ErrorFound(rule.id, check.side, value, threshold, rule.severity, rule.cue)
        return list(found.values())

    def not_judged(self, side: str | None = None) -> list[tuple[Check, Missing]]:
        """Error checks that applied to the rep but never had a reading in it (a hidden limb),
        with the last reason: no verdict either way, which must not pass for a clean rep."""
        return [
            (check, self.unread[id(check)]) for check in self.errors
            if id(check) in self.unread and id(check) not in self.stats and id(check) not in self.fallback
            and not (check.reads is not None and side is not None and check.reads != side)
        ]

    def standard_values(self, side: str | None = None) -> list[tuple[Check, float | None, bool | None]]:
        """Each standard's measured value over its phase and whether it was met (None = not seen).

        ``side`` is the rep's side: ``active`` checks of the other side are left out.
        """
        results = []
        for check in self.standards:
            if check.rule.phase == "setup" or (check.reads is not None and side is not None and check.reads != side):
                continue
            stats = self._judged(check)
            if stats is None or stats.n == 0:
                results.append((check, None, None))
                continue
            measure = check.rule.measure
            if measure == "all":
                value = stats.in_range / stats.n
                results.append((check, value, stats.in_range == stats.n))
                continue
            value = {"min": stats.low, "max": stats.high, "mean": stats.total / stats.n}[measure]
            results.append((check, value, check.low <= value <= check.high))
        return results


def _applies(check: Check, side: str | None, camera_view: str) -> bool:
    if check.reads is not None and side is not None and check.reads != side:
        return False
    return check.views is None or camera_view in check.views


def _add(table: dict, key: int, value: float, ok: bool, dt: float) -> None:
    stats = table.get(key)
    if stats is None:
        stats = table[key] = Stats()
    stats.n += 1
    stats.low = min(stats.low, value)
    stats.high = max(stats.high, value)
    stats.total += value
    stats.in_range += ok


def _threshold(check: Check):
    if check.low is not None and check.high is not None:
        return [check.low, check.high]
    if check.low is not None:
        return check.low
    return check.high

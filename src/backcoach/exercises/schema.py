"""The exercise definition schema: what an exercise file may say, as Pydantic models.

An exercise file is data only: names and instructions in English and Simplified Chinese, the
prescription, the geometry the camera measures (features), the phase machine's thresholds, the
standards a repetition must meet, the common errors with their cues, and the grade bands. Every
clinical threshold carries a ``source`` tag from the clinical brief ([V], [P], [U] or [E]).

Field-by-field documentation: ``docs/exercises.md`` (a test keeps it in step with these models).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Evidence tags of the clinical brief (§0): verified, partly verified, unverified, engineering.
SOURCE_PATTERN = r"^\[(V|P|U|E)\]"
ID_PATTERN = r"^[a-z][a-z0-9_]*$"

#: The paper's four modalities, plus ``neural`` (nerve sliders, brief §3.7 [U]): only the
#: nerve-compression plan selects it (tests/clinical/test_prescription.py checks the plan data).
Modality = Literal["core", "flexibility", "mckenzie", "breathing", "neural"]
StartPosition = Literal["standing", "sitting", "kneeling", "quadruped", "supine", "prone", "side_lying"]
View = Literal["side", "front", "foot_end"]
Sides = Literal["bilateral", "per_side", "alternating"]
#: ``setup``: waiting in the start position; ``out``/``end``/``return``: the rep's phases;
#: ``rep``: the whole rep (out + end + return).
Phase = Literal["setup", "out", "end", "return", "rep"]
Severity = Literal["safety", "critical", "minor"]
#: Which side(s) a sided rule is checked on: ``active`` = the rep's side (moving side of an
#: alternating or per-side exercise, near side of a bilateral one); ``each`` = left and right
#: separately (reported as left, right or both); ``none`` = the feature has no side.
RuleSides = Literal["active", "each", "none"]
Measure = Literal["min", "max", "mean", "all"]
Reference = Literal["torso", "leg", "shoulder_width", "hip_width"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalText(_Model):
    """A text shown to patients, in English and Simplified Chinese."""

    en: str = Field(min_length=1)
    zh_hans: str = Field(alias="zh-Hans", min_length=1)


class LocalList(_Model):
    """A list of texts shown to patients (instructions, key points), in both languages."""

    en: list[str] = Field(min_length=1)
    zh_hans: list[str] = Field(alias="zh-Hans", min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> LocalList:
        if len(self.en) != len(self.zh_hans):
            raise ValueError(
                f"en has {len(self.en)} items but zh-Hans has {len(self.zh_hans)}; "
                "every item needs its translation"
            )
        return self


class Tempo(_Model):
    """Seconds per phase of one repetition as prescribed (the patient is told this pace)."""

    out_s: float = Field(ge=0)
    hold_s: float = Field(default=0, ge=0)
    return_s: float = Field(ge=0)


class Dose(_Model):
    """One prescription: repetitions (per side for sided exercises), sets, hold and rest."""

    reps: int = Field(ge=1)
    sets: int = Field(default=1, ge=1)
    hold_s: float = Field(default=0, ge=0)
    rest_s: float = Field(default=45, ge=0)
    tempo: Tempo | None = None


class DoseStep(Dose):
    """A progression or regression: a named variation with its own dose."""

    label: LocalText


class Dosage(_Model):
    beginner: Dose
    progressions: list[DoseStep] = Field(default_factory=list)
    regressions: list[DoseStep] = Field(default_factory=list)
    source: str = Field(pattern=SOURCE_PATTERN)


FeatureKind = Literal["angle", "sangle", "incl_v", "incl_h", "offset", "ratio", "height", "expr"]
#: How many points each structured feature kind takes (``ratio`` also accepts 4: |PQ| / |RS|).
POINTS_PER_KIND: dict[str, tuple[int, ...]] = {
    "angle": (3,),
    "sangle": (3,),
    "incl_v": (2,),
    "incl_h": (2,),
    "offset": (3,),
    "ratio": (2, 4),
    "height": (2,),
    "expr": (0,),
}


class Feature(_Model):
    """A named measurement computed from landmarks every frame."""

    kind: FeatureKind
    points: list[str] = Field(default_factory=list)
    expr: str | None = None
    over: Reference = "torso"
    unit: Literal["deg", "ratio"] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Feature:
        if self.kind == "expr":
            if not self.expr:
                raise ValueError("kind 'expr' needs an `expr`")
            if self.points:
                raise ValueError("kind 'expr' takes no `points`; name the landmarks inside `expr`")
        else:
            if self.expr is not None:
                raise ValueError(f"kind {self.kind!r} takes `points`, not `expr`")
            allowed = POINTS_PER_KIND[self.kind]
            if len(self.points) not in allowed:
                raise ValueError(
                    f"kind {self.kind!r} needs {' or '.join(map(str, allowed))} points, got {len(self.points)}"
                )
        return self

    @property
    def degrees(self) -> bool:
        """Whether the feature is an angle in degrees (the rest are ratios of a reference length)."""
        if self.unit is not None:
            return self.unit == "deg"
        return self.kind in ("angle", "sangle", "incl_v", "incl_h")


class Phases(_Model):
    """The rep machine, driven by one primary feature (brief §4.0 state machine).

    ``progress = (value - start) / (target - start)``: 0 in the start position, 1 at the target.
    """

    feature: str
    start: float
    target: float
    tolerance: float = Field(gt=0)
    out_fraction: float = Field(default=0.3, gt=0, lt=1)
    return_fraction: float = Field(default=0.2, gt=0, lt=1)
    hysteresis: float = Field(default=2.0, ge=0)
    setup_s: float = Field(default=1.0, ge=0)
    min_out_s: float = Field(default=1.0, ge=0)
    min_return_s: float = Field(default=1.0, ge=0)
    relative: bool = False
    mode: Literal["reps", "hold"] = "reps"
    #: The posture at the target when a set may also begin there (a sit-to-stand begun seated):
    #: that posture held at the target starts an untimed first rep at its END.
    begin_at_target: StartPosition | None = None
    source: str = Field(pattern=SOURCE_PATTERN)

    @model_validator(mode="after")
    def _order(self) -> Phases:
        if self.start == self.target:
            raise ValueError(f"start = {self.start} equals target; the movement needs an excursion")
        if self.return_fraction >= self.out_fraction:
            raise ValueError(
                f"return_fraction = {self.return_fraction} must be lower than out_fraction = "
                f"{self.out_fraction}. Hint: a rep starts at out_fraction and counts back below return_fraction."
            )
        if self.begin_at_target is not None and (self.mode == "hold" or self.relative):
            raise ValueError(
                "begin_at_target needs the reps machine with a fixed start: a static hold begins at its "
                "target anyway, and a relative start is measured in the start position"
            )
        excursion = abs(self.target - self.start)
        if self.hysteresis >= self.return_fraction * excursion:
            raise ValueError(
                f"hysteresis = {self.hysteresis} would put the return threshold at or past the start "
                f"(return_fraction x |target - start| = {self.return_fraction * excursion:g}). Hint: "
                "hysteresis is in the feature's units (the default 2 suits degrees); give a smaller "
                "value for ratio features."
            )
        if self.tolerance >= abs(self.target - self.start) * (1 - self.out_fraction):
            raise ValueError(
                f"tolerance = {self.tolerance} swallows the movement (|target - start| = "
                f"{abs(self.target - self.start)}); make it smaller"
            )
        return self


class Standard(_Model):
    """A target range a repetition should meet; a missed critical standard means not counted."""

    id: str = Field(pattern=ID_PATTERN)
    feature: str
    phase: Phase
    measure: Measure = "all"
    range: tuple[float, float]
    change: bool = False
    critical: bool = False
    sides: RuleSides = "active"
    views: list[View] | None = None
    label: LocalText
    source: str = Field(pattern=SOURCE_PATTERN)

    @field_validator("range")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] > value[1]:
            raise ValueError(f"range {list(value)} is reversed; write [low, high]")
        return value


class When(_Model):
    """A structured error condition: a feature (or its change since the rep started) vs a bound."""

    feature: str
    below: float | None = None
    above: float | None = None
    outside: tuple[float, float] | None = None
    change: bool = False

    @model_validator(mode="after")
    def _one_bound(self) -> When:
        given = [name for name in ("below", "above", "outside") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of `below`, `above`, `outside` (got {given or 'none'})")
        if self.outside is not None and self.outside[0] > self.outside[1]:
            raise ValueError(f"outside {list(self.outside)} is reversed; write [low, high]")
        return self


class TooFast(_Model):
    """A tempo condition: the named phase took less than ``seconds``."""

    phase: Literal["out", "return"]
    seconds: float = Field(gt=0)


class Persistence(_Model):
    """An error is present in a rep if its condition holds in ``fraction`` of the phase's frames
    or for ``seconds`` continuously (brief §4.0)."""

    fraction: float = Field(default=0.3, gt=0, le=1)
    seconds: float = Field(default=0.5, ge=0)


class ErrorRule(_Model):
    """A common error: its condition, when it is checked, how bad it is and what to say."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    label: LocalText
    when: When | None = None
    condition: str | None = None
    value: str | None = None
    too_fast: TooFast | None = None
    phase: Phase = "rep"
    persistence: Persistence = Field(default_factory=Persistence)
    severity: Severity
    sides: RuleSides = "active"
    views: list[View] | None = None
    #: Only a level camera can judge it (brief §4.0): "not judged: camera not level" on a rep whose
    #: frames report a pitch beyond motion.gravity.LEVEL_TOLERANCE_DEG.
    needs_level_camera: bool = False
    cue: str = Field(pattern=ID_PATTERN)
    source: str = Field(pattern=SOURCE_PATTERN)

    @model_validator(mode="after")
    def _one_condition(self) -> ErrorRule:
        given = [name for name in ("when", "condition", "too_fast") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of `when`, `condition`, `too_fast` (got {given or 'none'})")
        if self.value is not None and self.condition is None:
            raise ValueError("`value` names the feature to report for a `condition`; `when` reports its own")
        return self

    @property
    def kind(self) -> str:
        """The rule kind (a key of ``RULE_KINDS``)."""
        if self.too_fast is not None:
            return "too_fast"
        if self.condition is not None:
            return "condition"
        assert self.when is not None
        return next(name for name in ("below", "above", "outside") if getattr(self.when, name) is not None)


#: Every kind of error rule, for validation messages and the documentation test.
RULE_KINDS: dict[str, str] = {
    "below": "the feature is below the bound",
    "above": "the feature is above the bound",
    "outside": "the feature is outside [low, high]",
    "too_fast": "the out or return phase took fewer seconds than allowed",
    "condition": "a boolean expression over features and landmarks holds",
}


class ScoreWeights(_Model):
    """Weights of the score's parts (normalised by their sum)."""

    range: float = Field(default=40, ge=0)
    form: float = Field(default=35, ge=0)
    tempo: float = Field(default=15, ge=0)
    stability: float = Field(default=10, ge=0)


class Grades(_Model):
    """Lowest 0-100 score for each of the paper's four grades; strictly increasing."""

    qualified: float = Field(default=0, ge=0, le=100)
    good: float = Field(default=70, ge=0, le=100)
    excellent: float = Field(default=80, ge=0, le=100)
    super_excellent: float = Field(default=90, ge=0, le=100)
    source: str = Field(default="[E] brief §4.0 form score; bands are an engineering default", pattern=SOURCE_PATTERN)

    @model_validator(mode="after")
    def _increasing(self) -> Grades:
        bands = [self.qualified, self.good, self.excellent, self.super_excellent]
        if any(low >= high for low, high in zip(bands, bands[1:])):
            raise ValueError(
                f"grade bands overlap: qualified {self.qualified}, good {self.good}, excellent "
                f"{self.excellent}, super_excellent {self.super_excellent} must strictly increase"
            )
        return self


class NotMeasurable(_Model):
    """Something the camera cannot see, and the proxy used instead (or ``none``)."""

    what: str
    proxy: str


class Exercise(_Model):
    """One exercise of the library."""

    id: str = Field(pattern=ID_PATTERN)
    name: LocalText
    modality: Modality
    start_position: StartPosition
    view: View
    also_views: list[View] = Field(default_factory=list)
    sides: Sides
    instructions: LocalList
    key_points: LocalList
    dosage: Dosage
    features: dict[str, Feature] = Field(min_length=1)
    phases: Phases
    standards: list[Standard] = Field(default_factory=list)
    errors: list[ErrorRule] = Field(default_factory=list)
    cues: dict[str, LocalText] = Field(default_factory=dict)
    score: ScoreWeights = Field(default_factory=ScoreWeights)
    grades: Grades = Field(default_factory=Grades)
    not_measurable: list[NotMeasurable] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Exercise:
        for name in self.features:
            if not re.match(ID_PATTERN, name):
                raise ValueError(f"feature name {name!r} must be snake_case (letters, digits, _)")
        known = set(self.features)
        if self.phases.mode == "hold":
            if self.dosage.beginner.hold_s <= 0:
                raise ValueError("phases.mode = 'hold' needs dosage.beginner.hold_s > 0 (the time to hold)")
            if not any(s.critical and s.phase == "end" for s in self.standards):
                raise ValueError("phases.mode = 'hold' needs a critical standard with phase 'end' (what must hold)")
        if self.phases.feature not in known:
            raise ValueError(f"phases.feature {self.phases.feature!r} is not a feature (have {sorted(known)})")
        for i, standard in enumerate(self.standards):
            if standard.feature not in known:
                raise ValueError(f"standards[{i}] ({standard.id}): feature {standard.feature!r} is not defined")
        for i, rule in enumerate(self.errors):
            if rule.when is not None and rule.when.feature not in known:
                raise ValueError(f"errors[{i}] ({rule.id}): feature {rule.when.feature!r} is not defined")
            if rule.value is not None and rule.value not in known:
                raise ValueError(f"errors[{i}] ({rule.id}): value {rule.value!r} is not a feature")
            if rule.cue not in self.cues:
                raise ValueError(f"errors[{i}] ({rule.id}): cue {rule.cue!r} has no text under [cues]")
        for kind, ids in (("standards", [s.id for s in self.standards]), ("errors", [e.id for e in self.errors])):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind}: ids {duplicates} are used more than once")
        return self

    @property
    def views(self) -> tuple[str, ...]:
        """Every camera view the exercise can be judged from, the recommended one first."""
        return (self.view, *[v for v in self.also_views if v != self.view])

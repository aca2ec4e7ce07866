"""Reference motions: how a synthetic body performs one repetition of an exercise, as data.

One TOML file per exercise in ``exercises/motions/<id>.toml`` (field guide: ``docs/synthetic.md``).
A motion names a start posture and the joint angles of its start pose, named poses, the
segments of one repetition (move to a pose over some seconds, or hold it), and for every error id
of the exercise a perturbation that produces it.

Joint keys are the names in :data:`backcoach.motion.synthetic.body.JOINTS`. A sided joint may be
written without its side (``knee_flex`` sets both knees) or with ``{side}`` / ``{other}``, which
stand for the repetition's side and the opposite one (for an error: the error's side). A central
joint followed by ``*{side}`` counts toward the side: ``"trunk_rot*{side}" = 40`` turns the trunk
40 degrees to the left on a left repetition and to the right on a right one.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from backcoach.motion.synthetic.body import CENTRAL_JOINTS, LIMBS, SIDED_JOINTS
from backcoach.motion.synthetic.postures import MIRROR_POSTURE, POSTURES
from backcoach.paths import PACKAGE_DIR
from backcoach.pose.skeleton import INDEX

MOTIONS_DIR = PACKAGE_DIR / "exercises" / "motions"
SIDES = ("left", "right")


class MotionFileError(ValueError):
    """A motion file that cannot be used; the message names the file, the field and why."""


def _check_joint_key(key: str) -> str:
    key = key.removesuffix("*{side}")
    if key in CENTRAL_JOINTS:
        return key
    for prefix in ("{side}_", "{other}_", "left_", "right_", ""):
        if key.startswith(prefix) and key[len(prefix):] in SIDED_JOINTS:
            return key
    raise ValueError(
        f"unknown joint {key!r}; joints are {', '.join(CENTRAL_JOINTS)} and "
        f"[left_|right_|{{side}}_|{{other}}_]{'|'.join(SIDED_JOINTS)}"
    )


Angles = dict[str, float]


def resolve(angles: Angles, side: str | None) -> dict[str, float]:
    """Concrete joint values: expand both-sides shorthand and ``{side}``/``{other}`` for ``side``.

    ``side`` None (a bilateral repetition) resolves ``{side}`` to the left and ``{other}`` to the
    right, so an error written for "the side" still has a definite side.
    """
    side = side or "left"
    other = "right" if side == "left" else "left"
    out: dict[str, float] = {}
    for key, value in angles.items():
        if key.endswith("*{side}"):  # a central joint turned toward the side: + left, - right
            key, value = key.removesuffix("*{side}"), value if side == "left" else -value
        key = key.replace("{side}", side).replace("{other}", other)
        if key in SIDED_JOINTS:
            for s in SIDES:
                out[f"{s}_{key}"] = out.get(f"{s}_{key}", 0.0) + value
        else:
            out[key] = out.get(key, 0.0) + value
    return out


def is_sided(angles: Angles) -> bool:
    """Whether some key depends on the side (``{side}`` or ``{other}``)."""
    return any("{" in key for key in angles)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Segment(_Model):
    """One stretch of a repetition: move to pose ``to`` (or stay there) over ``seconds``.

    ``kind`` labels it for the ground truth: ``out`` moves away from the start, ``hold`` keeps a
    pose (its length is the exercise's hold time unless ``seconds`` is given), ``return`` comes
    back to the start and ``rest`` waits in the start pose before the next repetition.
    """

    to: str
    kind: Literal["out", "hold", "return", "rest"]
    seconds: float | None = Field(default=None, gt=0)


class ErrorMotion(_Model):
    """How to produce one error of the exercise.

    ``offsets`` are added to the joint angles, weighted by how far the repetition has moved
    toward its end pose (``apply = "progress"``), over the whole repetition with a short ramp
    at each end (``apply = "rep"``), or only as the body reaches one named pose
    (``apply = "pose:open"``). ``range`` multiplies the repetition's excursion (a shallow
    rep) and ``tempo`` speeds the out and return segments up. ``sided`` errors happen on one side:
    the side given when the error is injected, else the rep's side, or with ``on = "other"`` the
    side opposite the rep's (the arm that should stay down while the other one rises).
    """

    doc: str = Field(min_length=1)
    offsets: Angles = Field(default_factory=dict)
    apply: str = Field(default="progress", pattern=r"^(progress|rep|pose:[a-z_]+)$")
    range: float = Field(default=1.0, gt=0, le=2)
    tempo: float = Field(default=1.0, gt=0, le=5)
    on: Literal["rep", "other"] = "rep"

    @field_validator("offsets")
    @classmethod
    def _joints(cls, value: Angles) -> Angles:
        for key in value:
            _check_joint_key(key)
        return value

    @model_validator(mode="after")
    def _does_something(self) -> ErrorMotion:
        if not self.offsets and self.range == 1.0 and self.tempo == 1.0:
            raise ValueError("an error needs `offsets`, `range` or `tempo`; this one changes nothing")
        return self

    @property
    def sided(self) -> bool:
        return is_sided(self.offsets)


class Motion(_Model):
    """A reference motion (one per exercise)."""

    exercise: str
    posture: str
    mirror: bool = False
    source: str = Field(min_length=1)
    anchor: list[str] = Field(default_factory=list)
    planted: list[str] = Field(default_factory=list)
    image: Literal["portrait", "landscape"] | None = None
    start: Angles = Field(default_factory=dict)
    poses: dict[str, Angles] = Field(default_factory=dict)
    rep: list[Segment] = Field(min_length=1)
    errors: dict[str, ErrorMotion] = Field(default_factory=dict)

    @field_validator("posture")
    @classmethod
    def _posture(cls, value: str) -> str:
        if value not in POSTURES:
            raise ValueError(f"unknown posture {value!r}; expected one of {', '.join(POSTURES)}")
        return value

    @field_validator("anchor")
    @classmethod
    def _landmarks(cls, value: list[str]) -> list[str]:
        for name in value:
            if name.replace("{side}", "left").replace("{other}", "right") not in INDEX:
                raise ValueError(f"unknown landmark {name!r} in anchor")
        return value

    @field_validator("planted")
    @classmethod
    def _limbs(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in LIMBS:
                raise ValueError(f"unknown limb {name!r}; expected one of {', '.join(LIMBS)}")
        return value

    @model_validator(mode="after")
    def _references(self) -> Motion:
        for where, angles in [("start", self.start), *((f"poses.{k}", v) for k, v in self.poses.items())]:
            for key in angles:
                try:
                    _check_joint_key(key)
                except ValueError as error:
                    raise ValueError(f"{where}: {error}") from None
        if self.mirror and self.posture not in MIRROR_POSTURE:
            raise ValueError(
                f"mirror: posture {self.posture!r} is its own mirror image; only {', '.join(MIRROR_POSTURE)} have one"
            )
        for i, segment in enumerate(self.rep):
            if segment.to != "start" and segment.to not in self.poses:
                raise ValueError(f"rep[{i}].to = {segment.to!r} is not 'start' or a pose (have {sorted(self.poses)})")
        if self.rep[-1].to != "start" and not any(s.to == "start" for s in self.rep):
            raise ValueError("the repetition never returns to 'start'")
        for error_id, error in self.errors.items():
            pose = error.apply.removeprefix("pose:")
            if error.apply.startswith("pose:") and pose not in self.poses:
                raise ValueError(f"errors.{error_id}.apply: no pose named {pose!r} (have {sorted(self.poses)})")
        return self

    @property
    def sided(self) -> bool:
        """Whether a repetition moves one side (its poses use ``{side}``)."""
        return any(is_sided(pose) for pose in self.poses.values())

    @property
    def start_depends_on_side(self) -> bool:
        """Whether the start pose, posture or anchor changes with the set's side (a per-side set only)."""
        return self.mirror or is_sided(self.start) or any("{" in name for name in self.anchor)

    def for_set(self, side: str | None) -> Motion:
        """This motion for a set on ``side``: ``{side}`` in the start resolved, posture mirrored if asked.

        The motion is written for a left set; with ``mirror = true`` a right set starts in the
        posture's mirror image (``side_lying`` <-> ``side_lying_right``); ``{side}``/``{other}`` in
        ``anchor`` name the set's landmarks. ``side`` None counts as left.
        """
        posture = MIRROR_POSTURE[self.posture] if self.mirror and side == "right" else self.posture
        side = side or "left"
        other = "right" if side == "left" else "left"
        anchor = [name.replace("{side}", side).replace("{other}", other) for name in self.anchor]
        return self.model_copy(update={"posture": posture, "mirror": False, "start": resolve(self.start, side), "anchor": anchor})


def parse_motion(data: dict, source: str) -> Motion:
    """Validate parsed motion data; errors name ``source`` and the field."""
    try:
        return Motion.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(p) for p in item["loc"] if not str(p).startswith("function-")) or "(top level)"
            problems.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
        raise MotionFileError(f"{source}: " + "; ".join(problems)) from None


def load_motion_file(path: Path | str) -> Motion:
    """Read and validate one motion file (its ``exercise`` must match the file name)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MotionFileError(f"{path}: cannot read the file ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise MotionFileError(f"{path}: not valid TOML: {error}") from None
    motion = parse_motion(data, str(path))
    if motion.exercise != path.stem:
        raise MotionFileError(f"{path}: exercise = {motion.exercise!r} differs from the file name {path.stem!r}")
    return motion


@lru_cache(maxsize=None)
def load_motion(exercise_id: str) -> Motion:
    """The reference motion of an exercise.

    Raises
    ------
    MotionFileError
        When the exercise has no motion file (naming those that exist) or the file is invalid.
    """
    path = MOTIONS_DIR / f"{exercise_id}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in MOTIONS_DIR.glob("*.toml"))) or "(none)"
        raise MotionFileError(f"no reference motion for exercise {exercise_id!r}; motions exist for: {known}")
    return load_motion_file(path)


def motion_ids() -> list[str]:
    """Ids of every exercise that has a reference motion."""
    return sorted(p.stem for p in MOTIONS_DIR.glob("*.toml"))

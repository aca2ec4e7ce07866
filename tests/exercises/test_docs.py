"""docs/exercises.md describes every schema field and rule kind (one registry, kept in step)."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel

from backcoach.exercises import schema
from backcoach.paths import ROOT

DOC = (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8")


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for info in model.model_fields.values():
        for arg in _types(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models(arg, seen)


def _types(annotation) -> list:
    args = typing.get_args(annotation)
    return [annotation] if not args else [t for a in args for t in _types(a)]


def _fields() -> list[tuple[str, str]]:
    seen: set = set()
    _models(schema.Exercise, seen)
    return sorted(
        {(model.__name__, info.alias or name) for model in seen for name, info in model.model_fields.items()}
    )


@pytest.mark.parametrize("model, field", _fields(), ids=lambda v: str(v))
def test_every_schema_field_is_documented(model, field):
    assert f"`{field}`" in DOC, f"docs/exercises.md does not describe {model}.{field}"


@pytest.mark.parametrize("kind", sorted(schema.RULE_KINDS))
def test_every_rule_kind_is_documented(kind):
    assert f"`{kind}`" in DOC, f"docs/exercises.md does not describe rule kind {kind!r}"


@pytest.mark.parametrize("kind", sorted(schema.POINTS_PER_KIND))
def test_every_feature_kind_is_documented(kind):
    assert f"| `{kind}` |" in DOC, f"docs/exercises.md has no row for feature kind {kind!r}"

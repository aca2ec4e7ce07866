"""Weekly education articles: data files in ``content/education`` (both languages, own words)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONTENT_DIR = Path(__file__).resolve().parent / "content" / "education"


class ArticleFileError(ValueError):
    """An education file is malformed (names the file and the field)."""


class Localised(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    en: str = Field(min_length=1)
    zh_Hans: str = Field(alias="zh-Hans", min_length=1)


class LocalisedParagraphs(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    en: list[str] = Field(min_length=1)
    zh_Hans: list[str] = Field(alias="zh-Hans", min_length=1)


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    week: int = Field(ge=1, le=4)
    minutes: int = Field(ge=1, le=15)
    illustration: str
    title: Localised
    body: LocalisedParagraphs
    question: Localised

    def text(self, field: str, locale: str) -> str | list[str]:
        """``title``, ``body`` or ``question`` in ``locale`` (``en`` or ``zh_Hans``)."""
        return getattr(getattr(self, field), "zh_Hans" if locale == "zh_Hans" else "en")

    def svg(self) -> str:
        return (CONTENT_DIR / self.illustration).read_text(encoding="utf-8")


def load_article(path: Path) -> Article:
    try:
        article = Article.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ArticleFileError(f"{path.name}: {exc}") from exc
    if article.id != path.stem:
        raise ArticleFileError(f"{path.name}: id = {article.id!r} differs from the file name")
    if not (CONTENT_DIR / article.illustration).exists():
        raise ArticleFileError(f"{path.name}: illustration {article.illustration!r} not found")
    return article


@cache
def articles() -> dict[str, Article]:
    """All articles by id, ordered by week."""
    loaded = [load_article(path) for path in sorted(CONTENT_DIR.glob("*.toml"))]
    return {article.id: article for article in sorted(loaded, key=lambda a: (a.week, a.id))}


def article_for_week(week: int) -> Article | None:
    return next((a for a in articles().values() if a.week == week), None)

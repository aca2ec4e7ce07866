from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.education import CONTENT_DIR, ArticleFileError, articles, load_article
from backcoach.store.repo import community

from .conftest import csrf_of, sign_in, user_id

PAPER_THEMES = {"posture", "pain", "causes", "structure"}


def test_the_papers_four_themes_exist_one_per_week() -> None:
    loaded = articles()
    assert set(loaded) >= PAPER_THEMES
    assert sorted(a.week for a in loaded.values() if a.id in PAPER_THEMES) == [1, 2, 3, 4]
    for article in loaded.values():
        assert article.body.en and article.body.zh_Hans and article.svg().startswith("<svg")


def test_a_broken_article_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "sleep.toml"
    bad.write_text((CONTENT_DIR / "pain.toml").read_text(encoding="utf-8").replace('id = "pain"', 'id = "sleep"')
                   .replace("week = 4", "week = 9"), encoding="utf-8")
    with pytest.raises(ArticleFileError, match="sleep.toml"):
        load_article(bad)


def test_article_in_both_languages_and_marked_read(client: TestClient, db: Session) -> None:
    sign_in(client, "week1@demo.backcoach")
    page = client.get("/learn/causes")
    assert page.status_code == 200 and "Why does my back hurt?" in page.text and "<svg" in page.text
    client.cookies.set("lang", "zh_Hans")
    assert "我的腰为什么会痛？" in client.get("/learn/causes").text
    response = client.post("/learn/causes/read", data={"csrf_token": csrf_of(client, "/learn/causes")},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "data-read" in response.text
    assert community.articles_read(db, user_id(db, "week1@demo.backcoach")) == {"causes"}
    listing = client.get("/learn")
    assert listing.text.count("data-article=") == len(articles())


def test_plan_shows_this_weeks_article(client: TestClient) -> None:
    sign_in(client, "week3@demo.backcoach")
    assert 'href="/learn/posture"' in client.get("/plan").text


def test_unknown_article_is_404(client: TestClient) -> None:
    sign_in(client, "week1@demo.backcoach")
    response = client.get("/learn/astrology")
    assert response.status_code == 404 and errors.ARTICLE_NOT_FOUND in response.text
    assert client.post("/learn/astrology/read", data={"csrf_token": csrf_of(client, "/learn")}).status_code == 404

from __future__ import annotations

import pytest
from pydantic import ValidationError

from backcoach.app.security import hash_password, verify_password
from backcoach.app.settings import DEFAULT_SECRET, Settings


def test_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key=DEFAULT_SECRET)


def test_default_secret_only_warns_in_development() -> None:
    with pytest.warns(UserWarning, match="changethis"):
        Settings(environment="development", secret_key=DEFAULT_SECRET)


def test_database_url_is_read_from_the_common_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://u@db/backcoach")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    settings = Settings(environment="production")
    assert settings.database_url == "postgresql+psycopg2://u@db/backcoach"


def test_default_database_is_sqlite_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(environment="test", secret_key="s" * 32, _env_file=None)
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("/var/backcoach.db")


def test_password_hash_round_trip_and_salt() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", first)
    assert not verify_password("correct hors", first)
    assert not verify_password("x", "bcrypt$garbage")

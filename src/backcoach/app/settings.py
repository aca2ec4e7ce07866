"""Application settings, read from the environment (and ``.env``) by pydantic-settings."""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backcoach.paths import ROOT

#: The placeholder secret: accepted in development with a warning, refused anywhere else.
DEFAULT_SECRET = "changethis"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BACKCOACH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    #: SQLAlchemy URL; ``DATABASE_URL`` (the common name) or ``BACKCOACH_DATABASE_URL``.
    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'backcoach.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "BACKCOACH_DATABASE_URL"),
    )
    #: Signs session cookies; ``SECRET_KEY`` or ``BACKCOACH_SECRET_KEY``.
    secret_key: str = Field(
        default=DEFAULT_SECRET, validation_alias=AliasChoices("SECRET_KEY", "BACKCOACH_SECRET_KEY")
    )
    #: Address printed in invitation links and QR codes (e.g. ``https://clinic.example``).
    public_url: str = "http://127.0.0.1:8000"
    #: Send cookies over HTTPS only; switch off only for plain-HTTP local use.
    secure_cookies: bool = False
    session_max_age_seconds: int = 14 * 24 * 3600
    invitation_days: int = 14
    #: Apply Alembic migrations when the app starts.
    migrate_on_startup: bool = True
    #: Uploaded clinic media (therapists' demonstration videos); ``BACKCOACH_MEDIA_DIR``. Default:
    #: beside a SQLite database (``<name>-media``), else ``var/media`` (``app.portal.videos.media_root``).
    media_dir: Path | None = None

    @model_validator(mode="after")
    def _check_secret(self) -> Self:
        if self.secret_key == DEFAULT_SECRET:
            message = (
                f'The value of SECRET_KEY is "{DEFAULT_SECRET}"; for security, set it to a long '
                "random string (python -c 'import secrets; print(secrets.token_urlsafe(32))')."
            )
            if self.environment != "development":
                raise ValueError(message)
            warnings.warn(message, stacklevel=2)
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()

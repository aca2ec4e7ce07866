"""The Jinja2 environment: autoescaping, gettext in every template, and the page renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from backcoach.app import i18n
from backcoach.app.security import csrf_token

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates = Jinja2Templates(env=_env)
templates.env.globals.update(LOCALES=i18n.LOCALES, html_lang=i18n.html_lang)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render ``name`` in the request's language with the signed-in user and CSRF token."""
    locale = getattr(request.state, "locale", i18n.DEFAULT_LOCALE)
    # The template renders synchronously inside TemplateResponse, in this context.
    i18n.set_locale(locale)
    page = {
        "locale": locale,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
    }
    page.update(context or {})
    return templates.TemplateResponse(request, name, page, status_code=status_code)

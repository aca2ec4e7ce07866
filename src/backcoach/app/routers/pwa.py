"""Installable-app pieces: manifest, service worker, offline page and the privacy statement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from backcoach.app.deps import OptionalUser
from backcoach.app.i18n import gettext as _
from backcoach.app.i18n import html_lang, set_locale
from backcoach.app.templating import render
from backcoach.paths import PACKAGE_DIR

router = APIRouter()

SERVICE_WORKER = PACKAGE_DIR / "app" / "static" / "sw.js"


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    """The web app manifest, in the visitor's language."""
    set_locale(request.state.locale)
    body = {
        "name": _("backcoach: exercise therapy for low back pain"),
        "short_name": _("backcoach"),
        "lang": html_lang(request.state.locale),
        "start_url": "/home",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8fa",
        "theme_color": "#1f5f8b",
        "icons": [
            {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png"},
            {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png"},
            {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so its scope is the whole app."""
    return FileResponse(
        SERVICE_WORKER,
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/offline")
def offline(request: Request) -> Response:
    """Shown by the service worker when there is no network."""
    return render(request, "offline.html")


@router.get("/privacy")
def privacy(request: Request, user: OptionalUser) -> Response:
    """The plain-language privacy statement."""
    return render(request, "privacy.html")

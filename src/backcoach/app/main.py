"""The application factory: settings, database, sessions, language, routers and error pages."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

import backcoach.app.routers as routers_package
from backcoach.app import errors, i18n
from backcoach.app.deps import ConsentMissing
from backcoach.app.settings import Settings, get_settings
from backcoach.app.templating import render
from backcoach.paths import NODE_MODULES, PACKAGE_DIR
from backcoach.store import db as store_db

STATIC_DIR = PACKAGE_DIR / "app" / "static"
HTMX_DIR = NODE_MODULES / "htmx.org" / "dist"
#: Sent with every response: no MIME sniffing, no framing, no referrer to other sites, and the
#: camera only for this origin (the live session asks for it; nothing else may).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the web app; migrates the database to the latest schema unless told not to."""
    settings = settings or get_settings()
    engine = engine or store_db.make_engine(settings.database_url)
    if settings.migrate_on_startup:
        store_db.upgrade(engine)

    app = FastAPI(title="backcoach", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = store_db.make_sessionmaker(engine)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="backcoach_session",
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
    )

    @app.middleware("http")
    async def choose_language(request: Request, call_next):  # type: ignore[no-untyped-def]
        request.state.locale = i18n.choose_locale(
            request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
        )
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Language", i18n.html_lang(request.state.locale))
        return response

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/vendor/htmx", StaticFiles(directory=HTMX_DIR, check_dir=False), name="htmx")

    for module_info in sorted(pkgutil.iter_modules(routers_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routers_package.__name__}.{module_info.name}")
        app.include_router(module.router)

    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    return app


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    if isinstance(exc, ConsentMissing):
        return RedirectResponse("/welcome/consent", status_code=303)
    if exc.status_code == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return render(request, "error.html", {"detail": exc.detail}, status_code=exc.status_code)


async def _validation_error(request: Request, exc: Exception) -> Response:
    # A malformed id in the path is just an unknown page to the person who typed it.
    return await _http_error(request, HTTPException(404, detail=errors.PAGE_NOT_FOUND))

"""Sign in, sign out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from backcoach.app import errors, i18n
from backcoach.app.deps import CSRF, SESSION_USER_KEY, DbSession, OptionalUser
from backcoach.app.forms import FormState, form_values, validate
from backcoach.app.security import verify_password
from backcoach.app.templating import render
from backcoach.store.models import Role, User
from backcoach.store.repo import accounts

router = APIRouter(dependencies=CSRF)

#: Where each role lands after signing in.
HOME_BY_ROLE = {
    Role.PATIENT: "/plan",
    Role.THERAPIST: "/therapist",
    Role.RESEARCHER: "/research",
    Role.STATISTICIAN: "/research",
    Role.ASSESSOR: "/research",
    Role.ADMIN: "/admin",
}


class LoginForm(BaseModel):
    email: str
    password: str


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths may be redirect targets (no ``//host`` or absolute URLs)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def sign_in(request: Request, user: User) -> None:
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id


@router.get("/")
def landing(request: Request, user: OptionalUser) -> Response:
    """The start page."""
    return render(request, "landing.html")


@router.get("/home")
def home(user: OptionalUser) -> Response:
    """Send a signed-in person to their role's start page."""
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(HOME_BY_ROLE[user.role], status_code=303)


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "") -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"form": FormState(), "next": next})


@router.post("/login")
async def login(request: Request, db: DbSession, next: Annotated[str, Form()] = "") -> Response:
    """Check the password and start a signed session."""
    data, state = validate(LoginForm, form_values(await request.form()))
    user = accounts.get_user_by_email(db, data.email) if data else None
    if data and user and user.is_active and verify_password(data.password, user.password_hash):
        sign_in(request, user)
        return RedirectResponse(safe_next(next, HOME_BY_ROLE[user.role]), status_code=303)
    if data:
        state.errors["_form"] = errors.LOGIN_FAILED
    return render(request, "login.html", {"form": state, "next": next}, status_code=400)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    """Remember the chosen language in a cookie and go back to the page."""
    locale = i18n.normalise_locale(code)
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    if locale:
        response.set_cookie(
            i18n.LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
    return response

"""Administration: staff accounts."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from backcoach.app import errors
from backcoach.app.deps import CSRF, CurrentAdmin, DbSession
from backcoach.app.forms import Email, FormState, NewPassword, form_values, validate
from backcoach.app.security import hash_password
from backcoach.app.templating import render
from backcoach.store.models import Role, User
from backcoach.store.repo import accounts

router = APIRouter(prefix="/admin", dependencies=CSRF)

STAFF_ROLES = ("therapist", "researcher", "statistician", "assessor", "admin")


class StaffForm(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    email: Email
    role: Literal["therapist", "researcher", "statistician", "assessor", "admin"]
    password: NewPassword


def _page(request: Request, db: DbSession, form: FormState, status_code: int = 200) -> Response:
    users = list(db.scalars(select(User).order_by(User.role, User.display_name)))
    return render(request, "admin/users.html", {"users": users, "form": form, "roles": STAFF_ROLES},
                  status_code=status_code)


@router.get("")
def list_users(request: Request, db: DbSession, admin: CurrentAdmin) -> Response:
    """All accounts, and a form to add staff."""
    return _page(request, db, FormState())


@router.post("/users")
async def create_staff(request: Request, db: DbSession, admin: CurrentAdmin) -> Response:
    """Create a staff account in the administrator's clinic."""
    data, state = validate(StaffForm, form_values(await request.form()))
    if data is not None and accounts.get_user_by_email(db, data.email) is not None:
        state.errors["email"] = errors.EMAIL_TAKEN
        return _page(request, db, state, status_code=409)
    if data is None:
        return _page(request, db, state, status_code=400)
    accounts.create_user(db, email=data.email, password_hash=hash_password(data.password),
                         display_name=data.display_name, role=Role(data.role), clinic_id=admin.clinic_id)
    return RedirectResponse("/admin", status_code=303)

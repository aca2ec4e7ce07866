"""Request dependencies: database session, the signed-in user, roles, CSRF and consent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from backcoach.app import errors
from backcoach.app.security import CSRF_FORM_FIELD, CSRF_HEADER, csrf_valid
from backcoach.store.models import ConsentKind, Role, User
from backcoach.store.repo import accounts

SESSION_USER_KEY = "uid"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ConsentMissing(HTTPException):
    """A patient without health-data consent asked for a health page (sent to onboarding)."""

    def __init__(self) -> None:
        super().__init__(403, detail=errors.CONSENT_REQUIRED)


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent."""
    with request.app.state.sessionmaker() as db, db.begin():
        yield db


# "function" scope: commit before the response leaves, so a redirect never outruns its write.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


@dataclass(frozen=True)
class Viewer:
    """What templates know about the signed-in person (plain values, valid after rollback)."""

    id: int
    display_name: str
    role: Role


def get_optional_user(request: Request, db: DbSession) -> User | None:
    user_id = request.session.get(SESSION_USER_KEY)
    user = accounts.get_user(db, user_id) if isinstance(user_id, int) else None
    if user is not None and not user.is_active:
        user = None
    request.state.user = Viewer(user.id, user.display_name, user.role) if user else None
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise HTTPException(401, detail=errors.NOT_AUTHENTICATED)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting only users whose role is one of ``roles`` (403 otherwise)."""

    def dependency(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(403, detail=errors.NOT_ALLOWED)
        return user

    return dependency


def get_consented_patient(
    db: DbSession, user: Annotated[User, Depends(require_role(Role.PATIENT))]
) -> User:
    if accounts.active_consent(db, user.id, ConsentKind.HEALTH_DATA) is None:
        raise ConsentMissing()
    return user


#: Any signed-in patient (onboarding pages).
AnyPatient = Annotated[User, Depends(require_role(Role.PATIENT))]
#: A patient who has consented to the use of their health data (every health page).
CurrentPatient = Annotated[User, Depends(get_consented_patient)]
CurrentTherapist = Annotated[User, Depends(require_role(Role.THERAPIST))]


def get_treated_patient(db: DbSession, therapist: CurrentTherapist, patient_id: int) -> User:
    """The patient in the path if the signed-in therapist currently follows them; 404 otherwise,
    so another clinic's patient ids are not confirmed."""
    patient = accounts.get_user(db, patient_id)
    if patient is None or not accounts.follows(db, therapist.id, patient_id):
        raise HTTPException(404, detail=errors.PATIENT_NOT_FOUND)
    return patient


#: ``/…/patients/{patient_id}/…`` routes: the followed patient (non-therapists get 403 first).
TreatedPatient = Annotated[User, Depends(get_treated_patient)]
CurrentResearcher = Annotated[
    User, Depends(require_role(Role.RESEARCHER, Role.STATISTICIAN, Role.ASSESSOR))
]
CurrentAdmin = Annotated[User, Depends(require_role(Role.ADMIN))]


async def csrf_protect(request: Request) -> None:
    """Refuse unsafe requests without the session's token (form field or htmx header)."""
    if request.method in _SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_valid(request, submitted):
        raise HTTPException(403, detail=errors.CSRF_FAILED)


#: Pass as ``APIRouter(dependencies=CSRF)`` on every router that serves forms.
CSRF = [Depends(csrf_protect)]

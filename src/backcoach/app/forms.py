"""HTML form handling: validate with pydantic, and on failure keep the values and field messages.

Form models raise ``ValueError`` with an ``errors`` constant; pydantic's own error types are
mapped to our wording so every message can be translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, Field, ValidationError

from backcoach.app import errors

Model = TypeVar("Model", bound=BaseModel)

MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(errors.FIELD_INVALID_EMAIL)
    return value


def _check_new_password(value: str) -> str:
    if len(value) < MIN_PASSWORD:
        raise ValueError(errors.FIELD_PASSWORD_SHORT)
    return value


#: An email address field (checked for shape only; ownership is not verified).
Email = Annotated[str, Field(max_length=320), AfterValidator(_check_email)]
#: A password being chosen (length rule).
NewPassword = Annotated[str, AfterValidator(_check_new_password)]

_PYDANTIC_MESSAGES = {
    "missing": errors.FIELD_REQUIRED,
    "string_too_short": errors.FIELD_REQUIRED,
    "string_too_long": errors.FIELD_TOO_LONG,
    "greater_than_equal": errors.FIELD_OUT_OF_RANGE,
    "less_than_equal": errors.FIELD_OUT_OF_RANGE,
    "greater_than": errors.FIELD_OUT_OF_RANGE,
    "less_than": errors.FIELD_OUT_OF_RANGE,
    "int_parsing": errors.FIELD_OUT_OF_RANGE,
    "float_parsing": errors.FIELD_OUT_OF_RANGE,
    "literal_error": errors.FIELD_OUT_OF_RANGE,
    "enum": errors.FIELD_OUT_OF_RANGE,
    "bool_parsing": errors.FIELD_REQUIRED,
}


@dataclass
class FormState:
    """What a form template needs: the submitted values and one message per invalid field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def form_values(raw: Any) -> dict[str, str]:
    """A submitted form as plain strings (empty fields dropped, so they count as missing)."""
    values: dict[str, str] = {}
    for key, value in raw.multi_items():
        if isinstance(value, str) and value.strip() and key != "csrf_token":
            values[key] = value.strip()
    return values


def validate(model: type[Model], values: dict[str, Any]) -> tuple[Model | None, FormState]:
    """Parse ``values`` into ``model``; on failure return None and the per-field messages."""
    try:
        return model.model_validate(values), FormState(values=values)
    except ValidationError as exc:
        state = FormState(values=values)
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "_form"
            if name in state.errors:
                continue
            if error["type"] == "value_error":
                message = str(error["ctx"]["error"])
            else:
                message = _PYDANTIC_MESSAGES.get(error["type"], errors.FIELD_OUT_OF_RANGE)
            state.errors[name] = message
        return None, state

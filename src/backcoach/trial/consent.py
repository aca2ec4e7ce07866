"""Informed consent records and the gate before randomisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backcoach.trial.eligibility import ScreeningResult, Verdict


class ConsentError(ValueError):
    """Consent is missing, withdrawn or recorded wrongly."""


@dataclass(frozen=True)
class ConsentRecord:
    """A participant's signed consent to one version of the information sheet."""

    participant: str
    form_version: str
    signed_at: datetime
    taken_by: str  # staff member who took consent
    withdrawn_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.withdrawn_at is not None and self.withdrawn_at < self.signed_at:
            raise ConsentError(
                f"participant {self.participant!r}: consent withdrawn at {self.withdrawn_at.isoformat()} "
                f"before it was signed at {self.signed_at.isoformat()}"
            )

    def valid_at(self, when: datetime) -> bool:
        return self.signed_at <= when and (self.withdrawn_at is None or when < self.withdrawn_at)


def ready_for_randomisation(screening: ScreeningResult, consent: ConsentRecord | None,
                            when: datetime, current_version: str) -> None:
    """Raise :class:`ConsentError` unless the person is eligible and validly consented now."""
    if screening.verdict is not Verdict.ELIGIBLE:
        detail = ", ".join(screening.failed or screening.missing)
        raise ConsentError(f"screening {screening.screening_id!r} is {screening.verdict.value} ({detail})")
    if consent is None:
        raise ConsentError(f"screening {screening.screening_id!r}: no consent recorded")
    if consent.form_version != current_version:
        raise ConsentError(
            f"participant {consent.participant!r} signed form {consent.form_version!r}; "
            f"the current form is {current_version!r}: re-consent first"
        )
    if not consent.valid_at(when):
        raise ConsentError(f"participant {consent.participant!r}: consent not valid at {when.isoformat()}")

"""Withdrawals and adverse events, recorded as plain data with validation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


class EventError(ValueError):
    """A withdrawal or adverse event record is inconsistent."""


class WithdrawalReason(str, Enum):
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    PARTICIPANT_DECISION = "participant_decision"
    ADVERSE_EVENT = "adverse_event"
    INVESTIGATOR_DECISION = "investigator_decision"
    OTHER = "other"


@dataclass(frozen=True)
class Withdrawal:
    """A participant stops the intervention, follow-up, or both."""

    participant: str
    on: date
    reason: WithdrawalReason
    stops_intervention: bool = True
    stops_follow_up: bool = True  # False: keeps attending assessments (still in ITT data)
    note: str = ""

    def __post_init__(self) -> None:
        if not (self.stops_intervention or self.stops_follow_up):
            raise EventError(f"withdrawal of {self.participant!r} stops neither intervention nor follow-up")
        if self.reason is WithdrawalReason.OTHER and not self.note.strip():
            raise EventError(f"withdrawal of {self.participant!r}: reason 'other' needs a note")


class Severity(str, Enum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class Relatedness(str, Enum):
    UNRELATED = "unrelated"
    UNLIKELY = "unlikely"
    POSSIBLE = "possible"
    PROBABLE = "probable"
    DEFINITE = "definite"


@dataclass(frozen=True)
class AdverseEvent:
    """An untoward event during the trial (e.g. a pain flare-up, a fall during exercise)."""

    participant: str
    onset: date
    description: str
    severity: Severity
    serious: bool  # death, life-threatening, hospitalisation, disability
    relatedness: Relatedness
    resolved_on: date | None = None

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise EventError(f"adverse event of {self.participant!r} on {self.onset}: empty description")
        if self.resolved_on is not None and self.resolved_on < self.onset:
            raise EventError(f"adverse event of {self.participant!r}: resolved {self.resolved_on} before onset {self.onset}")

    @property
    def needs_expedited_report(self) -> bool:
        """Serious and at least possibly related: report to the ethics committee promptly [E]."""
        return self.serious and self.relatedness in (Relatedness.POSSIBLE, Relatedness.PROBABLE, Relatedness.DEFINITE)


def adverse_event_summary(events: list[AdverseEvent], arm_of: dict[str, str]) -> dict[str, dict[str, int]]:
    """Counts per arm: events, participants with an event, serious events."""
    summary: dict[str, dict[str, int]] = {arm: {"events": 0, "participants": 0, "serious": 0} for arm in sorted(set(arm_of.values()))}
    seen: set[str] = set()
    for event in events:
        if event.participant not in arm_of:
            raise EventError(f"adverse event of {event.participant!r}: participant was never randomised")
        arm = arm_of[event.participant]
        summary[arm]["events"] += 1
        summary[arm]["serious"] += int(event.serious)
        if event.participant not in seen:
            summary[arm]["participants"] += 1
            seen.add(event.participant)
    return summary

"""Who may see the allocation: pure functions the portal calls before showing any record.

Roles follow the paper's team (Randomization and Blinding [V]): a research assistant allocates,
therapists deliver the intervention, a rehabilitation physician assesses outcomes and a
statistician analyses; the assessor and the statistician were blind to group allocation.
Participants know their own arm (open-label trial).

* outcome assessor: never sees an arm, coded or not;
* statistician: sees coded arms (``Arm X``/``Arm Y``) until the trial is unblinded, then the real
  arms;
* research assistant, therapist, trial manager: see real arms;
* participant: sees only their own arm.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from enum import Enum

ARM_FIELDS = ("arm", "allocation", "group")  # record keys that carry the allocation


class Role(str, Enum):
    RESEARCH_ASSISTANT = "research_assistant"
    THERAPIST = "therapist"
    OUTCOME_ASSESSOR = "outcome_assessor"
    STATISTICIAN = "statistician"
    TRIAL_MANAGER = "trial_manager"
    PARTICIPANT = "participant"


class Visibility(str, Enum):
    REAL = "real"
    CODED = "coded"
    HIDDEN = "hidden"


class BlindingError(PermissionError):
    """A role asked for something its blinding forbids."""


def arm_visibility(role: Role, unblinded: bool, own_record: bool = False) -> Visibility:
    """How a role may see an allocation."""
    if role is Role.OUTCOME_ASSESSOR:
        return Visibility.HIDDEN
    if role is Role.STATISTICIAN:
        return Visibility.REAL if unblinded else Visibility.CODED
    if role is Role.PARTICIPANT:
        return Visibility.REAL if own_record else Visibility.HIDDEN
    return Visibility.REAL


def make_arm_codes(arms: Sequence[str], rng: random.Random | None = None) -> dict[str, str]:
    """A random mapping of arms to neutral codes (``Arm X``, ``Arm Y``...), kept with the vault."""
    rng = rng or random.SystemRandom()
    letters = [f"Arm {chr(ord('X') + i)}" if i < 3 else f"Arm {i + 1}" for i in range(len(arms))]
    shuffled = list(arms)
    rng.shuffle(shuffled)
    return dict(zip(shuffled, letters))


def show_arm(arm: str, role: Role, codes: Mapping[str, str], unblinded: bool, own_record: bool = False) -> str | None:
    """The arm as this role may see it: the real name, its code, or None."""
    visibility = arm_visibility(role, unblinded, own_record)
    if visibility is Visibility.REAL:
        return arm
    if visibility is Visibility.CODED:
        if arm not in codes:
            raise BlindingError(f"arm {arm!r} has no code; codes exist for {sorted(codes)}")
        return codes[arm]
    return None


def redact(record: Mapping, role: Role, codes: Mapping[str, str], unblinded: bool, own_record: bool = False) -> dict:
    """A copy of a record with every allocation field shown as the role may see it (or removed)."""
    out = {}
    for key, value in record.items():
        if key in ARM_FIELDS and value is not None:
            shown = show_arm(str(value), role, codes, unblinded, own_record)
            if shown is not None:
                out[key] = shown
        else:
            out[key] = value
    return out


def require_unblinded_access(role: Role, unblinded: bool) -> None:
    """Guard for views that list participants by real arm (e.g. the allocation report)."""
    if arm_visibility(role, unblinded) is not Visibility.REAL:
        raise BlindingError(f"role {role.value!r} may not see real allocations"
                            + ("" if unblinded else " before unblinding"))

import random

import pytest

from backcoach.trial.blinding import (
    BlindingError, Role, make_arm_codes, redact, require_unblinded_access, show_arm,
)

CODES = {"AI": "Arm Y", "video": "Arm X"}
RECORD = {"participant": "P01", "arm": "AI", "nrs_mean": 4}


@pytest.mark.parametrize("role, unblinded, expected", [
    pytest.param(Role.OUTCOME_ASSESSOR, False, None, id="assessor-blind"),
    pytest.param(Role.OUTCOME_ASSESSOR, True, None, id="assessor-never"),
    pytest.param(Role.STATISTICIAN, False, "Arm Y", id="statistician-coded"),
    pytest.param(Role.STATISTICIAN, True, "AI", id="statistician-after-unblinding"),
    pytest.param(Role.THERAPIST, False, "AI", id="therapist"),
    pytest.param(Role.RESEARCH_ASSISTANT, False, "AI", id="assistant"),
])
def test_each_role_sees_the_arm_as_allowed(role, unblinded, expected):
    assert show_arm("AI", role, CODES, unblinded) == expected
    redacted = redact(RECORD, role, CODES, unblinded)
    assert redacted.get("arm") == expected
    assert redacted["nrs_mean"] == 4


def test_participant_sees_only_their_own_arm():
    assert show_arm("AI", Role.PARTICIPANT, CODES, False, own_record=True) == "AI"
    assert show_arm("AI", Role.PARTICIPANT, CODES, False, own_record=False) is None


def test_blinded_roles_never_get_a_real_arm_in_any_field():
    record = {"arm": "video", "group": "video", "allocation": "video", "x": 1}
    for role in (Role.OUTCOME_ASSESSOR, Role.STATISTICIAN):
        assert "video" not in redact(record, role, CODES, unblinded=False).values()


def test_codes_are_a_random_bijection():
    codes = make_arm_codes(["AI", "video"], random.Random(0))
    assert sorted(codes) == ["AI", "video"] and sorted(codes.values()) == ["Arm X", "Arm Y"]
    seen = {tuple(sorted(make_arm_codes(["AI", "video"], random.Random(s)).items())) for s in range(20)}
    assert len(seen) == 2  # both assignments occur: the code does not reveal the arm


def test_allocation_report_guard():
    require_unblinded_access(Role.TRIAL_MANAGER, False)
    with pytest.raises(BlindingError, match="'statistician' may not see real allocations before unblinding"):
        require_unblinded_access(Role.STATISTICIAN, False)
    require_unblinded_access(Role.STATISTICIAN, True)
    with pytest.raises(BlindingError):
        require_unblinded_access(Role.OUTCOME_ASSESSOR, True)

from datetime import datetime

import pytest

from backcoach.trial.consent import ConsentError, ConsentRecord, ready_for_randomisation
from backcoach.trial.eligibility import ScreeningResult, Verdict

OK = ScreeningResult("S1", Verdict.ELIGIBLE, (), ())
T0 = datetime(2023, 3, 1, 9)


def consent(**kw):
    return ConsentRecord(**({"participant": "S1", "form_version": "v2", "signed_at": T0, "taken_by": "ra1"} | kw))


def test_eligible_and_consented_is_ready():
    ready_for_randomisation(OK, consent(), datetime(2023, 3, 2), "v2")


@pytest.mark.parametrize("screening, record, message", [
    pytest.param(ScreeningResult("S1", Verdict.NOT_ELIGIBLE, ("pregnancy",), ()), consent(), "not_eligible \\(pregnancy\\)", id="not-eligible"),
    pytest.param(OK, None, "no consent recorded", id="no-consent"),
    pytest.param(OK, consent(form_version="v1"), "signed form 'v1'; the current form is 'v2'", id="old-form"),
    pytest.param(OK, consent(withdrawn_at=datetime(2023, 3, 1, 12)), "consent not valid", id="withdrawn"),
])
def test_not_ready_says_why(screening, record, message):
    with pytest.raises(ConsentError, match=message):
        ready_for_randomisation(screening, record, datetime(2023, 3, 2), "v2")


def test_withdrawal_before_signature_is_refused():
    with pytest.raises(ConsentError, match="before it was signed"):
        consent(withdrawn_at=datetime(2023, 2, 1))

from datetime import date
from xml.etree import ElementTree

import pytest

from backcoach.trial.consort import consort_counts, consort_svg
from backcoach.trial.eligibility import ScreeningResult, Verdict
from backcoach.trial.events import (
    AdverseEvent, EventError, Relatedness, Severity, Withdrawal, WithdrawalReason, adverse_event_summary,
)


def paper_flow():
    """The paper's flow: 38 randomised 19/19; 1 AI and 3 video did not complete; 18/16 analysed."""
    screening = [ScreeningResult(f"S{i}", Verdict.ELIGIBLE, (), ()) for i in range(40)]
    screening += [ScreeningResult("X1", Verdict.NOT_ELIGIBLE, ("age_at_most_75",), ()),
                  ScreeningResult("X2", Verdict.NOT_ELIGIBLE, ("pregnancy", "hypertension"), ()),
                  ScreeningResult("X3", Verdict.INCOMPLETE, (), ("age",))]
    allocation = {f"S{i}": ("AI" if i % 2 else "video") for i in range(38)}
    withdrawals = [Withdrawal("S1", date(2023, 4, 1), WithdrawalReason.LOST_TO_FOLLOW_UP)]
    withdrawals += [Withdrawal(f"S{i}", date(2023, 4, 1), WithdrawalReason.PARTICIPANT_DECISION) for i in (0, 2, 4)]
    analysed = [p for p in allocation if p not in {"S0", "S1", "S2", "S4"}]
    return consort_counts(screening, allocation, withdrawals, analysed)


def test_consort_counts_match_the_paper_flow():
    flow = paper_flow()
    assert flow.assessed == 43 and flow.randomised == 38
    assert flow.allocated == {"AI": 19, "video": 19}
    assert flow.analysed == {"AI": 18, "video": 16}
    assert flow.excluded_from_analysis == {"AI": 1, "video": 3}
    assert flow.discontinued == {"AI": {"lost_to_follow_up": 1}, "video": {"participant_decision": 3}}
    assert flow.excluded_not_eligible == 2 and flow.incomplete_screening == 1
    assert flow.eligible_not_randomised == 2
    assert flow.exclusion_reasons == {"age_at_most_75": 1, "pregnancy": 1, "hypertension": 1}


def test_consort_svg_is_well_formed_and_shows_the_numbers(tmp_path):
    svg = consort_svg(paper_flow(), labels={"AI": "AI-guided", "video": "video-only"})
    root = ElementTree.fromstring(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Randomised (n=38)" in texts
    assert "Allocated to AI-guided (n=19)" in texts and "Analysed (n=16)" in texts


def test_withdrawal_of_unknown_participant_is_refused():
    with pytest.raises(ValueError, match="'Z9': participant was never randomised"):
        consort_counts([], {"A": "AI"}, [Withdrawal("Z9", date(2023, 1, 1), WithdrawalReason.OTHER, note="moved")], [])


def test_withdrawal_other_needs_a_note():
    with pytest.raises(EventError, match="reason 'other' needs a note"):
        Withdrawal("P1", date(2023, 1, 1), WithdrawalReason.OTHER)


def test_adverse_events_summary_and_expedited_reporting():
    events = [
        AdverseEvent("P1", date(2023, 3, 5), "back pain flare-up", Severity.MILD, False, Relatedness.POSSIBLE),
        AdverseEvent("P1", date(2023, 3, 9), "fall during exercise", Severity.SEVERE, True, Relatedness.PROBABLE),
        AdverseEvent("P2", date(2023, 3, 9), "influenza", Severity.MODERATE, False, Relatedness.UNRELATED),
    ]
    summary = adverse_event_summary(events, {"P1": "AI", "P2": "video", "P3": "video"})
    assert summary == {"AI": {"events": 2, "participants": 1, "serious": 1},
                       "video": {"events": 1, "participants": 1, "serious": 0}}
    assert [e.needs_expedited_report for e in events] == [False, True, False]
    with pytest.raises(EventError, match="resolved 2023-03-01 before onset"):
        AdverseEvent("P1", date(2023, 3, 5), "x", Severity.MILD, False, Relatedness.UNRELATED, resolved_on=date(2023, 3, 1))

"""Every page of the patient journey and the therapist side renders for the demo personas."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import TrainingReport
from backcoach.store.repo import plans

from .conftest import sign_in, user_id

PAGES = {
    "week3@demo.backcoach": ["/plan", "/learn", "/learn/posture", "/group", "/settings", "/assessment",
                             "/assessment/history", "/assessment/safety", "/assessment/result", "/privacy"],
    "therapist@demo.backcoach": ["/therapist", "/therapist/invitations", "/group"],
    "admin@demo.backcoach": ["/admin"],
}


@pytest.mark.parametrize("email", list(PAGES))
@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_pages_render(client: TestClient, email: str, lang: str) -> None:
    sign_in(client, email)
    client.cookies.set("lang", lang)
    for path in PAGES[email]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert 'id="main"' in response.text


def test_plan_session_and_report_pages_render_in_chinese(client: TestClient, db: Session) -> None:
    patient = user_id(db, "week3@demo.backcoach")
    sign_in(client, "week3@demo.backcoach")
    client.cookies.set("lang", "zh_Hans")
    plan = plans.active_plan(db, patient)
    page = client.get(f"/plan/sessions/{plan.sessions[-1].id}")
    assert page.status_code == 200 and "第 4 周第 3 次训练" in page.text
    report = db.scalar(select(TrainingReport.id))
    assert "训练报告" in client.get(f"/reports/{report}").text

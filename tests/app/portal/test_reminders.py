"""Visit reminders from the database: outbox, in-app notices, email through SMTP, idempotence."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.app.portal import trial as trial_service
from backcoach.app.portal.demo import ELIGIBLE
from backcoach.app.portal.reminders import send_due_reminders, smtp_mailer
from backcoach.store.models import Notification, ReminderOutbox, TrialParticipant, User
from backcoach.store.repo import accounts
from backcoach.store.repo import reminders as reminder_repo
from backcoach.store.repo import trial as trial_repo

from ..conftest import user_id
from .test_research import demo_trial

ENROLLED = date(2026, 1, 5)  # week 2: due 19 Jan, window 17-22 Jan; reminders 16, 19 and 22 Jan
SAM = "week3@demo.backcoach"  # English
WANG = "week1@demo.backcoach"  # Chinese


def enrol(db: Session, code: str, email: str | None, on: date = ENROLLED) -> TrialParticipant:
    """Screen, consent and randomise one participant on ``on``, linked to ``email``'s account."""
    trial = demo_trial(db)
    researcher = accounts.get_user_by_email(db, "researcher@demo.backcoach")
    participant = trial_service.screen(db, trial, code, {**ELIGIBLE, "age": 40.0}, None)
    at = datetime.combine(on, time(9), tzinfo=timezone.utc)
    trial_repo.record_consent(db, participant, form_version="v1", signed_at=at, taken_by_id=researcher.id)
    trial_service.randomise(db, trial, participant, researcher, at)
    if email:
        participant.user_id = user_id(db, email)
    db.commit()
    return participant


def outbox_of(db: Session, participant: TrialParticipant) -> list[tuple[str, date, str, str | None]]:
    rows = db.scalars(select(ReminderOutbox).where(ReminderOutbox.user_id == participant.user_id)
                      .order_by(ReminderOutbox.id))
    return [(r.channel, r.remind_on, r.kind, r.address) for r in rows]


def notices(db: Session, email: str) -> list[Notification]:
    return list(db.scalars(select(Notification).where(Notification.user_id == user_id(db, email))
                           .order_by(Notification.id)))


def waiting_emails(db: Session) -> int:
    """Emails already waiting in the outbox (the demo's participant got today's reminder)."""
    return len(reminder_repo.pending(db, "email"))


def test_each_reminder_is_queued_and_delivered_once(db: Session) -> None:
    participant = enrol(db, "R01", SAM)
    waiting = waiting_emails(db)
    report = send_due_reminders(db, date(2026, 1, 16))
    assert (report.queued, report.delivered_in_app, report.email_pending) == (2, 1, waiting + 1)
    assert outbox_of(db, participant) == [("in_app", date(2026, 1, 16), "before", None),
                                          ("email", date(2026, 1, 16), "before", SAM)]
    [notice] = notices(db, SAM)
    assert notice.subject == "Your week 2 online check-in is coming up" and notice.read_at is None
    assert "2026-01-19" in notice.body and "2026-01-22" in notice.body

    for day in (date(2026, 1, 16), date(2026, 1, 17), date(2026, 1, 18)):  # again, and days without a new one
        again = send_due_reminders(db, day)
        assert (again.queued, again.delivered_in_app) == (0, 0), day
    assert len(notices(db, SAM)) == 1

    due = send_due_reminders(db, date(2026, 1, 19))
    assert (due.queued, due.delivered_in_app, due.email_pending) == (2, 1, waiting + 2)
    assert notices(db, SAM)[-1].subject == "Your week 2 online check-in is due today"

    trial_repo.visit_at_week(db, participant.id, 2).done_at = datetime(2026, 1, 20, 10, tzinfo=timezone.utc)
    closing = send_due_reminders(db, date(2026, 1, 22))  # done: no "last day" reminder
    assert closing.queued == 0 and len(notices(db, SAM)) == 2


def test_reminders_speak_the_patients_language(db: Session) -> None:
    enrol(db, "R02", WANG)
    send_due_reminders(db, date(2026, 1, 19))
    [notice] = notices(db, WANG)
    assert notice.subject == "第 2 周线上随访今天到期" and "2026-01-22" in notice.body


def test_unlinked_and_withdrawn_participants_get_nothing(db: Session) -> None:
    unlinked = enrol(db, "R03", None)
    withdrawn = enrol(db, "R04", SAM)
    researcher = accounts.get_user_by_email(db, "researcher@demo.backcoach")
    trial_repo.withdraw(db, withdrawn, on=date(2026, 1, 10), reason="lost_to_follow_up", stops_intervention=True,
                        stops_follow_up=True, note="", entered_by_id=researcher.id)
    revoked = enrol(db, "R13", WANG)
    trial_repo.consent_of(db, revoked.id).withdrawn_at = datetime(2026, 1, 12, tzinfo=timezone.utc)
    report = send_due_reminders(db, date(2026, 1, 16))
    assert report.no_account == [unlinked.code]
    assert report.queued == 0 and notices(db, SAM) == [] and notices(db, WANG) == []


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) to receive one message per connection."""

    def handle(self) -> None:
        self.wfile.write(b"220 test ESMTP\r\n")
        data_mode, lines = False, []
        for raw in self.rfile:
            line = raw.decode().rstrip("\r\n")
            if data_mode:
                if line == ".":
                    data_mode = False
                    self.server.received.append("\n".join(lines))  # type: ignore[attr-defined]
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ")[0].upper()
            if verb == "DATA":
                data_mode = True
                self.wfile.write(b"354 go on\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server() -> Iterator[socketserver.ThreadingTCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_email_goes_through_smtp_and_a_failure_stays_pending(db: Session, smtp_server) -> None:  # type: ignore[no-untyped-def]
    participant = enrol(db, "R05", SAM)
    waiting = waiting_emails(db)
    closed_port = socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    dead = closed_port.server_address[1]
    closed_port.server_close()
    failed = send_due_reminders(db, date(2026, 1, 16), smtp_mailer("127.0.0.1", dead, "study@clinic.example", 2))
    assert (failed.emailed, failed.email_failed, failed.email_pending) == (0, waiting + 1, waiting + 1)
    [row] = db.scalars(select(ReminderOutbox).where(ReminderOutbox.channel == "email",
                                                    ReminderOutbox.user_id == participant.user_id))
    assert row.sent_at is None and row.attempts == 1 and "ConnectionRefusedError" in row.last_error

    port = smtp_server.server_address[1]
    sent = send_due_reminders(db, date(2026, 1, 16), smtp_mailer("127.0.0.1", port, "study@clinic.example"))
    assert (sent.queued, sent.emailed, sent.email_failed, sent.email_pending) == (0, waiting + 1, 0, 0)
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
    [message] = [m for m in smtp_server.received if f"To: {SAM}" in m]
    assert "Subject: Your week 2 online check-in is coming up" in message
    assert send_due_reminders(db, date(2026, 1, 16), smtp_mailer("127.0.0.1", port, "x@y.z")).emailed == 0
    assert len(smtp_server.received) == waiting + 1
    assert db.get(User, participant.user_id).email == SAM


def test_the_command_sends_once_and_lists_the_outbox(app, db: Session) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from backcoach.cli.main import app as cli

    enrol(db, "R06", SAM)
    waiting = waiting_emails(db)
    url = str(app.state.engine.url)
    runner = CliRunner()
    first = runner.invoke(cli, ["reminders", "send", "--today", "2026-01-16", "--database-url", url])
    assert first.exit_code == 0, first.output
    assert ("2026-01-16: 2 new outbox row(s); 1 in-app notice(s) delivered; 0 email(s) sent, 0 failed, "
            f"{waiting + 1} pending") in first.output
    again = runner.invoke(cli, ["reminders", "send", "--today", "2026-01-16", "--database-url", url])
    assert "0 new outbox row(s); 0 in-app notice(s) delivered" in again.output
    listed = runner.invoke(cli, ["reminders", "outbox", "--database-url", url])
    assert listed.exit_code == 0 and f"2026-01-16\t{SAM}\tYour week 2 online check-in is coming up" in listed.output
    bad = runner.invoke(cli, ["reminders", "send", "--today", "16/01/2026", "--database-url", url])
    assert bad.exit_code == 2 and "--today '16/01/2026' is not a date; write it as YYYY-MM-DD" in bad.output
    db.expire_all()
    assert len(notices(db, SAM)) == 1


def test_researcher_links_a_participant_to_a_patient_account(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from backcoach.app import errors

    from ..conftest import audit_rows, csrf_of, sign_in

    participant, other = enrol(db, "R07", None), enrol(db, "R08", WANG)
    page = f"/research/trials/{participant.trial_id}/participants/{participant.id}"
    sign_in(client, "statistician@demo.backcoach")
    assert client.post(f"{page}/account", data={"email": SAM, "csrf_token": csrf_of(client, page)}).status_code == 403
    sign_in(client, "researcher@demo.backcoach")
    for email, message in (("nobody@x.org", errors.PATIENT_NOT_FOUND),
                           ("therapist@demo.backcoach", errors.PATIENT_NOT_FOUND),
                           (WANG, errors.ACCOUNT_ALREADY_LINKED)):
        refused = client.post(f"{page}/account", data={"email": email, "csrf_token": csrf_of(client, page)})
        assert refused.status_code == 400 and message in refused.text, email
    linked = client.post(f"{page}/account", data={"email": SAM, "csrf_token": csrf_of(client, page)})
    assert linked.status_code == 303
    assert f"<dd data-account>{SAM}</dd>" in client.get(page).text
    db.expire_all()
    assert db.get(TrialParticipant, participant.id).user_id == user_id(db, SAM) and other.user_id == user_id(db, WANG)
    [row] = audit_rows(db, resource="trial_participant_account")
    assert (row.actor_id, row.subject_id, row.resource_id) == (user_id(db, "researcher@demo.backcoach"),
                                                               user_id(db, SAM), "R07")
    sign_in(client, "assessor@demo.backcoach")  # blinded roles do not see who the participant is
    assert SAM not in client.get(page).text


def test_the_patient_reads_reminders_in_the_app(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from ..conftest import sign_in

    enrol(db, "R09", SAM)
    enrol(db, "R10", WANG)
    send_due_reminders(db, date(2026, 1, 16))
    db.commit()
    sign_in(client, SAM)
    home = client.get("/plan").text
    assert 'href="/notices"' in home
    first = client.get("/notices").text
    assert "Your week 2 online check-in is coming up" in first and "data-unread" in first
    assert "data-unread" not in client.get("/notices").text  # read once opened
    sign_in(client, WANG)
    client.cookies.set("lang", "zh_Hans")
    page = client.get("/notices").text
    assert "<h1>提醒</h1>" in page and "第 2 周线上随访即将开始" in page
    sign_in(client, "therapist@demo.backcoach")
    assert client.get("/notices").status_code == 403


def test_the_visit_schedule_shows_each_reminder_as_due_or_sent(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    from ..conftest import sign_in

    linked, unlinked = enrol(db, "R11", SAM), enrol(db, "R12", None)
    trial = demo_trial(db)
    day = date(2026, 1, 16)

    def week2(participant: TrialParticipant) -> trial_service.VisitRow:
        return next(r for r in trial_service.visit_rows(db, trial, day)
                    if r.participant.id == participant.id and r.name == "week2")

    assert (week2(linked).reminder_due, week2(linked).linked, week2(linked).reminder_sent) == (True, True, None)
    assert (week2(unlinked).reminder_due, week2(unlinked).linked) == (True, False)
    send_due_reminders(db, day)
    assert week2(linked).reminder_due is False and week2(linked).reminder_sent is not None
    assert week2(unlinked).reminder_due is True  # nothing could be sent
    db.commit()
    sign_in(client, "assessor@demo.backcoach")
    client.cookies.set("lang", "zh_Hans")
    page = client.get(f"/research/trials/{trial.id}/visits").text
    assert 'data-status="done">已完成<' in page and 'data-status="missed">' in page


def test_reminders_on_postgresql(postgres_url: str) -> None:
    """The outbox, its unique key and the queries on PostgreSQL, through the command."""
    from sqlalchemy import text
    from typer.testing import CliRunner

    from backcoach.app.demo import seed_demo
    from backcoach.cli.main import app as cli
    from backcoach.store import db as store_db

    engine = store_db.make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store_db.upgrade(engine)
    factory = store_db.make_sessionmaker(engine)
    with store_db.transaction(factory) as db:
        seed_demo(db)
    with factory() as db:
        participant = enrol(db, "R20", WANG)
        runner = CliRunner()
        for expected in ("2 new outbox row(s); 1 in-app", "0 new outbox row(s); 0 in-app"):
            result = runner.invoke(cli, ["reminders", "send", "--today", "2026-01-19", "--database-url", postgres_url])
            assert result.exit_code == 0 and expected in result.output, result.output
        db.expire_all()
        assert outbox_of(db, participant) == [("in_app", date(2026, 1, 19), "due", None),
                                              ("email", date(2026, 1, 19), "due", WANG)]
        assert [n.subject for n in notices(db, WANG)] == ["第 2 周线上随访今天到期"]
    engine.dispose()

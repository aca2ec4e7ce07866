"""``backcoach reminders ...``: send the trial's due visit reminders, and show the outbox."""

from __future__ import annotations

from datetime import date

import typer

from backcoach.cli._errors import UserError, user_errors

reminders_app = typer.Typer(help="Trial visit reminders: send the due ones (in-app and email), list the outbox.",
                            no_args_is_help=True)

DATABASE_HELP = "Database (default: DATABASE_URL or the app's SQLite file); its schema is brought up to date."


def _session(database_url: str | None):  # type: ignore[no-untyped-def]
    from backcoach.app.settings import Settings
    from backcoach.store import db as store_db

    engine = store_db.make_engine(database_url or Settings().database_url)
    store_db.upgrade(engine)
    return engine, store_db.make_sessionmaker(engine)


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--today {text!r} is not a date; write it as YYYY-MM-DD") from None


@reminders_app.command("send")
def send(
    today: str | None = typer.Option(None, "--today", help="Day to send for (YYYY-MM-DD; default: today)."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
    smtp_host: str | None = typer.Option(None, "--smtp-host", help="Also send the pending emails through this SMTP server (a local relay); without it they wait in the outbox for a mail worker."),
    smtp_port: int = typer.Option(25, "--smtp-port", help="SMTP port."),
    mail_from: str = typer.Option("backcoach@localhost", "--mail-from", help="Sender address of reminder emails."),
) -> None:
    """Queue and send today's visit reminders; a re-run sends nothing twice.

    Each participant linked to a patient account gets an in-app notice (delivered now) and an email (queued in the outbox; sent now with --smtp-host). Run it once a day from one scheduler, e.g. cron.
    """
    from backcoach.app.portal.reminders import send_due_reminders, smtp_mailer
    from backcoach.store import db as store_db

    with user_errors():
        day = _day(today)
        engine, factory = _session(database_url)
        mailer = smtp_mailer(smtp_host, smtp_port, mail_from) if smtp_host else None
        with store_db.transaction(factory) as db:
            report = send_due_reminders(db, day, mailer)
        engine.dispose()
    typer.echo(f"{day}: {report.queued} new outbox row(s); {report.delivered_in_app} in-app notice(s) delivered; "
               f"{report.emailed} email(s) sent, {report.email_failed} failed, {report.email_pending} pending")
    if report.no_account:
        typer.echo(f"due but not linked to a patient account (link them on the participant page): "
                   f"{', '.join(sorted(report.no_account))}")


@reminders_app.command("outbox")
def outbox(
    channel: str = typer.Option("email", "--channel", help="Channel to list: email or in_app."),
    database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_HELP),
) -> None:
    """List the outbox rows not sent yet (what a mail worker still has to deliver)."""
    from backcoach.app.portal.reminders import EMAIL, IN_APP
    from backcoach.store.repo import reminders as reminder_repo

    with user_errors():
        if channel not in (EMAIL, IN_APP):
            raise UserError(f"--channel {channel!r}: expected {EMAIL} or {IN_APP}")
        engine, factory = _session(database_url)
        with factory() as db:
            rows = reminder_repo.pending(db, channel)
            lines = [f"{r.id}\t{r.remind_on}\t{r.address or f'user {r.user_id}'}\t{r.subject}\t"
                     f"attempts={r.attempts}{f'  last error: {r.last_error}' if r.last_error else ''}" for r in rows]
        engine.dispose()
    typer.echo("\n".join(lines) if lines else f"no pending {channel} reminders")


def register(app: typer.Typer) -> None:
    app.add_typer(reminders_app, name="reminders")

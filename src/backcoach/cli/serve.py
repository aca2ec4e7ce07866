"""``backcoach serve`` and ``backcoach demo``: run the web app."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from backcoach.cli._errors import user_errors
from backcoach.paths import ROOT

console = Console()
DEFAULT_DEMO_DB = ROOT / "var" / "demo.db"


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    reload: bool = typer.Option(False, help="Restart when the code changes (development)."),
) -> None:
    """Serve the web app with the settings from the environment (DATABASE_URL, SECRET_KEY...)."""
    uvicorn.run(
        "backcoach.app.main:create_app", factory=True, host=host, port=port, reload=reload
    )


def demo(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    db: Path = typer.Option(DEFAULT_DEMO_DB, help="SQLite file for the demo clinic (reset on start)."),
) -> None:
    """Reset a SQLite database with a demo clinic, print the sign-ins, and serve the app."""
    from backcoach.app.demo import DEMO_PASSWORD, seed_demo
    from backcoach.app.main import create_app
    from backcoach.app.settings import Settings
    from backcoach.store import db as store_db

    with user_errors(OSError):
        db.parent.mkdir(parents=True, exist_ok=True)
        store_db.delete_sqlite_file(db)
    url = f"sqlite:///{db.resolve()}"
    engine = store_db.make_engine(url)
    store_db.upgrade(engine)
    with store_db.transaction(store_db.make_sessionmaker(engine)) as session:
        logins = seed_demo(session)

    address = f"http://{host}:{port}"
    # A fresh random secret per demo run: sessions end when the demo stops, which is fine.
    settings = Settings(
        database_url=url,
        secret_key=secrets.token_urlsafe(32),
        public_url=address,
        migrate_on_startup=False,
    )
    table = Table(title=f"Demo sign-ins (password for all: {DEMO_PASSWORD})")
    table.add_column("role")
    table.add_column("email")
    table.add_column("who")
    for login in logins:
        table.add_row(login.role, login.email, login.description)
    console.print(table)
    console.print(f"[bold]backcoach demo[/] is running at [link={address}]{address}[/link]")
    console.print(f"database: {db}")
    uvicorn.run(create_app(settings, engine), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from backcoach.cli import serve as serve_module
from backcoach.cli.main import app
from backcoach.store import db as store_db
from backcoach.store.models import Plan, User

runner = CliRunner()


def test_demo_resets_the_database_prints_sign_ins_and_serves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served = {}
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    db_path = tmp_path / "demo.db"
    db_path.write_text("not a database")  # a stale file is replaced, not reused
    stale_wal = tmp_path / "demo.db-wal"
    stale_wal.write_text("a log of another database")  # would be replayed into the new file
    (tmp_path / "demo.db-shm").write_text("stale index")
    upgrade = store_db.upgrade
    left_over = []

    def checked_upgrade(engine, revision="head"):  # the first connection to the fresh file
        left_over.extend(p.name for p in tmp_path.iterdir())
        upgrade(engine, revision)

    monkeypatch.setattr(store_db, "upgrade", checked_upgrade)
    result = runner.invoke(app, ["demo", "--port", "8123", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123" in result.output
    assert "therapist@demo.backcoach" in result.output and "backcoach-demo" in result.output
    assert served["port"] == 8123 and served["host"] == "127.0.0.1"
    assert served["app"].state.settings.public_url == "http://127.0.0.1:8123"
    engine = store_db.make_engine(f"sqlite:///{db_path}")
    with store_db.make_sessionmaker(engine)() as db:
        emails = set(db.scalars(select(User.email)))
        assert {"therapist@demo.backcoach", "new@demo.backcoach", "week1@demo.backcoach",
                "week3@demo.backcoach", "researcher@demo.backcoach", "admin@demo.backcoach"} <= emails
        with_plans = set(db.scalars(select(User.email).join(Plan, Plan.patient_id == User.id).where(Plan.active)))
        assert {"week1@demo.backcoach", "week3@demo.backcoach"} <= with_plans
        assert "new@demo.backcoach" not in with_plans
        assert db.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert left_over == []  # the database and its -wal/-shm were all gone before it was recreated


def test_serve_passes_options_to_uvicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    served = {}
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda target, **kw: served.update(target=target, **kw))
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000", "--reload"])
    assert result.exit_code == 0, result.output
    assert served == {"target": "backcoach.app.main:create_app", "factory": True, "host": "0.0.0.0",
                      "port": 9000, "reload": True}


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_commands_have_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "--port" in result.output

"""Alembic environment: runs against the engine handed over by ``backcoach.store.db``."""

from __future__ import annotations

from alembic import context

from backcoach.store import models  # noqa: F401  (registers every table on the metadata)
from backcoach.store.base import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

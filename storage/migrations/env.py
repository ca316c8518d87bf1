"""Alembic environment: runs on the engine handed over by storage.migrate, or on DATABASE_URL."""

from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import Connection

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(os.environ.get("DATABASE_URL") or "sqlite:///dialogbot.sqlite3")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one, and with foreign keys on, dropping a
            # parent (workspaces, meetings) deletes every child row by cascade. Off for the
            # migration, set on the raw connection outside any transaction (SQLite ignores it inside
            # one), checked and back on afterwards.
            _raw(connection).execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things in place; batch mode copies the table instead.
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows without their parents: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                _raw(connection).execute("PRAGMA foreign_keys=ON")


def _raw(connection: Connection) -> Any:
    """The driver's own connection, which runs a statement outside SQLAlchemy's transaction."""
    return connection.connection.driver_connection


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them against a database.")
run_migrations_online()

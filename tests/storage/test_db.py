"""Storage: aware UTC timestamps on every backend, and migrations that go both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import StatementError

from storage.db import make_engine, normalise_url
from storage.migrate import downgrade, upgrade
from storage.models import Base, Workspace


def test_timestamps_come_back_aware_utc_whatever_zone_went_in(sessions) -> None:
    oslo_summer = datetime(2026, 7, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with sessions.begin() as session:
        session.add(Workspace(platform="slack", external_id="T1", last_topic_no=0,
                              last_meeting_no=0, created_at=oslo_summer))
    with sessions() as session:
        stored = session.scalars(select(Workspace)).one().created_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == oslo_summer
    assert stored.hour == 12 and stored.microsecond == 123456


def test_timestamps_compare_correctly_in_queries(sessions) -> None:
    base = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the night Oslo leaves summer time
    with sessions.begin() as session:
        for n in range(4):
            session.add(Workspace(platform="slack", external_id=f"T{n}", last_topic_no=0,
                                  last_meeting_no=0, created_at=base + timedelta(hours=n)))
    cutoff = (base + timedelta(hours=1, minutes=30)).astimezone(timezone(timedelta(hours=2)))
    with sessions() as session:
        later = session.scalars(select(Workspace.external_id).where(Workspace.created_at > cutoff)).all()
    assert sorted(later) == ["T2", "T3"]


def test_naive_datetimes_are_refused(sessions) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as session:
        session.add(Workspace(platform="slack", external_id="T1", last_topic_no=0,
                              last_meeting_no=0, created_at=datetime(2026, 1, 1)))
        session.flush()


def test_migrations_build_the_model_schema_and_roll_back(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set(Base.metadata.tables)


def test_models_and_migrations_agree(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.sqlite3", "sqlite:///x.sqlite3"),
    ],
)
def test_database_urls_use_psycopg_3(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_sqlite_enforces_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_a_savepoint_does_not_commit_the_outer_transaction(sessions) -> None:
    # pysqlite alone would commit at RELEASE SAVEPOINT; the engine takes transaction control back.
    with pytest.raises(RuntimeError), sessions.begin() as session:
        with session.begin_nested():
            session.add(Workspace(platform="slack", external_id="T1", last_topic_no=0,
                                  last_meeting_no=0, created_at=datetime(2026, 1, 1, tzinfo=UTC)))
        raise RuntimeError("the use case fails after the savepoint")
    with sessions() as session:
        assert session.scalars(select(Workspace)).all() == []

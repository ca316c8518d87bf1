"""Migration 0003 keeps what was there: Slack's (channel, ts) pairs become one opaque reference,
a DM destination becomes a person, and ids may grow past 64 characters."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Engine

from storage.db import UTCDateTime
from storage.migrate import downgrade, upgrade

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _deliveries(*extra: sa.Column) -> sa.TableClause:
    return sa.table(
        "deliveries", sa.column("id"), sa.column("workspace_id"), sa.column("dedupe_key"), sa.column("kind"),
        sa.column("dest_platform"), sa.column("dest_kind"), sa.column("dest_id"),
        sa.column("due_at", UTCDateTime()), sa.column("state"), sa.column("attempts"),
        sa.column("content_version"), sa.column("synced_version"), sa.column("created_at", UTCDateTime()),
        *extra,
    )


def _row(id_: int, kind: str, dest_kind: str, dest_id: str, **values: object) -> dict[str, object]:
    return {"id": id_, "workspace_id": 1, "dedupe_key": f"k{id_}", "kind": kind, "dest_platform": "slack",
            "dest_kind": dest_kind, "dest_id": dest_id, "due_at": T0, "state": "sent", "attempts": 1,
            "content_version": 1, "synced_version": 1, "created_at": T0, **values}


def test_upgrade_keeps_slack_references_and_names_people_as_people(engine: Engine) -> None:
    downgrade(engine, "0002")
    old = _deliveries(sa.column("ref_channel"), sa.column("ref_ts"))
    with engine.begin() as connection:
        connection.execute(sa.table("workspaces", sa.column("id"), sa.column("platform"), sa.column("external_id"),
                                    sa.column("last_topic_no"), sa.column("last_meeting_no"),
                                    sa.column("created_at", UTCDateTime())).insert(),
                           [{"id": 1, "platform": "slack", "external_id": "T1", "last_topic_no": 0,
                             "last_meeting_no": 0, "created_at": T0}])
        connection.execute(old.insert(), [
            _row(1, "meeting_invitation", "channel", "C0DIALOG", ref_channel="C0DIALOG", ref_ts="1700000000.000100"),
            _row(2, "meeting_invitation", "user", "U1", ref_channel="D1", ref_ts="1700000000.000200"),
            _row(3, "meeting_reminder", "user", "U2", ref_channel=None, ref_ts=None),
        ])
    upgrade(engine)
    new = _deliveries(sa.column("message_ref"))
    with engine.connect() as connection:
        rows = connection.execute(sa.select(new.c.id, new.c.dest_kind, new.c.message_ref).order_by(new.c.id)).all()
    assert [tuple(r) for r in rows] == [
        (1, "channel", "C0DIALOG:1700000000.000100"),
        (2, "person", "D1:1700000000.000200"),
        (3, "person", None),
    ]
    long_id = "29:" + "x" * 200  # a Teams conversation member id is far longer than Slack's
    with engine.begin() as connection:
        connection.execute(new.insert(), [_row(4, "meeting_invitation", "person", long_id, message_ref="r" * 500)])
    with engine.connect() as connection:
        assert connection.scalar(sa.select(new.c.dest_id).where(new.c.id == 4)) == long_id
        connection.execute(new.delete().where(new.c.id == 4))
        connection.commit()

    downgrade(engine, "0002")
    with engine.connect() as connection:
        back = connection.execute(sa.select(old.c.id, old.c.dest_kind, old.c.ref_channel, old.c.ref_ts)
                                  .order_by(old.c.id)).all()
    assert [tuple(r) for r in back] == [
        (1, "channel", "C0DIALOG", "1700000000.000100"),
        (2, "user", "D1", "1700000000.000200"),
        (3, "user", None, None),
    ]
    upgrade(engine)

"""Kill -9 during an urgent call's fan-out to Teams contacts, restart: nobody gets an invitation
twice, and the only contacts who may get none are the ones whose invitation was in doubt at the
kill, each recorded as such.

The fake Bot Connector takes each activity at once but answers slowly, so the kill lands while
several invitations sit with Teams unacknowledged: Teams has them, the bot has not recorded them.
Teams cannot be asked afterwards what a bot sent (`find_sent` cannot tell) and a second copy would
be a second message in the person's chat, so the restarted bot takes every row in doubt as sent,
at most once, and says so on the row; rows it had only claimed are released and sent.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from fakes.teams import activities
from fakes.teams.connector import Sent
from handlers.teams import PLATFORM as TEAMS
from handlers.teams.notifier import DELIVERY_KEY
from handlers.teams.refs import to_ref
from services.deliveries.engine import Deliveries
from services.meetings import INVITE
from storage.db import make_engine
from storage.models import Contact, Delivery, DeliveryState, Organisation, Tier, Workspace
from tests.support.bot_process import free_port, rows_in_flight, wait_healthy
from tests.support.teams_process import SlowConnector, install, post_activity, start_teams_bot

TITLE = "Krisemøte om flomvarsel"
COORDINATOR = activities.user("Kari Koordinator")
ORGANISATIONS = {f"Teams Org {n:02d}": [activities.user(f"Kontakt {n:02d}.{m:02d}") for m in range(15)]
                 for n in range(10)}
CONTACTS = {str(p.aad_object_id): p for people in ORGANISATIONS.values() for p in people}
# How long the Connector sits on each activity before answering: the kill lands in there.
SLOW_ANSWER = 0.5
# The engine's sending threads (Deliveries' default, as runtime.build leaves it): the most sends
# that can be in flight, so the most invitations that can be in doubt at a kill.
SENDING_THREADS = Deliveries.__init__.__kwdefaults__["workers"]
# What the delivery engine writes on a row a platform that cannot tell took as sent.
AT_MOST_ONCE = "sent at most once: the platform cannot tell whether it arrived"

Rows = dict[str, tuple[int, DeliveryState, str | None, str | None]]


def _seed_roster(database_url: str) -> None:
    """Organisations of Teams contacts, stored as the roster stores them (no privacy notices:
    the fan-out under test is the invitations')."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            workspace_id = conn.scalar(select(Workspace.id).where(Workspace.platform == TEAMS,
                                                                  Workspace.external_id == activities.TENANT_ID))
            assert workspace_id is not None, "the bot makes its workspace as it starts"
            now = datetime.now(ZoneInfo("UTC"))
            for name, people in ORGANISATIONS.items():
                organisation_id = conn.execute(Organisation.__table__.insert().values(
                    workspace_id=workspace_id, name=name, name_key=name.casefold(), tier=Tier.CORE,
                    preferred_time="any", created_at=now)).inserted_primary_key[0]
                conn.execute(Contact.__table__.insert(), [
                    {"organisation_id": organisation_id, "platform": TEAMS, "user_id": str(p.aad_object_id),
                     "created_at": now} for p in people])
    finally:
        engine.dispose()


def _invitation_rows(database_url: str) -> Rows:
    """Per contact (object id), their invitation's row: id, state, message reference, last error."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {dest: (row_id, DeliveryState(state), ref, error)
                    for row_id, dest, state, ref, error in conn.execute(
                        select(Delivery.id, Delivery.dest_id, Delivery.state, Delivery.message_ref,
                               Delivery.last_error)
                        .where(Delivery.dest_platform == TEAMS, Delivery.kind == INVITE,
                               Delivery.dest_id.in_(list(CONTACTS))))}
    finally:
        engine.dispose()


def _in_doubt(database_url: str) -> set[str]:
    """The contacts whose invitation was being handed to Teams when the bot died."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(Delivery.dest_id).where(
                Delivery.dest_platform == TEAMS, Delivery.kind == INVITE, Delivery.dest_id.in_(list(CONTACTS)),
                Delivery.state == DeliveryState.SENDING, Delivery.send_started_at.is_not(None))))
    finally:
        engine.dispose()


def _delivery_id(sent: Sent) -> int | None:
    found = (sent.activity.get("channelData") or {}).get(DELIVERY_KEY) or {}
    return found.get("deliveryId")


def _taken(sent: list[Sent], rows: Rows) -> dict[str, list[Sent]]:
    """Per contact, the invitations the Connector took into their chat (by the delivery id each
    activity carries, cross-checked with the chat it went to)."""
    by_row = {row_id: dest for dest, (row_id, _, _, _) in rows.items()}
    taken: dict[str, list[Sent]] = {dest: [] for dest in rows}
    for activity in sent:
        dest = by_row.get(_delivery_id(activity))
        if dest is not None and activity.operation in ("send", "create"):
            assert activity.conversation_id == activities.personal_conversation(CONTACTS[dest])
            taken[dest].append(activity)
    return taken


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll what a child process writes to the database until it holds (nothing else to observe)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def _invitations_in_chats(connector: SlowConnector) -> int:
    return sum(1 for s in connector.sent if s.operation == "send" and s.conversation_id.startswith("a:")
               and TITLE in str(s.activity))


def _prepare(url: str, connector: SlowConnector, database_url: str) -> None:
    """Everyone installs the app, the coordinator sets up the dialogue channel, the roster is seeded."""
    install(url, connector, COORDINATOR)
    for person in CONTACTS.values():
        install(url, connector, person)
    setup = activities.message(f"{activities.at(activities.bot())} setup", sender=COORDINATOR, scope="channel")
    assert post_activity(url, connector, setup) == 200
    connector.wait_for(lambda sent: [s for s in sent if s.conversation_id.startswith(activities.CHANNEL_ID)])
    _seed_roster(database_url)


def _start(tmp_path: Path, database_url: str, port: int, log: str) -> subprocess.Popen[bytes]:
    return start_teams_bot(tmp_path, log, database_url=database_url, port=port, coordinator=COORDINATOR,
                           DIALOG_LANGUAGE="nb", DIALOG_REMINDERS="", DIALOG_NUDGE_AFTER="1d")


def test_sigkill_mid_teams_fan_out_sends_nobody_two_and_reports_what_was_in_doubt(
        tmp_path: Path, database_url: str) -> None:
    with SlowConnector() as connector:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        first = _start(tmp_path, database_url, port, "first.log")
        try:
            wait_healthy(url, first)
            _prepare(url, connector, database_url)
            connector.delay = SLOW_ANSWER
            starts = datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(hours=3)
            urgent = activities.message(f"hast {starts:%Y-%m-%d %H:%M} {TITLE}", sender=COORDINATOR)
            assert post_activity(url, connector, urgent) == 200
            # Mid fan-out: some invitations are through, most are not.
            connector.wait_for(lambda sent: _invitations_in_chats(connector) >= 30, timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        assert 0 < _invitations_in_chats(connector) < len(CONTACTS), "the kill must land mid fan-out"
        only_claimed, started = rows_in_flight(database_url)
        in_doubt = _in_doubt(database_url)
        # The sweep claims a batch and sends a few at a time: most claimed rows never started, and
        # at most one per sending thread was being handed over.
        assert only_claimed > 0 and 0 < len(in_doubt) <= started <= SENDING_THREADS, (
            only_claimed, started, in_doubt)
        assert any(state == DeliveryState.SENT for _, state, _, _ in _invitation_rows(database_url).values())

        connector.delay = 0.0
        calls_before = len(connector.calls)
        second = _start(tmp_path, database_url, port, "second.log")
        try:
            wait_healthy(url, second)
            # Rows in doubt wait for the dead worker's heartbeat to go stale before recovery.
            assert _wait(lambda: all(state == DeliveryState.SENT
                                     for _, state, _, _ in _invitation_rows(database_url).values()), timeout=90), (
                Counter(state for _, state, _, _ in _invitation_rows(database_url).values()))
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        log = (tmp_path / "second.log").read_text()
        assert second.returncode == 0, log[-3000:]

    # Every row is settled as sent, so what the Connector took is all that will ever be sent.
    rows = _invitation_rows(database_url)
    assert set(rows) == set(CONTACTS)
    taken = _taken(connector.sent, rows)
    copies = Counter({dest: len(found) for dest, found in taken.items()})
    # Nobody got the invitation twice: a row in doubt is never resent.
    assert max(copies.values()) == 1, {d: c for d, c in copies.items() if c > 1}
    # Nobody is without it but for rows in doubt at the kill (whose activity had not reached Teams).
    missing = {dest for dest, count in copies.items() if count == 0}
    assert missing <= in_doubt, missing - in_doubt
    # The kill caught invitations Teams had taken but not answered: resending them would have shown.
    assert in_doubt - missing, (in_doubt, missing)
    for dest, (_, state, ref, error) in rows.items():
        assert state == DeliveryState.SENT, dest
        if dest in in_doubt:
            # Reported on its row: sent at most once, unconfirmed, with no reference to update.
            assert (ref, error) == (None, AT_MOST_ONCE), (dest, ref, error)
        else:
            [activity] = taken[dest]
            assert ref == to_ref(activity.conversation_id, activity.activity_id).value, dest
            assert error != AT_MOST_ONCE
    assert log.count("recorded as sent, not resent") >= len(in_doubt)
    # Teams was never asked what it had: the restarted bot only posted (and updated the channel's card).
    assert {call.method for call in connector.calls[calls_before:]} <= {"POST", "PUT"}
    print(f"\nin flight at the kill: {only_claimed} claimed, {started} started; "
          f"{len(in_doubt)} invitations in doubt, {len(missing)} of them never reached Teams")

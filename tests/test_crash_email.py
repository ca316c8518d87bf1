"""Kill -9 during a fan-out to e-mail contacts, restart: nobody is lost, and the only copies sent
twice are the ones in doubt at the kill, each with the Message-ID of its first copy.

The SMTP server (aiosmtpd on loopback) takes each message at once but answers its DATA slowly, so
the kill lands while several messages sit with the server unacknowledged: the server has them, the
bot has not recorded them. SMTP cannot be asked afterwards whether it took a message, so the
restarted bot sends those again, as the same message (the same delivery, so the same Message-ID),
at least once; everything the bot had recorded as sent is never sent again, and rows it had only
claimed are simply released.

In-process, with the injected clock, the same for a connection lost mid-message: after the server
took it (sent again, the same Message-ID) or before (sent once); and the server's own answers
through the engine: greylisting (451) retried and sent once, an unknown user (550) failed for good.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from fakes.slack import FakeSlack, SlackRequester
from handlers.email.links import Links
from handlers.email.notifier import EmailNotifier, SmtpSettings
from handlers.email.render import EmailContext
from services.calendar import Calendars
from services.clock import ManualClock
from services.container import Services, build_services
from services.deliveries.engine import Deliveries
from services.meetings import INVITE
from services.people import EMAIL
from services.privacy import PrivacySettings
from storage.db import make_engine
from storage.models import Contact, Delivery, DeliveryState, Organisation, Tier, Workspace
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator
from tests.support.bot_process import free_port, rows_in_flight, start_logged_bot, wait_healthy
from tests.support.harness import SIGNING_SECRET, fake_workspace
from tests.support.notifier import RecordingNotifier
from tests.support.smtp import SmtpServer, _Handler
from tests.support.smtp import free_port as free_smtp_port

TITLE = "Crisis coordination"
SENDER = "Dialogbot <dialog@example.org>"
ORGANISATIONS = {f"Mail Org {n:02d}": [f"contact{n:02d}.{m:02d}@example.org" for m in range(15)]
                 for n in range(10)}
ADDRESSES = sorted(a for people in ORGANISATIONS.values() for a in people)
# How long the server sits on each message before saying it took it: the kill lands in there.
SLOW_ANSWER = 0.5
# The engine's sending threads (Deliveries' default, as runtime.build leaves it): the most sends
# that can be in flight, so the most messages that can be in doubt at a kill.
SENDING_THREADS = Deliveries.__init__.__kwdefaults__["workers"]


class _SlowAnswers(_Handler):
    """Keeps each message as soon as it arrived, as a real server queues it, then answers its DATA
    after `slow` seconds (0: at once)."""

    def __init__(self, server: SmtpServer) -> None:
        super().__init__(server)
        self.slow = SLOW_ANSWER

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.slow)
        return answer


@contextmanager
def _slow_smtp() -> Iterator[tuple[SmtpServer, _SlowAnswers]]:
    """The test SMTP server (tests/support/smtp.py) on loopback, answering slowly."""
    server = SmtpServer("127.0.0.1", free_smtp_port())
    handler = _SlowAnswers(server)
    controller = Controller(handler, hostname=server.host, port=server.port, ready_timeout=10)
    controller.start()
    try:
        yield server, handler
    finally:
        controller.stop()


def _start(tmp_path: Path, fake: FakeSlack, server: SmtpServer, database_url: str, port: int,
           log: str) -> subprocess.Popen[bytes]:
    return start_logged_bot(
        tmp_path, log, api_url=fake.api_url, bot_token=fake.bot_token, database_url=database_url,
        port=port, DIALOG_INVITE_LEAD="3h", DIALOG_REMINDERS="", DIALOG_NUDGE_AFTER="1d",
        DIALOG_PUBLIC_URL=f"http://127.0.0.1:{port}", SMTP_HOST=server.host, SMTP_PORT=str(server.port),
        SMTP_SECURITY="none", EMAIL_FROM=SENDER)


def _seed_roster(database_url: str, team_id: str) -> None:
    """Organisations whose contacts are e-mail addresses, stored as the roster stores them."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            workspace_id = conn.scalar(select(Workspace.id).where(Workspace.platform == "slack",
                                                                  Workspace.external_id == team_id))
            assert workspace_id is not None, "the bot makes its workspace as it starts"
            now = datetime.now(UTC)
            for name, addresses in ORGANISATIONS.items():
                organisation_id = conn.execute(Organisation.__table__.insert().values(
                    workspace_id=workspace_id, name=name, name_key=name.casefold(), tier=Tier.CORE,
                    preferred_time="any", created_at=now)).inserted_primary_key[0]
                conn.execute(Contact.__table__.insert(), [
                    {"organisation_id": organisation_id, "platform": EMAIL, "user_id": address,
                     "created_at": now} for address in addresses])
    finally:
        engine.dispose()


def _in_doubt(database_url: str) -> set[str]:
    """The addresses whose invitation was being handed over when the bot died."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(select(Delivery.dest_id).where(
                Delivery.dest_platform == EMAIL, Delivery.kind == INVITE, Delivery.state == DeliveryState.SENDING,
                Delivery.send_started_at.is_not(None))))
    finally:
        engine.dispose()


def _email_rows(database_url: str) -> dict[str, tuple[DeliveryState, str | None, int]]:
    """Per address, its invitation's row: state, the Message-ID recorded, attempts."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {dest: (DeliveryState(state), ref, attempts) for dest, state, ref, attempts in conn.execute(
                select(Delivery.dest_id, Delivery.state, Delivery.message_ref, Delivery.attempts)
                .where(Delivery.dest_platform == EMAIL, Delivery.kind == INVITE))}
    finally:
        engine.dispose()


def _invitations(server: SmtpServer) -> dict[str, list[str]]:
    """Per address, the Message-IDs of the invitations it received, in order of arrival."""
    received: dict[str, list[str]] = defaultdict(list)
    for message in server.messages():
        # Stripped: Python folds a long subject right after "Subject:" and reads the fold back as
        # a leading space (mail programs unfold it away).
        if str(message["Subject"]).strip().startswith(TITLE):
            [to] = message["To"].addresses
            received[to.addr_spec].append(str(message["Message-ID"]))
    return received


def _wait(condition: Any, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


def test_sigkill_mid_email_fan_out_loses_nobody_and_resends_only_what_was_in_doubt(
        tmp_path: Path, database_url: str) -> None:
    with fake_workspace() as fake, _slow_smtp() as (server, answers):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        first = _start(tmp_path, fake, server, database_url, port, "first.log")
        try:
            wait_healthy(url, first)
            _seed_roster(database_url, fake.team_id)
            slack = SlackRequester(url, SIGNING_SECRET, team_id=fake.team_id)
            starts = datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(hours=2)
            slack.slash_command(f"schedule {starts:%Y-%m-%d %H:%M} {TITLE}", user_id=COORDINATOR,
                                response_url=fake.response_url("schedule"))
            # Mid fan-out: some invitations are through, most are not.
            assert _wait(lambda: sum(map(len, _invitations(server).values())) >= 30, timeout=60), (
                (tmp_path / "first.log").read_text()[-3000:])
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        before = _invitations(server)
        sent_before = sum(map(len, before.values()))
        assert 0 < sent_before < len(ADDRESSES), "the kill must land mid fan-out"
        assert all(len(ids) == 1 for ids in before.values())
        only_claimed, started = rows_in_flight(database_url)
        in_doubt = _in_doubt(database_url)
        # The sweep claims a batch and sends a few at a time: most claimed rows never started, and
        # at most one per sending thread was being handed over.
        assert only_claimed > 0 and 0 < started <= SENDING_THREADS, (only_claimed, started)
        recorded = {address for address, (state, _, _) in _email_rows(database_url).items()
                    if state == DeliveryState.SENT}
        assert recorded and not recorded & in_doubt

        answers.slow = 0.0
        second = _start(tmp_path, fake, server, database_url, port, "second.log")
        try:
            wait_healthy(url, second)
            assert _wait(lambda: set(_invitations(server)) >= set(ADDRESSES), timeout=90), (
                sorted(set(ADDRESSES) - set(_invitations(server))))
            assert _wait(lambda: all(state == DeliveryState.SENT
                                     for state, _, _ in _email_rows(database_url).values()), timeout=30)
            # Give a would-be duplicate every chance to appear: the sweep runs every second.
            _wait(lambda: sum(map(len, _invitations(server).values())) > len(ADDRESSES) + len(in_doubt),
                  timeout=3)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        log = (tmp_path / "second.log").read_text()
        assert second.returncode == 0, log[-3000:]

    received = _invitations(server)
    # Nobody lost.
    assert set(received) == set(ADDRESSES)
    copies = Counter({address: len(ids) for address, ids in received.items()})
    twice = {address for address, count in copies.items() if count > 1}
    # Nobody got it twice whose send the server confirmed and the bot recorded: the only second
    # copies are of rows in doubt at the kill, never more than one each.
    assert twice <= in_doubt, (twice - in_doubt, in_doubt)
    assert max(copies.values()) <= 2
    assert len(twice) <= SENDING_THREADS
    # The server sat on the messages in doubt: it had them, so they arrive twice, as one message.
    assert twice, (in_doubt, {a: received[a] for a in in_doubt})
    for address in twice:
        first_copy, second_copy = received[address]
        assert first_copy == second_copy, address
    # Every other invitation is its own message.
    message_ids = [ids[0] for ids in received.values()]
    assert len(set(message_ids)) == len(ADDRESSES)
    # The database agrees: every row sent, the ones in doubt on their second attempt.
    rows = _email_rows(database_url)
    assert {address for address, (state, _, _) in rows.items() if state == DeliveryState.SENT} == set(ADDRESSES)
    assert all(rows[address][1] == received[address][0] for address in ADDRESSES)
    assert "sending it again as the same message" in log
    assert "e-mail contacts are on the roster, but" not in log  # start-up found e-mail set up
    assert fake.bot_token not in log and SIGNING_SECRET not in log


# In-process, with the injected clock: the connection to the SMTP server is lost mid-message.

class _HangsUp(_Handler):
    """Takes the next `after_data` messages, then hangs up before saying it took them (the reply the
    bot waits for never comes); hangs up at RCPT for the next `at_rcpt` (before any message)."""

    def __init__(self, server: SmtpServer) -> None:
        super().__init__(server)
        self.after_data = 0
        self.at_rcpt = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if self.at_rcpt:
            self.at_rcpt -= 1
            server.transport.close()
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        if self.after_data:
            self.after_data -= 1
            server.transport.close()
        return answer


@contextmanager
def _hanging_up() -> Iterator[tuple[SmtpServer, _HangsUp]]:
    server = SmtpServer("127.0.0.1", free_smtp_port())
    handler = _HangsUp(server)
    controller = Controller(handler, hostname=server.host, port=server.port, ready_timeout=10)
    controller.start()
    try:
        yield server, handler
    finally:
        controller.stop()


def _mailing_services(sessions: sessionmaker[Session], clock: ManualClock, port: int) -> Services:
    """The services as the bot wires them, e-mail through the SMTP server on `port`."""
    links = Links("k" * 64, "https://dialog.example.org", clock=lambda: clock.now().timestamp())
    context = EmailContext(links=links, zone=ZoneInfo("Europe/Oslo"), default_language="en",
                           calendar=Calendars(sessions, clock, ZoneInfo("Europe/Oslo")).for_attendee,
                           sender=SENDER, public_url="https://dialog.example.org", clock=clock.now)
    email = EmailNotifier(SmtpSettings("127.0.0.1", port, "none", "", "", SENDER), context)
    return build_services(sessions, clock, RecordingNotifier("slack"), also=(email,), platform="slack",
                          channel_id=CHANNEL, coordinators=(COORDINATOR,), default_language="en",
                          timings=TIMINGS, privacy=PrivacySettings(notices=False))


def _invite(services: Services, sessions: sessionmaker[Session], clock: ManualClock, address: str) -> int:
    """An organisation whose only contact is `address`, invited to a meeting; its invitation's row."""
    services.roster.add(coordinator(), "Bydelsmødrene", Tier.CORE)
    with sessions.begin() as session:
        organisation_id = session.scalar(select(Organisation.id).where(Organisation.name == "Bydelsmødrene"))
        session.add(Contact(organisation_id=organisation_id, platform=EMAIL, user_id=address,
                            created_at=clock.now()))
    services.meetings.schedule(coordinator(), title=TITLE, starts_at=clock.now() + timedelta(days=5))
    with sessions() as session:
        [row] = session.scalars(select(Delivery.id).where(Delivery.dest_platform == EMAIL,
                                                          Delivery.kind == INVITE)).all()
    return row


def _row_state(sessions: sessionmaker[Session], row: int) -> tuple[DeliveryState, str | None, str | None]:
    with sessions() as session:
        delivery = session.get(Delivery, row)
        assert delivery is not None
        return delivery.state, delivery.claimed_by, delivery.message_ref


def _sweep_until(services: Services, clock: ManualClock, done: Callable[[], bool], rounds: int = 8) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        services.deliveries.wait_for_lookups()
        if done():
            return
        clock.advance(timedelta(seconds=20))


def test_a_connection_lost_after_the_server_took_the_message_sends_it_again_as_the_same(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    with _hanging_up() as (server, handler):
        services = _mailing_services(sessions, clock, server.port)
        row = _invite(services, sessions, clock, "kari@example.org")
        handler.after_data = 1
        services.deliveries.sweep()
        # The server has it; the bot never heard so: in doubt, not simply retried.
        assert len(server.received) == 1
        state, claimed_by, _ = _row_state(sessions, row)
        assert state == DeliveryState.SENDING and claimed_by is None
        _sweep_until(services, clock, lambda: _row_state(sessions, row)[0] == DeliveryState.SENT)
        for _ in range(3):
            clock.advance(timedelta(minutes=5))
            services.deliveries.sweep()
        first, second = (received.message for received in server.received)
        assert first["Message-ID"] == second["Message-ID"]
        assert _row_state(sessions, row)[2] == first["Message-ID"]


def test_a_connection_lost_before_the_message_went_sends_it_once(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    with _hanging_up() as (server, handler):
        services = _mailing_services(sessions, clock, server.port)
        row = _invite(services, sessions, clock, "kari@example.org")
        handler.at_rcpt = 1
        services.deliveries.sweep()
        assert server.received == []
        _sweep_until(services, clock, lambda: _row_state(sessions, row)[0] == DeliveryState.SENT)
        for _ in range(3):
            clock.advance(timedelta(minutes=5))
            services.deliveries.sweep()
        [received] = server.received
        assert _row_state(sessions, row)[2] == received.message["Message-ID"]


def test_a_greylisting_server_gets_the_message_once_after_the_back_off(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    with _hanging_up() as (server, _):
        services = _mailing_services(sessions, clock, server.port)
        server.refuse["kari@example.org"] = "451 4.7.1 Greylisted, try again later"
        row = _invite(services, sessions, clock, "kari@example.org")
        services.deliveries.sweep()
        state, _, _ = _row_state(sessions, row)
        assert state == DeliveryState.PENDING and server.received == []
        del server.refuse["kari@example.org"]
        _sweep_until(services, clock, lambda: _row_state(sessions, row)[0] == DeliveryState.SENT)
        clock.advance(timedelta(minutes=5))
        services.deliveries.sweep()
        [received] = server.received
        assert _row_state(sessions, row)[2] == received.message["Message-ID"]


def test_an_unknown_user_fails_for_good_with_the_servers_words_and_is_not_retried(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    with _hanging_up() as (server, _):
        services = _mailing_services(sessions, clock, server.port)
        server.refuse["gone@example.org"] = "550 5.1.1 <gone@example.org>: Recipient address rejected"
        row = _invite(services, sessions, clock, "gone@example.org")
        for _ in range(3):
            services.deliveries.sweep()
            clock.advance(timedelta(minutes=5))
        with sessions() as session:
            delivery = session.get(Delivery, row)
            assert delivery is not None and delivery.state == DeliveryState.FAILED and delivery.attempts == 1
            assert delivery.last_error == "550 5.1.1 <gone@example.org>: Recipient address rejected"
        assert server.received == []

"""How the e-mail notifier reads an SMTP conversation that goes wrong: a failure before the
message went out is simply tried again, one while it went out leaves it in doubt, the server's
refusals of the bot itself call the operator, 421 pauses sending, and a Unicode domain goes out in
ASCII. Against a scripted SMTP server on loopback that answers exactly as told."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.email.links import Links
from handlers.email.notifier import EmailNotifier, SmtpSettings, ascii_address
from handlers.email.render import EmailContext
from services.clock import ManualClock
from services.container import Services
from services.messages import MeetingInvitation
from services.people import EMAIL, Destination, DestinationKind, WorkspaceRef
from services.ports import DeliveryError, RateLimited
from tests.conftest import TEAM
from tests.factories import coordinator

SENDER = "Dialogbot <dialog@example.org>"
DEFAULTS = {"DATA": "354 End data with <CR><LF>.<CR><LF>", ".": "250 2.0.0 Queued", "QUIT": "221 Bye"}


@contextmanager
def scripted(answers: dict[str, str | None]) -> Iterator[tuple[int, list[bytes]]]:
    """An SMTP server that answers each command by its verb (`None`: hang up there); after DATA's
    354 it reads the message and answers `answers["."]`. Yields its port and what it heard."""
    heard: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(answers.get("GREETING", "220 scripted ESMTP").encode() + b"\r\n")
            in_data = False
            for line in lines:
                heard.append(line)
                if in_data:
                    if line != b".\r\n":
                        continue
                    verb, in_data = ".", False
                else:
                    verb = line.split(b" ")[0].strip().upper().decode()
                answer = answers.get(verb, DEFAULTS.get(verb, "250 OK"))
                if verb == "EHLO" and verb not in answers:
                    answer = "250-scripted\r\n250 8BITMIME"
                if answer is None:
                    return  # hang up
                conn.sendall(answer.encode() + b"\r\n")
                if verb == "DATA" and answer.startswith("354"):
                    in_data = True
                if verb == "QUIT":
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, heard
    finally:
        listener.close()
        thread.join(timeout=5)


def _notifier(services: Services, clock: ManualClock, port: int) -> EmailNotifier:
    context = EmailContext(links=Links("k" * 64, "https://dialog.example.org", clock=lambda: clock.now().timestamp()),
                           zone=ZoneInfo("Europe/Oslo"), default_language="en",
                           calendar=services.calendars.for_attendee, sender=SENDER,
                           public_url="https://dialog.example.org", clock=clock.now)
    return EmailNotifier(SmtpSettings("127.0.0.1", port, "none", "", "", SENDER), context)


def _send(services: Services, clock: ManualClock, port: int, address: str = "kari@example.org") -> None:
    clock.advance(timedelta(hours=2))  # each call its own meeting, not at the same time
    card = services.meetings.schedule(coordinator(), title="Winter shelter",
                                      starts_at=clock.now() + timedelta(days=20)).meeting
    destination = Destination(EMAIL, DestinationKind.PERSON, address, "en", WorkspaceRef("slack", TEAM))
    _notifier(services, clock, port).send(destination, MeetingInvitation(card, personal=True), delivery_id=7)


@pytest.fixture
def clock() -> ManualClock:
    from tests.conftest import T0

    return ManualClock(T0)


def test_a_hang_up_before_the_message_went_out_is_retried_not_in_doubt(services: Services,
                                                                       clock: ManualClock) -> None:
    with scripted({"RCPT": None}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert not failed.value.permanent and not failed.value.maybe_sent


def test_a_hang_up_after_the_message_went_out_leaves_it_in_doubt(services: Services, clock: ManualClock) -> None:
    with scripted({".": None}) as (port, heard):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert failed.value.maybe_sent and not failed.value.permanent
    assert any(b"Winter shelter" in line for line in heard), "the message itself went out"


def test_the_servers_own_refusal_to_relay_calls_the_operator_and_is_retried(services: Services,
                                                                            clock: ManualClock) -> None:
    with scripted({"RCPT": "554 5.7.1 <kari@example.org>: Relay access denied"}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert not failed.value.permanent and failed.value.needs_operator
    assert "Relay access denied" in failed.value.reason


def test_a_mailbox_that_does_not_exist_fails_for_good_with_the_servers_words(services: Services,
                                                                           clock: ManualClock) -> None:
    with scripted({"RCPT": "550 5.1.1 <kari@example.org>: Recipient address rejected: User unknown"}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert failed.value.permanent and not failed.value.needs_operator
    assert failed.value.reason.startswith("550 5.1.1")


def test_too_busy_pauses_sending(services: Services, clock: ManualClock) -> None:
    with scripted({"MAIL": "421 4.7.0 Too many connections, slow down"}) as (port, _):
        with pytest.raises(RateLimited):
            _send(services, clock, port)
    with scripted({"GREETING": "421 4.3.2 Service not available, closing channel"}) as (port, _):
        with pytest.raises(RateLimited):
            _send(services, clock, port)


def test_a_421_for_one_recipient_is_that_messages_retry_not_a_pause(services: Services,
                                                                    clock: ManualClock) -> None:
    with scripted({"RCPT": "421 4.4.5 Try this one later"}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert not failed.value.permanent and not failed.value.needs_operator


def test_a_greeting_refused_is_the_operators_not_an_addresss(services: Services, clock: ManualClock) -> None:
    with scripted({"GREETING": "554 5.7.1 You are not welcome here"}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert not failed.value.permanent and failed.value.needs_operator


def test_an_unknown_user_in_a_relay_table_is_the_recipients_not_the_operators(services: Services,
                                                                             clock: ManualClock) -> None:
    said = "550 5.1.1 <kari@example.org>: Recipient address rejected: User unknown in relay recipient table"
    with scripted({"RCPT": said}) as (port, _):
        with pytest.raises(DeliveryError) as failed:
            _send(services, clock, port)
    assert failed.value.permanent and not failed.value.needs_operator


def test_a_unicode_domain_goes_out_in_ascii(services: Services, clock: ManualClock) -> None:
    assert ascii_address("kari@bølgen.no") == "kari@xn--blgen-vua.no"
    # IDNA 2008: ß is its own letter, not "ss" (someone else's domain).
    assert ascii_address("a@straße.de") == "a@xn--strae-oqa.de"
    with scripted({}) as (port, heard):
        _send(services, clock, port, address="kari@bølgen.no")
    said = b"".join(heard)
    assert b"rcpt to:<kari@xn--blgen-vua.no>" in said.lower()
    assert b"To: kari@xn--blgen-vua.no" in said

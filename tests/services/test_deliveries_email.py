"""The delivery engine's policies for e-mail: a message in doubt after a crash is sent again as the
same delivery (at least once), where a platform that cannot tell keeps at most once; rows to people
who stopped e-mail are skipped as they come due; and what chat could not deliver for good goes,
to the chat contact's e-mail address instead, as the same message."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.deliveries import MAX_ATTEMPTS, WORKER_TIMEOUT, Deliveries, SweepReport
from services.meetings import INVITE
from services.messages import MeetingInvitation
from services.people import EMAIL, Actor, Destination, PersonRef, WorkspaceRef
from services.ports import DeliveryError
from services.privacy import PrivacySettings
from storage.models import Contact, Delivery, DeliveryState, Tier
from tests.conftest import CHANNEL, COORDINATOR, TEAM, TIMINGS
from tests.factories import coordinator, workspace
from tests.support.notifier import RecordingNotifier

KARI = "kari@example.org"
NOTE = "note"


class _Crash(BaseException):
    """The process dies right after the platform took the message."""


class EmailLike(RecordingNotifier):
    """A platform like e-mail: it cannot search what it sent, and says a second copy of a message
    in doubt is harmless (`resend_in_doubt`); or, with `at_least_once=False`, a platform that cannot
    tell and keeps at most once."""

    def __init__(self, *, at_least_once: bool = True) -> None:
        super().__init__(EMAIL, searchable=False)
        self.resend_in_doubt = at_least_once
        self.crash_after_send = 0

    def send(self, destination, message, *, delivery_id: int):  # type: ignore[no-untyped-def]
        ref = super().send(destination, message, delivery_id=delivery_id)
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise _Crash()
        return ref


def _note(session: Session, delivery: Delivery) -> str:
    # The subject part of the key: a copy planned for another destination composes the same.
    return f"note about {delivery.dedupe_key.split(':')[0]}"


def _engine(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier) -> Deliveries:
    deliveries = Deliveries(sessions, clock, notifier, workers=1)
    deliveries.register(NOTE, _note)  # type: ignore[arg-type]
    return deliveries


def _workspace_id(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return workspace(session).id


def _plan(deliveries: Deliveries, sessions: sessionmaker[Session], clock: ManualClock,
          destination: Destination, key: str) -> int:
    with sessions.begin() as session:
        return deliveries.plan(session, workspace_id=workspace(session).id, kind=NOTE, key=key,
                               destination=destination, due_at=clock.now()).id


def _row(sessions: sessionmaker[Session], delivery_id: int) -> Delivery:
    with sessions() as session:
        row = session.get(Delivery, delivery_id)
        assert row is not None
        return row


def _crash_mid_send(dead: Deliveries, email: EmailLike) -> int:
    """Claim one row and die right after the server took it: the row is in doubt."""
    dead.heartbeat()
    [(claimed, _)] = dead._claim_due()
    email.crash_after_send = 1
    with pytest.raises(_Crash):
        dead._send_one(claimed, SweepReport())
    return claimed


def test_a_row_in_doubt_is_sent_again_as_the_same_delivery(
        sessions: sessionmaker[Session], clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    email = EmailLike()
    dead, restarted = _engine(sessions, clock, email), _engine(sessions, clock, email)
    row = _plan(dead, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "invite-1")
    assert _crash_mid_send(dead, email) == row
    in_doubt = _row(sessions, row)
    assert in_doubt.state == DeliveryState.SENDING and in_doubt.send_started_at is not None

    clock.advance(WORKER_TIMEOUT)
    with caplog.at_level(logging.WARNING, logger="services.deliveries"):
        report = restarted.sweep()
        restarted.wait_for_lookups()
    assert report.recovered == [row]
    assert "sending it again as the same message" in caplog.text
    for _ in range(3):
        clock.advance(timedelta(seconds=5))
        restarted.sweep()

    # Twice, as the same delivery (so the same Message-ID), never a third time.
    assert [p.delivery_id for p in email.posted] == [row, row]
    assert email.posted[0].message == email.posted[1].message == "note about invite-1"
    settled = _row(sessions, row)
    assert settled.state == DeliveryState.SENT
    assert settled.message_ref == email.posted[1].ref.value
    assert settled.attempts == 2


def test_an_at_most_once_platform_that_cannot_tell_still_takes_it_as_sent(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    teams_like = EmailLike(at_least_once=False)
    dead, restarted = _engine(sessions, clock, teams_like), _engine(sessions, clock, teams_like)
    row = _plan(dead, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "invite-1")
    _crash_mid_send(dead, teams_like)

    clock.advance(WORKER_TIMEOUT)
    assert restarted.sweep().recovered == [row]
    restarted.wait_for_lookups()
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        restarted.sweep()
    assert [p.delivery_id for p in teams_like.posted] == [row]
    settled = _row(sessions, row)
    assert (settled.state, settled.message_ref) == (DeliveryState.SENT, None)


def test_a_row_in_doubt_with_its_attempts_used_up_fails_and_is_never_taken_as_sent(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    email = EmailLike()
    dead, restarted = _engine(sessions, clock, email), _engine(sessions, clock, email)
    row = _plan(dead, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "invite-1")
    _crash_mid_send(dead, email)
    with sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.id == row).values(attempts=MAX_ATTEMPTS))

    clock.advance(WORKER_TIMEOUT)
    restarted.sweep()
    restarted.wait_for_lookups()
    clock.advance(timedelta(minutes=5))
    restarted.sweep()
    # Resending in doubt is bounded: a row that keeps crashing its sender is not sent forever; and
    # never confirmed, it is a failure to report (the coordinator sees it), not a send to assume.
    assert len(email.posted) == 1
    assert _row(sessions, row).state == DeliveryState.FAILED
    assert "not confirmed" in (_row(sessions, row).last_error or "")


def test_a_reply_lost_after_the_server_took_it_is_sent_again_once(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    email = EmailLike()
    deliveries = _engine(sessions, clock, email)
    row = _plan(deliveries, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "invite-1")
    email.lost_replies = 1
    assert deliveries.sweep().retrying == [row]
    assert _row(sessions, row).state == DeliveryState.SENDING  # in doubt, not simply retried
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        deliveries.sweep()
        deliveries.wait_for_lookups()
    assert [p.delivery_id for p in email.posted] == [row, row]
    assert _row(sessions, row).state == DeliveryState.SENT


def test_rows_not_yet_started_are_released_not_resent(
        sessions: sessionmaker[Session], clock: ManualClock) -> None:
    email = EmailLike()
    dead, restarted = _engine(sessions, clock, email), _engine(sessions, clock, email)
    row = _plan(dead, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "invite-1")
    dead.heartbeat()
    assert [r for r, _ in dead._claim_due()] == [row]  # claimed, then the process died

    clock.advance(WORKER_TIMEOUT)
    assert restarted.sweep().sent == [row]
    assert [p.delivery_id for p in email.posted] == [row]  # once: nothing was in doubt


# The services as the bot wires them: Slack, and e-mail for the people reached by address.

@pytest.fixture
def slack() -> RecordingNotifier:
    return RecordingNotifier("slack")


@pytest.fixture
def email() -> EmailLike:
    return EmailLike()


@pytest.fixture
def wired(sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
          email: EmailLike) -> Services:
    services = build_services(sessions, clock, slack, also=[email], platform="slack", channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                              privacy=PrivacySettings(notices=False))
    services.deliveries.register(NOTE, _note)  # type: ignore[arg-type]
    return services


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        services.deliveries.wait_for_lookups()
        clock.advance(timedelta(seconds=2))


def _email_person(address: str) -> Actor:
    return Actor(WorkspaceRef("slack", TEAM), PersonRef(EMAIL, address))


def test_rows_to_someone_who_stopped_email_are_skipped_as_they_come_due(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, email: EmailLike) -> None:
    planned = {name: _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef(EMAIL, address)), name)
               for name, address in (("a", KARI), ("b", "ola@example.org"))}
    # Stopped after the rows were planned: the choice counts when they come due.
    assert wired.mailing.unsubscribe(_email_person(KARI)).changed
    _sweep(wired, clock)
    assert [p.destination.id for p in email.posted] == ["ola@example.org"]
    assert _row(sessions, planned["a"]).state == DeliveryState.SKIPPED
    assert _row(sessions, planned["b"]).state == DeliveryState.SENT

    # Taken back: what is planned from then on goes out again.
    wired.mailing.resubscribe(_email_person(KARI))
    later = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "c")
    _sweep(wired, clock)
    assert [p.destination.id for p in email.posted] == ["ola@example.org", KARI]
    assert _row(sessions, later).state == DeliveryState.SENT


def test_stopping_email_never_silences_chat_or_the_channel(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier) -> None:
    wired.roster.add(coordinator(), "Caritas", Tier.CORE, [KARI])
    wired.mailing.unsubscribe(_email_person(KARI))
    # A chat user whose id happens to look like the address is not the address.
    rows = [_plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", KARI)), "a"),
            _plan(wired.deliveries, sessions, clock, Destination.channel("slack", CHANNEL), "b")]
    _sweep(wired, clock)
    assert sorted(p.delivery_id for p in slack.posted) == sorted(rows)


def _contacts(services: Services, sessions: sessionmaker[Session], emails: dict[str, str | None]) -> None:
    """Chat contacts of one organisation, some with an e-mail address to fall back on."""
    services.roster.add(coordinator(), "Caritas", Tier.CORE, list(emails))
    with sessions.begin() as session:
        for user_id, address in emails.items():
            session.execute(update(Contact).where(Contact.user_id == user_id).values(email=address))


def _email_rows(sessions: sessionmaker[Session]) -> list[Delivery]:
    """Rows that go, or went, by e-mail: to an address, or a chat person's rerouted there."""
    with sessions() as session:
        return list(session.scalars(select(Delivery).where(
            (Delivery.dest_platform == EMAIL) | (Delivery.via_platform == EMAIL)).order_by(Delivery.id)))


def _all_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.scalars(select(Delivery.id)).all())


def test_a_chat_message_that_fails_for_good_goes_to_the_contacts_address_as_the_same_message(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"UGONE01": KARI, "UGONE02": None, "UFINE03": "fine@example.org"})
    gone = DeliveryError("user_not_found", permanent=True)
    slack.refuse.update({"UGONE01": gone, "UGONE02": gone, CHANNEL: DeliveryError("channel_not_found",
                                                                                 permanent=True)})
    rerouted = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "UGONE01")), "s1")
    nowhere = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "UGONE02")), "s1")
    fine = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "UFINE03")), "s1")
    channel = _plan(wired.deliveries, sessions, clock, Destination.channel("slack", CHANNEL), "s1")
    planned = _all_rows(sessions)
    _sweep(wired, clock)

    # The same row, still for the chat person, went to their address: no copy, no new row.
    assert _all_rows(sessions) == planned
    [sent] = email.posted
    assert (sent.destination.id, sent.delivery_id, sent.message) == (KARI, rerouted, "note about s1")
    row = _row(sessions, rerouted)
    assert (row.state, row.dest_platform, row.dest_id) == (DeliveryState.SENT, "slack", "UGONE01")
    assert (row.via_platform, row.via_id) == (EMAIL, KARI)
    assert row.message_ref == sent.ref.value
    # Nowhere else to go: failed for good. The channel: failed, never e-mailed. Chat reached: as is.
    assert _row(sessions, nowhere).state == DeliveryState.FAILED and _row(sessions, nowhere).via_id is None
    assert _row(sessions, channel).state == DeliveryState.FAILED and _row(sessions, channel).via_id is None
    assert _row(sessions, fine).state == DeliveryState.SENT and _row(sessions, fine).via_id is None

    # Another sweep (anything retried, anything settled) sends nothing more.
    _sweep(wired, clock)
    assert len(email.posted) == 1 and len(_email_rows(sessions)) == 1


def test_a_rerouted_message_the_mail_server_refuses_fails_for_good_once(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"UGONE01": KARI})
    slack.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    email.refuse[KARI] = DeliveryError("550 5.1.1 no such user", permanent=True)
    row = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "UGONE01")), "s1")
    _sweep(wired, clock)
    failed = _row(sessions, row)
    assert failed.state == DeliveryState.FAILED and failed.last_error == "550 5.1.1 no such user"
    assert (failed.via_platform, failed.via_id) == (EMAIL, KARI)  # where it last went, for the report
    assert email.posted == []


def test_a_chat_message_is_not_rerouted_to_an_address_that_stopped_email(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"UGONE01": KARI})
    wired.mailing.unsubscribe(_email_person(KARI))
    slack.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    row = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "UGONE01")), "s1")
    _sweep(wired, clock)
    # Failed for good in chat, as without an address: the coordinators see it; nothing is e-mailed.
    failed = _row(sessions, row)
    assert (failed.state, failed.via_id, failed.last_error) == (DeliveryState.FAILED, None, "user_not_found")
    assert email.posted == []


def test_a_transient_chat_failure_is_retried_in_chat_not_sent_by_email(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"USLOW01": KARI})
    slack.failures.append(DeliveryError("ratelimited upstream", permanent=False))
    row = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef("slack", "USLOW01")), "s1")
    _sweep(wired, clock)
    clock.advance(timedelta(minutes=1))
    _sweep(wired, clock)
    assert _row(sessions, row).state == DeliveryState.SENT and _row(sessions, row).via_id is None
    assert _email_rows(sessions) == [] and email.posted == []


def test_an_email_that_fails_for_good_is_reported_not_copied_anywhere(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, email: EmailLike) -> None:
    email.refuse[KARI] = DeliveryError("550 5.1.1 no such user", permanent=True)
    row = _plan(wired.deliveries, sessions, clock, Destination.person(PersonRef(EMAIL, KARI)), "s1")
    _sweep(wired, clock)
    failed = _row(sessions, row)
    assert (failed.state, failed.last_error) == (DeliveryState.FAILED, "550 5.1.1 no such user")
    assert failed.via_id is None
    assert len(_email_rows(sessions)) == 1


def test_a_failed_chat_invitation_reaches_the_contacts_address_as_their_invitation(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"UGONE01": KARI})
    slack.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    wired.meetings.schedule(coordinator(), title="Winter shelter", starts_at=clock.now() + timedelta(days=3))
    _sweep(wired, clock)
    [row] = [r for r in _email_rows(sessions) if r.kind == INVITE]
    assert (row.state, row.dest_id, row.via_id) == (DeliveryState.SENT, "UGONE01", KARI)
    [sent] = email.posted
    assert isinstance(sent.message, MeetingInvitation) and sent.message.personal
    assert sent.delivery_id == row.id and sent.destination.id == KARI


def test_the_answer_links_of_a_rerouted_invitation_answer_for_the_chat_contact(
        wired: Services, sessions: sessionmaker[Session], clock: ManualClock, slack: RecordingNotifier,
        email: EmailLike) -> None:
    _contacts(wired, sessions, {"UGONE01": KARI})
    slack.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    meeting = wired.meetings.schedule(coordinator(), title="Winter shelter",
                                      starts_at=clock.now() + timedelta(days=3)).meeting
    _sweep(wired, clock)
    [sent] = email.posted
    # Sent to the address, for the chat contact: the e-mail's links are signed for whom it is for
    # (handlers/email/render), so the answer page acts as them, and they are invited.
    assert sent.destination.id == KARI
    assert sent.destination.for_person == PersonRef("slack", "UGONE01")
    view = wired.outside.answer_view(Actor(coordinator().workspace, sent.destination.for_person), meeting.number)
    assert view.state.value == "open"

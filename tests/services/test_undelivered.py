"""The coordinator's report of contacts the bot could not write to, and a chat contact reached at
their own address when chat refuses a message for good (the same row, rerouted)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.meetings.common import INVITE
from services.messages import MeetingCancelled, MeetingInvitation
from services.people import EMAIL, PersonRef
from services.ports import DeliveryError
from services.privacy import PrivacySettings
from services.roster import ContactInput
from storage.models import Delivery, DeliveryState, Tier
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

GONE = "gone@example.org"
KARI = "kari@example.org"


class _Mail(RecordingNotifier):
    """A platform like e-mail, as the engine meets it."""

    resend_in_doubt = True

    def __init__(self) -> None:
        super().__init__(EMAIL, searchable=False)


def _wired(sessions: sessionmaker[Session], clock: ManualClock, chat: RecordingNotifier, platform: str,
           mail: RecordingNotifier) -> Services:
    return build_services(sessions, clock, chat, also=[mail], platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          privacy=PrivacySettings(notices=False))


def _sweep(services: Services, clock: ManualClock, rounds: int = 6) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def test_an_address_the_server_refused_is_on_the_coordinators_home_with_the_reason(
        sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str) -> None:
    mail = _Mail()
    services = _wired(sessions, clock, notifier, platform, mail)
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [GONE])
    services.roster.add(coordinator(), "Bydelsmødrene", Tier.CORE, ["UFINE01"])
    mail.refuse[GONE] = DeliveryError("550 5.1.1 No such user", permanent=True)
    card = services.meetings.schedule(coordinator(), title="Winter shelter",
                                      starts_at=clock.now() + timedelta(days=3))
    _sweep(services, clock)

    home = services.home.view(coordinator())
    [item] = home.undelivered
    assert item.person == PersonRef(EMAIL, GONE)
    assert item.organisations == ("Caritas",)
    assert item.reason == "550 5.1.1 No such user"
    assert item.meeting_number == card.meeting.number
    # Never shown to anyone but coordinators.
    assert services.home.view(person("UFINE01")).undelivered == ()


def test_a_contact_reached_again_is_off_the_report(
        sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str) -> None:
    mail = _Mail()
    services = _wired(sessions, clock, notifier, platform, mail)
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [GONE])
    mail.refuse[GONE] = DeliveryError("552 5.2.2 Mailbox full", permanent=True)
    services.meetings.schedule(coordinator(), title="First", starts_at=clock.now() + timedelta(days=3))
    _sweep(services, clock)
    assert len(services.home.view(coordinator()).undelivered) == 1
    del mail.refuse[GONE]
    services.meetings.schedule(coordinator(), title="Second", starts_at=clock.now() + timedelta(days=4))
    _sweep(services, clock)
    assert services.home.view(coordinator()).undelivered == ()


def test_a_chat_refusal_reaches_the_person_at_their_address_as_the_same_invitation(
        sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str) -> None:
    mail = _Mail()
    services = _wired(sessions, clock, notifier, platform, mail)
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [ContactInput("UGONE01", KARI), "UFINE01"])
    notifier.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    card = services.meetings.schedule(coordinator(), title="Winter shelter",
                                      starts_at=clock.now() + timedelta(days=3))
    _sweep(services, clock)

    # Kari's invitation, composed for her as the chat person she is, went to her address.
    [sent] = [p for p in mail.posted if isinstance(p.message, MeetingInvitation)]
    assert sent.destination.id == KARI and sent.message.personal
    with sessions() as session:
        row = session.scalar(select(Delivery).where(Delivery.dest_id == "UGONE01", Delivery.kind == INVITE))
        assert row is not None and row.state == DeliveryState.SENT
        assert (row.via_platform, row.via_id) == (EMAIL, KARI)
    # The one who could be reached in chat got it there, and nothing by e-mail.
    assert [p.destination.id for p in notifier.posted if p.destination.is_person] == ["UFINE01"]
    # She is no longer on the report: the message reached her.
    assert services.home.view(coordinator()).undelivered == ()

    # What follows knows the invitation reached her: the cancellation goes to her address too.
    services.meetings.cancel(coordinator(), card.meeting.number, reason="Storm")
    _sweep(services, clock)
    assert [p.destination.id for p in mail.posted if isinstance(p.message, MeetingCancelled)] == [KARI]


def test_without_an_address_a_chat_refusal_fails_and_is_reported(
        sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str) -> None:
    mail = _Mail()
    services = _wired(sessions, clock, notifier, platform, mail)
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UGONE01"])
    notifier.refuse["UGONE01"] = DeliveryError("user_not_found", permanent=True)
    services.meetings.schedule(coordinator(), title="Winter shelter", starts_at=clock.now() + timedelta(days=3))
    _sweep(services, clock)
    assert mail.posted == []
    [item] = services.home.view(coordinator()).undelivered
    assert item.person == PersonRef(platform, "UGONE01") and item.reason == "user_not_found"


def test_a_coordinators_messages_are_never_rerouted_to_an_address(
        sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str) -> None:
    mail = _Mail()
    services = _wired(sessions, clock, notifier, platform, mail)
    # The coordinator is also a contact, with the agency's shared inbox as their address.
    services.roster.add(coordinator(), "Helsedirektoratet", Tier.OBSERVER,
                        [ContactInput(COORDINATOR, "postmottak@helsedir.example.org")])
    notifier.refuse[COORDINATOR] = DeliveryError("user_not_found", permanent=True)
    services.meetings.schedule(coordinator(), title="Winter shelter", starts_at=clock.now() + timedelta(days=3))
    _sweep(services, clock)
    assert mail.posted == [], "nothing of a coordinator's goes to a possibly shared inbox"

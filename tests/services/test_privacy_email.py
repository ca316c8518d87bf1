"""E-mail addresses are personal data: an e-mail contact's export and erasure find them by address
however it is typed, take their unsubscribe and their address as a chat contact's fallback with
them; a chat contact's export shows the address they gave and the mail sent there, and erasing
them erases that address too unless the roster still names it; retention treats e-mail people as
anyone else and keeps a standing unsubscribe; new e-mail contacts get the privacy notice by e-mail."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.cli.privacy import person as person_command
from services.clock import ManualClock
from services.container import Services, build_services
from services.enums import Answer
from services.errors import InvalidInput
from services.messages import PrivacyNotice
from services.people import EMAIL, Actor, Destination, PersonRef, WorkspaceRef
from services.ports import DeliveryError
from services.privacy import PRIVACY_NOTICE, PrivacySettings
from services.roster_rules import ContactInput
from storage.models import (
    AuditEntry,
    Base,
    Contact,
    Delivery,
    DeliveryState,
    Invitation,
    Organisation,
    OrganisationSuggestion,
    Person,
    SuggestionState,
    Tier,
)
from tests.conftest import CHANNEL, COORDINATOR, TEAM, TIMINGS
from tests.factories import PLATFORM, coordinator, workspace
from tests.support.notifier import RecordingNotifier

KARI = "kari@example.org"
SHARED = "post@caritas.example.org"
CHAT = "UKARI001"


def _email(address: str) -> Actor:
    return Actor(WorkspaceRef(PLATFORM.get(), TEAM), PersonRef(EMAIL, address))


def _organisation(services: Services, sessions: sessionmaker[Session], name: str, *,
                  chat: dict[str, str | None] | None = None, emails: tuple[str, ...] = ()) -> int:
    """An organisation with chat contacts (each with a fallback address or None) and e-mail
    contacts, stored as the roster stores them."""
    services.roster.add(coordinator(), name, Tier.CORE, list(chat or {}))
    with sessions.begin() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.name == name))
        assert organisation is not None
        for contact in organisation.contacts:
            contact.email = (chat or {}).get(contact.user_id)
        now = services.clock.now()
        organisation.contacts.extend(Contact(platform=EMAIL, user_id=a, created_at=now) for a in emails)
        return organisation.id


def _deliver(services: Services, sessions: sessionmaker[Session], to: PersonRef, key: str,
             state: DeliveryState, error: str | None = None, via: PersonRef | None = None) -> int:
    """A message to `to`, as the delivery engine leaves it in `state` (sent to `via` instead, when
    chat refused it and the contact has an address)."""
    services.deliveries.register("note", lambda session, delivery: None)
    with sessions.begin() as session:
        row = services.deliveries.plan(session, workspace_id=workspace(session).id, kind="note", key=key,
                                       destination=Destination.person(to), due_at=services.clock.now())
        row.state = state
        row.last_error = error
        if via is not None:
            row.via_platform, row.via_id = via.platform, via.user_id
        if state == DeliveryState.SENT:
            row.sent_at = services.clock.now()
            row.message_ref = "<dialogbot.1.abc@example.org>"
        return row.id


def _traces(sessions: sessionmaker[Session], needle: str) -> list[str]:
    found = []
    with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column, value in row.items():
                    shown = json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
                    if needle in shown:
                        found.append(f"{table.name}.{column} = {shown[:100]}")
    return found


@pytest.fixture
def kari(services: Services, sessions: sessionmaker[Session]) -> dict[str, int]:
    """Kari is an e-mail contact of Caritas and a chat contact's fallback address at Red Cross; she
    stopped e-mail; one message reached her, one was refused by her server."""
    _organisation(services, sessions, "Caritas", emails=(KARI, "ola@example.org"))
    _organisation(services, sessions, "Red Cross", chat={CHAT: KARI, "UOTHER01": "other@example.org"})
    services.mailing.unsubscribe(_email(KARI))
    return {
        "sent": _deliver(services, sessions, PersonRef(EMAIL, KARI), "invite-1", DeliveryState.SENT),
        "failed": _deliver(services, sessions, PersonRef(EMAIL, KARI), "nudge-1", DeliveryState.FAILED,
                           f"550 5.1.1 <{KARI}>: Recipient address rejected"),
        "pending": _deliver(services, sessions, PersonRef(EMAIL, KARI), "reminder-1", DeliveryState.PENDING),
    }


@pytest.mark.parametrize("typed", [KARI, "Kari@Example.ORG", " kari@example.org "])
def test_an_email_person_is_exported_by_their_address_however_typed(
        services: Services, kari: dict[str, int], typed: str) -> None:
    document = services.privacy.export(coordinator(), PersonRef(EMAIL, typed))
    assert document["person"]["platform"] == EMAIL and document["person"]["user_id"] == KARI
    assert document["email"]["address"] == KARI and document["email"]["unsubscribed_at"] is not None
    contact_for = {(c["organisation"], c.get("as_fallback_address", False)) for c in document["contact_for"]}
    assert contact_for == {("Caritas", False), ("Red Cross", True)}
    assert sorted(m["state"] for m in document["messages"]) == ["failed", "pending", "sent"]
    # Nobody else: not the chat contact whose fallback she is, not the other contacts.
    shown = json.dumps(document)
    for someone_else in (CHAT, "UOTHER01", "ola@example.org", "other@example.org"):
        assert someone_else not in shown


def test_an_address_that_is_no_address_is_refused(services: Services, kari: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        services.privacy.export(coordinator(), PersonRef(EMAIL, "kari@example.org\r\nBcc: x@example.org"))
    with pytest.raises(InvalidInput):
        services.privacy.erasure_question(coordinator(), PersonRef(EMAIL, "not an address"))


def test_a_chat_contacts_export_shows_their_address_and_what_was_mailed_there(
        services: Services, sessions: sessionmaker[Session], kari: dict[str, int]) -> None:
    document = services.privacy.export(coordinator(), PersonRef(PLATFORM.get(), CHAT))
    assert [(c["organisation"], c["email"]) for c in document["contact_for"]] == [("Red Cross", KARI)]
    assert document["email"] is None
    mailed = [m for m in document["messages"] if m.get("by_email_to")]
    assert {m["by_email_to"] for m in mailed} == {KARI} and len(mailed) == 3
    assert "other@example.org" not in json.dumps(document)


def _erase(services: Services, whom: PersonRef) -> int:
    asked = services.privacy.erasure_question(coordinator(), whom)
    return services.privacy.erase(coordinator(), asked.token).rows


def test_erasing_an_address_leaves_no_trace_of_it(
        services: Services, sessions: sessionmaker[Session], kari: dict[str, int]) -> None:
    assert _traces(sessions, KARI)
    assert _erase(services, PersonRef(EMAIL, "KARI@example.org")) > 0
    assert _traces(sessions, KARI) == []
    with sessions() as session:
        # The chat contact stays a contact, without the address; Kari is off Caritas' contacts.
        chat = session.scalar(select(Contact).where(Contact.user_id == CHAT))
        assert chat is not None and chat.email is None
        assert {c.user_id for c in session.scalars(select(Contact).where(Contact.platform == EMAIL))} == {
            "ola@example.org"}
        # Her unsubscribe went with her; the message sent to her stays, counted, under a pseudonym.
        assert session.scalar(select(func.count()).select_from(Person).where(Person.platform == EMAIL)) == 0
        sent = session.get(Delivery, kari["sent"])
        assert sent is not None and sent.dest_id.startswith("erased-") and sent.message_ref is None
        failed = session.get(Delivery, kari["failed"])
        assert failed is not None and failed.last_error is not None and "erased-" in failed.last_error
        assert session.get(Delivery, kari["pending"]) is None
        # Others untouched.
        other = session.scalar(select(Contact).where(Contact.user_id == "UOTHER01"))
        assert other is not None and other.email == "other@example.org"
    assert services.privacy.export(coordinator(), PersonRef(EMAIL, "ola@example.org"))["contact_for"]


def test_erasing_a_chat_contact_erases_the_address_they_gave(
        services: Services, sessions: sessionmaker[Session]) -> None:
    _organisation(services, sessions, "Red Cross", chat={CHAT: KARI, "UOTHER01": None})
    services.mailing.unsubscribe(_email(KARI))
    copy = _deliver(services, sessions, PersonRef(EMAIL, KARI), "minutes-1", DeliveryState.SENT)
    _deliver(services, sessions, PersonRef(EMAIL, KARI), "failed-1", DeliveryState.FAILED,
             f"550 <{KARI}> unknown user")

    _erase(services, PersonRef(PLATFORM.get(), CHAT))
    assert _traces(sessions, KARI) == [] and _traces(sessions, CHAT) == []
    with sessions() as session:
        row = session.get(Delivery, copy)
        assert row is not None and row.state == DeliveryState.SENT  # still counted
        # One person, one pseudonym: the chat messages and the e-mail copies stay together.
        pseudonyms = {d.dest_id for d in session.scalars(select(Delivery))}
        assert len(pseudonyms) == 1


def test_an_address_the_roster_still_names_otherwise_stays(
        services: Services, sessions: sessionmaker[Session]) -> None:
    """A shared inbox given by two chat contacts, or an address that is a contact itself, is not
    one chat contact's to erase."""
    _organisation(services, sessions, "Caritas", chat={CHAT: SHARED, "UOTHER01": SHARED}, emails=(KARI,))
    _organisation(services, sessions, "Red Cross", chat={"UOTHER02": KARI})
    _deliver(services, sessions, PersonRef(EMAIL, SHARED), "minutes-1", DeliveryState.SENT)
    _erase(services, PersonRef(PLATFORM.get(), CHAT))
    _erase(services, PersonRef(PLATFORM.get(), "UOTHER02"))
    with sessions() as session:
        assert session.scalar(select(Contact.email).where(Contact.user_id == "UOTHER01")) == SHARED
        assert session.scalar(select(func.count()).select_from(Delivery)
                              .where(Delivery.dest_id == SHARED)) == 1
        assert session.scalar(select(Contact.user_id).where(Contact.platform == EMAIL)) == KARI


def test_audit_entries_naming_an_address_are_scrubbed(
        services: Services, sessions: sessionmaker[Session], clock: ManualClock) -> None:
    _organisation(services, sessions, "Caritas", emails=(KARI,))
    with sessions.begin() as session:
        session.add(AuditEntry(workspace_id=workspace(session).id, actor_platform=PLATFORM.get(),
                               actor_user_id=CHAT, action="roster.contacts_added", subject="Caritas",
                               details={"added": [KARI, "ola@example.org"], "note": f"<{KARI}>"},
                               at=clock.now()))
    document = services.privacy.export(coordinator(), PersonRef(EMAIL, KARI))
    assert "roster.contacts_added" in [m["action"] for m in document["audit_mentions"]]
    _erase(services, PersonRef(EMAIL, KARI))
    assert _traces(sessions, KARI) == []
    assert _traces(sessions, "ola@example.org")  # only hers


def test_retention_treats_email_people_as_anyone_and_keeps_an_unsubscribe(
        services: Services, sessions: sessionmaker[Session], clock: ManualClock) -> None:
    _organisation(services, sessions, "Caritas", emails=(KARI,))
    meeting = services.meetings.schedule(coordinator(), title="Winter shelter",
                                         starts_at=clock.now() + timedelta(days=2)).meeting
    services.meetings.rsvp(_email(KARI), meeting.number, Answer.YES)
    services.mailing.unsubscribe(_email(KARI))
    clock.advance(services.privacy.settings.retention + timedelta(days=3))
    report = services.privacy.retention()
    assert report.answers == 1
    with sessions() as session:
        [invitation] = session.scalars(select(Invitation)).all()
        assert invitation.platform == EMAIL and invitation.user_id.startswith("anonymous-")
        assert invitation.answer == Answer.YES
    # Asking for no more e-mail is a standing choice, not old data: it stays.
    assert services.mailing.is_unsubscribed(_email(KARI))


def test_a_new_email_contact_gets_the_privacy_notice_by_email(
        sessions: sessionmaker[Session], clock: ManualClock, platform: str) -> None:
    chat, mail = RecordingNotifier(platform), RecordingNotifier(EMAIL)
    services = build_services(sessions, clock, chat, also=[mail], platform=platform, channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                              privacy=PrivacySettings(controller="Oslo kommune"))
    _organisation(services, sessions, "Caritas", emails=(KARI,))
    with sessions.begin() as session:
        services.privacy.contact_added(session, workspace(session).id, [PersonRef(EMAIL, KARI)])
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=2))
    [notice] = mail.posted
    assert notice.destination.id == KARI and isinstance(notice.message, PrivacyNotice)
    assert notice.message.organisations == ("Caritas",) and notice.message.controller == "Oslo kommune"
    with sessions() as session:
        assert session.scalar(select(Delivery.kind).where(Delivery.dest_platform == EMAIL)) == PRIVACY_NOTICE


def test_the_command_line_takes_an_address(services: Services, kari: dict[str, int]) -> None:
    """`bot.py person export|erase Kari@Example.org`."""
    out = io.StringIO()
    args = SimpleNamespace(person_command="export", person="Kari@Example.org", file=None)
    assert person_command(args, services, coordinator(), out=out) == 0
    document = json.loads(out.getvalue())
    assert (document["person"]["platform"], document["person"]["user_id"]) == (EMAIL, KARI)
    out = io.StringIO()
    args = SimpleNamespace(person_command="erase", person="Kari@Example.org", yes=True)
    assert person_command(args, services, coordinator(), out=out, err=out) == 0
    assert "erased" in out.getvalue()
    assert not services.privacy.export(coordinator(), PersonRef(EMAIL, KARI))["contact_for"]


def test_the_roster_plans_the_notice_for_an_address_once_and_none_for_a_fallback(
        sessions: sessionmaker[Session], clock: ManualClock, platform: str) -> None:
    """Added by the roster (as a coordinator does): the e-mail contact is told by e-mail; a chat
    contact with an address of their own is told once, in chat."""
    chat, mail = RecordingNotifier(platform), RecordingNotifier(EMAIL)
    services = build_services(sessions, clock, chat, also=[mail], platform=platform, channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                              privacy=PrivacySettings())
    services.roster.add(coordinator(), "Caritas", Tier.CORE,
                        ["Kari@Example.org", ContactInput(person=CHAT, address="ola@example.org")])
    services.roster.add(coordinator(), "Red Cross", Tier.CORE, [KARI])  # a second organisation, later
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=2))
    notices = [p for p in mail.posted if isinstance(p.message, PrivacyNotice)]
    assert [p.destination.id for p in notices] == [KARI]
    assert [p.destination.id for p in chat.posted if isinstance(p.message, PrivacyNotice)] == [CHAT]
    assert not any(p.destination.id == "ola@example.org" for p in mail.posted)


def test_messages_sent_to_an_address_instead_of_chat_are_in_both_exports_and_leave_with_either(
        services: Services, sessions: sessionmaker[Session]) -> None:
    """A chat contact's messages that chat refused went to their address (`via`): the chat
    contact's export says where they went, the address's export has them without naming the chat
    contact, and erasing the address leaves the chat contact's rows without it."""
    _organisation(services, sessions, "Red Cross", chat={CHAT: KARI})
    sent = _deliver(services, sessions, PersonRef(PLATFORM.get(), CHAT), "minutes-1", DeliveryState.SENT,
                    via=PersonRef(EMAIL, KARI))
    waiting = _deliver(services, sessions, PersonRef(PLATFORM.get(), CHAT), "reminder-1", DeliveryState.PENDING,
                       via=PersonRef(EMAIL, KARI))
    refused = _deliver(services, sessions, PersonRef(PLATFORM.get(), CHAT), "nudge-1", DeliveryState.FAILED,
                       f"550 <{KARI}>: no such user", via=PersonRef(EMAIL, KARI))

    chat = services.privacy.export(coordinator(), PersonRef(PLATFORM.get(), CHAT))
    assert sorted(m.get("by_email_to", "") for m in chat["messages"]) == [KARI, KARI, KARI]
    mailed = services.privacy.export(coordinator(), PersonRef(EMAIL, KARI))
    assert [m.get("for_a_chat_contact") for m in mailed["messages"]] == [True, True, True]
    assert CHAT not in json.dumps(mailed)

    _erase(services, PersonRef(EMAIL, KARI))
    assert _traces(sessions, KARI) == []
    with sessions() as session:
        rows = {d.id: d for d in session.scalars(select(Delivery))}
    # Still the chat contact's messages; the one not yet sent will not go to the erased address.
    assert {rows[i].dest_id for i in (sent, waiting, refused)} == {CHAT}
    assert (rows[waiting].via_platform, rows[waiting].via_id) == (None, None)
    assert rows[sent].via_id.startswith("erased-") and rows[refused].via_id.startswith("erased-")


def test_erasing_a_chat_contact_takes_the_address_their_messages_went_to(
        services: Services, sessions: sessionmaker[Session]) -> None:
    _organisation(services, sessions, "Red Cross", chat={CHAT: KARI})
    _deliver(services, sessions, PersonRef(PLATFORM.get(), CHAT), "minutes-1", DeliveryState.SENT,
             via=PersonRef(EMAIL, KARI))
    _erase(services, PersonRef(PLATFORM.get(), CHAT))
    assert _traces(sessions, KARI) == [] and _traces(sessions, CHAT) == []


def test_retention_takes_the_address_a_rerouted_invitation_went_to(
        sessions: sessionmaker[Session], clock: ManualClock, platform: str) -> None:
    chat, mail = RecordingNotifier(platform), RecordingNotifier(EMAIL)
    services = build_services(sessions, clock, chat, also=[mail], platform=platform, channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                              privacy=PrivacySettings(notices=False))
    services.roster.add(coordinator(), "Red Cross", Tier.CORE, [ContactInput(person=CHAT, address=KARI)])
    chat.refuse[CHAT] = DeliveryError("account_inactive", permanent=True)
    services.meetings.schedule(coordinator(), title="Winter shelter", starts_at=clock.now() + timedelta(days=2))
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=2))
    assert [p.destination.id for p in mail.posted] == [KARI]  # the invitation, by e-mail instead
    services.roster.remove(coordinator(), "Red Cross")  # the roster no longer names either
    clock.advance(services.privacy.settings.retention + timedelta(days=3))
    services.privacy.retention()
    with sessions() as session:
        [invitation] = session.scalars(select(Delivery).where(Delivery.via_platform == EMAIL)).all()
        assert invitation.state == DeliveryState.SENT and invitation.dest_id.startswith("anonymous-")
        assert invitation.via_id == invitation.dest_id
    assert [t for t in _traces(sessions, KARI) if not t.startswith(("contacts.", "audit_log."))] == []


def test_an_address_written_in_a_suggestions_contact_is_exported_and_erased(
        services: Services, sessions: sessionmaker[Session], clock: ManualClock) -> None:
    _organisation(services, sessions, "Red Cross", emails=(KARI,))
    with sessions.begin() as session:
        for name, contact in (("Bydelsmødrene", "Amina, KARI@example.org, 900 00 000"),
                              ("Caritas", "ola@example.org")):
            session.add(OrganisationSuggestion(
                workspace_id=workspace(session).id, name=name, name_key=name.casefold(), perspective="",
                reason="They know the families", contact=contact, suggested_by_platform=PLATFORM.get(),
                suggested_by_user_id="USUGG001", state=SuggestionState.OPEN, created_at=clock.now()))
    document = services.privacy.export(coordinator(), PersonRef(EMAIL, KARI))
    assert [s["organisation"] for s in document["suggested_as_contact"]] == ["Bydelsmødrene"]
    _erase(services, PersonRef(EMAIL, KARI))
    assert _traces(sessions, KARI) == [] and _traces(sessions, KARI.upper()) == []
    with sessions() as session:
        contacts = dict(session.execute(select(OrganisationSuggestion.name, OrganisationSuggestion.contact)).all())
    assert contacts == {"Bydelsmødrene": "", "Caritas": "ola@example.org"}

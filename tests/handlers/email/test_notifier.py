"""The e-mail notifier against a real SMTP server on loopback, with meetings from the real services
(SQLite and PostgreSQL): the MIME as received, the .ics parsed with icalendar, the answer links read
back, unsubscribe headers, a Message-ID per delivery, both languages; and the server's refusals
classified (550 for good, 451 for now, no server at all for the operator)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.email.links import LinkKind, Links
from handlers.email.notifier import EmailNotifier, SmtpSettings
from handlers.email.render import EmailContext
from services.calendar import Calendars
from services.clock import ManualClock
from services.container import Services, build_services
from services.enums import Answer, MeetingKind, Tier
from services.messages import MeetingCancelled, MeetingCard, MeetingChanged, MeetingInvitation
from services.people import EMAIL, Destination, DestinationKind, WorkspaceRef
from services.ports import DeliveryError
from services.privacy import PrivacySettings
from storage.models import Contact, Organisation
from tests.conftest import CHANNEL, COORDINATOR, TEAM, TIMINGS
from tests.factories import coordinator
from tests.handlers.email.test_render import anchors
from tests.support.notifier import RecordingNotifier
from tests.support.smtp import SmtpServer, free_port, smtp_server

PUBLIC = "https://dialog.example.org"
SENDER = "Dialogbot Østensjø <dialog@example.org>"
WORKSPACE = WorkspaceRef("slack", TEAM)
ADDRESS = "kari@example.org"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def links(clock: ManualClock) -> Links:
    return Links("k" * 64, PUBLIC, clock=lambda: clock.now().timestamp())


def mailer(services: Services, clock: ManualClock, links: Links, port: int) -> EmailNotifier:
    context = EmailContext(links=links, zone=ZoneInfo("Europe/Oslo"), default_language="en",
                           calendar=services.calendars.for_attendee, sender=SENDER, public_url=PUBLIC,
                           clock=clock.now)
    return EmailNotifier(SmtpSettings("127.0.0.1", port, "none", "", "", SENDER), context)


def to(language: str = "en", address: str = ADDRESS) -> Destination:
    return Destination(EMAIL, DestinationKind.PERSON, address, language, WORKSPACE)


def meeting(services: Services, clock: ManualClock, title: str = "Vinterdialog om æøå") -> MeetingCard:
    return services.meetings.schedule(coordinator(), title=title, starts_at=clock.now() + timedelta(days=20),
                                      duration_minutes=90, video_link="https://meet.example.org/vinter",
                                      chair="Varaordfører for helse").meeting


def parts(mail: EmailMessage) -> tuple[EmailMessage, EmailMessage, EmailMessage | None]:
    """The plain text, the HTML and the calendar part, checking the alternative's structure."""
    [alternative] = [p for p in mail.walk() if p.get_content_type() == "multipart/alternative"]
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html"], kinds
    text, html = alternative.iter_parts()
    calendars = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    return text, html, calendars[0] if calendars else None


def event(part: EmailMessage):
    calendar = Calendar.from_ical(part.get_content())
    [found] = calendar.walk("VEVENT")
    return calendar, found


def test_an_invitation_arrives_as_text_html_and_ics_with_links_that_answer(
        services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    card = meeting(services, clock)
    sent = mailer(services, clock, links, server.port).send(to("nb"), MeetingInvitation(card, personal=True),
                                                             delivery_id=41)
    [received] = server.wait_for(1)
    assert received.rcpt_tos == (ADDRESS,) and received.mail_from == "dialog@example.org"
    mail = received.message
    assert mail["Message-ID"] == sent.value
    assert mail["Subject"].startswith("Vinterdialog om æøå: invitasjon, ")
    assert mail["To"] == ADDRESS and mail["From"].addresses[0] == Address("Dialogbot Østensjø", "dialog", "example.org")
    assert mail["Content-Language"] == "nb" and mail["Auto-Submitted"] == "auto-generated"
    text, html, ics = parts(mail)
    body = text.get_content()
    assert "Møteleder: Varaordfører for helse" in body and "https://meet.example.org/vinter" in body
    assert "kl. " in body and "90 minutter" in body
    page = anchors(html.get_content())
    assert page.lang == "nb"
    answers = {label: href for label, href in page.links if "/p/answer/" in href}
    assert set(answers) == {"Kommer", "Kommer ikke", "Kanskje"}
    for label, answer in (("Kommer", Answer.YES), ("Kommer ikke", Answer.NO), ("Kanskje", Answer.MAYBE)):
        link = links.read(answers[label].rsplit("/", 1)[1], LinkKind.ANSWER)
        assert (link.meeting_number, link.answer, link.address, link.actor.workspace) == (
            card.number, answer, ADDRESS, WORKSPACE)
    [stop] = [href for _, href in page.links if "/p/stop/" in href]
    assert mail["List-Unsubscribe"] == f"<{stop}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert links.read(stop.rsplit("/", 1)[1], LinkKind.STOP).address == ADDRESS
    assert ics is not None and ics.get_param("method") == "REQUEST"
    calendar, found = event(ics)
    [published] = Calendar.from_ical(services.calendars.ics(card.calendar_token)).walk("VEVENT")
    assert str(calendar["method"]) == "REQUEST"
    assert str(found["uid"]) == str(published["uid"]) and int(found["sequence"]) == 0
    assert str(found["attendee"]) == f"mailto:{ADDRESS}" and found["attendee"].params["RSVP"] == "FALSE"
    assert str(found["organizer"]) == "mailto:dialog@example.org"
    assert "Møteleder: Varaordfører for helse" in str(found["description"])
    assert str(found["location"]) == "https://meet.example.org/vinter"


def test_a_change_raises_the_sequence_and_a_cancellation_cancels(
        services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    card = meeting(services, clock)
    notifier = mailer(services, clock, links, server.port)
    notifier.send(to("en"), MeetingInvitation(card, personal=True), delivery_id=1)
    moved = services.meetings.change(coordinator(), card.number, title=card.title,
                                     starts_at=card.starts_at + timedelta(hours=3),
                                     duration_minutes=card.duration_minutes, video_link=card.video_link,
                                     chair=card.chair).meeting
    notifier.send(to("en"), MeetingChanged(moved, ("time",), previous_starts_at=card.starts_at), delivery_id=2)
    cancelled = services.meetings.cancel(coordinator(), card.number, reason="The hall is flooded")
    notifier.send(to("en"), MeetingCancelled(cancelled), delivery_id=3)
    first, second, third = [r.message for r in server.wait_for(3)]
    assert second["Subject"].startswith(f"{card.title}: changed: a new time")
    assert "Was: " in parts(second)[0].get_content()
    _, invited = event(parts(first)[2])
    _, changed = event(parts(second)[2])
    calendar, gone = event(parts(third)[2])
    assert str(invited["uid"]) == str(changed["uid"]) == str(gone["uid"])
    assert int(invited["sequence"]) < int(changed["sequence"]) < int(gone["sequence"])
    assert changed.decoded("dtstart") == card.starts_at + timedelta(hours=3)
    assert str(calendar["method"]) == "CANCEL" and str(gone["status"]) == "CANCELLED"
    assert parts(third)[2].get_param("method") == "CANCEL"
    assert "/p/answer/" not in parts(third)[1].get_content()
    assert "Reason: The hall is flooded" in parts(third)[0].get_content()


def test_the_same_delivery_keeps_its_message_id_and_english_reads_english(
        services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    card = meeting(services, clock, title="March dialogue")
    notifier = mailer(services, clock, links, server.port)
    message = MeetingInvitation(card, personal=True)
    one = notifier.send(to("en"), message, delivery_id=7)
    again = notifier.send(to("en"), message, delivery_id=7)
    other = notifier.send(to("en"), message, delivery_id=8)
    elsewhere = notifier.send(to("en", "ola@example.org"), message, delivery_id=7)
    mails = [r.message for r in server.wait_for(4)]
    assert one == again and mails[0]["Message-ID"] == mails[1]["Message-ID"] == one.value
    assert len({one.value, other.value, elsewhere.value}) == 3
    assert mails[0]["Subject"].startswith("March dialogue: invitation, ")
    text = parts(mails[0])[0].get_content()
    assert "Attending:" in text and "(Europe/Oslo)" in text and "Chair: Varaordfører for helse" in text


def test_header_injection_in_a_title_never_becomes_a_header_or_a_recipient(
        services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    card = replace(meeting(services, clock), title="Hei\r\nBcc: evil@attacker.example\r\n\r\nbody")
    mailer(services, clock, links, server.port).send(to("en"), MeetingInvitation(card, personal=True),
                                                     delivery_id=9)
    [received] = server.wait_for(1)
    assert received.rcpt_tos == (ADDRESS,)
    mail = received.message
    assert mail["Bcc"] is None and "evil@attacker.example" not in (mail["To"] or "")
    assert mail["Subject"].startswith("Hei Bcc: evil@attacker.example body: invitation")


def test_a_550_is_permanent_with_the_servers_words(services: Services, clock: ManualClock, links: Links,
                                                   server: SmtpServer) -> None:
    server.refuse["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"
    with pytest.raises(DeliveryError) as refused:
        mailer(services, clock, links, server.port).send(
            to("en", "gone@example.org"), MeetingInvitation(meeting(services, clock), personal=True), delivery_id=5)
    assert refused.value.permanent and not refused.value.maybe_sent
    assert refused.value.reason.startswith("550 5.1.1") and "no such user" in refused.value.reason
    assert not server.received


def test_a_451_is_tried_again(services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    server.refuse["busy@example.org"] = "451 4.7.1 Greylisted, try again later"
    with pytest.raises(DeliveryError) as refused:
        mailer(services, clock, links, server.port).send(
            to("en", "busy@example.org"), MeetingInvitation(meeting(services, clock), personal=True), delivery_id=6)
    assert not refused.value.permanent and refused.value.reason.startswith("451")
    assert not server.received


def test_no_server_is_for_the_operator_and_tried_again(services: Services, clock: ManualClock,
                                                       links: Links) -> None:
    with pytest.raises(DeliveryError) as down:
        mailer(services, clock, links, free_port()).send(
            to("en"), MeetingInvitation(meeting(services, clock), personal=True), delivery_id=4)
    assert not down.value.permanent and not down.value.maybe_sent
    assert down.value.operator_hint and "SMTP_HOST" in down.value.operator_hint


def test_an_urgent_call_is_marked_urgent_in_subject_and_headers(
        services: Services, clock: ManualClock, links: Links, server: SmtpServer) -> None:
    card = replace(meeting(services, clock, title="Flom i Groruddalen"), kind=MeetingKind.URGENT)
    mailer(services, clock, links, server.port).send(to("nb"), MeetingInvitation(card, personal=True),
                                                     delivery_id=10)
    [received] = server.wait_for(1)
    mail = received.message
    assert mail["Subject"].startswith("[Haster] Flom i Groruddalen: invitasjon, ")
    assert mail["Importance"] == "high" and mail["X-Priority"] == "1"
    assert "Hastemøte" in parts(mail)[0].get_content()


def test_the_delivery_engine_invites_an_email_only_organisation_once(
        sessions: sessionmaker[Session], clock: ManualClock, links: Links, server: SmtpServer) -> None:
    calendars = Calendars(sessions, clock, ZoneInfo("Europe/Oslo"))
    context = EmailContext(links=links, zone=ZoneInfo("Europe/Oslo"), default_language="nb",
                           calendar=calendars.for_attendee, sender=SENDER, public_url=PUBLIC, clock=clock.now)
    email = EmailNotifier(SmtpSettings("127.0.0.1", server.port, "none", "", "", SENDER), context)
    services = build_services(sessions, clock, RecordingNotifier("slack"), also=(email,), platform="slack",
                              channel_id=CHANNEL, coordinators=(COORDINATOR,), default_language="nb",
                              timings=TIMINGS, privacy=PrivacySettings(notices=False))
    # The organisation's only contact is an address (made as the roster stores one).
    services.roster.add(coordinator(), "Bydelsmødrene", Tier.CORE)
    with sessions.begin() as session:
        organisation_id = session.scalar(select(Organisation.id).where(Organisation.name == "Bydelsmødrene"))
        session.add(Contact(organisation_id=organisation_id, platform=EMAIL, user_id=ADDRESS,
                            created_at=clock.now()))
    card = services.meetings.schedule(coordinator(), title="Vinterdialog", starts_at=clock.now() + timedelta(days=5),
                                      video_link="https://meet.example.org/vinter").meeting
    services.deliveries.sweep()
    [received] = server.wait_for(1)
    services.deliveries.sweep()
    assert len(server.received) == 1, "sent once, however often the engine sweeps"
    assert received.rcpt_tos == (ADDRESS,)
    mail = received.message
    assert mail["Subject"].startswith("Vinterdialog: invitasjon, ")
    text, html, ics = parts(mail)
    answers = {label: href for label, href in anchors(html.get_content()).links if "/p/answer/" in href}
    link = links.read(answers["Kommer"].rsplit("/", 1)[1], LinkKind.ANSWER)
    assert (link.meeting_number, link.answer, link.actor.workspace) == (card.number, Answer.YES, WORKSPACE)
    assert ics is not None and str(Calendar.from_ical(ics.get_content())["method"]) == "REQUEST"

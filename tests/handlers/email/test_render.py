"""Meetings as e-mails: subjects beginning with the title (urgent marked), text and HTML in the
reader's language, the three answer links that read back to the right meeting and answer, the
footer's page and unsubscribe links, the .ics asked for, escaping and header injection."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from handlers.email.links import LinkKind, Links
from handlers.email.render import CalendarMethod, EmailContext, render_email
from handlers.email.render.mime import build_message
from services.clock import ManualClock
from services.enums import Answer, MeetingKind, MeetingState
from services.messages import (
    ActionItemView,
    AnswerRecorded,
    MeetingCancelled,
    MeetingCard,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    Talk,
    Tally,
)
from services.people import EMAIL, Destination, DestinationKind, WorkspaceRef

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
START = datetime(2027, 1, 14, 14, 0, tzinfo=UTC)  # Thursday 15:00 in Oslo
PUBLIC = "https://dialog.example.org"
KEY = "k" * 64
WORKSPACE = WorkspaceRef("slack", "T0DIALOG")
ADDRESS = "kari@example.org"
SENDER = "Dialogbot <dialog@example.org>"


class Calendar:
    """Records what the renderer asked for, and answers with a recognisable file."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str, str, str]] = []

    def __call__(self, token: str, method: str, attendee: str, *, organizer: str = "",
                 language: str = "en") -> bytes | None:
        self.asked.append((token, str(method), attendee, organizer, language))
        return f"BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nEND:VCALENDAR\r\n".encode()


def card(**changes) -> MeetingCard:
    base = MeetingCard(
        number=12, title="Heating & housing", kind=MeetingKind.REGULAR, state=MeetingState.SCHEDULED,
        starts_at=START, duration_minutes=90, video_link="https://meet.example.org/dialog",
        agenda=((3, "Heating costs"), (5, "Housing for families")), participants=("Caritas", "Bydelsmødrene"),
        observers=("NAV",), tally=Tally(), invite_at=NOW,
        talks=(Talk("Deputy mayor", "Oslo kommune", "Winter plans", 10),), calendar_token="tok123",
        chair="Varaordfører for helse", background="A cold winter.\nShelters are full.",
        follow_up=(ActionItemView("Find volunteers", "Caritas", date(2027, 1, 10), meeting_number=11,
                                  position=2),))
    return replace(base, **changes)


def context(clock: ManualClock, *, links: bool = True, calendar: Calendar | None = None) -> EmailContext:
    signer = Links(KEY if links else "", PUBLIC if links else "", clock=lambda: clock.now().timestamp())
    return EmailContext(links=signer, zone=ZoneInfo("Europe/Oslo"), default_language="en",
                        calendar=calendar or Calendar(), sender=SENDER, public_url=PUBLIC if links else "",
                        clock=clock.now)


def to(language: str | None = "en", address: str = ADDRESS) -> Destination:
    return Destination(EMAIL, DestinationKind.PERSON, address, language, WORKSPACE)


class Anchors(HTMLParser):
    """The links of an HTML part, with their text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text = ""
        self.lang: str | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._text.strip(), self._href))
            self._href = None


def anchors(html: str) -> Anchors:
    parser = Anchors()
    parser.feed(html)
    return parser


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def test_an_invitation_in_english_has_everything_and_three_answer_links(clock: ManualClock) -> None:
    calendar = Calendar()
    ctx = context(clock, calendar=calendar)
    email = render_email(MeetingInvitation(card(), personal=True), to("en"), ctx)
    assert email.subject == "Heating & housing: invitation, Thursday, 14 January 2027 15:00 (Europe/Oslo)"
    assert not email.urgent and email.language == "en"
    for expected in ("12. Heating & housing", "Thursday, 14 January 2027 15:00 (Europe/Oslo) · 90 minutes",
                     "Chair: Varaordfører for helse", "Video link: https://meet.example.org/dialog",
                     "1. Winter plans: Deputy mayor (Oslo kommune), 10 minutes",
                     "2. Open floor, 80 minutes: #3 Heating costs; #5 Housing for families",
                     "A cold winter.\nShelters are full.", "Invited: Caritas, Bydelsmødrene", "Listening in: NAV",
                     "11.2 Find volunteers: Caritas, by 10 January 2027 · open",
                     f"{PUBLIC}/calendar/tok123.ics"):
        assert expected in email.text, expected
    page = anchors(email.html)
    assert page.lang == "en" and "h1" in page.tags and "h2" in page.tags
    assert "script" not in page.tags and "img" not in page.tags
    answers = {text: href for text, href in page.links if "/p/answer/" in href}
    assert set(answers) == {"Attending", "Not attending", "Maybe"}
    for text, answer in (("Attending", Answer.YES), ("Not attending", Answer.NO), ("Maybe", Answer.MAYBE)):
        link = ctx.links.read(answers[text].rsplit("/", 1)[1], LinkKind.ANSWER)
        assert (link.meeting_number, link.answer, link.address) == (12, answer, ADDRESS)
        assert link.actor.workspace == WORKSPACE and link.expires_at == START.timestamp()
        assert answers[text] in email.text, "the plain text carries the same links"
    [page_link] = [href for _, href in page.links if "/p/me/" in href]
    [stop_link] = [href for _, href in page.links if "/p/stop/" in href]
    assert ctx.links.read(page_link.rsplit("/", 1)[1], LinkKind.PAGE).address == ADDRESS
    assert ctx.links.read(stop_link.rsplit("/", 1)[1], LinkKind.STOP).address == ADDRESS
    assert ("https://meet.example.org/dialog", "https://meet.example.org/dialog") in page.links
    assert email.calendar_method == CalendarMethod.REQUEST and email.calendar is not None
    assert calendar.asked == [("tok123", "REQUEST", ADDRESS, SENDER, "en")]


def test_an_invitation_in_norwegian(clock: ManualClock) -> None:
    calendar = Calendar()
    email = render_email(MeetingInvitation(card(), personal=True), to("nb"), context(clock, calendar=calendar))
    assert email.subject == "Heating & housing: invitasjon, torsdag 14. januar 2027 kl. 15:00"
    assert "torsdag 14. januar 2027 kl. 15:00 · 90 minutter" in email.text
    assert "Møteleder: Varaordfører for helse" in email.text and "Dagsorden" in email.text
    assert "Ordet fritt, 80 minutter" in email.text
    page = anchors(email.html)
    assert page.lang == "nb"
    assert {text for text, href in page.links if "/p/answer/" in href} == {"Kommer", "Kommer ikke", "Kanskje"}
    assert calendar.asked[0][4] == "nb"
    assert "Will you come" not in email.text and "Invitation" not in email.text, "nothing left in English"


def test_the_default_language_when_the_reader_has_none(clock: ManualClock) -> None:
    ctx = replace(context(clock), default_language="nb")
    email = render_email(MeetingInvitation(card(), personal=True), to(None), ctx)
    assert email.language == "nb" and "invitasjon" in email.subject


def test_observers_are_invited_to_listen_in(clock: ManualClock) -> None:
    email = render_email(MeetingInvitation(card(), personal=True, listening=True), to("en"), context(clock))
    assert "invitation to listen in" in email.subject
    assert "You are invited to listen in on meeting 12" in email.text


@pytest.mark.parametrize(("language", "mark"), [("en", "[Urgent] "), ("nb", "[Haster] ")])
def test_urgent_calls_are_marked_in_the_subject(clock: ManualClock, language: str, mark: str) -> None:
    urgent = card(kind=MeetingKind.URGENT)
    for message in (MeetingInvitation(urgent, personal=True), MeetingReminder(urgent, None),
                    MeetingNudge(urgent, "Caritas")):
        email = render_email(message, to(language), context(clock))
        assert email.subject.startswith(mark + "Heating & housing: ") and email.urgent


def test_user_text_is_escaped_in_html_and_never_a_link_it_should_not_be(clock: ManualClock) -> None:
    hostile = card(title="<script>alert(1)</script> & co", chair="<b>boss</b>",
                   video_link="javascript:alert(1)", background='"><img src=x onerror=alert(1)>',
                   participants=("<i>Org</i>",))
    email = render_email(MeetingInvitation(hostile, personal=True), to("en"), context(clock))
    assert "<script>" not in email.html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in email.html
    assert "<b>boss</b>" not in email.html and "<img" not in email.html and "<i>Org</i>" not in email.html
    page = anchors(email.html)
    assert "img" not in page.tags and "script" not in page.tags
    assert all(href.startswith("https://") for _, href in page.links)
    assert "javascript:alert(1)" in email.text, "shown as typed, not linked"
    assert "<script>alert(1)</script> & co" in email.text, "plain text is not HTML-escaped"


def test_header_injection_and_non_ascii_titles_in_the_subject(clock: ManualClock) -> None:
    ctx = context(clock)
    for title in ("Hei\r\nBcc: x@evil.example", "Hei\nBcc: x@evil.example"):
        email = render_email(MeetingInvitation(card(title=title), personal=True), to("en"), ctx)
        assert "\r" not in email.subject and "\n" not in email.subject
        mail = build_message(email, destination=to("en"), sender=SENDER, message_id="<1@example.org>", context=ctx)
        parsed = message_from_bytes(mail.as_bytes(), policy=policy.default)
        assert parsed["Bcc"] is None and not any(name.lower() == "bcc" for name in parsed.keys())
        assert parsed["Subject"].startswith("Hei Bcc: x@evil.example: invitation")
    title = "Dialogmøte om æøå ÆØÅ: bydelsmødrenes erfaringer med vinterens kuldebølge i Groruddalen"
    email = render_email(MeetingInvitation(card(title=title), personal=True), to("nb"), ctx)
    mail = build_message(email, destination=to("nb"), sender=SENDER, message_id="<2@example.org>", context=ctx)
    raw = mail.as_bytes()
    header = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    assert all(byte < 128 for byte in header), "headers are encoded (RFC 2047), never raw UTF-8"
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == email.subject and parsed["Subject"].startswith(title)


def test_no_public_address_no_links_but_the_email_still_goes(clock: ManualClock) -> None:
    email = render_email(MeetingInvitation(card(), personal=True), to("en"), context(clock, links=False))
    assert "/p/" not in email.text and "/p/" not in email.html
    assert "/calendar/" not in email.text
    assert "Will you come" not in email.text
    assert "You receive this e-mail as a contact" in email.text
    assert email.calendar is not None, "the .ics needs no public address"
    changed = render_email(MeetingChanged(card(), ("time",), previous_starts_at=START - timedelta(days=1)),
                           to("en"), context(clock, links=False))
    assert "New time:" in changed.text and "answer again below" not in changed.text, "no links to point to"


def test_no_answer_links_once_the_meeting_started_or_is_not_scheduled(clock: ManualClock) -> None:
    ctx = context(clock)
    clock.advance(START - NOW + timedelta(minutes=1))
    email = render_email(MeetingReminder(card(), Answer.YES), to("en"), ctx)
    assert "/p/answer/" not in email.html and "/p/me/" in email.html
    held = render_email(MeetingReminder(card(state=MeetingState.HELD), None), to("en"), context(ManualClock(NOW)))
    assert "/p/answer/" not in held.html


def test_a_reminder_says_the_answer_so_far_and_offers_to_change_it(clock: ManualClock) -> None:
    email = render_email(MeetingReminder(card(), Answer.MAYBE), to("en"), context(clock))
    assert email.subject.startswith("Heating & housing: reminder, Thursday, 14 January 2027")
    assert "Your answer: Maybe" in email.text and "Change your answer" in email.text
    assert email.calendar_method == CalendarMethod.REQUEST
    assert len([1 for _, href in anchors(email.html).links if "/p/answer/" in href]) == 3


def test_a_nudge_names_the_organisation(clock: ManualClock) -> None:
    email = render_email(MeetingNudge(card(), "Bydelsmødrene"), to("nb"), context(clock))
    assert email.subject == "Heating & housing: kommer noen fra Bydelsmødrene?"
    assert "Bydelsmødrene" in email.text and email.calendar_method == CalendarMethod.REQUEST


def test_a_change_shows_the_old_time_beside_the_new(clock: ManualClock) -> None:
    moved = card(starts_at=START + timedelta(days=1))
    message = MeetingChanged(moved, ("time", "link"), previous_starts_at=START)
    email = render_email(message, to("en"), context(clock))
    assert email.subject == "Heating & housing: changed: a new time and a new video link"
    assert "New time: Friday, 15 January 2027 15:00 (Europe/Oslo)" in email.text
    assert "Was: Thursday, 14 January 2027 15:00 (Europe/Oslo)" in email.text
    assert email.calendar_method == CalendarMethod.REQUEST
    nb = render_email(message, to("nb"), context(clock))
    assert "endret" in nb.subject and "fredag 15. januar 2027 kl. 15:00" in nb.text
    assert "torsdag 14. januar 2027 kl. 15:00" in nb.text


def test_a_cancellation_gives_the_reason_and_cancels_the_calendar_entry(clock: ManualClock) -> None:
    calendar = Calendar()
    cancelled = card(state=MeetingState.CANCELLED, cancel_reason="The venue <flooded>")
    email = render_email(MeetingCancelled(cancelled), to("en"), context(clock, calendar=calendar))
    assert email.subject == "Heating & housing: cancelled"
    assert "Reason: The venue <flooded>" in email.text and "The venue &lt;flooded&gt;" in email.html
    assert email.calendar_method == CalendarMethod.CANCEL and calendar.asked[0][1] == "CANCEL"
    assert "/p/answer/" not in email.html
    late = render_email(MeetingInvitation(cancelled, personal=True), to("en"), context(clock))
    assert late.calendar_method == CalendarMethod.CANCEL, "an invitation sent after the cancellation cancels"


def test_an_answer_recorded_is_confirmed_in_writing(clock: ManualClock) -> None:
    email = render_email(AnswerRecorded(card(), Answer.NO), to("nb"), context(clock))
    assert email.subject == "Heating & housing: svaret ditt er registrert: Kommer ikke"
    assert "Kommer ikke" in email.text and email.calendar is None

"""The sandbox's Mailbox: its SMTP server catches what is sent to it (here with smtplib, as the
bot's notifier sends), and the page's endpoints list, show and hand out the messages."""

from __future__ import annotations

import smtplib
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from icalendar import Calendar

from handlers.slack import PLATFORM
from sandbox import demo
from sandbox.launcher import Sandbox
from sandbox.mailbox import Mailbox, MailServer, attachments, details, html_of
from sandbox.web import EMAIL_HTML_POLICY
from services.people import EMAIL, Actor, PersonRef
from tests.support.sandbox import call, running_sandbox

ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
       b"UID:meeting-1@fjordby.example\r\nSEQUENCE:0\r\nDTSTART:20270114T140000Z\r\n"
       b"SUMMARY:Ungdom og kveldene\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def invitation(to: str, subject: str, *, html: str | None = None, ics: bytes | None = ICS) -> EmailMessage:
    """An e-mail shaped as the bot's: text and HTML alternatives, the .ics attached."""
    mail = EmailMessage()
    mail["From"] = demo.EMAIL_FROM
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="fjordby.example")
    mail.set_content("Kommer du?\nSvar her: http://127.0.0.1:1/p/answer/abc\n", cte="quoted-printable")
    mail.add_alternative(html if html is not None else
                         '<!doctype html><html><head><meta charset="utf-8"><title>x</title></head><body>'
                         '<p>Kommer du?</p><a href="http://127.0.0.1:1/p/answer/abc">Kommer</a></body></html>',
                         subtype="html", cte="quoted-printable")
    if ics is not None:
        mail.add_attachment(ics, maintype="text", subtype="calendar", filename="invite.ics",
                            params={"method": "REQUEST"})
    return mail


def send(port: int, mail: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(mail)


@pytest.fixture
def server() -> Iterator[MailServer]:
    running = MailServer(Mailbox())
    running.start()
    yield running
    running.stop()


def test_the_server_catches_a_message_and_shows_its_parts(server: MailServer) -> None:
    send(server.port, invitation("frivillig@fjordby.example", "Ungdom og kveldene: invitasjon"))
    caught = server.mailbox.messages()
    assert len(caught) == 1
    assert caught[0].rcpt_tos == ("frivillig@fjordby.example",)
    shown = details(caught[0])
    assert shown["to"] == "frivillig@fjordby.example"
    assert shown["subject"] == "Ungdom og kveldene: invitasjon"
    assert shown["from"] == demo.EMAIL_FROM
    assert "Svar her: http://127.0.0.1:1/p/answer/abc" in shown["text"]
    assert shown["has_html"] is True
    assert [(a["filename"], a["content_type"]) for a in shown["attachments"]] == [("invite.ics", "text/calendar")]
    calendar = Calendar.from_ical(attachments(caught[0].message)[0].content)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == "meeting-1@fjordby.example"


def test_links_in_the_html_open_in_a_new_tab(server: MailServer) -> None:
    send(server.port, invitation("a@fjordby.example", "Med head"))
    send(server.port, invitation("b@fjordby.example", "Uten head", html="<p><a href='http://x.example/'>x</a></p>"))
    with_head, without_head = server.mailbox.messages()
    html = html_of(with_head)
    assert html is not None
    assert html.index("<head>") < html.index('<base target="_blank">') < html.index("<title>")
    assert html_of(without_head) == "<base target=\"_blank\"><p><a href='http://x.example/'>x</a></p>\n"


def test_a_message_without_html_or_attachments_shows_its_text(server: MailServer) -> None:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = demo.EMAIL_FROM, "x@fjordby.example", "Bare tekst"
    mail.set_content("Hei æøå")
    send(server.port, mail)
    shown = details(server.mailbox.messages()[0])
    assert (shown["text"], shown["has_html"], shown["attachments"]) == ("Hei æøå\n", False, [])
    assert html_of(server.mailbox.messages()[0]) is None


def test_a_message_without_headers_is_listed_by_its_envelope(server: MailServer) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as smtp:
        smtp.sendmail("dialog@fjordby.example", ["frivillig@fjordby.example"], b"just some words\r\n")
    (listed,) = server.mailbox.listing()["messages"]
    assert (listed["to"], listed["from"], listed["subject"]) == ("frivillig@fjordby.example",
                                                                 "dialog@fjordby.example", "")
    shown = details(server.mailbox.messages()[0])
    assert (shown["text"], shown["has_html"]) == ("just some words\n", False)


def test_the_listing_is_newest_first_with_an_unread_count() -> None:
    mailbox = Mailbox(kept=2)
    for number in range(3):
        mailbox.catch("dialog@fjordby.example", (f"n{number}@fjordby.example",),
                      invitation(f"n{number}@fjordby.example", f"Nummer {number}").as_bytes())
    listing = mailbox.listing()
    assert [m["subject"] for m in listing["messages"]] == ["Nummer 2", "Nummer 1"]
    assert listing["unread"] == 2
    newest = listing["messages"][0]["id"]
    assert mailbox.mark_read(newest) and not mailbox.mark_read(1)
    listing = mailbox.listing()
    assert listing["unread"] == 1
    assert [m["read"] for m in listing["messages"]] == [True, False]


def test_a_waiting_page_wakes_when_a_message_arrives() -> None:
    mailbox = Mailbox()
    since = mailbox.version
    woken: list[int] = []
    waiter = threading.Thread(target=lambda: woken.append(mailbox.wait_for_change(since, 10)))
    waiter.start()
    mailbox.catch("x@y.example", ("z@y.example",), invitation("z@y.example", "Hei").as_bytes())
    waiter.join(10)
    assert woken == [since + 1]
    # Released (the sandbox is stopping): waiting no longer blocks.
    mailbox.release_waiters()
    assert mailbox.wait_for_change(mailbox.version, 30) == mailbox.version


# -- in the running sandbox ---------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with running_sandbox(f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}", None) as running:
        yield running


def fetch(sandbox: Sandbox, path: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(sandbox.url + path, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_bot_in_the_sandbox_sends_through_the_mailbox(sandbox: Sandbox) -> None:
    settings = sandbox.runtime.settings
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("127.0.0.1", sandbox.mail.port,
                                                                                "none")
    assert settings.email_from == demo.EMAIL_FROM
    assert settings.public_url == sandbox.url
    assert settings.has_email()


def test_the_demo_roster_has_an_organisation_reached_by_email_only(sandbox: Sandbox) -> None:
    kari = Actor.of(PLATFORM, sandbox.runtime.team_id, demo.COORDINATOR)
    cards = {card.name: card for card in sandbox.runtime.services.roster.organisations(kari)}
    volunteers = cards[demo.EMAIL_ORGANISATION]
    assert volunteers.contacts == (PersonRef(EMAIL, demo.EMAIL_CONTACT),)
    assert volunteers.language == "nb"


def test_the_pages_endpoints_list_show_and_hand_out_a_message(sandbox: Sandbox) -> None:
    status, empty = call(sandbox, "/sandbox/api/mailbox")
    assert status == 200 and (empty["messages"], empty["unread"]) == ([], 0)
    send(sandbox.mail.port, invitation("frivillig@fjordby.example", 'Møte <script>alert(1)</script> "x"'))
    status, listing = call(sandbox, f"/sandbox/api/mailbox?since={empty['version']}")
    assert status == 200 and listing["unread"] == 1
    (summary,) = listing["messages"]
    # Text as it is; the page puts it in with textContent.
    assert summary["subject"] == 'Møte <script>alert(1)</script> "x"'
    assert summary["to"] == "frivillig@fjordby.example"

    status, shown = call(sandbox, f"/sandbox/api/mailbox/{summary['id']}")
    assert status == 200 and shown["has_html"] and "Kommer du?" in shown["text"]

    status, headers, body = fetch(sandbox, f"/sandbox/mailbox/{summary['id']}/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"] == EMAIL_HTML_POLICY
    assert "script-src" not in EMAIL_HTML_POLICY and "allow-scripts" not in EMAIL_HTML_POLICY
    assert "allow-same-origin" not in EMAIL_HTML_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert b'<base target="_blank">' in body and b"/p/answer/abc" in body

    status, headers, body = fetch(sandbox, f"/sandbox/mailbox/{summary['id']}/part/0")
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert headers["Content-Disposition"] == 'attachment; filename="invite.ics"'
    assert Calendar.from_ical(body).walk("VEVENT")[0]["SUMMARY"] == "Ungdom og kveldene"

    status, headers, body = fetch(sandbox, f"/sandbox/mailbox/{summary['id']}/raw")
    assert status == 200 and headers["Content-Disposition"].startswith("attachment;") and b"Kommer du?" in body

    assert call(sandbox, f"/sandbox/api/mailbox/{summary['id']}/read", {}) == (200, {"ok": True})
    assert call(sandbox, "/sandbox/api/mailbox")[1]["unread"] == 0


def test_unknown_messages_and_parts_are_refused_plainly(sandbox: Sandbox) -> None:
    assert call(sandbox, "/sandbox/api/mailbox/99")[0] == 404
    assert call(sandbox, "/sandbox/api/mailbox/99/read", {})[0] == 404
    assert fetch(sandbox, "/sandbox/mailbox/99/html")[0] == 404
    send(sandbox.mail.port, invitation("x@fjordby.example", "Uten vedlegg", ics=None))
    (summary,) = call(sandbox, "/sandbox/api/mailbox")[1]["messages"]
    assert fetch(sandbox, f"/sandbox/mailbox/{summary['id']}/part/0")[0] == 404
    assert fetch(sandbox, f"/sandbox/mailbox/{summary['id']}/part/-1")[0] == 404


def test_the_mail_server_listens_on_loopback_and_stops_with_the_sandbox(tmp_path: Path) -> None:
    with running_sandbox(f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}", None) as running:
        port = running.mail.port
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    # Open pages waiting for e-mail are let go, and the port is closed.
    assert running.mailbox.released
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass

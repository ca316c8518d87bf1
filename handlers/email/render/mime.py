"""An e-mail as MIME: multipart/alternative (plain text and HTML) with the meeting's .ics attached,
and the headers a mail system reads: a Message-ID made from the delivery (the same message keeps
it when sent again), one-click unsubscribing (RFC 8058), urgency, language, auto-generated."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from handlers.email.render.context import CalendarMethod, EmailContext
from services.people import Destination


@dataclass(frozen=True)
class Email:
    """What one e-mail says, rendered for its reader: the parts build_message puts together."""

    subject: str
    text: str
    html: str
    language: str
    calendar: bytes | None = None
    calendar_method: CalendarMethod | None = None
    urgent: bool = False


def one_line(value: str) -> str:
    """`value` with every line break and run of spaces made one space: user text (a title, a
    name) in a header can never start a header of its own."""
    return " ".join(value.split())


def message_id_for(delivery_id: int, destination: Destination, sender: str) -> str:
    """The Message-ID of a delivery's e-mail: the same every time it is sent, different for every
    delivery, workspace and address."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "dialogbot.invalid"
    workspace = destination.workspace
    where = f"{workspace.platform}:{workspace.external_id}" if workspace else ""
    digest = hashlib.sha256(f"{where}\0{destination.id}".encode()).hexdigest()[:16]
    return f"<dialogbot.{delivery_id}.{digest}@{domain}>"


def build_message(email: Email, *, destination: Destination, sender: str, message_id: str,
                  context: EmailContext, now: datetime | None = None) -> EmailMessage:
    """The MIME message for `email` to the person at `destination` (their address)."""
    mail = EmailMessage()
    name, address = parseaddr(sender)
    local, _, domain = address.rpartition("@")
    mail["From"] = Address(display_name=one_line(name), username=local, domain=domain)
    mail["To"] = destination.id
    mail["Subject"] = one_line(email.subject)
    mail["Date"] = format_datetime(now or datetime.now(UTC))
    mail["Message-ID"] = message_id
    # Automatic, so out-of-office replies are not sent back (RFC 3834).
    mail["Auto-Submitted"] = "auto-generated"
    if email.urgent:
        mail["Importance"] = "high"
        mail["X-Priority"] = "1"
    if destination.workspace is not None and context.links.available:
        stop = context.links.stop_url(destination.workspace, destination.id)
        mail["List-Unsubscribe"] = f"<{stop}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(email.text, cte="quoted-printable")
    mail.add_alternative(email.html, subtype="html", cte="quoted-printable")
    if email.calendar is not None and email.calendar_method is not None:
        mail.add_attachment(email.calendar, maintype="text", subtype="calendar",
                            filename="invite.ics" if email.calendar_method == CalendarMethod.REQUEST
                            else "cancel.ics",
                            params={"method": email.calendar_method.value, "charset": "utf-8"})
    # Last: setting the content clears every Content-* header set before it.
    mail["Content-Language"] = email.language
    return mail

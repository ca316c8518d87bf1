"""The e-mail side of deliveries: render a service's message as an e-mail and hand it to the SMTP
server (standard library `smtplib`), one connection per message.

E-mail cannot be changed once sent, nor searched afterwards: `update` does nothing (a change that
matters is told in a message of its own, as chat does), and `find_sent` cannot tell. A message in
doubt after a crash is sent again (`resend_in_doubt`), as the same message: its Message-ID is made
from the delivery, so the copy is recognisably the same e-mail, and an invitation lost would be
worse than one twice.

The server's answers decide what happens next: 5xx for a recipient (unknown user, mailbox gone) is
a permanent failure, reported to the coordinator with the address and the server's words; 4xx
(greylisting, a full mailbox) is retried with back-off; a refused sender or login is for an
operator to mend, retried meanwhile; a connection lost after the message was handed over leaves
it in doubt.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from handlers.email import PLATFORM
from handlers.email.render import EmailContext, render_email
from handlers.email.render.mime import build_message, message_id_for
from services.messages import OutgoingMessage
from services.people import Destination, MessageRef
from services.ports import CANNOT_TELL, CannotTell, DeliveryError, Pacing

log = logging.getLogger(__name__)

TIMEOUT = 30.0
# One message per address at a time, a few a second to the server overall is the relay's affair:
# mail servers throttle by connection, and one connection per message keeps each short.
PACING = Pacing(burst=2, interval=timedelta(seconds=1), update_gap=timedelta(days=3650))


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server, and who the bot writes as."""

    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    username: str
    password: str
    sender: str  # "Name <address>" or an address

    def __repr__(self) -> str:
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r})"


class EmailNotifier:
    """Sends the services' messages to people at their e-mail address."""

    resend_in_doubt = True

    def __init__(self, smtp: SmtpSettings, context: EmailContext,
                 connect: Callable[[SmtpSettings], smtplib.SMTP] | None = None) -> None:
        self._smtp = smtp
        self._context = context
        self._connect = connect or _connect

    @property
    def platform(self) -> str:
        """E-mail."""
        return PLATFORM

    @property
    def pacing(self) -> Pacing:
        """How fast to write to one address."""
        return PACING

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        """Render `message` for the address and hand it to the SMTP server."""
        if not destination.is_person:
            raise DeliveryError("e-mail reaches people, not channels", permanent=True)
        email = render_email(message, destination, self._context)
        message_id = message_id_for(delivery_id, destination, self._smtp.sender)
        mail = build_message(email, destination=destination, sender=self._smtp.sender,
                             message_id=message_id, context=self._context)
        self._hand_over(mail, destination.id)
        return MessageRef(message_id)

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        """Nothing: a sent e-mail stays as it was (what changes is told in a message of its own)."""

    def find_sent(self, destination: Destination, *, delivery_id: int,
                  since: datetime) -> MessageRef | None | CannotTell:
        """E-mail cannot be searched after it was sent."""
        return CANNOT_TELL

    def _hand_over(self, mail: EmailMessage, address: str) -> None:
        try:
            connection = self._connect(self._smtp)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(_said(error.smtp_code, error.smtp_error), permanent=False,
                                operator_hint="check SMTP_USERNAME and SMTP_PASSWORD") from None
        except (smtplib.SMTPException, OSError) as error:
            # Nothing was handed over: tried again later, with a word for the operator.
            raise DeliveryError(f"cannot reach the SMTP server: {_short(error)}", permanent=False,
                                operator_hint="check SMTP_HOST, SMTP_PORT and SMTP_SECURITY") from None
        handed_over = False
        try:
            try:
                connection.ehlo_or_helo_if_needed()
                refused = connection.send_message(mail, to_addrs=[address])
                handed_over = True
            finally:
                try:
                    connection.quit()
                except (smtplib.SMTPException, OSError):
                    connection.close()
        except smtplib.SMTPRecipientsRefused as error:
            code, said = error.recipients.get(address, (0, b""))
            raise DeliveryError(_said(code, said), permanent=500 <= code < 600) from None
        except smtplib.SMTPSenderRefused as error:
            raise DeliveryError(_said(error.smtp_code, error.smtp_error), permanent=False,
                                operator_hint="check EMAIL_FROM: the server refuses it as sender") from None
        except smtplib.SMTPDataError as error:
            # The server read the message and refused it (5xx: as it is, for good; 4xx: for now).
            raise DeliveryError(_said(error.smtp_code, error.smtp_error),
                                permanent=500 <= error.smtp_code < 600) from None
        except smtplib.SMTPResponseException as error:
            raise DeliveryError(_said(error.smtp_code, error.smtp_error),
                                permanent=False) from None
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            if handed_over:
                return  # only the goodbye was lost
            # Lost mid-conversation: the server may have taken the message before it went.
            raise DeliveryError(f"the SMTP connection was lost: {_short(error)}", permanent=False,
                                maybe_sent=True) from None
        if refused:
            code, said = refused.get(address, (0, b""))
            raise DeliveryError(_said(code, said), permanent=500 <= code < 600)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.security == "tls":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=context)
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)
    try:
        connection.ehlo()
        if smtp.security == "starttls":
            connection.starttls(context=context)
            connection.ehlo()
        if smtp.username:
            connection.login(smtp.username, smtp.password)
    except BaseException:
        connection.close()
        raise
    return connection


def _said(code: int, said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else str(said)
    return f"{code} {' '.join(text.split())}"[:300]


def _short(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return "timed out"
    return f"{type(error).__name__}: {error}"[:200]

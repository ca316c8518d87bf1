"""The e-mail side of deliveries: render a service's message as an e-mail and hand it to the SMTP
server (standard library `smtplib`), one connection per message.

E-mail cannot be changed once sent, nor searched afterwards: `update` does nothing (a change that
matters is told in a message of its own, as chat does), and `find_sent` cannot tell. A message in
doubt after a crash is sent again (`resend_in_doubt`), as the same message: its Message-ID is made
from the delivery, so the copy is recognisably the same e-mail, and an invitation lost would be
worse than one twice.

The server's answers decide what happens next: 5xx for a recipient (unknown user, mailbox gone) is
a permanent failure, reported to the coordinator with the address and the server's words; 4xx
(greylisting, a full mailbox) is retried with back-off; 421 (too busy) pauses all e-mail for a
minute; a refused sender, login or relaying is for an operator to mend, retried meanwhile. The
conversation goes step by step (MAIL, RCPT, DATA), so a connection lost before the message went
out is simply retried, and only one lost while it went out leaves it in doubt. A domain in other
letters goes out in ASCII (IDNA); an address whose own part is not ASCII needs SMTPUTF8.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

import idna

from handlers.email import PLATFORM
from handlers.email.render import EmailContext, render_email
from handlers.email.render.mime import build_message, message_id_for
from services.messages import OutgoingMessage
from services.people import Destination, MessageRef
from services.ports import CANNOT_TELL, CannotTell, DeliveryError, Pacing, RateLimited

log = logging.getLogger(__name__)

TIMEOUT = 30.0
# 421: the server is too busy for now (too many connections, a rate limit): all sending waits.
OVERLOADED_WAIT = 60.0
# The bot's own relay refusing it (not the recipient's mailbox): "Relay access denied", "5.7.1
# Client host rejected", "authentication required".
_RELAY = re.compile(r"^\d{3} 5\.7\.\d+ .*(\brelay|authenticat|client host rejected)", re.IGNORECASE)
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
        address = ascii_address(address)
        if mail["To"] != address:
            mail.replace_header("To", address)
        try:
            connection = self._connect(self._smtp)
        except smtplib.SMTPAuthenticationError as error:
            raise DeliveryError(_said(error.smtp_code, error.smtp_error), permanent=False,
                                operator_hint="check SMTP_USERNAME and SMTP_PASSWORD") from None
        except smtplib.SMTPResponseException as error:
            # Refused before any message or recipient was named (the greeting, STARTTLS): the
            # server refuses the bot, never an address.
            if error.smtp_code == 421:
                raise RateLimited(OVERLOADED_WAIT) from None
            raise DeliveryError(_said(error.smtp_code, error.smtp_error), permanent=False,
                                operator_hint="check SMTP_HOST, SMTP_PORT and SMTP_SECURITY") from None
        except (smtplib.SMTPException, OSError) as error:
            # Nothing was handed over: tried again later, with a word for the operator.
            raise DeliveryError(f"cannot reach the SMTP server: {_short(error)}", permanent=False,
                                operator_hint="check SMTP_HOST, SMTP_PORT and SMTP_SECURITY") from None
        # Only a failure after the message itself went out (DATA) leaves it in doubt: before that,
        # the server cannot have taken it, and it is simply tried again.
        stage = ["envelope"]
        try:
            try:
                self._converse(connection, mail, address, stage)
            finally:
                try:
                    connection.quit()
                except (smtplib.SMTPException, OSError):
                    connection.close()
        except smtplib.SMTPSenderRefused as error:
            if error.smtp_code == 421:
                raise RateLimited(OVERLOADED_WAIT) from None
            raise DeliveryError(_said(error.smtp_code, error.smtp_error), permanent=False,
                                operator_hint="check EMAIL_FROM: the server refuses it as sender") from None
        except smtplib.SMTPRecipientsRefused as error:
            code, said = error.recipients.get(address, (0, b""))
            raise _refusal(code, said) from None
        except smtplib.SMTPResponseException as error:
            raise _refusal(error.smtp_code, error.smtp_error) from None
        except (smtplib.SMTPException, OSError) as error:
            if stage[0] == "accepted":
                return  # only the goodbye was lost
            if stage[0] == "data":
                # Lost while the message went out: the server may have taken it before it went.
                raise DeliveryError(f"the SMTP connection was lost: {_short(error)}", permanent=False,
                                    maybe_sent=True) from None
            raise DeliveryError(f"the SMTP conversation failed: {_short(error)}", permanent=False) from None

    def _converse(self, connection: smtplib.SMTP, mail: EmailMessage, address: str, stage: list[str]) -> None:
        """MAIL, RCPT and DATA, step by step, saying in `stage` how far it got: a failure is then
        known to fall before the message went out ("envelope"), while it did ("data"), or after the
        server took it ("accepted")."""
        connection.ehlo_or_helo_if_needed()
        sender = parseaddr(self._smtp.sender)[1]
        international = not (address.isascii() and sender.isascii())
        if international and not connection.has_extn("smtputf8"):
            raise DeliveryError("the mail server cannot take an address with letters outside ASCII "
                                "(it lacks SMTPUTF8)", permanent=True)
        code, said = connection.mail(sender, ["SMTPUTF8"] if international else [])
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, said, sender)
        code, said = connection.rcpt(address)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({address: (code, said)})
        flat = mail.as_bytes(policy=mail.policy.clone(utf8=international, linesep="\r\n"))
        stage[0] = "data"
        code, said = connection.data(flat)
        if code != 250:
            raise smtplib.SMTPDataError(code, said)
        stage[0] = "accepted"


def ascii_address(address: str) -> str:
    """`address` with its domain in ASCII (IDNA), as every mail server takes it; a local part in
    other letters stays as it is (it needs a server with SMTPUTF8)."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        # IDNA 2008 with UTS 46 mapping, as browsers and mail systems do: Python's own codec is
        # IDNA 2003, which sends straße.de to strasse.de, someone else's domain.
        return f"{local}@{idna.encode(domain, uts46=True).decode('ascii')}"
    except idna.IDNAError:
        return address


def _refusal(code: int, said: bytes | str) -> Exception:
    """What the engine does with the server's refusal of a recipient or a message: call the
    operator (the bot's own login or relaying refused), drop it for good (other 5xx: about the
    recipient or the message), or try again later (4xx, 421 here included: a pause of all e-mail
    is for a server too busy to talk at all, at the greeting or MAIL)."""
    reason = _said(code, said)
    if code in (530, 535) or (code // 100 == 5 and _RELAY.search(reason)):
        return DeliveryError(reason, permanent=False, operator_hint="check SMTP_USERNAME, SMTP_PASSWORD "
                             "and that the server relays mail from EMAIL_FROM")
    return DeliveryError(reason, permanent=500 <= code < 600)


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

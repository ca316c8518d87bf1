"""E-mails from the services' messages: plain text and HTML in the reader's language."""

from __future__ import annotations

from handlers.email.render.context import CalendarMethod, EmailContext
from handlers.email.render.mime import Email
from services.messages import OutgoingMessage
from services.people import Destination

__all__ = ["CalendarMethod", "Email", "EmailContext", "render_email"]


def render_email(message: OutgoingMessage, destination: Destination, context: EmailContext) -> Email:
    """`message` as an e-mail to the person at `destination`, in `destination.language`."""
    raise TypeError(f"no e-mail rendering for {type(message).__name__}")

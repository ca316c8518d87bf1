"""Domain errors: each carries a translatable message for the person who caused it."""

from __future__ import annotations

from services.i18n import Text


class DomainError(Exception):
    """A use case refused; `message` tells the person what was wrong and what works."""

    def __init__(self, message: Text, *, field: str | None = None) -> None:
        super().__init__(message.msgid)
        self.message = message
        # The input field at fault, so a form can show the message next to it.
        self.field = field


class InvalidInput(DomainError):
    """The input was malformed or out of bounds."""


class NotFound(DomainError):
    """What the input refers to does not exist."""


class Conflict(DomainError):
    """The request clashes with what is already there."""


class NotAllowed(DomainError):
    """The person lacks the rights for this action."""

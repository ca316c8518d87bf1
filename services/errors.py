"""Domain errors: each carries a translatable message for the person who caused it."""

from __future__ import annotations

from collections.abc import Mapping

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


class InvalidFields(InvalidInput):
    """Several fields of one form were invalid at once, so a form can show every error together.

    `errors` maps each field to its message, in the order they were found; the first is also the
    error's own message and field, which is all a one-line answer (a slash command) shows.
    """

    def __init__(self, errors: Mapping[str, Text]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = dict(errors)


def field_errors(error: DomainError) -> dict[str, Text]:
    """Every field error an error carries: several for InvalidFields, else its one (field "" if none)."""
    if isinstance(error, InvalidFields):
        return dict(error.errors)
    return {error.field or "": error.message}


def raise_field_errors(errors: Mapping[str, Text]) -> None:
    """Raise InvalidFields when `errors` holds any; a single one is an ordinary InvalidInput."""
    if len(errors) == 1:
        [(field, message)] = errors.items()
        raise InvalidInput(message, field=field or None)
    if errors:
        raise InvalidFields(errors)

"""Domain errors: each carries a translatable message for the person who caused it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.i18n import Text


class Field(StrEnum):
    """An input a use case can find at fault, whatever platform or form it was typed in.

    A platform maps each to its own place (Slack: a block of the form); a field that repeats (a
    talk, a follow-up point) is told apart by the row of a `FieldRef`.
    """

    TITLE = "title"
    DETAILS = "details"
    REASON = "reason"
    NAME = "name"
    TIER = "tier"
    STARTS_AT = "starts_at"
    DURATION = "duration"
    VIDEO_LINK = "video_link"
    CHAIR = "chair"
    """Who chairs a meeting for the city (a name, or a person picked)."""
    BACKGROUND = "background"
    """A meeting's background (urgent calls: the situation, in a few lines)."""
    TOPICS = "topics"
    ORGANISATIONS = "organisations"
    TALKS = "talks"
    """The talks as a whole (too many, too long together)."""
    TALK = "talk"
    """One talk's speaker or subject (row: the talk's position)."""
    TALK_MINUTES = "talk_minutes"
    """One talk's length (row: the talk's position)."""
    SUMMARY = "summary"
    DECISIONS = "decisions"
    ACTION_ITEMS = "action_items"
    """The follow-up points as a whole."""
    ACTION_ITEM = "action"
    """One follow-up point (row: its position)."""
    # An organisation on the roster, and a suggestion of one.
    CONTACTS = "contacts"
    CONTACT = "contact"
    PERSPECTIVES = "perspectives"
    PREFERRED_TIME = "preferred_time"
    LANGUAGE = "language"
    KEYWORDS = "keywords"
    MEETING = "meeting"
    COMMENT = "comment"
    """A comment on draft minutes."""


@dataclass(frozen=True)
class FieldRef:
    """Where an error belongs: a field (None: the input as a whole) and, for a field that repeats,
    the row, counted from 1 in the order the rows were given to the service."""

    field: Field | None
    row: int | None = None


def field_ref(key: FieldRef | Field | None) -> FieldRef:
    """The typed place of an error, from a FieldRef or a Field (None: the input as a whole)."""
    if isinstance(key, FieldRef):
        return key
    return FieldRef(key or None)


class DomainError(Exception):
    """A use case refused; `message` tells the person what was wrong and what works."""

    def __init__(self, message: Text, *, field: FieldRef | Field | None = None) -> None:
        super().__init__(message.msgid)
        self.message = message
        # The input field at fault (and its row), so a form can show the message next to it.
        self.ref = field_ref(field)
        self.field = self.ref.field
        self.row = self.ref.row


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

    def __init__(self, errors: Mapping[FieldRef | Field, Text]) -> None:
        typed = {field_ref(key): message for key, message in errors.items()}
        field, message = next(iter(typed.items()))
        super().__init__(message, field=field)
        self.errors = typed


def field_errors(error: DomainError) -> dict[FieldRef, Text]:
    """Every field error an error carries: several for InvalidFields, else its one (field None if none)."""
    if isinstance(error, InvalidFields):
        return dict(error.errors)
    return {error.ref: error.message}


def raise_field_errors(errors: Mapping[FieldRef | Field, Text]) -> None:
    """Raise InvalidFields when `errors` holds any; a single one is an ordinary InvalidInput."""
    if len(errors) == 1:
        [(field, message)] = errors.items()
        raise InvalidInput(message, field=field or None)
    if errors:
        raise InvalidFields(errors)

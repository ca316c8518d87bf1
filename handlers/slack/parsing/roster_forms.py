"""The suggestion and roster forms' state, their buttons' values, and where a roster form was opened."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.common.parsing.grammar import parse_number
from handlers.slack import ids
from handlers.slack.parsing.carried import ModalContext
from services.enums import Tier
from services.i18n import N_
from services.roster_rules import ContactInput, RosterRow, parse_tier
from services.text import clean_line, clean_text, drop_controls

# The roster form's language choice for "no language of its own: the workspace's".
WORKSPACE_LANGUAGE = "workspace"
# The roster form's block for its e-mail contacts' addresses (beside ids.ROSTER_CONTACTS' people).
ROSTER_ADDRESSES = "contact_addresses"
_KEYWORD_SEPARATORS = re.compile(r"[,;\n]")
# Addresses one a line, or separated by commas, semicolons or spaces (none is in an address).
_ADDRESS_SEPARATORS = re.compile(r"[,;\s]+")


def _values(view: dict[str, Any]) -> dict[str, Any]:
    values = view.get("state", {}).get("values", {})
    return values if isinstance(values, dict) else {}


def _field(values: dict[str, Any], block: str) -> dict[str, Any]:
    entered = values.get(block, {})
    found = entered.get(ids.INPUT_ACTION) if isinstance(entered, dict) else None
    return found if isinstance(found, dict) else {}


def _typed(entered: dict[str, Any]) -> str:
    value = entered.get("value")
    return value if isinstance(value, str) else ""


def _picked(entered: dict[str, Any]) -> str:
    option = entered.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return drop_controls(value) if isinstance(value, str) else ""


def _picked_many(entered: dict[str, Any]) -> tuple[str, ...]:
    options = entered.get("selected_options")
    return tuple(drop_controls(str(o.get("value"))) for o in options or [] if isinstance(o, dict))


def _user(entered: dict[str, Any]) -> str:
    user = entered.get("selected_user")
    return drop_controls(user) if isinstance(user, str) else ""


@dataclass(frozen=True)
class SuggestionFormValues:
    name: str
    reason: str
    contact: str
    contact_person: str
    perspective: str
    meeting: int | None


def suggestion_form(view: dict[str, Any]) -> SuggestionFormValues:
    """What was entered in the suggestion form."""
    values = _values(view)
    meeting = _picked(_field(values, ids.SUGGEST_MEETING))
    return SuggestionFormValues(
        name=clean_line(_typed(_field(values, ids.SUGGEST_NAME))),
        reason=clean_text(_typed(_field(values, ids.SUGGEST_REASON))),
        contact=clean_line(_typed(_field(values, ids.SUGGEST_CONTACT))),
        contact_person=_user(_field(values, ids.SUGGEST_CONTACT_PERSON)),
        perspective=_picked(_field(values, ids.SUGGEST_PERSPECTIVE)),
        meeting=int(meeting) if meeting.isdigit() else None,
    )


def roster_form(view: dict[str, Any]) -> RosterRow:
    """What was entered in the roster form, as the roster row the services check (as the CSV's)."""
    values = _values(view)
    language = _picked(_field(values, ids.ROSTER_LANGUAGE))
    keywords = clean_line(_typed(_field(values, ids.ROSTER_KEYWORDS)).replace("\n", ","))
    users = _field(values, ids.ROSTER_CONTACTS).get("selected_users") or []
    # Split before cleaning: a line break separates two addresses (and is never inside one).
    typed = _ADDRESS_SEPARATORS.split(_typed(_field(values, ROSTER_ADDRESSES)))
    # Each is meant as an address, so one that is not is refused as such (not taken for an id).
    addresses = tuple(ContactInput(address=clean_line(a)) for a in typed if clean_line(a).strip())
    return RosterRow(
        name=clean_line(_typed(_field(values, ids.ROSTER_NAME))),
        tier=_picked(_field(values, ids.ROSTER_TIER)),
        contacts=(*(drop_controls(str(u)) for u in users if isinstance(u, str)), *addresses),
        perspectives=_picked_many(_field(values, ids.ROSTER_PERSPECTIVES)),
        preferred_time=_picked(_field(values, ids.ROSTER_TIME)) or "any",
        language="" if language == WORKSPACE_LANGUAGE else language,
        keywords=tuple(k.strip() for k in _KEYWORD_SEPARATORS.split(keywords) if k.strip()),
        # The form has no field for its people's own addresses: those stay as they are.
        keeps_addresses=True,
    )


@dataclass(frozen=True)
class RosterOrigin:
    """Where the roster form was opened, and the organisation it edits (None: a new one)."""

    context: ModalContext
    organisation: str | None = None

    def dump(self) -> str:
        data = json.loads(self.context.dump())
        data["organisation"] = self.organisation
        return json.dumps(data)

    @classmethod
    def load(cls, raw: str) -> RosterOrigin:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            data = {}
        name = data.get("organisation") if isinstance(data, dict) else None
        return cls(ModalContext.load(raw), drop_controls(name) if isinstance(name, str) else None)


def suggestion_id_from_button(value: str) -> int:
    """The suggestion an Add to roster or Dismiss button is about."""
    return parse_number(value, usage=N_("a suggestion's number"))


def accept_as(value: str) -> tuple[int, Tier]:
    """The suggestion and tier carried by an "Add as …" choice (`<id>|<tier>`)."""
    number, _, tier = drop_controls(value).partition("|")
    return suggestion_id_from_button(number), parse_tier(tier)

"""Turn what Slack sends (command text, button values, modal state) into typed values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.slack import ids
from services.errors import InvalidInput
from services.i18n import N_, text


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Propose:
    title: str
    details: str

    @property
    def wants_modal(self) -> bool:
        return not self.title and not self.details


@dataclass(frozen=True)
class ListTopics:
    pass


@dataclass(frozen=True)
class Support:
    number: int


Command = Help | Propose | ListTopics | Support

# Each subcommand in English and Norwegian Bokmål (with ASCII spellings for keyboards without æøå).
ALIASES: dict[str, str] = {
    "help": "help", "hjelp": "help", "?": "help",
    "propose": "propose", "foreslå": "propose", "foresla": "propose",
    "topics": "topics", "tema": "topics", "temaer": "topics",
    "support": "support", "støtt": "support", "stott": "support",
}

_NUMBER = re.compile(r"^#?(\d{1,9})$")


def parse_command(raw: str) -> Command:
    """Parse the text after `/dialog`; raise InvalidInput with a usage hint when it is not valid."""
    stripped = raw.strip()
    if not stripped:
        return Help()
    word, _, rest = stripped.partition(" ")
    name = ALIASES.get(word.casefold())
    rest = rest.strip()
    if name is None:
        raise InvalidInput(
            text(
                N_("I don't know the command `{command}`. Try `/dialog help` for what I can do."),
                command=word,
            )
        )
    if name == "help":
        return Help()
    if name == "topics":
        return ListTopics()
    if name == "support":
        return Support(parse_number(rest, usage=N_("`/dialog support <topic-no>`, e.g. `/dialog support 3`")))
    title, _, details = rest.partition("|")
    return Propose(title.strip(), details.strip())


def parse_number(value: str, *, usage: str) -> int:
    """A topic or meeting number as people type it (`3` or `#3`)."""
    match = _NUMBER.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(
            text(N_("That needs a number, like this: {usage}"), usage=text(usage))
        )
    return int(match.group(1))


def topic_number_from_button(value: str) -> int:
    """The topic number carried by a Support button."""
    return parse_number(value, usage=N_("`/dialog support <topic-no>`, e.g. `/dialog support 3`"))


@dataclass(frozen=True)
class ProposalForm:
    title: str
    details: str


def proposal_form(view: dict[str, Any]) -> ProposalForm:
    """The title and details typed into the proposal modal."""
    values = view.get("state", {}).get("values", {})

    def typed(block: str) -> str:
        return (values.get(block, {}).get(ids.INPUT_ACTION, {}) or {}).get("value") or ""

    return ProposalForm(typed(ids.PROPOSE_TITLE_BLOCK), typed(ids.PROPOSE_DETAILS_BLOCK))


@dataclass(frozen=True)
class ModalContext:
    """Where the modal was opened from, so the result can be told privately there."""

    channel_id: str = ""
    response_url: str = ""

    def dump(self) -> str:
        return json.dumps({"channel_id": self.channel_id, "response_url": self.response_url})

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(str(data.get("channel_id") or ""), str(data.get("response_url") or ""))

"""Contacts in `/dialog roster` command words: people as mentioned (`<@id>`, as Slack sends them
and as the Teams handlers write theirs), e-mail addresses as Slack links them (or as typed), and a
person with their own address. Whether an address is one is for the services to say; this only
reads what the platform sent."""

from __future__ import annotations

import re

from services.errors import Field, InvalidInput
from services.i18n import N_, text
from services.mailing import looks_like_address
from services.roster import ContactInput, ContactValue

# A user as Slack escapes a mention in command text: `<@U123>` or `<@U123|name>`; a Teams user is
# written the same way with their Entra object id (a GUID), which is how Teams people are stored.
_PERSON_ID = r"[UW][A-Z0-9]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MENTION = re.compile(rf"^<@({_PERSON_ID})(?:\|[^>]*)?>$")
# A mention with an address after it, `@kari=kari@example.org` as Slack sends it:
# `<@U123|kari>=<mailto:kari@example.org|kari@example.org>` (or the address unlinked).
_PAIR = re.compile(rf"^<@({_PERSON_ID})(?:\|[^>]*)?>=?(.+)$")
# An address Slack linked in command text: `<mailto:a@b.org|a@b.org>` or `<mailto:a@b.org>`.
_MAILTO = re.compile(r"^<mailto:([^<>|]*)(?:\|[^<>]*)?>$", re.IGNORECASE)


def unescape(value: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in typed text, so it is stored as people typed it
    (and escaped once, on the way out)."""
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _address(word: str) -> str:
    """An address as typed, without Slack's mailto link around it (and the `=` of a pair)."""
    linked = _MAILTO.match(word)
    return unescape(linked.group(1) if linked is not None else word).lstrip("=")


def _contact(word: str) -> tuple[str, ContactValue]:
    """One contact word: `("person", id)`, `("address", address)` or `("pair", ContactInput)`;
    whether an address is one is for the services to say."""
    mention = MENTION.match(word)
    if mention is not None:
        return "person", mention.group(1)
    pair = _PAIR.match(word)
    if pair is not None and looks_like_address(_address(pair.group(2))):
        return "pair", ContactInput(pair.group(1), _address(pair.group(2)))
    if not word.startswith(("@", "<@")) and looks_like_address(_address(word)):
        return "address", _address(word)
    raise InvalidInput(
        text(N_("“{word}” is neither a person nor an e-mail address. Mention people with @, e.g. @kari, "
                "and write addresses in full, e.g. kari@example.org."), word=unescape(word)),
        field=Field.CONTACTS,
    )


def roster_contacts(words: list[str], *, pairs_by_position: bool = False) -> tuple[ContactValue, ...]:
    """Contacts from command words: people (`@kari`), addresses (`kari@example.org`) and pairs
    (`@kari=kari@example.org`). With `pairs_by_position`, one person and one address alone are a
    pair too (`roster contact "<name>" @kari kari@example.org` gives Kari's address)."""
    found = [_contact(word) for word in words]
    if pairs_by_position and [kind for kind, _ in found] == ["person", "address"]:
        return (ContactInput(str(found[0][1]), str(found[1][1])),)
    return tuple(value for _, value in found)

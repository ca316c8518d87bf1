"""The roster in Teams: organisations by tier (who represents them: coordinators only, as the service
decides), and the answers to `roster add|contact|remove`."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import CardElement

from handlers.teams.render.common import Card, adaptive_card, md, text_block
from handlers.teams.render.parts import bold, heading, note
from handlers.teams.render.replies_help import choices, usage, word
from handlers.teams.render.replies_planning import perspective
from services.enums import Tier, TimeOfDay
from services.i18n import Translator
from services.people import EMAIL, PersonRef
from services.roster import ContactsOutcome, OrganisationCard, RosterListing

# A text block holds up to this much (common.TEXT_MAX cuts at 3,000); the card as a whole stays
# well under Teams' 28 KB, the rest of the roster counted.
CHUNK = 2900
ROSTER_TEXT_MAX = 20000


def _tier_heading(t: Translator, tier: Tier) -> str:
    return {
        Tier.CORE: t.gettext("Core organisations (always invited)"),
        Tier.TOPIC: t.gettext("Invited by topic"),
        Tier.OBSERVER: t.gettext("Observers (listen in)"),
    }[tier]


def _tier_name(t: Translator, tier: Tier) -> str:
    return {
        Tier.CORE: t.gettext("a core organisation"),
        Tier.TOPIC: t.gettext("an organisation invited by topic"),
        Tier.OBSERVER: t.gettext("an observer"),
    }[tier]


def _time_word(t: Translator, preferred: TimeOfDay) -> str:
    return {TimeOfDay.DAYTIME: t.gettext("prefers daytime"),
            TimeOfDay.AFTERNOON: t.gettext("prefers afternoons")}.get(preferred, "")


def people(t: Translator, org: OrganisationCard, refs: Sequence[PersonRef]) -> str:
    """Contacts as coordinators see them (markdown): an e-mail contact by its address, a Teams person
    by their own address where the roster has one, and the rest counted: the services carry no
    display name, and a Teams id means nothing to a reader."""
    named = []
    unnamed = 0
    for who in refs:
        if who.platform == EMAIL:
            named.append(md(who.user_id))
        elif own := org.address_of(who):
            named.append(t.gettext("{address} (in Teams)").format(address=md(own)))
        else:
            unnamed += 1
    if unnamed:
        named.append(t.ngettext("{count} person in Teams", "{count} people in Teams", unnamed).format(
            count=unnamed))
    return ", ".join(named)


def _line(t: Translator, org: OrganisationCard, *, for_coordinator: bool) -> str:
    extras = []
    if for_coordinator and org.perspectives:
        extras.append(", ".join(perspective(t, p) for p in org.perspectives))
    if _time_word(t, org.preferred_time):
        extras.append(_time_word(t, org.preferred_time))
    suffix = f" _({'; '.join(extras)})_" if extras else ""
    if not for_coordinator:
        # Who represents whom is for coordinators only (services.roster_views).
        return f"- **{md(org.name)}**{suffix}"
    contacts = people(t, org, org.contacts) or t.gettext("no contacts yet")
    return f"- **{md(org.name)}**: {contacts}{suffix}"


def _chunks(lines: list[str]) -> list[str]:
    chunks: list[str] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > CHUNK:
            chunks.append("\n".join(chunk))
            chunk = []
        chunk.append(line)
    if chunk:
        chunks.append("\n".join(chunk))
    return chunks


def roster_list(t: Translator, listing: RosterListing) -> Card:
    """The roster by tier: for coordinators with contacts and perspectives; for anyone else the
    organisations only, with the perspectives counted across them (the service decides)."""
    organisations = listing.organisations
    if not organisations:
        line = t.gettext("The roster is empty. Coordinators add organisations with {command}.").format(
            command=usage(word(t, "roster"), word(t, "roster add"), t.gettext("\"<name>\""),
                          choices(t, "core", "topic", "observer"), "@person"))
        return Card(text=line, card=adaptive_card([text_block(line)], fallback=line))
    title = t.ngettext("{count} organisation on the roster", "{count} organisations on the roster",
                       len(organisations)).format(count=len(organisations))
    body: list[CardElement] = [heading(title)]
    used, left_out = 0, 0
    for tier in (Tier.CORE, Tier.TOPIC, Tier.OBSERVER):
        members = [o for o in organisations if o.tier == tier]
        lines = []
        for org in members:
            line = _line(t, org, for_coordinator=listing.for_coordinator)
            if used + len(line) > ROSTER_TEXT_MAX:
                left_out += 1
                continue
            used += len(line)
            lines.append(line)
        if lines:
            body.append(bold(_tier_heading(t, tier)))
            body.extend(text_block(chunk) for chunk in _chunks(lines))
    if left_out:
        body.append(note("…" + t.gettext("and {count} more").format(count=left_out)))
    if listing.perspectives:
        counted = [t.ngettext("{perspective} ({count} organisation)", "{perspective} ({count} organisations)",
                              p.organisations).format(perspective=perspective(t, p.perspective),
                                                      count=p.organisations)
                   for p in listing.perspectives]
        body.append(note(t.gettext("Perspectives covered: {perspectives}").format(
            perspectives=", ".join(counted)), separator=True))
    if not listing.for_coordinator:
        body.append(note(t.gettext("Who represents each organisation is shown to coordinators only.")))
    return Card(text=title, card=adaptive_card(body, fallback=title))


def roster_added(t: Translator, card: OrganisationCard) -> Card:
    """Told privately after `roster add`."""
    return Card(text=t.ngettext("{organisation} is on the roster as {tier}, with {count} contact.",
                                "{organisation} is on the roster as {tier}, with {count} contacts.",
                                len(card.contacts)).format(
        organisation=md(card.name), tier=_tier_name(t, card.tier), count=len(card.contacts)))


def roster_contacts(t: Translator, outcome: ContactsOutcome) -> Card:
    """Told privately after `roster contact`."""
    org = outcome.organisation
    line = t.ngettext("{organisation} now has {count} contact.", "{organisation} now has {count} contacts.",
                      len(org.contacts)).format(organisation=md(org.name), count=len(org.contacts))
    if outcome.already:
        line += " " + t.gettext("Already there: {people}.").format(people=people(t, org, outcome.already))
    if outcome.addressed:
        line += " " + t.gettext("E-mail address saved for messages Teams cannot deliver: {people}.").format(
            people=people(t, org, outcome.addressed))
    return Card(text=line)


def roster_removed(t: Translator, card: OrganisationCard) -> Card:
    """Told privately after `roster remove`."""
    return Card(text=t.gettext("{organisation} is off the roster. Past meetings still show it.").format(
        organisation=md(card.name)))

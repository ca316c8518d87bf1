"""The roster: organisations by tier (who represents them: coordinators only), and the answers to
`/dialog roster add|contact|remove`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack.render.common import Rendered, dicts
from handlers.slack.render.planning import perspective
from handlers.slack.text import address, escape, literal, person, truncate
from services.enums import Tier, TimeOfDay
from services.i18n import Translator
from services.people import PersonRef
from services.roster import ContactsOutcome, OrganisationCard, RosterListing


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


def _perspectives_covered(t: Translator, listing: RosterListing) -> str:
    """The perspectives counted across the roster, never tied to an organisation."""
    counted = [t.ngettext("{perspective} ({count} organisation)", "{perspective} ({count} organisations)",
                          p.organisations).format(perspective=perspective(t, p.perspective),
                                                  count=p.organisations)
               for p in listing.perspectives]
    return t.gettext("Perspectives covered: {perspectives}").format(perspectives=", ".join(counted))


def _line(t: Translator, org: OrganisationCard, *, for_coordinator: bool) -> str:
    extras = []
    if for_coordinator and org.perspectives:
        # In the reader's words, as the roster form and the planning advice show them.
        extras.append(", ".join(perspective(t, p) for p in org.perspectives))
    if _time_word(t, org.preferred_time):
        extras.append(_time_word(t, org.preferred_time))
    suffix = f" _({'; '.join(extras)})_" if extras else ""
    if not for_coordinator:
        # Who represents whom is for coordinators only (services.roster_views).
        return f"• *{escape(org.name)}*{suffix}"
    contacts = ", ".join(contact(org, c) for c in org.contacts) or t.gettext("no contacts yet")
    return f"• *{escape(org.name)}*: {contacts}{suffix}"


def contact(org: OrganisationCard, who: PersonRef) -> str:
    """A contact as coordinators see them: the person (an e-mail contact: the address), and a chat
    person's own address for what chat cannot deliver."""
    own = org.address_of(who)
    return f"{person(who)} ({address(own)})" if own else person(who)


def roster_list(t: Translator, listing: RosterListing) -> Rendered:
    """The roster by tier: for coordinators with contacts and perspectives; for anyone else the
    organisations only, with the perspectives counted across them (the service decides)."""
    organisations = listing.organisations
    if not organisations:
        line = literal(t.gettext("The roster is empty. Coordinators add organisations with "
                                 "`/dialog roster add \"<name>\" core|topic|observer @person`."))
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    blocks: list[Block] = []
    for tier in (Tier.CORE, Tier.TOPIC, Tier.OBSERVER):
        members = [o for o in organisations if o.tier == tier]
        if not members:
            continue
        blocks.append(HeaderBlock(text=PlainTextObject(text=_tier_heading(t, tier), emoji=False)))
        lines = [_line(t, org, for_coordinator=listing.for_coordinator) for org in members]
        # Long tiers are split over several sections to stay under Slack's 3,000 characters.
        chunk: list[str] = []
        for line in lines:
            if chunk and len("\n".join([*chunk, line])) > 2900:
                blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
                chunk = []
            chunk.append(truncate(line, 2900))
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    footer: list[Block] = []
    if listing.perspectives:
        footer.append(ContextBlock(elements=[MarkdownTextObject(
            text=truncate(_perspectives_covered(t, listing), 3000))]))
    if not listing.for_coordinator:
        footer.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
            "Who represents each organisation is shown to coordinators only."))]))
    heading = t.ngettext("{count} organisation on the roster", "{count} organisations on the roster",
                         len(organisations)).format(count=len(organisations))
    return Rendered(heading, dicts(blocks[:50 - len(footer)] + footer))


def roster_added(t: Translator, card: OrganisationCard) -> Rendered:
    """Told privately after `roster add`."""
    line = t.ngettext("{organisation} is on the roster as {tier}, with {count} contact.",
                      "{organisation} is on the roster as {tier}, with {count} contacts.",
                      len(card.contacts)).format(
        organisation=escape(card.name), tier=_tier_name(t, card.tier), count=len(card.contacts))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def roster_contacts(t: Translator, outcome: ContactsOutcome) -> Rendered:
    """Told privately after `roster contact`."""
    line = t.ngettext("{organisation} now has {count} contact.", "{organisation} now has {count} contacts.",
                      len(outcome.organisation.contacts)).format(
        organisation=escape(outcome.organisation.name), count=len(outcome.organisation.contacts))
    if outcome.already:
        line += " " + t.gettext("Already there: {people}.").format(
            people=", ".join(person(p) for p in outcome.already))
    if outcome.addressed:
        line += " " + t.gettext("E-mail address saved for messages Slack cannot deliver: {people}.").format(
            people=", ".join(contact(outcome.organisation, p) for p in outcome.addressed))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def roster_removed(t: Translator, card: OrganisationCard) -> Rendered:
    """Told privately after `roster remove`."""
    line = t.gettext("{organisation} is off the roster. Past meetings still show it.").format(
        organisation=escape(card.name))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))

"""The bot's own short answers in Teams (confirmations, errors, the setup), as Adaptive Cards
markdown with every piece of user text escaped; and a Card made into the message activity."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_agents.activity import Activity
from microsoft_teams.cards import ExecuteAction

from handlers.teams.notifier import card_activity
from handlers.teams.render.common import (
    MEETING_CANCEL,
    MEETING_KEY,
    PRIVACY_ERASE,
    REASON_KEY,
    TOKEN_KEY,
    Card,
    adaptive_card,
    md,
    text_block,
)
from handlers.teams.render.words import hint, local_time, person_words, teams_hint
from services.enums import Answer
from services.errors import DomainError
from services.i18n import N_, Command, Translator, text
from services.meetings.outcomes import NudgeOutcome, RsvpOutcome
from services.messages import MeetingCard, TopicCard
from services.privacy.service import Erased, ErasureQuestion, OptedOut
from services.wording import data_labels


def card_message(card: Card) -> Activity:
    """The message activity that carries `card`: as the notifier sends cards (the text as the
    notification's summary, so Teams does not show it twice), with no delivery behind it. An answer
    of one line goes as a one-line card too: a card's text is never read as HTML, so a command's
    `<placeholder>` and what people typed are shown as written."""
    if card.card is None:
        card = Card(card.text, adaptive_card([text_block(card.text)], fallback=card.text))
    return card_activity(card, delivery_id=None)


def error_text(t: Translator, error: DomainError) -> str:
    """A service's refusal, in the reader's language, user text escaped."""
    rendered = t.render(error.message, escape=md, hint=teams_hint(t))
    # The grammar's usage lines are written for Slack's slash command; in Teams the command is
    # written to the bot as it is. (They should become hints, as the services' are.)
    return rendered.replace("`/dialog ", "`")


def apology(t: Translator, reference: str | None) -> str:
    """Something failed on our side: the person is told, with a reference to quote."""
    if reference is None:
        return t.render(text(N_("The bot could not record that just now; it will be done shortly, "
                                "without your doing anything.")))
    return t.render(text(N_("Something went wrong on our side, sorry. Please try again; if it keeps "
                            "happening, tell a coordinator and quote reference {reference}."),
                         reference=reference))


def already_done(t: Translator) -> str:
    """A request that had its effect before (a retry, a replay)."""
    return t.render(text(N_("Your last request went through just before the bot was interrupted; this "
                            "confirmation is late.")))


def answer_word(t: Translator, answer: Answer | None) -> str:
    """How an RSVP answer (or none yet) reads."""
    words = {Answer.YES: t.gettext("Attending"), Answer.NO: t.gettext("Not attending"),
             Answer.MAYBE: t.gettext("Maybe")}
    return words.get(answer, t.gettext("No answer yet")) if answer is not None else t.gettext("No answer yet")


def rsvp_recorded(t: Translator, outcome: RsvpOutcome) -> str:
    """Told to the person who answered."""
    return t.gettext("Thanks! Your answer for meeting {number} ({title}): {answer}.").format(
        number=outcome.number, title=md(outcome.title), answer=answer_word(t, outcome.answer))


def supporters(t: Translator, card: TopicCard) -> str:
    """How many support a topic, people and organisations."""
    people = t.ngettext("{count} supporter", "{count} supporters",
                        card.supporters).format(count=card.supporters)
    if card.supporting_organisations:
        people += " " + t.ngettext("from {count} organisation", "from {count} organisations",
                                   card.supporting_organisations).format(count=card.supporting_organisations)
    return people


def support_recorded(t: Translator, card: TopicCard, *, added: bool) -> str:
    """Told to the supporter."""
    template = (t.gettext("You now support topic {number}: {title}. {supporters} in all.") if added else
                t.gettext("You already support topic {number}: {title}. {supporters} in all."))
    return template.format(number=card.number, title=md(card.title), supporters=supporters(t, card))


def nudged(t: Translator, outcome: NudgeOutcome) -> str:
    """Told to the coordinator who nudged the silent organisations of an urgent meeting."""
    if outcome.nudged:
        people = t.ngettext("{count} person", "{count} people", outcome.nudged).format(count=outcome.nudged)
        organisations = t.ngettext("{count} silent organisation", "{count} silent organisations",
                                   outcome.organisations).format(count=outcome.organisations)
        return t.gettext("Nudged {people} in {organisations} about meeting {number} ({title}).").format(
            people=people, organisations=organisations, number=outcome.number, title=md(outcome.title))
    if outcome.recently:
        return t.gettext("Nobody was nudged again: everyone silent in meeting {number} ({title}) had a nudge "
                         "less than {minutes} minutes ago.").format(
            number=outcome.number, title=md(outcome.title), minutes=outcome.window_minutes)
    return t.gettext("Nobody to nudge in meeting {number} ({title}): every organisation reached has "
                     "answered.").format(number=outcome.number, title=md(outcome.title))


def opted_out(t: Translator, outcome: OptedOut) -> str:
    """The answer to the privacy notice's Stop being a contact."""
    if not outcome.organisations:
        return t.gettext("You are not a contact for any organisation.")
    return t.gettext("You are no longer a contact for {organisations}, and the coordinators have been "
                     "told. What you answered before stays in the meetings' records; to erase it too, "
                     "use {erase}.").format(organisations=", ".join(md(n) for n in outcome.organisations),
                                            erase=hint(t, Command.ERASE))


def cancel_question(t: Translator, card: MeetingCard, zone: ZoneInfo, reason: str) -> Card:
    """Asked after `cancel <meeting-no>`: nothing happens until its button, which carries the reason."""
    when = local_time(card.starts_at, zone, t.language)
    line = t.gettext("Cancel meeting {number} ({title}), {when}? Everyone who was invited is told, and "
                     "every copy of the invitation says it is cancelled.").format(
        number=card.number, title=md(card.title), when=when)
    about = (t.gettext("The reason they are given: {reason}").format(reason=md(reason)) if reason else
             t.gettext("To tell them why, add a reason: {command}.").format(
                 command=hint(t, Command.CANCEL, str(card.number), "<reason>")))
    button = ExecuteAction(title=t.gettext("Cancel meeting {number}").format(number=card.number),
                           verb=MEETING_CANCEL, data={MEETING_KEY: card.number, REASON_KEY: reason},
                           style="destructive")
    return Card(line, adaptive_card([text_block(line), text_block(about, is_subtle=True)], [button],
                                    fallback=line))


def cancelled(t: Translator, card: MeetingCard) -> str:
    """Told to the coordinator who cancelled."""
    return t.gettext("Meeting {number} ({title}) is cancelled. Everyone who was invited is told.").format(
        number=card.number, title=md(card.title))


def erase_question(t: Translator, question: ErasureQuestion) -> Card:
    """Before erasing: what the bot holds, and the Erase button, bound to who asked."""
    whose = (t.gettext("your data") if question.yourself
             else t.gettext("the data of {person}").format(person=person_words(t, question.person)))
    head = t.gettext("Erase {whose}?").format(whose=whose)
    labels = data_labels(t)
    counts = "\n".join(f"- {labels.get(name, name)}: {count}" for name, count in question.counts)
    body = t.gettext("The user ID is removed from every record: past answers, supports and proposals stay "
                     "as anonymous counts, so the organisations' history still adds up; comments, places as "
                     "a contact and the language choice are deleted. This cannot be undone.")
    button = ExecuteAction(title=t.gettext("Erase"), verb=PRIVACY_ERASE, data={TOKEN_KEY: question.token},
                           style="destructive")
    return Card(head, adaptive_card([text_block(f"**{head}**"), text_block(counts), text_block(body)],
                                    [button], fallback=head))


def erased(t: Translator, outcome: Erased) -> str:
    """Done: how many records no longer name them."""
    return (t.ngettext("Your data is erased ({count} record).", "Your data is erased ({count} records).",
                       outcome.rows) if outcome.yourself
            else t.ngettext("Erased: {count} record no longer names that person.",
                            "Erased: {count} records no longer name that person.", outcome.rows)
            ).format(count=outcome.rows)


def unknown_action(t: Translator) -> str:
    """A click the bot does not know (an old card, or tampered data)."""
    return t.render(text(N_("That button is not one the bot knows any more. Write help to the bot to see "
                            "what it can do.")))


def other_tenant(t: Translator) -> str:
    """An activity from another organisation's Teams."""
    return t.render(text(N_("This Dialogbot serves another organisation's Teams; nothing was recorded.")))


def setup_only_in_channel(t: Translator) -> Card:
    """`setup` written outside a channel."""
    return Card(t.render(text(N_("Write setup in the channel that should be the dialogue channel, "
                                 "mentioning the bot there: @Dialogbot setup."))))


def channel_set(t: Translator, *, replaced: bool) -> Card:
    """`setup` done: this channel gets the announcements, invitations and minutes from now on."""
    line = t.render(text(N_("This channel is now the dialogue channel: topics, invitations with their "
                            "live tally, and minutes are posted here.")))
    if replaced:
        line += " " + t.render(text(N_("The channel used before gets nothing more.")))
    return Card(line)


def elsewhere(t: Translator) -> Card:
    """In a channel, when the answer went to the person's own chat with the bot."""
    return Card(t.render(text(N_("I answered you in our personal chat."))))

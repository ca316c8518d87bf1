"""The answers to commands in Teams: each in English and Norwegian, the one-click actions' verbs and
data, what people typed kept inert, and help written as people write to the bot (no `/dialog`)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest

from handlers.common.parsing import commands as grammar
from handlers.common.parsing.grammar import parse_command
from handlers.teams.render import replies
from handlers.teams.render.common import (
    MEETING_KEY,
    RSVP_MAYBE,
    RSVP_NO,
    RSVP_YES,
    TOPIC_KEY,
    TOPIC_SUPPORT,
    Card,
)
from handlers.teams.render.replies_help import NORWEGIAN_WORDS, word
from services.enums import Answer, FollowUpStatus, MeetingKind, Role, Side, Tier, TimeOfDay
from services.follow_up import StatusOutcome
from services.i18n import Translator, text
from services.languages import LanguageChosen, LanguageSetting, LanguageSource
from services.meetings import AgendaOutcome, InviteOutcome, ScheduleOutcome, UpcomingMeeting
from services.messages import Audience, Talk
from services.minutes_review import CommentOutcome, FinalOutcome
from services.people import EMAIL, PersonRef
from services.planning import Insights, Slot, SlotAdvice, Suggestion
from services.privacy import ExportRequested
from services.roster import ContactsOutcome, OrganisationCard, RosterListing
from services.roster_views import PerspectiveCount
from services.stats import MeetingStats, OrganisationStats, Stats
from services.suggestions import SuggestionCard
from tests.handlers.teams.render.support import EN, NB, OSLO, START, item, meeting, texts, topic, valid

HOSTILE = "**x** [y](https://evil.example)"
ESCAPED = "\\*\\*x\\*\\* \\[y\\]\\(https://evil.example\\)"
TEAMS = "teams"


def nb(msgid: str) -> str:
    """The Norwegian of a msgid the catalog already has (fails if it has none)."""
    translated = NB.gettext(msgid)
    assert translated != msgid, f"no Norwegian for {msgid!r}"
    return translated


def shown(card: Card) -> str:
    """Everything a reader sees: the card's texts, or the text of a plain message."""
    return texts(card) if card.card is not None else card.text


def nested_actions(card: Card) -> list[dict[str, Any]]:
    """Every action of the card, in the body's action sets and at its foot."""
    assert card.card is not None
    found: list[dict[str, Any]] = []

    def walk(element: dict[str, Any]) -> None:
        found.extend(element.get("actions", []))
        for child in element.get("items", []):
            walk(child)

    for element in card.card["body"]:
        walk(element)
    return found + list(card.card.get("actions", []))


def assert_inert(card: Card) -> None:
    everything = shown(card) + "\n" + card.text
    assert HOSTILE not in everything and "[y](https://evil.example)" not in everything
    assert ESCAPED in everything


# --- help -----------------------------------------------------------------------------------------


def test_help_lists_the_commands_as_written_to_the_bot_in_english() -> None:
    card = replies.help_message(EN, "Europe/Oslo")
    valid(card)
    body = shown(card)
    assert "/dialog" not in body and "/dialog" not in card.text
    for usage in ("**propose <title> [| <details>]**", "**topics**", "**support <topic-no>**",
                  "**rsvp <meeting-no> yes|no|maybe**", "**my data**", "**@Dialogbot setup**",
                  "**schedule <YYYY-MM-DD> <HH:MM> <title>**", "**agenda <meeting-no> add <topic-no>**",
                  "**minutes <meeting-no> final**", "**roster add \"<name>\" core|topic|observer"):
        assert usage in body, usage
    assert "**@Dialogbot topics**" in body
    assert "Times you type are read in Europe/Oslo" in body
    assert "Norwegian works too: **hjelp**" in body
    # No forms in Teams yet, so none is promised.
    assert not re.search(r"\bforms?\b", body, re.IGNORECASE)
    assert card.text.startswith("Dialogbot runs the dialogue meetings")


def test_help_in_norwegian_uses_the_norwegian_command_words() -> None:
    card = replies.help_message(NB, "Europe/Oslo")
    valid(card)
    body = shown(card)
    assert "/dialog" not in body
    for usage in ("**foreslå ", "**tema**", "**støtt ", "**møter**", "**svar <møte-nr> ja|nei|kanskje**",
                  "**deltakere**", "**planlegg ", "**inviter ", "**hast ", "**dagsorden <møte-nr> legg-til ",
                  "**tidsforslag**", "**statistikk**", "**referat <møte-nr> endelig**", "**avslå ",
                  "**deltakere ny ", "fast|tema|observatør", "**deltakere kontakt ", "**deltakere fjern ",
                  "**oppfølging ", "åpen|pågår|ferdig", "**kommenter ", "**språk nb|en|auto**", "**mine data**",
                  "**hjelp**", "**@Dialogbot oppsett**", "**@Dialogbot tema**"):
        assert usage in body, usage
    for english in ("- **propose", "- **topics**", "- **support ", "- **rsvp ", "- **schedule "):
        assert english not in body
    assert nb("For coordinators") in body
    assert nb("open topics, most supported first") in body
    assert nb("Dialogbot runs the dialogue meetings between the city's political leadership and "
              "civil society. Both sides propose topics.") == card.text
    assert nb("The English command words work too: {names}.").split("{")[0] in body
    assert "**propose**" in body  # …listing the English words


def test_every_norwegian_word_help_shows_is_one_the_grammar_takes() -> None:
    w = lambda english: word(NB, english)  # noqa: E731
    parsed = {
        f"{w('propose')} Varme": grammar.Propose, w("topics"): grammar.ListTopics,
        f"{w('support')} 4": grammar.Support, w("meetings"): grammar.ListMeetings,
        f"{w('roster')}": grammar.ShowRoster, f'{w("recommend")} "Caritas" De driver natthjemmet': grammar.Recommend,
        f"{w('comment')} 3 Navnet er feilstavet": grammar.CommentMinutes, f"{w('language')} nb": grammar.SetLanguage,
        w("my data"): grammar.MyData, w("help"): grammar.Help,
        f"{w('schedule')} 2027-01-14 10:00 Varme": grammar.Schedule, f'{w("invite")} 2 "Caritas"': grammar.Invite,
        f"{w('urgent')} Flom": grammar.Urgent, w("suggest"): grammar.Suggest, w("stats"): grammar.ShowStats,
        f"{w('decline')} 4 Dekket av høringen": grammar.Decline,
        f'{w("roster")} {w("roster contact")} "Caritas" a@example.org': grammar.RosterContact,
        f'{w("roster")} {w("roster remove")} "Caritas"': grammar.RosterRemove,
    }
    for words, kind in parsed.items():
        assert isinstance(parse_command(words), kind), words
    for answer, expected in (("yes", Answer.YES), ("no", Answer.NO), ("maybe", Answer.MAYBE)):
        assert parse_command(f"{w('rsvp')} 2 {w(answer)}") == grammar.Rsvp(2, expected)
    for status, expected_status in (("open", FollowUpStatus.OPEN), ("progress", FollowUpStatus.IN_PROGRESS),
                                    ("done", FollowUpStatus.DONE)):
        assert parse_command(f"{w('followup')} 3.2 {w(status)}") == grammar.SetFollowUp(3, 2, expected_status)
    for tier, expected_tier in (("core", Tier.CORE), ("topic", Tier.TOPIC), ("observer", Tier.OBSERVER)):
        added = parse_command(f'{w("roster")} {w("roster add")} "Caritas" {w(tier)}')
        assert isinstance(added, grammar.RosterAdd) and added.tier == expected_tier
    assert parse_command(f"{w('agenda')} 2 {w('agenda add')} 3") == grammar.Agenda(2, 3)
    assert parse_command(f"{w('minutes')} 2 {w('final')}") == grammar.WriteMinutes(2, final=True)
    assert NORWEGIAN_WORDS["setup"] == "oppsett"


def test_not_in_teams_yet_shows_the_example_and_points_to_help() -> None:
    for t, help_word in ((EN, "**help**"), (NB, "**hjelp**")):
        card = replies.not_in_teams_yet(t, "propose <title> | <details>")
        valid(card)
        assert "**propose <title> | <details>**" in card.text and help_word in card.text
        assert "/dialog" not in card.text


# --- topics ---------------------------------------------------------------------------------------


def test_proposal_confirmation_with_the_title_escaped() -> None:
    card = replies.proposal_confirmation(EN, topic(title=HOSTILE), announced=True)
    assert card.card is None
    assert card.text.startswith("Thanks! Your topic is number 7: **")
    assert "It is announced in the dialogue channel, where others can support it." in card.text
    assert_inert(card)
    quiet = replies.proposal_confirmation(EN, topic(), announced=False)
    assert "Others can support it with **support 7**." in quiet.text
    norwegian = replies.proposal_confirmation(NB, topic(), announced=True)
    assert nb("It is announced in the dialogue channel, where others can support it.") in norwegian.text
    assert "**støtt 7**" in replies.proposal_confirmation(NB, topic(), announced=False).text


def test_topic_list_has_a_support_action_per_topic_and_is_capped() -> None:
    cards = [topic(number=n, title=HOSTILE if n == 1 else f"Topic {n}") for n in range(1, 26)]
    card = replies.topic_list(EN, cards)
    valid(card)
    assert card.text == "25 open topics"
    acts = nested_actions(card)
    assert [(a["type"], a["verb"], a["data"]) for a in acts] == [
        ("Action.Execute", TOPIC_SUPPORT, {TOPIC_KEY: n}) for n in range(1, 21)]
    assert acts[0]["title"] == "Support" and acts[0]["tooltip"] == "Support topic 1"
    body = shown(card)
    assert "**2. Topic 2**" in body and "Topic 21" not in body
    assert "…and 5 more with less support." in body
    assert "by Caritas (civil society) · 3 supporters from 2 organisations · proposed" in body
    assert_inert(card)


def test_topic_list_in_norwegian_and_empty() -> None:
    card = replies.topic_list(NB, [topic(state="scheduled")])
    valid(card)
    assert card.text == NB.ngettext("{count} open topic", "{count} open topics", 1).format(count=1) != "1 open topic"
    assert nested_actions(card)[0]["title"] == nb("Support")
    assert nb("on a meeting's agenda") in shown(card)
    for t, command in ((EN, "**propose <title> [| <details>]**"), (NB, "**foreslå ")):
        empty = replies.topic_list(t, [])
        valid(empty)
        assert command in empty.text and "/dialog" not in empty.text and not nested_actions(empty)


def test_decline_and_suggestion_confirmations() -> None:
    declined = replies.decline_confirmation(EN, topic(title=HOSTILE))
    assert declined.text.startswith("Topic 7 (") and declined.text.endswith("is declined; its proposer is told why.")
    assert_inert(declined)
    assert replies.decline_confirmation(NB, topic()).text == nb(
        "Topic {number} ({title}) is declined; its proposer is told why.").format(number=7, title="Heating costs")
    suggestion = SuggestionCard(id=1, name=HOSTILE, reason="They run the shelter", contact="", contact_person=None,
                                perspective=None, meeting=None, suggested_by=PersonRef(TEAMS, "u1"), state="open",
                                created_at=START)
    received = replies.suggestion_received(EN, suggestion)
    assert "goes to the coordinators" in received.text
    assert_inert(received)


# --- meetings -------------------------------------------------------------------------------------


def test_meeting_list_has_answer_actions_only_where_the_reader_is_invited() -> None:
    upcoming = [UpcomingMeeting(meeting(title=HOSTILE), invited=True, answer=Answer.YES),
                UpcomingMeeting(meeting(number=5, kind=MeetingKind.URGENT), invited=False, answer=None)]
    card = replies.meeting_list(EN, upcoming, OSLO)
    valid(card)
    assert card.text == "2 upcoming meetings"
    acts = nested_actions(card)
    assert [(a["verb"], a["data"]) for a in acts] == [
        (RSVP_YES, {MEETING_KEY: 4}), (RSVP_NO, {MEETING_KEY: 4}), (RSVP_MAYBE, {MEETING_KEY: 4})]
    body = shown(card)
    assert "Monday, 16 March 2026 14:00 (Europe/Oslo) · 60 minutes" in body
    assert "Your answer: Attending · Attending: 3 · Not attending: 1 · Maybe: 0 · No answer yet: 2" in body
    assert "You are not on the invitation list." in body and "🚨 **5. Winter shelter capacity**" in body
    assert_inert(card)


def test_meeting_list_in_norwegian_capped_and_empty() -> None:
    many = [UpcomingMeeting(meeting(number=n), invited=True, answer=None) for n in range(1, 18)]
    card = replies.meeting_list(NB, many, OSLO)
    valid(card)
    body = shown(card)
    assert "mandag 16. mars 2026 kl. 14:00" in body
    assert nb("Your answer: {answer}").format(answer=nb("No answer yet")) in body
    assert len(nested_actions(card)) == 15 * 3
    assert nb("…and {count} more later.").format(count=2) in body
    assert nested_actions(card)[0]["title"] == nb("Attending")
    assert replies.meeting_list(EN, [], OSLO).text == "No meetings are coming up."
    assert replies.meeting_list(NB, [], OSLO).text == nb("No meetings are coming up.")


def test_schedule_confirmation_names_the_zone_and_when_invitations_go() -> None:
    later = ScheduleOutcome(meeting(title=HOSTILE, invite_at=START - timedelta(days=7)), invitations_sent=False,
                            brought_forward=True, audience=Audience(3, 5, ("Lonely org",)))
    card = replies.schedule_confirmation(EN, later, OSLO)
    valid(card)
    body = shown(card)
    assert "is scheduled for Monday, 16 March 2026 14:00 (Europe/Oslo)." in body
    assert "Invitations go out Monday, 9 March 2026 14:00 (Europe/Oslo) to 3 organisations and 5 people." in body
    assert "brought forward to a working day" in body
    assert "⚠️ No contact person, so nobody there gets the invitation: Lonely org." in body
    assert "Add organisations with **invite 4 \"<organisation>\"**." in body
    assert_inert(card)
    urgent = ScheduleOutcome(meeting(kind=MeetingKind.URGENT), invitations_sent=True, audience=Audience(1, 1))
    now = shown(replies.schedule_confirmation(EN, urgent, OSLO))
    assert "Invitations are going out now to 1 organisation and 1 person." in now
    assert "Your progress report" in now


def test_schedule_confirmation_in_norwegian_names_the_zone_too() -> None:
    card = replies.schedule_confirmation(NB, ScheduleOutcome(meeting(), invitations_sent=True), OSLO)
    body = shown(card)
    assert "mandag 16. mars 2026 kl. 14:00 (" + nb("time zone {zone}").format(zone="Europe/Oslo") + ")" in body
    assert nb("Meeting {number} ({title}) is scheduled for {when}.").split("{")[0] in body
    assert "**inviter 4 " in body


def test_with_insights_adds_the_advice_under_any_confirmation() -> None:
    insights = Insights(meeting_number=4, covered=(), missing=("religion", "unknown*key"),
                        prefer_other_time=("Caritas",),
                        suggestions=(Suggestion(HOSTILE, ("housing", "heat")),))
    confirmation = replies.schedule_confirmation(EN, ScheduleOutcome(meeting(), invitations_sent=True), OSLO)
    assert replies.with_insights(confirmation, EN, None) is confirmation
    card = replies.with_insights(confirmation, EN, insights)
    valid(card)
    body = shown(card)
    assert shown(confirmation) in body and card.text == confirmation.text
    assert "⚠️ Perspectives not covered by the invited organisations: religious communities, unknown\\*key." in body
    assert "1 invited organisation prefers another time of day: Caritas." in body
    assert "(matches housing, heat); invite it with **invite 4 \"" in body
    assert_inert(card)
    # A plain confirmation (no card of its own) gets one.
    invited = replies.invite_confirmation(EN, InviteOutcome(meeting(), "Caritas", Role.PARTICIPANT, 2, True))
    assert invited.card is None
    combined = replies.with_insights(invited, EN, Insights(4, ("religion",), (), (), ()))
    valid(combined)
    assert invited.text in shown(combined)
    assert "Every perspective is covered by the invited organisations." in shown(combined)
    norwegian = replies.with_insights(invited, NB, Insights(4, (), ("religion",), (), ()))
    assert nb("religious communities") in shown(norwegian)


def test_invite_and_agenda_confirmations() -> None:
    sent = replies.invite_confirmation(EN, InviteOutcome(meeting(), HOSTILE, Role.PARTICIPANT, 2, True))
    assert sent.text.endswith("is invited to meeting 4; its 2 contacts are told now.")
    assert_inert(sent)
    later = replies.invite_confirmation(NB, InviteOutcome(meeting(), "Caritas", Role.OBSERVER, 1, False))
    assert later.text == NB.ngettext(
        "{organisation} is invited to meeting {number}; its {people} contact gets the invitation with everyone else.",
        "{organisation} is invited to meeting {number}; its {people} contacts get the invitation with everyone "
        "else.", 1).format(organisation="Caritas", number=4, people=1) != ""
    assert "Caritas" in later.text and "invited to meeting" not in later.text
    talks = (Talk("Mayor", None, "Budget", 20),)
    plain = replies.agenda_confirmation(EN, AgendaOutcome(meeting(title=HOSTILE, talks=talks), None))
    assert plain.card is None
    assert "is updated: 1 talk, 1 topic, 40 minutes of open floor." in plain.text
    assert_inert(plain)
    warned = replies.agenda_confirmation(EN, AgendaOutcome(meeting(talks=talks), text(
        "The talks leave only {minutes} minutes for the open floor.", minutes=40)))
    valid(warned)
    assert "⚠️ The talks leave only 40 minutes for the open floor." in shown(warned)
    norwegian = replies.agenda_confirmation(NB, AgendaOutcome(meeting(talks=talks), None))
    assert nb("The agenda of meeting {number} ({title}) is updated: {talks}, {topics}, "
              "{minutes} of open floor.").split("{")[0] in norwegian.text


# --- the roster -----------------------------------------------------------------------------------


def _organisation(name: str = "Caritas", tier: Tier = Tier.CORE, contacts: tuple[PersonRef, ...] = (),
                  addresses: tuple[tuple[PersonRef, str], ...] = ()) -> OrganisationCard:
    return OrganisationCard(name, tier, contacts, ("religion",), ("housing",), TimeOfDay.AFTERNOON, "nb", addresses)


def test_the_roster_shows_contacts_to_coordinators_only() -> None:
    ola, kari = PersonRef(TEAMS, "aad-ola"), PersonRef(TEAMS, "aad-kari")
    orgs = (_organisation(HOSTILE, contacts=(ola, kari, PersonRef(EMAIL, "post@caritas.no")),
                          addresses=((ola, "ola@caritas.no"),)),
            _organisation("Helsedirektoratet", Tier.OBSERVER))
    coordinator = replies.roster_list(EN, RosterListing(orgs, True, (PerspectiveCount("religion", 2),)))
    valid(coordinator)
    body = shown(coordinator)
    assert coordinator.text == "2 organisations on the roster"
    assert "Core organisations (always invited)" in body and "Observers (listen in)" in body
    assert ": ola@caritas.no (in Teams), post@caritas.no, 1 person in Teams _(religious communities; prefers " \
           "afternoons)_" in body
    assert "**Helsedirektoratet**: no contacts yet" in body
    assert "aad-" not in body  # a Teams id means nothing to a reader
    assert "Perspectives covered: religious communities (2 organisations)" in body
    assert "shown to coordinators only" not in body
    assert_inert(coordinator)
    member_orgs = tuple(_organisation(o.name, o.tier) for o in orgs)
    member = replies.roster_list(NB, RosterListing(member_orgs, False, (PerspectiveCount("religion", 2),)))
    valid(member)
    shown_to_member = shown(member)
    assert "caritas.no" not in shown_to_member and nb("no contacts yet") not in shown_to_member
    assert nb("Who represents each organisation is shown to coordinators only.") in shown_to_member
    assert nb("Core organisations (always invited)") in shown_to_member


def test_an_empty_roster_says_how_to_fill_it() -> None:
    for t, command in ((EN, "**roster add \"<name>\" core|topic|observer @person**"),
                       (NB, "**deltakere ny ")):
        card = replies.roster_list(t, RosterListing((), True))
        valid(card)
        assert command in card.text and "/dialog" not in card.text


def test_roster_added_contacts_and_removed() -> None:
    ola = PersonRef(TEAMS, "aad-ola")
    added = replies.roster_added(EN, _organisation(HOSTILE, Tier.TOPIC, (ola,)))
    assert added.text.endswith("is on the roster as an organisation invited by topic, with 1 contact.")
    assert_inert(added)
    assert replies.roster_added(NB, _organisation("Caritas", Tier.CORE, (ola,))).text == NB.ngettext(
        "{organisation} is on the roster as {tier}, with {count} contact.",
        "{organisation} is on the roster as {tier}, with {count} contacts.", 1).format(
        organisation="Caritas", tier=nb("a core organisation"), count=1)
    org = _organisation("Caritas", contacts=(ola, PersonRef(EMAIL, "post@caritas.no")),
                        addresses=((ola, "ola@caritas.no"),))
    outcome = ContactsOutcome(org, added=(), already=(PersonRef(EMAIL, "post@caritas.no"),), addressed=(ola,))
    contacts = replies.roster_contacts(EN, outcome)
    assert contacts.text == ("Caritas now has 2 contacts. Already there: post@caritas.no. E-mail address saved "
                             "for messages Teams cannot deliver: ola@caritas.no (in Teams).")
    assert nb("Already there: {people}.").split("{")[0] in replies.roster_contacts(NB, outcome).text
    removed = replies.roster_removed(NB, _organisation())
    assert removed.text == nb("{organisation} is off the roster. Past meetings still show it.").format(
        organisation="Caritas")


# --- one's own things, minutes, follow-up ---------------------------------------------------------


@pytest.mark.parametrize("t", [EN, NB])
def test_language_answers(t: Translator) -> None:
    status = replies.language_status(t, LanguageSetting("nb", LanguageSource.ORGANISATION))
    why = t.gettext("I write to you in {language}, your organisation's language.").format(
        language=t.gettext("Norwegian (Bokmål)"))
    assert status.text.startswith(why)
    language = "språk" if t is NB else "language"
    assert f"**{language} nb**" in status.text and f"**{language} auto**" in status.text
    assert "/dialog" not in status.text and "Home tab" not in status.text
    chosen = replies.language_chosen(t, LanguageChosen(LanguageSetting("en", LanguageSource.CHOICE), True))
    assert chosen.text == t.gettext("I write to you in {language}, as you chose.").format(
        language=t.gettext("English")) + " " + t.gettext(
        "That goes for messages already planned too, such as reminders.")
    if t is NB:
        nb("I write to you in {language}, as you chose.")


def test_data_final_comment_and_status_confirmations() -> None:
    assert replies.data_requested(NB, ExportRequested(timedelta(days=1))).text == nb(
        "Everything the bot holds about you is on its way to your messages with the bot.")
    final = replies.final_confirmation(EN, FinalOutcome(4, HOSTILE, already=False, readers=12))
    assert final.text.endswith("are final and on their way to the channel and everyone invited (12 people).")
    assert_inert(final)
    assert replies.final_confirmation(NB, FinalOutcome(4, "Vinter", already=True, readers=0)).text == nb(
        "The minutes of meeting {number} ({title}) were already final.").format(number=4, title="Vinter")
    comment = replies.comment_confirmation(EN, CommentOutcome(4, HOSTILE, START, 2), OSLO)
    assert "went to the coordinators. Comments are open until Monday, 16 March 2026 14:00 (Europe/Oslo)." \
        in comment.text
    assert_inert(comment)
    assert "mandag 16. mars 2026 kl. 14:00" in replies.comment_confirmation(
        NB, CommentOutcome(4, "Vinter", START, 2), OSLO).text
    done = item(description=HOSTILE, status=FollowUpStatus.DONE)
    status = replies.status_confirmation(EN, StatusOutcome(done, "Winter", changed=True))
    assert status.text.startswith("Follow-up point 4.2 (") and status.text.endswith(") is now done.")
    assert_inert(status)
    assert replies.status_confirmation(NB, StatusOutcome(item(), "Vinter", changed=False)).text == nb(
        "Follow-up point {ref} ({what}) was already {status}.").format(ref="4.2", what="Find volunteers",
                                                                       status=nb("open"))


# --- planning and statistics ----------------------------------------------------------------------


def test_slot_list_writes_times_in_the_zone_and_how_to_schedule() -> None:
    advice = SlotAdvice((Slot(START, 3, 4),), date(2026, 3, 16), date(2026, 4, 3), time(18, 0), afternoons=True)
    card = replies.slot_list(EN, advice, OSLO)
    valid(card)
    body = shown(card)
    assert card.text == "Best times from 16 March 2026 to 3 April 2026, for the core organisations' preferences:"
    assert "- Monday, 16 March 2026 14:00 (Europe/Oslo): suits 3 of 4" in body
    assert "times until 18:00 are included" in body
    assert "Schedule one with **schedule <YYYY-MM-DD> <HH:MM> <title>** (the time in Europe/Oslo)." in body
    norwegian = replies.slot_list(NB, advice, OSLO)
    assert "**planlegg " in shown(norwegian) and "16. mars 2026" in norwegian.text
    none = replies.slot_list(NB, SlotAdvice((), date(2026, 3, 16), date(2026, 4, 3), time(16, 0), False), OSLO)
    valid(none)
    assert none.text == nb("No free slot in office hours from {first} to {last}.").format(
        first="16. mars 2026", last="3. april 2026")


def test_stats_for_a_coordinator() -> None:
    stats = Stats(
        organisations=(OrganisationStats(HOSTILE, Tier.CORE, 4, 3, 2, 3),
                       OrganisationStats("Helsedirektoratet", Tier.OBSERVER, 0, 0, 0, 0)),
        meetings=(MeetingStats(4, "Winter", START, "regular", ("religion",), ()),),
        proposals_by_side={Side.CITY: 1, Side.CIVIL_SOCIETY: 5, Side.AGENCY: 0},
        median_answer_minutes={"regular": 90.0, "urgent": None})
    card = replies.stats_message(EN, stats, OSLO)
    valid(card)
    body = shown(card)
    assert card.text == "Statistics"
    assert "Proposals: 1 from the city, 5 from civil society, 0 from public agencies." in body
    assert "regular meetings 90 minutes, urgent meetings —." in body
    assert ": answered 3 of 4 invitations (75 %), attended 2 of 3 meetings held" in body
    assert "**Helsedirektoratet** (public agency): not invited to a meeting yet" in body
    assert "Meeting 4 (Winter): perspectives invited: religious communities; present: —" in body
    assert "`" not in body
    assert_inert(card)
    norwegian = replies.stats_message(NB, stats, OSLO)
    assert norwegian.text == nb("Statistics")

"""`overview` in Teams: Slack's Home tab as one card, in English and Norwegian; what only coordinators
see, the one-click actions' verbs and data, what people typed kept inert, and the lists capped."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from handlers.teams.render.common import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_IN_PROGRESS,
    FOLLOW_UP_OPEN,
    MEETING_KEY,
    POINT_KEY,
    RSVP_MAYBE,
    RSVP_NO,
    RSVP_YES,
    TOPIC_KEY,
    TOPIC_SUPPORT,
    Card,
)
from handlers.teams.render.overview import overview_card
from services.enums import Answer, FollowUpStatus
from services.home import HomeView
from services.meetings import UpcomingMeeting
from services.people import EMAIL, PersonRef
from services.planning import Insights, Suggestion
from services.reachability import Undelivered
from services.suggestions import SuggestionCard
from tests.handlers.teams.render.support import (
    EN,
    HOSTILE,
    NB,
    OSLO,
    START,
    inert,
    item,
    meeting,
    texts,
    topic,
    valid,
)

# Teams takes about 28 KB a message; the overview must stay well under it however full the lists.
TEAMS_MAX = 28_000


def _view(*, coordinator: bool = False, **overrides: Any) -> HomeView:
    values: dict[str, Any] = dict(
        upcoming=(UpcomingMeeting(meeting(number=4), invited=True, answer=Answer.MAYBE),
                  UpcomingMeeting(meeting(number=5, title="Youth clubs"), invited=False, answer=None)),
        topics=(topic(number=7), topic(number=8, title="Night buses")),
        follow_up=((4, "Winter shelter capacity", item(status=FollowUpStatus.IN_PROGRESS)),),
        coordinator=coordinator,
        next_meeting_insights=Insights(4, (), ("religion",), (), (Suggestion("Frelsesarmeen", ("shelter",)),))
        if coordinator else None,
        new_proposals=(topic(number=8, title="Night buses"),) if coordinator else (),
    )
    values.update(overrides)
    return HomeView(**values)


def _failed(**overrides: Any) -> Undelivered:
    values: dict[str, Any] = dict(person=PersonRef(EMAIL, "kari@example.org"), organisations=("Caritas",),
                                  reason="550 5.1.1 no such user", failed_at=START, meeting_number=4)
    values.update(overrides)
    return Undelivered(**values)


def _suggestion(**overrides: Any) -> SuggestionCard:
    values: dict[str, Any] = dict(id=3, name="Kirkens Bymisjon", reason="They run the night shelter",
                                  contact="post@bymisjon.example", contact_person=None, perspective="religion",
                                  meeting=(4, "Winter shelter capacity"),
                                  suggested_by=PersonRef("teams", "aad-1"), state="open", created_at=START)
    values.update(overrides)
    return SuggestionCard(**values)


def _actions(card: Card) -> list[dict[str, Any]]:
    """Every action in the card's body (its action sets) and at its foot."""
    assert card.card is not None
    found: list[dict[str, Any]] = []

    def walk(element: dict[str, Any]) -> None:
        found.extend(element.get("actions", []))
        for child in element.get("items", []):
            walk(child)

    for element in card.card["body"]:
        walk(element)
    return found + list(card.card.get("actions", []))


def _verbs(card: Card) -> list[tuple[str, dict[str, Any]]]:
    return [(a["verb"], a["data"]) for a in _actions(card) if a["type"] == "Action.Execute"]


def test_a_member_sees_meetings_follow_up_and_topics_with_one_click_actions() -> None:
    card = overview_card(EN, _view(), OSLO)
    valid(card)
    shown = texts(card)
    for words in ("Dialogue meetings", "Upcoming meetings", "4. Winter shelter capacity", "Your answer: Maybe",
                  "5. Youth clubs", "You are not on the invitation list.", "Follow-up", "**4.2** Find volunteers",
                  "in progress", "Open topics", "7. Heating costs", "8. Night buses", "Monday, 16 March 2026 14:00"):
        assert words in shown, words
    verbs = _verbs(card)
    # Answer buttons on the meeting they are invited to only.
    assert [(v, d) for v, d in verbs if v in (RSVP_YES, RSVP_NO, RSVP_MAYBE)] == [
        (RSVP_YES, {MEETING_KEY: 4}), (RSVP_NO, {MEETING_KEY: 4}), (RSVP_MAYBE, {MEETING_KEY: 4})]
    # The point's status buttons: every status but the one it is in.
    assert [(v, d) for v, d in verbs if v.startswith("follow_up")] == [
        (FOLLOW_UP_OPEN, {POINT_KEY: "4.2"}), (FOLLOW_UP_DONE, {POINT_KEY: "4.2"})]
    assert FOLLOW_UP_IN_PROGRESS not in {v for v, _ in verbs}
    assert [(v, d) for v, d in verbs if v == TOPIC_SUPPORT] == [
        (TOPIC_SUPPORT, {TOPIC_KEY: 7}), (TOPIC_SUPPORT, {TOPIC_KEY: 8})]


def test_a_member_sees_nothing_of_the_coordinators_sections() -> None:
    # Even if a view carried them, a member's card shows none of what is the coordinators'.
    view = _view(new_proposals=(topic(number=8),), undelivered=(_failed(),), suggestions=(_suggestion(),),
                 organisations=("Caritas",))
    shown = texts(overview_card(EN, view, OSLO))
    for words in ("Next meeting", "New proposals", "Could not be delivered", "kari@example.org",
                  "Suggested organisations", "Kirkens Bymisjon", "Roster", "Perspectives not covered"):
        assert words not in shown, words


def test_a_coordinator_sees_the_next_meeting_proposals_failures_suggestions_and_the_roster() -> None:
    view = _view(coordinator=True, undelivered=(_failed(), _failed(person=PersonRef("teams", "aad-9"),
                                                                   reason="", meeting_number=None)),
                 suggestions=(_suggestion(),), organisations=("Caritas", "Red Cross"))
    card = overview_card(EN, view, OSLO)
    valid(card)
    shown = texts(card)
    assert "**Next meeting:** 4. Winter shelter capacity" in shown
    assert "Attending: 3 · Not attending: 1 · Maybe: 0 · No answer yet: 2" in shown
    assert "Perspectives not covered by the invited organisations: religious communities." in shown
    assert "Worth inviting: **Frelsesarmeen**" in shown
    assert "New proposals" in shown and "**8. Night buses** (Caritas)" in shown
    assert "Could not be delivered" in shown
    assert "• kari@example.org (Caritas): 550 5.1.1 no such user (meeting 4)" in shown
    # A chat person has no name in the services' view; the reason's absence is said.
    assert "• A contact in chat (Caritas): no reason given" in shown
    assert "Suggested organisations" in shown and "**Kirkens Bymisjon** · religious communities" in shown
    assert "Contact: post@bymisjon.example" in shown and "for meeting 4 (Winter shelter capacity)" in shown
    # No Teams verb accepts or dismisses a suggestion: the command to write instead, and no button.
    assert 'Add it to the roster with **roster add "Kirkens Bymisjon" core|topic|observer**.' in shown
    assert "2 organisations are on the roster; **roster** lists them" in shown
    assert not {v for v, _ in _verbs(card)} - {RSVP_YES, RSVP_NO, RSVP_MAYBE, TOPIC_SUPPORT,
                                               FOLLOW_UP_OPEN, FOLLOW_UP_DONE}


def test_norwegian_readers_get_norwegian_words_and_commands() -> None:
    view = _view(coordinator=True, suggestions=(_suggestion(),), organisations=("Caritas",),
                 undelivered=(_failed(),))
    card = overview_card(NB, view, OSLO)
    valid(card)
    shown = texts(card)
    for words in ("Dialogmøter", "Neste møte", "Kommende møter", "mandag 16. mars 2026 kl. 14:00", "Oppfølging",
                  "Åpne tema", "Kunne ikke leveres", "Foreslåtte organisasjoner", "Nye forslag",
                  "Deltakerliste"):
        assert words in shown, words
    assert '**deltakere ny "Kirkens Bymisjon" fast|tema|observatør**' in shown
    titles = {a["title"] for a in _actions(card)}
    assert {"Kommer", "Støtt"} <= titles


def test_what_people_typed_is_inert() -> None:
    view = _view(
        coordinator=True,
        upcoming=(UpcomingMeeting(meeting(title=HOSTILE), invited=True, answer=None),),
        topics=(topic(title=HOSTILE),),
        follow_up=((4, HOSTILE, item(description=HOSTILE, owner=HOSTILE)),),
        new_proposals=(topic(title=HOSTILE, proposer_organisation=HOSTILE),),
        undelivered=(_failed(organisations=(HOSTILE,), reason=HOSTILE),),
        suggestions=(_suggestion(name=HOSTILE, reason=HOSTILE, contact=HOSTILE, meeting=(4, HOSTILE),
                                 perspective=HOSTILE),),
        next_meeting_insights=Insights(4, (), (HOSTILE,), (HOSTILE,), (Suggestion(HOSTILE, (HOSTILE,)),)),
    )
    card = overview_card(EN, view, OSLO)
    valid(card)
    inert(HOSTILE, texts(card) + "\n" + card.text)


def test_an_empty_overview_says_so_and_points_to_the_commands() -> None:
    card = overview_card(EN, _view(upcoming=(), topics=(), follow_up=()), OSLO)
    valid(card)
    shown = texts(card)
    assert "No meetings are coming up." in shown
    assert "No open topics yet. Propose one with **propose <title> [| <details>]**." in shown
    assert "Follow-up" not in shown
    assert _verbs(card) == []


def test_ordinary_lists_are_capped_as_on_slacks_home_tab() -> None:
    view = _view(
        coordinator=True,
        upcoming=tuple(UpcomingMeeting(meeting(number=n, title=f"Meeting about housing {n}"), invited=True,
                                       answer=None) for n in range(1, 12)),
        topics=tuple(topic(number=n, title=f"Topic {n}") for n in range(1, 11)),
        follow_up=tuple((n, "Housing", item(meeting_number=n)) for n in range(1, 12)),
        suggestions=tuple(_suggestion(id=n, name=f"Organisation {n:03}") for n in range(1, 8)),
    )
    card = overview_card(EN, view, OSLO)
    valid(card)
    shown = texts(card)
    assert sorted({d[MEETING_KEY] for v, d in _verbs(card) if v == RSVP_YES}) == list(range(1, 9))
    assert "…and 3 more later." in shown
    assert len({d[POINT_KEY] for v, d in _verbs(card) if v == FOLLOW_UP_DONE}) == 8
    assert "3 more; set any point's status with **followup <meeting-no>.<point-no> open|progress|done**." in shown
    assert len([v for v, _ in _verbs(card) if v == TOPIC_SUPPORT]) == 10
    assert [n for n in range(1, 8) if f"Organisation {n:03}**" in shown] == [1, 2, 3, 4, 5]
    assert "…and 2 more, shown as these are decided." in shown


def test_long_markdown_heavy_lists_stop_at_the_cards_share_and_count_the_rest() -> None:
    # Every text as long as the services let it be (titles 150, names 120, a point 500, a
    # suggestion's reason 1000 and contact 200), each character one that markdown escapes.
    title, name, long = "*" * 150, "*" * 117, "*" * 1000
    view = _view(
        coordinator=True,
        upcoming=tuple(UpcomingMeeting(meeting(number=n, title=title), invited=True, answer=None)
                       for n in range(1, 31)),
        topics=tuple(topic(number=n, title=title) for n in range(1, 11)),
        follow_up=tuple((n, title, item(meeting_number=n, description=long[:500], owner=name,
                                        due_on=date(2026, 4, 1)))
                        for n in range(1, 31)),
        new_proposals=tuple(topic(number=n, title=title, proposer_organisation=name) for n in range(1, 31)),
        undelivered=tuple(_failed(reason=long, organisations=(name, name)) for _ in range(10)),
        suggestions=tuple(_suggestion(id=n, name=f"{name}{n:03}", reason=long, contact=long[:200],
                                      meeting=(4, title)) for n in range(1, 31)),
        organisations=tuple(f"Org {n}" for n in range(200)),
    )
    card = overview_card(EN, view, OSLO)
    valid(card)
    shown = texts(card)
    assert len(json.dumps(card.card, ensure_ascii=False).encode()) < TEAMS_MAX
    meetings = len({d[MEETING_KEY] for v, d in _verbs(card) if v == RSVP_YES})
    assert 1 <= meetings <= 8 and f"…and {30 - meetings} more later." in shown
    points = len({d[POINT_KEY] for v, d in _verbs(card) if v == FOLLOW_UP_DONE})
    assert 1 <= points <= 8 and f"{30 - points} more; set any point's status with" in shown
    topics = len([v for v, _ in _verbs(card) if v == TOPIC_SUPPORT])
    assert 1 <= topics < 10 and f"…and {10 - topics} more." in shown
    suggestions = [n for n in range(1, 31) if f"{n:03}**" in shown]
    assert suggestions == list(range(1, len(suggestions) + 1))
    assert f"…and {30 - len(suggestions)} more, shown as these are decided." in shown
    # A long reason is cut, never the whole thousand characters.
    assert "\\*" * 300 not in shown

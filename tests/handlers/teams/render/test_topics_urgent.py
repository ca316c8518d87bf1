"""Topic cards and the urgent call's report in Teams: the Support and nudge actions, the words, and
what people typed kept inert."""

from __future__ import annotations

import pytest

from handlers.teams.render import render_message
from handlers.teams.render.common import MEETING_KEY, TOPIC_KEY, TOPIC_SUPPORT, URGENT_NUDGE
from services.enums import Answer, MeetingKind, Side
from services.messages import (
    Audience,
    FanOutFailure,
    OrganisationReach,
    TopicAnnouncement,
    TopicChanged,
    Unreachable,
    UrgentProgress,
)
from services.people import PersonRef
from tests.handlers.teams.render.support import (
    EN,
    HOSTILE,
    NB,
    OSLO,
    actions,
    inert,
    meeting,
    texts,
    topic,
    valid,
    verbs,
)


def test_announcement_has_support_and_the_supporters() -> None:
    card = render_message(EN, TopicAnnouncement(topic()), OSLO, personal=False)
    valid(card)
    assert verbs(card) == [(TOPIC_SUPPORT, {TOPIC_KEY: 7})]
    assert actions(card)[0]["title"] == "Support"
    shown = texts(card)
    assert "**7. Heating costs**" in shown and "Families cannot pay." in shown
    assert "Proposed by Caritas (civil society) · 3 supporters from 2 organisations" in shown
    assert "Support it with the button or with **support 7**." in shown
    assert card.text == "New topic proposed for the dialogue meetings: 7. Heating costs"


def test_announcement_in_norwegian() -> None:
    card = render_message(NB, TopicAnnouncement(topic(supporters=1, supporting_organisations=1)), OSLO,
                          personal=False)
    valid(card)
    assert actions(card)[0]["title"] == "Støtt"
    assert actions(card)[0]["tooltip"] == "Støtt tema 7"
    assert "Foreslått av Caritas" in texts(card)
    assert "**støtt 7**" in texts(card)
    assert card.text.startswith("Nytt tema foreslått til dialogmøtene: 7. Heating costs")


def test_announcement_names_no_person_on_the_channel() -> None:
    # Where the services leave the person in (a private view), the organisation still stands for them.
    card = render_message(EN, TopicAnnouncement(topic(proposer=PersonRef("teams", "29:kari"),
                                                      proposer_side=Side.CITY, proposer_organisation=None)),
                          OSLO, personal=False)
    assert "29:kari" not in str(card.card)
    assert "Proposed by A contact in chat (city)" in texts(card)


def test_hostile_topic_is_inert() -> None:
    card = render_message(EN, TopicAnnouncement(topic(title=HOSTILE, details=HOSTILE,
                                                      proposer_organisation=HOSTILE)), OSLO, personal=False)
    valid(card)
    inert(HOSTILE, texts(card))
    inert(HOSTILE, card.text)
    assert texts(card).count("\\[click\\]") == 3


@pytest.mark.parametrize(("change", "expected"), [
    ("scheduled", "Your topic **7. Heating costs** is on the agenda of meeting 4 (Winter shelter capacity), "
                  "Monday, 16 March 2026 14:00 (Europe/Oslo)."),
    ("unscheduled", "Meeting 4 (Winter shelter capacity) will not discuss your topic **7. Heating costs** after "
                    "all; it is back among the proposals."),
    ("discussed", "Your topic **7. Heating costs** was discussed at meeting 4 (Winter shelter capacity)."),
])
def test_topic_changed(change: str, expected: str) -> None:
    card = render_message(EN, TopicChanged(topic(), change, meeting()), OSLO, personal=True)
    valid(card)
    assert expected in texts(card)
    assert "**" not in card.text and "7. Heating costs" in card.text
    assert verbs(card) == []


def test_topic_declined_with_a_hostile_reason() -> None:
    card = render_message(NB, TopicChanged(topic(state="declined", state_reason=HOSTILE), "declined"), OSLO,
                          personal=True)
    valid(card)
    assert "Temaet ditt **7. Heating costs** ble avslått. Begrunnelsen: " in texts(card)
    inert(HOSTILE, texts(card))


def progress(**overrides) -> UrgentProgress:
    values = dict(
        meeting=meeting(kind=MeetingKind.URGENT, number=9, title="Flooding"), total=5, sent=4,
        failed=(FanOutFailure(PersonRef("email", "ola@example.org"), "550 no such user"),
                FanOutFailure(PersonRef("teams", "29:x"), HOSTILE)),
        done=False, audience=Audience(organisations=4, people=5),
        answered=(OrganisationReach("Caritas", answer=Answer.YES),
                  OrganisationReach("NAV", observer=True, answer=Answer.MAYBE)),
        silent=(OrganisationReach(HOSTILE),),
        unreachable=(OrganisationReach("Blue Cross", unreachable=Unreachable.NO_CONTACT),),
        sending=1, silent_people=2,
    )
    values.update(overrides)
    return UrgentProgress(**values)


def test_urgent_progress_with_the_nudge_button() -> None:
    card = render_message(EN, progress(), OSLO, personal=True)
    valid(card)
    assert verbs(card) == [(URGENT_NUDGE, {MEETING_KEY: 9})]
    assert actions(card)[0]["title"] == "Nudge the silent ones (2 people)"
    shown = texts(card)
    assert "Urgent call **Flooding**: sent 4 of 5." in shown
    assert "Invited: 4 organisations and 5 people." in shown
    assert "Still being sent to 1 organisation." in shown
    assert "Answered (2)" in shown and "Caritas: Attending · NAV _(observer)_: Maybe" in shown
    assert "Silent, no answer yet (1)" in shown
    assert "Blue Cross: no contact person" in shown
    assert "ola@example.org: 550 no such user" in shown
    assert "A contact in chat: " in shown and "29:x" not in shown
    assert "Attending: 3 · Not attending: 1 · Maybe: 0 · No answer yet: 2" in shown
    inert(HOSTILE, shown)
    assert card.text == "Urgent call Flooding: sent 4 of 5."


def test_urgent_progress_norwegian_and_without_the_button_once_closed_or_nobody_silent() -> None:
    card = render_message(NB, progress(open=False, done=True), OSLO, personal=True)
    valid(card)
    assert verbs(card) == []
    assert "Hasteinnkalling **Flooding**: sendt 4 av 5." in texts(card)
    assert verbs(render_message(EN, progress(silent_people=0), OSLO, personal=True)) == []
    nudge = render_message(NB, progress(), OSLO, personal=True)
    assert actions(nudge)[0]["title"] == "Minn på dem som ikke har svart (2 personer)"

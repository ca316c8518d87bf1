"""Meeting cards in Teams: the invitation's answers and live tally, reminders, nudges, the cancellation,
changes and the speaker's note, in both languages, with what people typed kept inert."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handlers.teams.render import render_message
from handlers.teams.render.common import MEETING_KEY, RSVP_MAYBE, RSVP_NO, RSVP_YES
from services.enums import Answer, MeetingKind, MeetingState
from services.meetings import ChangeField
from services.messages import (
    MeetingCancelled,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    SpeakerTold,
    Talk,
    Tally,
)
from services.people import PersonRef
from tests.handlers.teams.render.support import (
    EN,
    HOSTILE,
    NB,
    OSLO,
    START,
    actions,
    inert,
    item,
    meeting,
    texts,
    urls,
    valid,
    verbs,
)

RSVP = [(RSVP_YES, {MEETING_KEY: 4}), (RSVP_NO, {MEETING_KEY: 4}), (RSVP_MAYBE, {MEETING_KEY: 4})]


def invitation(card=None, *, personal: bool, listening: bool = False, public_url: str = "", t=EN):
    message = MeetingInvitation(card or meeting(), personal=personal, listening=listening)
    return render_message(t, message, OSLO, personal=personal, public_url=public_url)


def test_channel_invitation_has_answers_calendar_and_the_live_tally_in_slacks_words() -> None:
    card = invitation(personal=False, public_url="https://bot.example")
    valid(card)
    assert verbs(card) == RSVP
    assert [a["title"] for a in actions(card)][:3] == ["Attending", "Not attending", "Maybe"]
    assert urls(card) == ["https://meet.example.org/x", "https://bot.example/calendar/tok123.ics"]
    shown = texts(card)
    assert "4. Winter shelter capacity" in shown
    assert "Monday, 16 March 2026 14:00 (Europe/Oslo) · 60 minutes" in shown
    assert "Attending: 3 · Not attending: 1 · Maybe: 0 · No answer yet: 2" in shown
    assert "Organisations attending: 2 of 2 · Observers listening in: 1 of 1" in shown
    assert "Invited: Caritas, Red Cross" in shown and "Listening in: Helsedirektoratet" in shown
    assert card.text == "Invitation: Winter shelter capacity, Monday, 16 March 2026 14:00 (Europe/Oslo)"


def test_an_updated_tally_shows_the_new_counts() -> None:
    before = texts(invitation(personal=False))
    after = texts(invitation(meeting(tally=Tally(yes=4, no=1, maybe=1, waiting=0, organisations_yes=1,
                                                 organisations_invited=2)), personal=False))
    assert "Attending: 4 · Not attending: 1 · Maybe: 1 · No answer yet: 0" in after
    assert "Organisations attending: 1 of 2" in after and "Observers listening in" not in after
    assert before != after


def test_norwegian_invitation() -> None:
    card = invitation(personal=False, t=NB)
    valid(card)
    assert [a["title"] for a in actions(card)][:3] == ["Kommer", "Kommer ikke", "Kanskje"]
    shown = texts(card)
    assert "Kommer: 3 · Kommer ikke: 1 · Kanskje: 0 · Ikke svart ennå: 2" in shown
    assert "Organisasjoner som kommer: 2 av 2 · Observatører som lytter med: 1 av 1" in shown
    assert "mandag 16. mars 2026 kl. 14:00" in shown
    assert card.text.startswith("Invitasjon: Winter shelter capacity, mandag 16. mars 2026 kl. 14:00")


def test_personal_invitation_has_answers_but_no_tally_that_could_go_stale() -> None:
    card = invitation(personal=True)
    valid(card)
    assert verbs(card) == RSVP
    assert "You are invited to a dialogue meeting" in texts(card)
    assert "Attending: 3" not in texts(card)
    assert urls(card) == ["https://meet.example.org/x"]  # no public address: no calendar link


def test_observers_are_invited_to_listen_in_and_answer_as_slack_lets_them() -> None:
    card = invitation(personal=True, listening=True)
    assert "You are invited to listen in on meeting 4" in texts(card)
    assert verbs(card) == RSVP


@pytest.mark.parametrize("personal", [True, False])
def test_cancelled_invitation_has_no_actions_and_says_why(personal: bool) -> None:
    card = invitation(meeting(state=MeetingState.CANCELLED, cancel_reason=HOSTILE), personal=personal,
                      public_url="https://bot.example")
    payload = valid(card)
    assert "actions" not in payload
    shown = texts(card)
    assert "Cancelled: Winter shelter capacity, Monday, 16 March 2026 14:00" in shown
    inert(HOSTILE, shown)
    assert ("Attending: 3" in shown) is (not personal)


def test_held_meeting_says_answers_are_closed() -> None:
    card = invitation(meeting(state=MeetingState.HELD), personal=False)
    assert verbs(card) == [] and urls(card) == []
    assert "This meeting has been held; answers are closed." in texts(card)


def test_urgent_invitation_is_marked() -> None:
    card = invitation(meeting(kind=MeetingKind.URGENT, background="Water in basements\nin Haugerud"),
                      personal=False)
    valid(card)
    assert card.text.startswith("URGENT: Invitation:")
    shown = texts(card)
    assert "Urgent dialogue meeting" in shown
    assert "Water in basements\n\nin Haugerud" in shown  # the line break survives a TextBlock


def test_hostile_text_is_inert_everywhere_on_the_invitation() -> None:
    talk = Talk(speaker=HOSTILE, organisation=HOSTILE, subject=HOSTILE, minutes=10)
    card = invitation(meeting(title=HOSTILE, agenda=((3, HOSTILE),), participants=(HOSTILE,),
                              observers=(HOSTILE,), chair=HOSTILE, background=HOSTILE, talks=(talk,),
                              follow_up=(item(description=HOSTILE, owner=HOSTILE),)), personal=False)
    valid(card)
    shown = texts(card)
    inert(HOSTILE, shown)
    assert shown.count("\\[click\\]") >= 9
    inert(HOSTILE, card.text)
    assert card.card is not None
    inert(HOSTILE, card.card["fallbackText"])


def test_the_video_link_is_a_button_only_for_web_addresses() -> None:
    card = invitation(meeting(video_link="javascript:alert(1)"), personal=True)
    assert urls(card) == []
    assert "Link: javascript:alert\\(1\\)" in texts(card)  # shown as typed, inert


def test_talks_agenda_and_follow_up() -> None:
    talks = (Talk("Kari Nordmann", "Caritas", "Shelter numbers", 10),
             Talk("", None, "Volunteers", 5, person=PersonRef("teams", "29:abc")))
    card = invitation(meeting(talks=talks, chair="Deputy mayor", follow_up=(item(),)), personal=True)
    shown = texts(card)
    assert "1. Shelter numbers: Kari Nordmann (Caritas), 10 minutes" in shown
    assert "2. Volunteers: —, 5 minutes" in shown  # a person picked carries no name to show
    assert "3. Open floor, 45 minutes: Heating costs _(#3)_" in shown
    assert "Chair: Deputy mayor" in shown
    assert "**4.2** Find volunteers: Caritas, by 30 March 2026 · _open_" in shown
    assert "29:abc" not in shown


def test_reminder_shows_the_answer_and_offers_to_change_it() -> None:
    card = render_message(NB, MeetingReminder(meeting(), Answer.MAYBE), OSLO, personal=True)
    valid(card)
    assert verbs(card) == RSVP
    assert "Svaret ditt: Kanskje" in texts(card)
    assert "Winter shelter capacity" in card.text and "**" not in card.text


def test_reminder_of_a_cancelled_meeting_has_no_buttons() -> None:
    card = render_message(EN, MeetingReminder(meeting(state=MeetingState.CANCELLED), None), OSLO, personal=True)
    assert "actions" not in valid(card)
    assert "This meeting is cancelled." in texts(card)


def test_nudge() -> None:
    card = render_message(EN, MeetingNudge(meeting(), HOSTILE), OSLO, personal=True)
    valid(card)
    assert verbs(card) == RSVP
    assert "has answered the invitation to **Winter shelter capacity** on Monday, 16 March 2026" in texts(card)
    inert(HOSTILE, texts(card))
    inert(HOSTILE, card.text)


def test_meeting_cancelled_has_no_actions() -> None:
    message = MeetingCancelled(meeting(state=MeetingState.CANCELLED, title=HOSTILE, cancel_reason="Storm"))
    for t in (EN, NB):
        card = render_message(t, message, OSLO, personal=True)
        assert "actions" not in valid(card)
        inert(HOSTILE, texts(card))
    assert "Reason: Storm" in texts(render_message(EN, message, OSLO, personal=True))
    assert "Begrunnelse: Storm" in texts(render_message(NB, message, OSLO, personal=True))


def test_meeting_changed_names_the_changes_and_both_times() -> None:
    message = MeetingChanged(meeting(), (ChangeField.TIME.value, ChangeField.LINK.value),
                             previous_starts_at=START - timedelta(days=1))
    card = render_message(EN, message, OSLO, personal=True)
    valid(card)
    assert card.text == "Meeting 4 (Winter shelter capacity) has changed: a new time and a new video link."
    assert ("New time: Monday, 16 March 2026 14:00 (Europe/Oslo) (was Sunday, 15 March 2026 14:00 "
            "(Europe/Oslo)).") in texts(card)
    assert verbs(card) == []


def test_speaker_told() -> None:
    talk = Talk("Kari", "Caritas", HOSTILE, 10, person=PersonRef("teams", "29:kari"))
    card = render_message(EN, SpeakerTold(meeting(), (talk,), changed=True), OSLO, personal=True)
    valid(card)
    shown = texts(card)
    assert "Your talk has changed." in shown
    assert "You have a 10-minute talk at meeting 4 (Winter shelter capacity), Monday, 16 March 2026" in shown
    inert(HOSTILE, shown)
    off = render_message(NB, SpeakerTold(meeting(), (), changed=True), OSLO, personal=True)
    valid(off)
    assert off.text.startswith("Innlegget ditt på møte 4 (Winter shelter capacity)")
    cancelled = render_message(EN, SpeakerTold(meeting(state=MeetingState.CANCELLED), (talk,), changed=True),
                               OSLO, personal=True)
    assert "is cancelled" in cancelled.text and "actions" not in valid(cancelled)

"""Meeting and roster builders: valid Block Kit, the contract's action ids, escaping, both languages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View

from handlers.slack.render.meetings import (
    meeting_cancelled,
    meeting_invitation,
    meeting_list,
    meeting_nudge,
    meeting_reminder,
    rsvp_confirmation,
    schedule_confirmation,
    schedule_modal,
)
from handlers.slack.render.roster import roster_list
from services.enums import Answer, MeetingKind, MeetingState, Tier, TimeOfDay
from services.i18n import Translator
from services.meetings import RsvpOutcome, ScheduleForm, ScheduleOutcome, UpcomingMeeting
from services.messages import (
    MeetingCancelled,
    MeetingCard,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    Tally,
)
from services.people import PersonRef
from services.roster import OrganisationCard, PerspectiveCount, RosterListing
from tests.handlers.slack.test_blocks import _mrkdwn, assert_valid_message

EN, NB = Translator("en"), Translator("nb")
OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)


def meeting(**overrides) -> MeetingCard:
    values = dict(
        number=4, title="Winter shelter capacity", kind=MeetingKind.REGULAR, state=MeetingState.SCHEDULED,
        starts_at=START,
        duration_minutes=60, video_link="https://meet.example.org/x", agenda=((3, "Heating costs"),),
        participants=("Caritas", "Red Cross"), observers=("Helsedirektoratet",),
        tally=Tally(yes=3, no=1, maybe=0, waiting=2, organisations_yes=2, organisations_invited=2,
                    observers_yes=1, observers_invited=1),
        invite_at=START,
    )
    values.update(overrides)
    return MeetingCard(**values)


def _actions(rendered) -> list[str]:
    return [e["action_id"] for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]


def _text(rendered) -> str:
    return rendered.text + json.dumps(rendered.blocks, ensure_ascii=False)


def test_channel_invitation_has_tally_and_the_three_answer_buttons() -> None:
    rendered = meeting_invitation(EN, MeetingInvitation(meeting(), personal=False), OSLO)
    assert_valid_message(rendered)
    assert _actions(rendered) == ["rsvp_yes", "rsvp_no", "rsvp_maybe"]
    text = _text(rendered)
    assert "Attending: 3 · Not attending: 1 · Maybe: 0" in text
    assert "Observers listening in: 1 of 1" in text
    assert "<!date^1773666000^" in text and "Monday, 16 March 2026 14:00 (Europe/Oslo)" in text
    assert "Heating costs" in text and "Open floor" in text and "https://meet.example.org/x" in text


def test_norwegian_tally_reads_kommer() -> None:
    text = _text(meeting_invitation(NB, MeetingInvitation(meeting(), personal=False), OSLO))
    assert "Kommer: 3 · Kommer ikke: 1 · Kanskje: 0" in text
    # The date in Norwegian words, not Slack's token (which Slack shows in English to Norwegians).
    assert "mandag 16. mars 2026 kl. 14:00" in text and "<!date^" not in text


def test_urgent_invitations_say_so_first() -> None:
    rendered = meeting_invitation(EN, MeetingInvitation(meeting(kind=MeetingKind.URGENT), personal=True), OSLO)
    assert rendered.text.startswith("URGENT: ")
    assert "Urgent dialogue meeting" in json.dumps(rendered.blocks[0])


def test_cancelled_invitation_drops_the_buttons() -> None:
    rendered = meeting_invitation(EN, MeetingInvitation(meeting(state=MeetingState.CANCELLED), personal=False), OSLO)
    assert_valid_message(rendered)
    assert _actions(rendered) == [] and rendered.text.startswith("Cancelled: ")


def test_personal_messages_show_the_readers_answer() -> None:
    invitation = meeting_invitation(EN, MeetingInvitation(meeting(), personal=True), OSLO)
    reminder = meeting_reminder(EN, MeetingReminder(meeting(), answer=None), OSLO)
    nudge = meeting_nudge(NB, MeetingNudge(meeting(), "Caritas"), OSLO)
    cancelled = meeting_cancelled(EN, MeetingCancelled(meeting(state=MeetingState.CANCELLED)), OSLO)
    for rendered in (invitation, reminder, nudge, cancelled):
        assert_valid_message(rendered)
    assert "Your answer" not in _text(invitation) and "Attending: 3" not in _text(invitation)
    assert "Your answer: No answer yet" in _text(reminder)
    assert "Ingen fra Caritas" in _text(nudge) and _actions(nudge) == ["rsvp_yes", "rsvp_no", "rsvp_maybe"]
    assert "is cancelled" in cancelled.text


@pytest.mark.parametrize("hostile", ["<!channel>", "<@U999> & <!here>"])
def test_user_text_is_escaped_in_meeting_messages(hostile: str) -> None:
    card = meeting(title=hostile, agenda=((1, hostile),), participants=(hostile,), observers=(hostile,))
    outputs = [
        meeting_invitation(EN, MeetingInvitation(card, personal=False), OSLO),
        meeting_reminder(EN, MeetingReminder(card, answer=Answer.YES), OSLO),
        meeting_nudge(EN, MeetingNudge(card, hostile), OSLO),
        meeting_cancelled(EN, MeetingCancelled(card), OSLO),
        rsvp_confirmation(EN, RsvpOutcome(card.number, card.title, Answer.YES, None)),
        schedule_confirmation(EN, ScheduleOutcome(card, invitations_sent=True), OSLO),
        meeting_list(EN, [UpcomingMeeting(card, True, None)], OSLO),
        roster_list(EN, RosterListing((OrganisationCard(hostile, Tier.CORE, (PersonRef("slack", "U1"),), (), (),
                                                        TimeOfDay.ANY, None),), for_coordinator=True)),
    ]
    for rendered in outputs:
        parsed = rendered.text + "\n".join(_mrkdwn(rendered.blocks))
        assert hostile not in parsed


def test_meeting_list_caps_and_shows_buttons_only_where_invited() -> None:
    items = [UpcomingMeeting(meeting(number=n), invited=n % 2 == 0, answer=None) for n in range(1, 20)]
    rendered = meeting_list(EN, items, OSLO)
    assert_valid_message(rendered)
    assert _actions(rendered).count("rsvp_yes") == len([i for i in items[:15] if i.invited])
    assert "…and 4 more later." in _text(rendered)


def test_roster_list_groups_by_tier_and_splits_long_tiers() -> None:
    orgs = [OrganisationCard(f"Organisation number {n:03}", Tier.CORE,
                             tuple(PersonRef("slack", f"U{n:03}{m}") for m in range(5)),
                             ("religion",), (), TimeOfDay.AFTERNOON, None) for n in range(60)]
    orgs.append(OrganisationCard("Directorate", Tier.OBSERVER, (), (), (), TimeOfDay.ANY, None))
    rendered = roster_list(EN, RosterListing(tuple(orgs), for_coordinator=True))
    assert_valid_message(rendered)
    headers = [b["text"]["text"] for b in rendered.blocks if b["type"] == "header"]
    assert headers == ["Core organisations (always invited)", "Observers (listen in)"]
    assert all(len(b["text"]["text"]) <= 3000 for b in rendered.blocks if b["type"] == "section")
    assert "no contacts yet" in _text(rendered) and "prefers afternoons" in _text(rendered)


def test_roster_list_names_perspectives_in_the_readers_words() -> None:
    orgs = [OrganisationCard("Mothers", Tier.CORE, (), ("public-health", "country-background"), (),
                             TimeOfDay.ANY, None)]
    listing = RosterListing(tuple(orgs), for_coordinator=True)
    assert "(public health, country background)" in _text(roster_list(EN, listing))
    norwegian = _text(roster_list(NB, listing))
    assert "(folkehelse, landbakgrunn)" in norwegian and "public-health" not in norwegian


def test_roster_list_for_anyone_but_a_coordinator_names_no_one_and_counts_perspectives() -> None:
    # What the service hands a non-coordinator: no contacts, no perspectives per organisation.
    orgs = (OrganisationCard("Islamic Council", Tier.CORE, (), (), (), TimeOfDay.AFTERNOON, None),
            OrganisationCard("Bydelsmødrene", Tier.TOPIC, (), (), (), TimeOfDay.ANY, None))
    counted = (PerspectiveCount("religion", 3), PerspectiveCount("country-background", 1))
    rendered = roster_list(EN, RosterListing(orgs, for_coordinator=False, perspectives=counted))
    assert_valid_message(rendered)
    shown = _text(rendered)
    assert "*Islamic Council* _(prefers afternoons)_" in shown and "*Bydelsmødrene*" in shown
    assert "<@" not in shown and "no contacts yet" not in shown
    assert "Perspectives covered: religious communities (3 organisations), country background (1 organisation)" in shown
    assert "shown to coordinators only" in shown
    norwegian = _text(roster_list(NB, RosterListing(orgs, for_coordinator=False, perspectives=counted)))
    assert "tros- og livssynssamfunn (3 organisasjoner), landbakgrunn (1 organisasjon)" in norwegian
    assert "Perspectives covered" not in norwegian and "bare for koordinatorene" in norwegian


def test_schedule_modal_is_valid_and_offers_topics_and_organisations() -> None:
    form = ScheduleForm(
        topics=tuple((n, f"Topic {n}") for n in range(1, 130)),
        organisations=(OrganisationCard("NOAS", Tier.TOPIC, (), (), (), TimeOfDay.ANY, None),
                       OrganisationCard("Helsedirektoratet", Tier.OBSERVER, (), (), (), TimeOfDay.ANY, None)),
        core=("Caritas",),
    )
    for t in (EN, NB):
        view = schedule_modal(t, form, "{}")
        View(**view).validate_json()
        assert len(view["title"]["text"]) <= 24
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        assert inputs["starts_at"]["type"] == "datetimepicker"
        assert len(inputs["topics"]["options"]) == 100
        assert [o["value"] for o in inputs["observers"]["options"]] == ["Helsedirektoratet"]

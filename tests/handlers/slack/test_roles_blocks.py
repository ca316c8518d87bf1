"""The roles as Slack shows them: valid Block Kit, both languages, people as mentions, user text
escaped: three sides, observers' invitations, speakers who are people, the owners of follow-up points."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View

from handlers.slack.render.agenda import agenda_modal, speaker_told
from handlers.slack.render.meetings import meeting_invitation
from handlers.slack.render.minutes import action_item_due, minutes_modal, minutes_posted
from handlers.slack.render.stats import stats_message
from handlers.slack.render.topics import topic_announcement
from services.enums import MeetingState, Side, Tier
from services.i18n import Translator
from services.meetings import AgendaForm
from services.messages import (
    ActionItemDue,
    ActionItemView,
    MeetingInvitation,
    MinutesPosted,
    MinutesView,
    SpeakerTold,
    Talk,
    TopicAnnouncement,
)
from services.minutes import MinutesForm
from services.people import PersonRef
from services.stats import OrganisationStats, Stats
from tests.handlers.slack.test_blocks import assert_valid_message, card
from tests.handlers.slack.test_meeting_blocks import meeting

EN, NB = Translator("en"), Translator("nb")
OSLO = ZoneInfo("Europe/Oslo")
KARI = PersonRef("slack", "UKARI01")
HOSTILE = "<!channel> *bold* & <@U999>"


def _text(rendered) -> str:
    return rendered.text + json.dumps(rendered.blocks, ensure_ascii=False)


def test_an_agency_proposal_reads_public_agency_in_both_languages() -> None:
    topic = card(proposer_side=Side.AGENCY, proposer_organisation="Helsedirektoratet")
    for t, word in ((EN, "public agency · Helsedirektoratet"), (NB, "offentlig etat · Helsedirektoratet")):
        rendered = topic_announcement(t, TopicAnnouncement(topic))
        assert_valid_message(rendered)
        assert word in _text(rendered)
    assert "(city)" in _text(topic_announcement(EN, TopicAnnouncement(card(proposer_side=Side.CITY,
                                                                            proposer_organisation=None))))


def test_an_observers_invitation_invites_them_to_listen_in() -> None:
    listening = MeetingInvitation(meeting(), personal=True, listening=True)
    for t, words in ((EN, "You are invited to listen in on meeting 4"), (NB, "Du er invitert til å lytte med på møte 4")):
        rendered = meeting_invitation(t, listening, OSLO)
        assert_valid_message(rendered)
        assert words in _text(rendered)
    taking_part = _text(meeting_invitation(EN, MeetingInvitation(meeting(), personal=True), OSLO))
    assert "listen in on meeting" not in taking_part and "You are invited to a dialogue meeting" in taking_part
    # The channel post is for everyone: never the observers' wording.
    assert "listen in on" not in _text(meeting_invitation(EN, MeetingInvitation(meeting(), personal=False,
                                                                                listening=True), OSLO))


def test_a_speaker_who_is_a_person_shows_as_a_mention_and_typed_text_is_escaped() -> None:
    talks = (Talk("", "Caritas", "Shelters", 10, KARI), Talk(HOSTILE, None, "Winter plans", 5),
             Talk("Deputy mayor", HOSTILE, "Budget", 5, PersonRef("slack", "UMAYOR1")))
    text = _text(meeting_invitation(EN, MeetingInvitation(meeting(talks=talks), personal=True), OSLO))
    assert "<@UKARI01> (Caritas)" in text
    assert "<@UMAYOR1> (Deputy mayor, &lt;!channel&gt;" in text
    assert "<!channel>" not in text and "<@U999>" not in text


def test_the_speaker_is_told_of_the_talk_a_change_and_a_removal_in_both_languages() -> None:
    talk = Talk("", "Caritas", HOSTILE, 10, KARI)
    told = speaker_told(EN, SpeakerTold(meeting(talks=(talk,)), (talk,), changed=False), OSLO)
    assert_valid_message(told)
    assert told.text.startswith("You have a 10-minute talk at meeting 4 (Winter shelter capacity), ")
    assert "<!channel>" not in _text(told) and "&lt;!channel&gt;" in _text(told)
    changed = speaker_told(EN, SpeakerTold(meeting(talks=(talk,)), (talk,), changed=True), OSLO)
    assert changed.text.startswith("Your talk has changed.")
    one_minute = Talk("", None, "Shelters", 1, KARI)
    nb = speaker_told(NB, SpeakerTold(meeting(talks=(one_minute,)), (one_minute,), changed=False), OSLO)
    assert_valid_message(nb)
    assert nb.text.startswith("Du har et innlegg på 1 minutt på møte 4")
    removed = speaker_told(NB, SpeakerTold(meeting(), (), changed=True), OSLO)
    assert_valid_message(removed)
    assert "er tatt av dagsordenen" in removed.text


def test_a_speakers_message_says_when_the_meeting_is_cancelled() -> None:
    talk = Talk("", None, "Shelters", 10, KARI)
    cancelled = meeting(talks=(talk,), state=MeetingState.CANCELLED)
    for t, words in ((EN, "Meeting 4 (Winter shelter capacity), "), (NB, "Møte 4 (Winter shelter capacity), ")):
        rendered = speaker_told(t, SpeakerTold(cancelled, (talk,), changed=False), OSLO)
        assert_valid_message(rendered)
        assert rendered.text.startswith(words)
    assert "where you had a talk, is cancelled" in speaker_told(
        EN, SpeakerTold(cancelled, (talk,), changed=False), OSLO).text


def test_the_agenda_form_picks_a_speaker_as_a_person() -> None:
    talk = Talk("", "Caritas", "Shelters", 10, KARI)
    view = agenda_modal(EN, AgendaForm(meeting(talks=(talk,)), ((3, "Heating costs"),), ("Caritas",)), "{}")
    View(**view).validate_json()
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["talk1_person"]["element"] == {"type": "users_select", "action_id": "value",
                                                 "initial_user": "UKARI01"}
    assert "initial_user" not in blocks["talk2_person"]["element"]
    assert "initial_value" not in blocks["talk1_speaker"]["element"]


def _minutes(*items: ActionItemView) -> MinutesView:
    return MinutesView(meeting=meeting(), summary="Warm rooms.", decisions="", action_items=items,
                       attendees=2, attending_organisations=("Caritas",), discussed=(), version=1)


CITY = ActionItemView("Open two more warm rooms", None, date(2026, 3, 23), Side.CITY)
AGENCY = ActionItemView("Report on vaccination", "Helsedirektoratet", date(2026, 3, 23), Side.AGENCY)
CIVIL = ActionItemView("Find volunteers", HOSTILE, date(2026, 3, 23))


def test_follow_up_points_name_the_city_and_agencies_as_owners() -> None:
    for t, city, agency in ((EN, "Open two more warm rooms: the city, by 23 March 2026",
                             "Report on vaccination: Helsedirektoratet (public agency)"),
                            (NB, "Open two more warm rooms: kommunen, innen 23. mars 2026",
                             "Report on vaccination: Helsedirektoratet (offentlig etat)")):
        rendered = minutes_posted(t, MinutesPosted(_minutes(CITY, AGENCY, CIVIL)), OSLO)
        assert_valid_message(rendered)
        assert city in _text(rendered) and agency in _text(rendered)
        assert "<!channel>" not in _text(rendered)
    due = action_item_due(EN, ActionItemDue(CITY, 4, "Winter shelter capacity"), OSLO)
    assert_valid_message(due)
    assert due.text.startswith("Due today for the city: Open two more warm rooms")


def test_the_minutes_form_offers_the_city_civil_society_and_agencies() -> None:
    form = MinutesForm(meeting=meeting(), people_attending=(KARI,), organisations=("Caritas", HOSTILE),
                       agencies=("Helsedirektoratet",), summary="", decisions="", action_items=(CITY, AGENCY))
    view = minutes_modal(NB, form, "{}")
    View(**view).validate_json()
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    owner = blocks["action_1_owner"]["element"]
    assert [(g["label"]["text"], [o["value"] for o in g["options"]]) for g in owner["option_groups"]] == [
        ("Kommunen", ["city"]), ("Sivilsamfunnet", ["org:Caritas", f"org:{HOSTILE}"]),
        ("Offentlige etater", ["org:Helsedirektoratet"])]
    assert blocks["action_1_owner"]["label"]["text"] == "Ansvarlig"
    assert owner["initial_option"]["value"] == "city"
    assert blocks["action_2_owner"]["element"]["initial_option"]["value"] == "org:Helsedirektoratet"
    assert "initial_option" not in blocks["action_3_owner"]["element"]


def test_statistics_count_proposals_from_three_sides() -> None:
    stats = Stats(organisations=(OrganisationStats("Helsedirektoratet", Tier.OBSERVER, 1, 1, 0, 0),),
                  meetings=(), proposals_by_side={Side.CITY: 1, Side.CIVIL_SOCIETY: 2, Side.AGENCY: 3},
                  median_answer_minutes={})
    en, nb = stats_message(EN, stats, OSLO), stats_message(NB, stats, OSLO)
    assert_valid_message(en)
    assert_valid_message(nb)
    assert "Proposals: 1 from the city, 2 from civil society, 3 from public agencies." in _text(en)
    assert "Forslag: 1 fra kommunen, 2 fra sivilsamfunnet, 3 fra offentlige etater." in _text(nb)
    assert "*Helsedirektoratet* (public agency)" in _text(en)

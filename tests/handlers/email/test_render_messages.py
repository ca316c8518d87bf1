"""Every other message a person can get by e-mail, in both languages: minutes (final and draft), a
follow-up point due, topics, suggestions, talks, the privacy notice, one's data, the page link, and
a coordinator's messages; a channel's post has no e-mail form."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from handlers.email.render import render_email
from services.clock import ManualClock
from services.enums import Answer, MinutesState, Side
from services.messages import (
    ActionItemDue,
    ActionItemView,
    Audience,
    ContactOptedOut,
    MinutesCommented,
    MinutesPosted,
    MinutesView,
    OrganisationReach,
    PersonalDataReady,
    PersonalLink,
    PrivacyNotice,
    SpeakerTold,
    SuggestionDecided,
    Talk,
    TopicAnnouncement,
    TopicCard,
    TopicChanged,
    UrgentProgress,
)
from services.people import EMAIL, PersonRef
from tests.handlers.email.test_render import NOW, PUBLIC, anchors, card, context, to

POINT = ActionItemView("Find 20 volunteers", "Caritas", date(2027, 2, 1), meeting_number=12, position=1)


def minutes(**changes) -> MinutesView:
    base = MinutesView(meeting=card(), summary="We talked about <heating>.\nAnd housing.",
                       decisions="The city opens two shelters.", action_items=(POINT,), attendees=14,
                       attending_organisations=("Caritas", "Bydelsmødrene"),
                       discussed=((3, "Heating costs"),), version=1)
    return replace(base, **changes)


def topic(**changes) -> TopicCard:
    base = TopicCard(number=7, title="Winter shelters", details="", state="scheduled", proposer=None,
                     proposer_side=Side.CIVIL_SOCIETY, proposer_organisation="Caritas", supporters=3,
                     supporting_organisations=2, created_at=NOW, state_reason=None)
    return replace(base, **changes)


MESSAGES = {
    "minutes": MinutesPosted(minutes()),
    "draft": MinutesPosted(minutes(state=MinutesState.DRAFT, review_until=NOW + timedelta(days=5)), draft=True),
    "due": ActionItemDue(POINT, 12, "Heating & housing"),
    "scheduled": TopicChanged(topic(), "scheduled", card()),
    "declined": TopicChanged(topic(state="declined", state_reason="Out of scope"), "declined"),
    "talk": SpeakerTold(card(), (Talk("Kari", "Caritas", "Volunteers in winter", 7),), changed=True),
    "suggestion": SuggestionDecided("Islamsk Råd", accepted=True, meeting_number=12, meeting_title="Heating & housing"),
    "privacy": PrivacyNotice(("Caritas",), "Oslo kommune", "personvern@oslo.example", timedelta(days=730)),
    "data": PersonalDataReady((("contact_for", 1), ("invitations", 3)), '{"person": "kari@example.org"}', "KEY123",
                              NOW + timedelta(days=7)),
    "link": PersonalLink(("Caritas", "Bydelsmødrene")),
    "opted_out": ContactOptedOut(PersonRef(EMAIL, "ola@example.org"), ("Caritas",)),
    "commented": MinutesCommented(12, "Heating & housing", PersonRef("slack", "U123"), ("Caritas",),
                                  "Point 2 is wrong.", NOW + timedelta(days=2)),
    "progress": UrgentProgress(card(), total=10, sent=6, failed=(), done=False, sending=2,
                               audience=Audience(5, 10),
                               answered=(OrganisationReach("Caritas", answer=Answer.YES),),
                               silent=(OrganisationReach("NAV", observer=True),)),
}


@pytest.mark.parametrize("language", ["en", "nb"])
@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_to_a_person_renders_in_both_languages_with_the_footer(name: str, language: str) -> None:
    clock = ManualClock(NOW)
    email = render_email(MESSAGES[name], to(language), context(clock))
    assert email.subject and "\n" not in email.subject and email.language == language
    assert anchors(email.html).lang == language
    assert "/p/stop/" in email.html and "/p/me/" in email.html, "every e-mail: the page and the way out"
    assert email.text.endswith("\n") and "{" not in email.subject


def test_a_channel_post_has_no_email_form() -> None:
    with pytest.raises(TypeError, match="TopicAnnouncement"):
        render_email(TopicAnnouncement(topic()), to("en"), context(ManualClock(NOW)))


def test_final_minutes_begin_with_the_title_and_hold_everything() -> None:
    email = render_email(MESSAGES["minutes"], to("en"), context(ManualClock(NOW)))
    assert email.subject == "Heating & housing: minutes"
    for expected in ("Minutes: Heating & housing", "We talked about <heating>.\nAnd housing.", "Main points",
                     "The city opens two shelters.", "#3 Heating costs",
                     "12.1 Find 20 volunteers: Caritas, by 1 February 2027 · open",
                     "14 people attended · Organisations present: Caritas, Bydelsmødrene"):
        assert expected in email.text, expected
    assert "We talked about &lt;heating&gt;.<br>" in email.html
    assert email.calendar is None


def test_draft_minutes_say_until_when_comments_are_open_and_later_that_they_closed() -> None:
    draft = render_email(MESSAGES["draft"], to("nb"), context(ManualClock(NOW)))
    assert draft.subject == "Heating & housing: utkast til referat til kommentar"
    assert "Utkast til referat: Heating & housing" in draft.text
    assert "Kommentarfrist: lørdag 9. januar 2027 kl. 10:00." in draft.text
    closed = render_email(MinutesPosted(minutes(state=MinutesState.FINAL), draft=True), to("en"),
                          context(ManualClock(NOW)))
    assert "Comments are closed" in closed.text


def test_a_follow_up_point_due_today_points_to_the_page() -> None:
    email = render_email(MESSAGES["due"], to("en"), context(ManualClock(NOW)))
    assert email.subject == "Heating & housing: follow-up point 12.1 is due today"
    assert "Due today for Caritas: Find 20 volunteers (from meeting 12, Heating & housing)." in email.text
    assert ("Update its status on your page", ) == tuple(
        text for text, href in anchors(email.html).links if text.startswith("Update"))


def test_a_topic_on_the_agenda_begins_with_the_meeting_and_a_declined_one_with_the_topic() -> None:
    ctx = context(ManualClock(NOW))
    scheduled = render_email(MESSAGES["scheduled"], to("nb"), ctx)
    assert scheduled.subject == "Heating & housing: temaet ditt står på dagsordenen"
    assert "torsdag 14. januar 2027 kl. 15:00" in scheduled.text
    declined = render_email(MESSAGES["declined"], to("en"), ctx)
    assert declined.subject == "Your topic 7. Winter shelters"
    assert "Out of scope" in declined.text


def test_ones_data_is_offered_as_a_download_or_in_the_email_without_a_public_address() -> None:
    email = render_email(MESSAGES["data"], to("en"), context(ManualClock(NOW)))
    assert ("Download your data (JSON)", f"{PUBLIC}/p/data/KEY123.json") in anchors(email.html).links
    assert "invitations, with your answers and attendance: 3" in email.text
    offline = render_email(MESSAGES["data"], to("en"), context(ManualClock(NOW), links=False))
    assert "/p/data/" not in offline.text and '{"person": "kari@example.org"}' in offline.text


def test_the_personal_link_and_the_privacy_notice() -> None:
    link = render_email(MESSAGES["link"], to("nb"), context(ManualClock(NOW)))
    assert link.subject == "Siden din i dialogmøtene"
    assert [text for text, href in anchors(link.html).links if "/p/me/" in href][0] == "Åpne siden din"
    assert "Caritas, Bydelsmødrene" in link.text
    notice = render_email(MESSAGES["privacy"], to("en"), context(ManualClock(NOW)))
    assert notice.subject == "You are now a contact for Caritas in the dialogue meetings."
    assert "your e-mail address" in notice.text and "24 months" in notice.text
    assert "personvern@oslo.example" in notice.text and "/dialog " not in notice.text, "no chat commands by e-mail"


def test_a_coordinator_sees_an_email_contact_by_address_and_never_a_chat_id() -> None:
    ctx = context(ManualClock(NOW))
    opted = render_email(MESSAGES["opted_out"], to("en"), ctx)
    assert "ola@example.org asked to stop being a contact" in opted.text
    commented = render_email(MESSAGES["commented"], to("en"), ctx)
    assert "U123" not in commented.text and "A contact in chat (Caritas) commented" in commented.text
    assert commented.subject == "Heating & housing: a comment on the draft minutes"
    progress = render_email(MESSAGES["progress"], to("en"), ctx)
    assert progress.urgent and "sent 6 of 10" in progress.text and "NAV (observer)" in progress.text
    assert "this e-mail is not updated" in progress.text


def test_a_speaker_is_told_of_their_talk() -> None:
    email = render_email(MESSAGES["talk"], to("en"), context(ManualClock(NOW)))
    assert email.subject == "Heating & housing: your talk"
    assert "Your talk has changed." in email.text and "7-minute talk at meeting 12" in email.text
    assert "Thursday, 14 January 2027 15:00 (Europe/Oslo)" in email.text

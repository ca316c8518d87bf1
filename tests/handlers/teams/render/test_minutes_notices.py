"""Minutes, follow-up reminders and the notices to one person in Teams, and render_message's reach:
every message the Slack notifier renders, and a TypeError for any other."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from handlers.teams.render import render_message
from services.enums import FollowUpStatus, MinutesState, Side
from services.messages import (
    ActionItemDue,
    AnswerRecorded,
    ContactOptedOut,
    MeetingCancelled,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    MinutesCommented,
    MinutesPosted,
    MinutesView,
    PersonalDataReady,
    PersonalLink,
    PrivacyNotice,
    SpeakerTold,
    SuggestionDecided,
    TopicAnnouncement,
    TopicChanged,
    UrgentProgress,
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
    topic,
    urls,
    valid,
    verbs,
)

REVIEW_UNTIL = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)


def minutes(**overrides) -> MinutesView:
    values = dict(meeting=meeting(), summary="We talked.\nA lot.", decisions="More beds.",
                  action_items=(item(), item(owner=None, position=3, status=FollowUpStatus.DONE)),
                  attendees=5, attending_organisations=("Caritas",), discussed=((3, "Heating costs"),), version=1)
    values.update(overrides)
    return MinutesView(**values)


def test_final_minutes() -> None:
    card = render_message(EN, MinutesPosted(minutes(version=2)), OSLO, personal=False)
    valid(card)
    assert card.text == "Minutes: Winter shelter capacity"
    shown = texts(card)
    assert "We talked.\n\nA lot." in shown and "More beds." in shown
    assert "Heating costs _(#3)_" in shown
    assert "○ **4.2** Find volunteers: Caritas, by 30 March 2026 · _open_" in shown
    assert "● **4.3** Find volunteers: the city, by 30 March 2026 · _done_" in shown
    assert "5 people attended · Organisations present: Caritas · corrected" in shown
    assert "Draft for comments" not in shown and actions(card) == []


def test_draft_minutes_say_by_when_and_when_comments_closed() -> None:
    draft = minutes(state=MinutesState.DRAFT, review_until=REVIEW_UNTIL)
    card = render_message(NB, MinutesPosted(draft, draft=True), OSLO, personal=True)
    valid(card)
    assert card.text == "Utkast til referat: Winter shelter capacity"
    assert "Kommentarfrist: mandag 23. mars 2026 kl. 16:00." in texts(card)
    closed = render_message(EN, MinutesPosted(minutes(state=MinutesState.FINAL), draft=True), OSLO, personal=True)
    assert "Comments are closed: these minutes are final" in texts(closed)


def test_hostile_minutes_are_inert() -> None:
    view = minutes(meeting=meeting(title=HOSTILE), summary=HOSTILE, decisions=HOSTILE,
                   action_items=(item(description=HOSTILE, owner=HOSTILE, owner_side=Side.AGENCY),),
                   attending_organisations=(HOSTILE,), discussed=((3, HOSTILE),))
    card = render_message(EN, MinutesPosted(view), OSLO, personal=False)
    valid(card)
    inert(HOSTILE, texts(card))
    inert(HOSTILE, card.text)
    assert "(public agency)" in texts(card)


def test_minutes_commented_goes_to_coordinators_with_who_and_for_whom() -> None:
    message = MinutesCommented(meeting_number=4, meeting_title=HOSTILE, author=PersonRef("email", "kari@example.org"),
                               organisations=("Caritas",), body=HOSTILE + "\nsecond line", review_until=REVIEW_UNTIL)
    card = render_message(EN, message, OSLO, personal=True)
    valid(card)
    shown = texts(card)
    assert "kari@example.org (Caritas) commented on the draft minutes of meeting 4" in shown
    assert "\n\nsecond line" in shown
    assert "They become final on Monday, 23 March 2026 16:00 (Europe/Oslo)." in shown
    inert(HOSTILE, shown)
    assert card.text == "A comment on the draft minutes of meeting 4"
    final = render_message(NB, MinutesCommented(4, "T", PersonRef("teams", "29:k"), (), "ok", None, final=True),
                           OSLO, personal=True)
    assert "En kontaktperson i chatten har kommentert utkastet" in texts(final)
    assert "29:k" not in str(final.card)


def test_action_item_due() -> None:
    card = render_message(NB, ActionItemDue(item(description=HOSTILE), 4, "Winter shelter capacity"), OSLO,
                          personal=True)
    valid(card)
    assert "Frist i dag for Caritas: **" in texts(card)
    assert "(fra møte 4, Winter shelter capacity)." in texts(card)
    inert(HOSTILE, texts(card))
    inert(HOSTILE, card.text)


def test_privacy_notice() -> None:
    message = PrivacyNotice(organisations=(HOSTILE, "Caritas"), controller="Oslo kommune",
                            privacy_contact="personvern@oslo.kommune.no", retention=timedelta(days=730))
    card = render_message(EN, message, OSLO, personal=True)
    valid(card)
    shown = texts(card)
    assert "Oslo kommune is responsible for the data the bot keeps." in shown
    assert "kept for 24 months" in shown
    assert "with **my data**; erase it with **erase**." in shown
    inert(HOSTILE, shown)
    nb = render_message(NB, message, OSLO, personal=True)
    assert "Se alt boten har lagret om deg med **mine data**, og slett det med **slett**." in texts(nb)
    assert nb.text.startswith("Du er nå kontaktperson for")


def test_personal_data_ready_offers_the_download_or_the_document() -> None:
    message = PersonalDataReady(counts=(("contact_for", 2), ("invitations", 3)), document='{"name": "' + HOSTILE + '"}',
                                download_key="k3y", expires_at=START)
    linked = render_message(EN, message, OSLO, personal=True, public_url="https://bot.example/")
    valid(linked)
    assert urls(linked) == ["https://bot.example/p/data/k3y.json"]
    assert "- organisations you are a contact for: 2" in texts(linked)
    assert "The link works until Monday, 16 March 2026 14:00 (Europe/Oslo)" in texts(linked)
    inline = render_message(NB, message, OSLO, personal=True)
    valid(inline)
    assert urls(inline) == [] and inline.text == "Alt Dialogbot har lagret om deg"
    inert(HOSTILE, texts(inline))
    big = render_message(EN, PersonalDataReady((), "x" * 10_000, "k", START), OSLO, personal=True)
    assert "Ask a coordinator for the whole file" in texts(big)
    assert "Nothing besides your user ID." in texts(big)


def test_contact_opted_out_and_suggestion_decided() -> None:
    gone = render_message(EN, ContactOptedOut(None, (HOSTILE,)), OSLO, personal=True)
    valid(gone)
    assert gone.text.startswith("A person (since erased) asked to stop being a contact")
    inert(HOSTILE, gone.text)
    by_mail = render_message(NB, ContactOptedOut(PersonRef("email", "a@b.no"), ("Caritas",)), OSLO, personal=True)
    assert "a@b.no ba om å slutte som kontaktperson" in by_mail.text
    for message, expected in [
        (SuggestionDecided(HOSTILE, accepted=False), "decided not to add it to the roster"),
        (SuggestionDecided("Caritas", accepted=True, meeting_number=4, meeting_title=HOSTILE),
         "Your suggestion Caritas was added to the roster and invited to meeting 4"),
        (SuggestionDecided("Caritas", accepted=True), "Your suggestion Caritas was added to the roster. Thank you!"),
    ]:
        card = render_message(EN, message, OSLO, personal=True)
        valid(card)
        assert expected in card.text
        assert "[click](" not in card.text


EVERY_MESSAGE = [
    TopicAnnouncement(topic()),
    TopicChanged(topic(), "scheduled", meeting()),
    MeetingInvitation(meeting(), personal=False),
    MeetingReminder(meeting(), None),
    MeetingNudge(meeting(), "Caritas"),
    MeetingCancelled(meeting()),
    MeetingChanged(meeting(), ("title",)),
    UrgentProgress(meeting(), total=1, sent=1, failed=(), done=True),
    MinutesPosted(minutes()),
    MinutesPosted(minutes(state=MinutesState.DRAFT, review_until=REVIEW_UNTIL), draft=True),
    MinutesCommented(4, "T", PersonRef("teams", "29:k"), (), "ok", None),
    ActionItemDue(item(), 4, "T"),
    SpeakerTold(meeting(), (), changed=False),
    SuggestionDecided("Caritas", accepted=True),
    PrivacyNotice(("Caritas",), "", "", timedelta(days=30)),
    PersonalDataReady((), "{}", "k", START),
    ContactOptedOut(None, ("Caritas",)),
]


@pytest.mark.parametrize("message", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
@pytest.mark.parametrize("t", [EN, NB], ids=["en", "nb"])
@pytest.mark.parametrize("personal", [True, False])
def test_every_message_the_slack_notifier_renders_is_a_valid_card(message, t, personal: bool) -> None:
    valid(render_message(t, message, OSLO, personal=personal, public_url="https://bot.example"))


def test_only_the_cards_that_ask_something_carry_universal_actions() -> None:
    with_verbs = {type(m).__name__ for m in EVERY_MESSAGE if verbs(render_message(EN, m, OSLO, personal=False))}
    assert with_verbs == {"TopicAnnouncement", "MeetingInvitation", "MeetingReminder", "MeetingNudge",
                          "PrivacyNotice", "ActionItemDue"}


def test_the_privacy_notice_lets_a_contact_stop_being_one() -> None:
    notice = next(m for m in EVERY_MESSAGE if type(m).__name__ == "PrivacyNotice")
    card = render_message(EN, notice, OSLO, personal=True)
    assert verbs(card) == [("privacy_opt_out", {})]
    assert "Stop being a contact" in json.dumps(card.card)


def test_a_due_point_can_be_set_with_one_click_to_each_other_status() -> None:
    due = next(m for m in EVERY_MESSAGE if type(m).__name__ == "ActionItemDue")
    card = render_message(EN, due, OSLO, personal=True)
    actions = card.card["actions"]
    assert {a["verb"] for a in actions} == {"follow_up_in_progress", "follow_up_done"}  # it is open
    assert {a["data"]["point"] for a in actions} == {due.item.ref}


@pytest.mark.parametrize("message", [AnswerRecorded(meeting(), answer=None), PersonalLink(("Caritas",)), object()],
                         ids=["AnswerRecorded", "PersonalLink", "object"])
def test_anything_else_is_a_type_error(message) -> None:
    with pytest.raises(TypeError):
        render_message(EN, message, OSLO, personal=True)

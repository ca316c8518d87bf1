"""Changing and calling off meetings in Slack: the change form, the 'what changed' message, the
chair in every copy, no answer buttons once a meeting is cancelled or held, the reason passed on."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from slack_sdk.models.views import View

from handlers.slack.render.changes import (
    cancel_question,
    change_confirmation,
    change_modal,
    meeting_changed,
)
from handlers.slack.render.meetings import (
    meeting_cancelled,
    meeting_invitation,
    meeting_nudge,
    meeting_reminder,
    schedule_modal,
)
from services.enums import MeetingKind, MeetingState
from services.meetings import ChangeForm, ChangeOutcome, ScheduleForm
from services.messages import (
    MeetingCancelled,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
)
from services.people import PersonRef
from tests.handlers.slack.test_blocks import _mrkdwn, assert_valid_message
from tests.handlers.slack.test_meeting_blocks import EN, NB, OSLO, START, _actions, _text, meeting

KARI = PersonRef("slack", "UKARI0001")


def test_the_change_form_holds_the_meeting_as_it_is() -> None:
    card = meeting(chair="Deputy mayor", chair_person=KARI, duration_minutes=90)
    for t in (EN, NB):
        view = change_modal(t, ChangeForm(card, invitations_sent=True), '{"meeting": 4}')
        View(**view).validate_json()
        assert view["callback_id"] == "meeting_change" and len(view["title"]["text"]) <= 24
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        assert list(inputs) == ["title", "starts_at", "duration", "video_link", "chair", "chair_person"]
        assert inputs["title"]["initial_value"] == "Winter shelter capacity"
        assert inputs["starts_at"]["initial_date_time"] == int(START.timestamp())
        assert inputs["duration"]["initial_value"] == "90"
        assert inputs["video_link"]["initial_value"] == "https://meet.example.org/x"
        assert inputs["chair"]["initial_value"] == "Deputy mayor"
        assert inputs["chair_person"] == {"type": "users_select", "action_id": "value",
                                          "initial_user": "UKARI0001"}
    assert "Endre møte 4" == change_modal(NB, ChangeForm(card, False), "{}")["title"]["text"]


def test_the_schedule_form_asks_for_a_chair() -> None:
    view = schedule_modal(EN, ScheduleForm(topics=(), organisations=(), core=()), "{}")
    View(**view).validate_json()
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert inputs[4:6] == ["chair", "chair_person"]


def test_every_copy_names_the_chair() -> None:
    both, named = meeting(chair="Deputy mayor", chair_person=KARI), meeting(chair="Deputy mayor")
    assert "*Chair:* <@UKARI0001> (Deputy mayor)" in _text(
        meeting_invitation(EN, MeetingInvitation(both, personal=True), OSLO))
    assert "*Møteleder:* Deputy mayor" in _text(
        meeting_invitation(NB, MeetingInvitation(named, personal=False), OSLO))
    assert "Chair" not in _text(meeting_invitation(EN, MeetingInvitation(meeting(), personal=True), OSLO))
    hostile = meeting(chair="<!channel> *boss*")
    shown = "\n".join(_mrkdwn(meeting_reminder(EN, MeetingReminder(hostile, None), OSLO).blocks))
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown


@pytest.mark.parametrize("state", [MeetingState.CANCELLED, MeetingState.HELD])
def test_cancelled_and_held_meetings_have_no_answer_buttons_anywhere(state: MeetingState) -> None:
    card = meeting(state=state, cancel_reason="Too few could come" if state == MeetingState.CANCELLED else None)
    copies = [
        meeting_invitation(EN, MeetingInvitation(card, personal=False), OSLO),
        meeting_invitation(EN, MeetingInvitation(card, personal=True), OSLO, public_url="https://bot.example.org"),
        meeting_reminder(EN, MeetingReminder(card, None), OSLO),
        meeting_nudge(EN, MeetingNudge(card, "Caritas"), OSLO),
    ]
    for rendered in copies:
        assert_valid_message(rendered)
        assert _actions(rendered) == [], rendered.text
    if state == MeetingState.CANCELLED:
        assert all("Too few could come" in _text(r) for r in copies)
    else:
        assert "answers are closed" in _text(copies[1])
    live = meeting_invitation(EN, MeetingInvitation(meeting(), personal=True), OSLO)
    assert _actions(live) == ["rsvp_yes", "rsvp_no", "rsvp_maybe"]


def test_the_cancellation_passes_the_reason_on_in_both_languages() -> None:
    card = meeting(state=MeetingState.CANCELLED, cancel_reason="For få kunne komme")
    english = meeting_cancelled(EN, MeetingCancelled(card), OSLO)
    norwegian = meeting_cancelled(NB, MeetingCancelled(card), OSLO)
    assert_valid_message(english)
    assert "Reason: For få kunne komme" in _text(english)
    assert "Begrunnelse: For få kunne komme" in _text(norwegian)
    assert "Reason" not in _text(meeting_cancelled(EN, MeetingCancelled(meeting(state=MeetingState.CANCELLED)), OSLO))


def test_the_cancel_question_carries_the_reason_or_asks_for_one() -> None:
    with_reason = cancel_question(EN, meeting(), OSLO, "Too few could come")
    assert_valid_message(with_reason)
    [button] = [e for b in with_reason.blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == "4|Too few could come" and button["confirm"]
    assert "The reason they are given: Too few could come" in _text(with_reason)
    asking = cancel_question(NB, meeting(), OSLO)
    [button] = [e for b in asking.blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["value"] == "4"
    assert "/dialog avlys 4 &lt;begrunnelse&gt;" in _text(asking)


def test_what_changed_names_the_new_time_and_the_old_one() -> None:
    card = meeting(starts_at=START + timedelta(days=1))
    message = MeetingChanged(card, ("time", "link"), previous_starts_at=START)
    for t in (EN, NB):
        assert_valid_message(meeting_changed(t, message, OSLO))
    english = meeting_changed(EN, message, OSLO)
    assert english.text == "Meeting 4 (Winter shelter capacity) has changed: a new time and a new video link."
    assert "Tuesday, 17 March 2026" in _text(english) and "(was <!date^1773666000^" in _text(english)
    assert _actions(english) == [], "the invitation carries the answer buttons"
    norwegian = meeting_changed(NB, MeetingChanged(meeting(), ("agenda", "chair")), OSLO)
    assert norwegian.text.startswith("Møte 4 (Winter shelter capacity) er endret: ")
    assert "(was" not in _text(meeting_changed(EN, MeetingChanged(meeting(), ("agenda",)), OSLO))


def test_the_coordinator_hears_what_changed_and_who_is_told() -> None:
    card = meeting()
    told = change_confirmation(EN, ChangeOutcome(card, ("time",), told=3, invitations_sent=True), OSLO)
    assert_valid_message(told)
    assert "now has a new time" in told.text and "the 3 people who already got it are told" in told.text
    assert "time zone Europe/Oslo" in told.text
    early = change_confirmation(EN, ChangeOutcome(card, ("title",), told=0, invitations_sent=False), OSLO)
    assert "The invitations go out" in early.text
    nothing = change_confirmation(NB, ChangeOutcome(card, (), told=0, invitations_sent=True), OSLO)
    assert_valid_message(nothing)
    assert "Ingenting ble endret i møte 4" in json.dumps(nothing.blocks, ensure_ascii=False)


def test_an_urgent_call_s_change_form_also_holds_its_background() -> None:
    urgent = meeting(kind=MeetingKind.URGENT, background="The river broke its banks.")
    view = change_modal(NB, ChangeForm(urgent, invitations_sent=True), "{}")
    View(**view).validate_json()
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["background"]["initial_value"] == "The river broke its banks."
    regular = change_modal(EN, ChangeForm(meeting(), invitations_sent=True), "{}")
    assert "background" not in [b.get("block_id") for b in regular["blocks"]]
    told = meeting_changed(NB, MeetingChanged(urgent, ("background",)), OSLO)
    assert "er endret: ny bakgrunn." in told.text

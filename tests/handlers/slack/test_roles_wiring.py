"""The roles the seed names, end to end through signed HTTP and the fake Slack: a talk's speaker
picked as a person (told of the talk, of a change, of its removal), the city as the owner of a
follow-up point (reminded to the coordinators), an agency's proposal and an observer's invitation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fakes.slack import FakeSlack
from services.clock import ManualClock
from services.people import Actor
from tests.conftest import CHANNEL, COORDINATOR, TEAM
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_REMINDERS="30m")
    with running_bot(settings, clock=clock) as running:
        yield running


def _say(bot: RunningBot, fake: FakeSlack, user: str, command: str) -> dict:
    key = f"{user}:{command}:{len(fake.responses)}"
    assert bot.slack.slash_command(command, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


def _open_form(bot: RunningBot, fake: FakeSlack, command: str) -> dict:
    before = len(fake.opened_views())
    bot.slack.slash_command(command, user_id=COORDINATOR, response_url=fake.response_url(f"form:{command}"))
    assert fake.wait_for(lambda: len(fake.opened_views()) == before + 1, timeout=10)
    return fake.opened_views()[-1]


def _talks(fake: FakeSlack, user: str) -> list[str]:
    return [m["text"] for m in fake.dms(user) if "talk" in m["text"]]


def test_a_speaker_picked_as_a_person_is_told_once_and_on_each_change(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    _say(bot, fake_slack, COORDINATOR, "schedule 2026-03-20 12:00 March dialogue")
    view = _open_form(bot, fake_slack, "agenda 1")
    picker = next(b for b in view["blocks"] if b.get("block_id") == "talk1_person")
    assert picker["element"]["type"] == "users_select"

    def submit(minutes: str, person: str | None, subject: str = "Winter plans") -> object:
        values = {
            "talk1_person": {"value": {"type": "users_select", "selected_user": person}},
            "talk1_speaker": {"value": {"type": "plain_text_input", "value": None}},
            "talk1_subject": {"value": {"type": "plain_text_input", "value": subject if person else None}},
            "talk1_minutes": {"value": {"type": "number_input", "value": minutes}},
        }
        return bot.slack.view_submission("meeting_agenda", values, user_id=COORDINATOR, opened=view)

    assert submit("10", BOB).body == b""
    card = bot.runtime.services.meetings.get(Actor.of("slack", TEAM, COORDINATOR), 1)
    assert [(t.speaker, t.person.user_id if t.person else None) for t in card.talks] == [("", BOB)]
    assert fake_slack.wait_for(lambda: len(_talks(fake_slack, BOB)) == 1, timeout=10)
    assert _talks(fake_slack, BOB)[0].startswith("You have a 10-minute talk at meeting 1 (March dialogue)")
    assert "Winter plans" in _talks(fake_slack, BOB)[0]

    # Saving the same talk again is no news; a new length is.
    assert submit("10", BOB).body == b""
    clock.advance(timedelta(seconds=2))
    assert submit("15", BOB).body == b""
    assert fake_slack.wait_for(lambda: len(_talks(fake_slack, BOB)) == 2, timeout=10)
    assert _talks(fake_slack, BOB)[1].startswith("Your talk has changed.")
    assert "15-minute talk" in _talks(fake_slack, BOB)[1]

    # Taken off: the row is emptied, and the speaker hears it.
    clock.advance(timedelta(seconds=2))
    assert submit("", None).body == b""
    assert fake_slack.wait_for(lambda: len(_talks(fake_slack, BOB)) == 3, timeout=10)
    assert "is taken off the agenda" in _talks(fake_slack, BOB)[2]
    clock.advance(timedelta(seconds=2))
    assert len(_talks(fake_slack, BOB)) == 3


def test_the_minutes_form_offers_the_city_and_agencies_as_owners_and_the_coordinators_are_reminded(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    _say(bot, fake_slack, COORDINATOR, f'roster add "Helsedirektoratet" observer <@{CAROL}>')
    _say(bot, fake_slack, COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=3))
    view = _open_form(bot, fake_slack, "minutes 1")
    owner = next(b for b in view["blocks"] if b.get("block_id") == "action_1_owner")["element"]
    groups = {g["label"]["text"]: [o["value"] for o in g["options"]] for g in owner["option_groups"]}
    assert groups == {"The city": ["city"], "Civil society": ["org:Caritas"],
                      "Public agencies": ["org:Helsedirektoratet"]}

    values = {
        "summary": {"value": {"type": "plain_text_input", "value": "Two more warm rooms this winter."}},
        "attendees": {"value": {"type": "multi_users_select", "selected_users": [ALICE]}},
        "action_1": {"value": {"type": "plain_text_input", "value": "Open two more warm rooms"}},
        "action_1_owner": {"value": {"type": "static_select", "selected_option": {"value": "city"}}},
        "action_1_due": {"value": {"type": "datepicker", "selected_date": "2026-03-09"}},
        "action_2": {"value": {"type": "plain_text_input", "value": "Report on vaccination"}},
        "action_2_owner": {"value": {"type": "static_select",
                                     "selected_option": {"value": "org:Helsedirektoratet"}}},
        "action_2_due": {"value": {"type": "datepicker", "selected_date": "2026-03-09"}},
    }
    accepted = bot.slack.view_submission("meeting_minutes", values, user_id=COORDINATOR, opened=view)
    assert accepted.status == 200 and accepted.body == b""
    assert fake_slack.wait_for(lambda: any(m["text"].startswith("Minutes") for m in fake_slack.messages(CHANNEL)),
                               timeout=10)
    [posted] = [m for m in fake_slack.messages(CHANNEL) if m["text"].startswith("Minutes")]
    assert "Open two more warm rooms: the city, by 9 March 2026" in _dump(posted)
    assert "Report on vaccination: Helsedirektoratet (public agency), by 9 March 2026" in _dump(posted)

    # The form opened again shows the city chosen.
    again = _open_form(bot, fake_slack, "minutes 1")
    chosen = next(b for b in again["blocks"] if b.get("block_id") == "action_1_owner")["element"]
    assert chosen["initial_option"]["value"] == "city"

    clock.set(datetime(2026, 3, 9, 8, 0, 30, tzinfo=UTC))  # 09:00 in Oslo on the due date
    assert fake_slack.wait_for(
        lambda: any("Due today for the city" in m["text"] for m in fake_slack.dms(COORDINATOR)), timeout=10)
    assert fake_slack.wait_for(
        lambda: any("Due today for Helsedirektoratet" in m["text"] for m in fake_slack.dms(CAROL)), timeout=10)
    assert not any("Due today" in m["text"] for m in fake_slack.dms(ALICE))


def test_an_observer_is_invited_to_listen_in_and_an_agency_proposal_says_so(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    _say(bot, fake_slack, COORDINATOR, f'roster add "Helsedirektoratet" observer <@{CAROL}>')
    _say(bot, fake_slack, CAROL, "propose Vaccination in shelters")
    listed = _say(bot, fake_slack, BOB, "topics")
    # To a member, the agency proposes (not the person behind it: docs/privacy.md).
    assert "by Helsedirektoratet (public agency)" in _dump(listed) and CAROL not in _dump(listed)
    _say(bot, fake_slack, COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    _say(bot, fake_slack, COORDINATOR, 'invite 1 "Helsedirektoratet"')
    clock.advance(timedelta(hours=1))

    def invitation(user: str) -> list[dict]:
        return [m for m in fake_slack.dms(user) if "Invitation" in m["text"]]

    assert fake_slack.wait_for(lambda: invitation(CAROL) and invitation(ALICE), timeout=10)
    assert "You are invited to listen in on meeting 1" in _dump(invitation(CAROL)[0])
    assert "listen in" not in _dump(invitation(ALICE)[0])

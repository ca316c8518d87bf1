"""Meetings end to end: roster, schedule, invitations at the due time, one-click answers, tally,
reminders, cancellation, all through signed HTTP requests and the fake Slack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fakes.slack import FakeSlack
from services.clock import ManualClock
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
OSLO = ZoneInfo("Europe/Oslo")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_REMINDERS="30m",
                            DIALOG_NUDGE_AFTER="20m")
    with running_bot(settings, clock=clock) as running:
        yield running


class Chat:
    """Sends commands as a person and collects what they were told privately."""

    def __init__(self, bot: RunningBot, fake: FakeSlack) -> None:
        self.bot, self.fake, self.count = bot, fake, 0

    def say(self, user: str, text: str) -> dict:
        self.count += 1
        key = f"{user}:{self.count}"
        reply = self.bot.slack.slash_command(text, user_id=user, response_url=self.fake.response_url(key))
        assert reply.status == 200
        return self._answer(key)

    def click(self, user: str, action_id: str, message: dict) -> dict:
        self.count += 1
        key = f"{user}:{self.count}"
        reply = self.bot.slack.block_action(action_id, "1", user_id=user, message=message,
                                            response_url=self.fake.response_url(key))
        assert reply.status == 200
        return self._answer(key)

    def _answer(self, key: str) -> dict:
        assert self.fake.wait_for(lambda: any(r["key"] == key for r in self.fake.responses), timeout=10)
        return next(r["body"] for r in self.fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message["text"] + json.dumps(message["blocks"], ensure_ascii=False)


def _invitations(fake: FakeSlack, user: str) -> list[dict]:
    return [m for m in fake.dms(user) if "invited to a dialogue meeting" in _dump(m)]


def test_a_meeting_from_roster_to_cancellation(bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock) -> None:
    chat = Chat(bot, fake_slack)
    assert "on the roster as a core organisation, with 2 contacts." in chat.say(
        COORDINATOR, f'roster add "Oslo Red Cross" core <@{ALICE}|alice> <@{BOB}>')["text"]
    assert "Only coordinators" in chat.say(ALICE, f'roster add "Sneaky Org" core <@{ALICE}>')["text"]
    roster = chat.say(CAROL, "roster")
    assert "Oslo Red Cross" in _dump(roster) and "Sneaky Org" not in _dump(roster)

    # 12:00 in Oslo today; invitations go out one hour before.
    scheduled = chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    assert "Meeting 1 (Winter shelter capacity) is scheduled" in scheduled["text"]
    assert "(12:00, time zone Europe/Oslo)" in scheduled["text"], "the zone the typed time was read in"
    assert "Invitations go out" in scheduled["text"]
    assert "Only coordinators" in chat.say(ALICE, "schedule 2026-03-02 13:00 Not mine")["text"]
    # No invitation yet (the privacy notice a new contact gets is already there).
    assert fake_slack.messages(CHANNEL) == [] and _invitations(fake_slack, ALICE) == []

    clock.advance(timedelta(hours=1))  # 11:00: invitations are due
    assert fake_slack.wait_for(lambda: len(fake_slack.messages(CHANNEL)) == 1
                               and _invitations(fake_slack, ALICE) and _invitations(fake_slack, BOB), timeout=10)
    [post] = fake_slack.messages(CHANNEL)
    assert "Winter shelter capacity" in _dump(post) and "Attending: 0 · Not attending: 0 · Maybe: 0" in _dump(post)
    assert '"action_id": "rsvp_yes"' in json.dumps(post["blocks"])
    assert len(_invitations(fake_slack, ALICE)) == 1 and _invitations(fake_slack, CAROL) == []

    assert "Attending" in chat.click(ALICE, "rsvp_yes", post)["text"]
    assert "Not attending" in chat.click(BOB, "rsvp_no", _invitations(fake_slack, BOB)[0])["text"]
    outsider = chat.click(CAROL, "rsvp_yes", post)
    assert "not on the invitation list" in outsider["text"] and outsider["response_type"] == "ephemeral"
    clock.advance(timedelta(seconds=2))  # updates of one message are spaced a second apart
    assert fake_slack.wait_for(lambda: "Attending: 1 · Not attending: 1 · Maybe: 0" in _dump(fake_slack.messages(CHANNEL)[0]), timeout=10)
    assert len(fake_slack.messages(CHANNEL)) == 1

    assert "Maybe" in chat.say(BOB, "rsvp 1 maybe")["text"]
    assert "Attending" in chat.say(ALICE, "svar 1 ja")["text"]  # Norwegian words work for everyone
    listing = chat.say(BOB, "meetings")
    assert "Winter shelter capacity" in _dump(listing) and "Your answer: Maybe" in _dump(listing)
    chat.say(BOB, "rsvp 1 no")

    clock.advance(timedelta(minutes=30))  # 11:30: the reminder, for those not declining
    assert fake_slack.wait_for(lambda: any("Reminder" in m["text"] for m in fake_slack.dms(ALICE)), timeout=10)
    assert not any("Reminder" in m["text"] for m in fake_slack.dms(BOB))

    # Cancelling asks first and changes nothing; the (confirmed) button does it.
    question = chat.say(COORDINATOR, "cancel 1")
    assert question["text"].startswith("Cancel meeting 1 (Winter shelter capacity)")
    [button] = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == "meeting_cancel" and button["style"] == "danger" and button["confirm"]
    assert "Only coordinators" in chat.say(ALICE, "cancel 1")["text"]
    clock.advance(timedelta(seconds=2))
    assert not any("cancelled" in m["text"] for m in fake_slack.dms(ALICE))
    assert "Cancelled" not in _dump(fake_slack.messages(CHANNEL)[0])
    cancelled = chat.click(COORDINATOR, "meeting_cancel", question)
    assert "is cancelled" in cancelled["text"] and cancelled["replace_original"] is True
    clock.advance(timedelta(seconds=2))
    assert fake_slack.wait_for(lambda: all(any("cancelled" in m["text"] for m in fake_slack.dms(u)) for u in (ALICE, BOB)), timeout=10)
    assert fake_slack.wait_for(lambda: "Cancelled" in _dump(fake_slack.messages(CHANNEL)[0]), timeout=10)
    # Exactly one invitation per person, whatever happened in between, now saying it is cancelled
    # (updated in place, its answer buttons gone).
    assert fake_slack.wait_for(lambda: all(
        [m["text"].split(":")[0] for m in fake_slack.dms(u) if m["text"].startswith(("Invitation:", "Cancelled:"))]
        == ["Cancelled"] for u in (ALICE, BOB)), timeout=10)
    # The reminder Alice got loses its buttons too.
    assert fake_slack.wait_for(lambda: "rsvp_yes" not in json.dumps(fake_slack.dms(ALICE)), timeout=10)


def test_bad_meeting_commands_get_private_clear_messages(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    cases = {
        "schedule 2026-02-30 12:00 Nope": "is not a date",
        "schedule 2026-03-02 25:00 Nope": "is not a time",
        "schedule 2026-03-01 12:00 Yesterday": "already passed",
        "schedule 2026-03-29 02:30 Into the gap": "does not exist",
        "schedule 2026-03-02": "Schedule like this",
        'invite 9 "Nobody"': "There is no meeting 9",
        "cancel x": "That needs a number",
        "rsvp 1 perhaps": "Answer like this",
        "rsvp 1 yes": "There is no meeting 1",
        'roster contact "Ghost Org" <@UMEMBER01>': "no organisation called",
        'roster add "Mentions Org" core kari': "is neither a person nor an e-mail address",
    }
    for command, expected in cases.items():
        assert expected in chat.say(COORDINATOR, command)["text"], command
    assert fake_slack.messages(CHANNEL) == []


def test_the_schedule_modal_validates_on_the_field(bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "NOAS" topic <@{CAROL}>')
    chat.say(COORDINATOR, f'roster add "Helsedirektoratet" observer <@{BOB}>')
    bot.slack.slash_command("schedule", user_id=COORDINATOR, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    assert view["callback_id"] == "meeting_schedule"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
        "title", "starts_at", "duration", "video_link", "chair", "chair_person", "organisations", "observers"]

    def submit(starts: datetime, duration: str = "60", link: str = "") -> object:
        values = {
            "title": {"value": {"type": "plain_text_input", "value": "Heat and health"}},
            "starts_at": {"value": {"type": "datetimepicker", "selected_date_time": int(starts.timestamp())}},
            "duration": {"value": {"type": "number_input", "value": duration}},
            "video_link": {"value": {"type": "url_text_input", "value": link}},
            "organisations": {"value": {"type": "multi_static_select", "selected_options": [{"value": "NOAS"}]}},
            "observers": {"value": {"type": "multi_static_select", "selected_options": [{"value": "Helsedirektoratet"}]}},
        }
        return bot.slack.view_submission("meeting_schedule", values, user_id=COORDINATOR, opened=view)

    past = submit(clock.now() - timedelta(hours=1))
    assert "already passed" in past.json()["errors"]["starts_at"]
    bad_link = submit(clock.now() + timedelta(days=3), link="ftp://example.org")
    assert "https://" in bad_link.json()["errors"]["video_link"]
    ok = submit(clock.now() + timedelta(days=3), duration="90", link="https://meet.example.org/abc")
    assert ok.status == 200 and ok.body == b""
    assert fake_slack.wait_for(lambda: any(r["key"] == "cmd" for r in fake_slack.responses))
    card = bot.runtime.services.meetings.get(_actor(), 1)
    assert (card.duration_minutes, card.video_link) == (90, "https://meet.example.org/abc")
    assert card.participants == ("NOAS",) and card.observers == ("Helsedirektoratet",)


def _actor():
    from services.people import Actor

    return Actor.of("slack", "T0DIALOG", COORDINATOR)


def test_an_urgent_call_reaches_everyone_at_once_and_reports_progress(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, f'roster add "NOAS" topic <@{CAROL}>')
    assert "Only coordinators" in chat.say(ALICE, "urgent Not allowed")["text"]
    reply = chat.say(COORDINATOR, "urgent New virus variant")
    assert "Invitations are going out now to 1 organisation and 2 people" in reply["text"]
    assert fake_slack.wait_for(lambda: _invitations(fake_slack, ALICE) and _invitations(fake_slack, BOB)
                               and fake_slack.messages(CHANNEL), timeout=10)
    for message in (*_invitations(fake_slack, ALICE), fake_slack.messages(CHANNEL)[0]):
        assert message["text"].startswith("URGENT: "), "urgent comes first, in the notification text too"
    assert _invitations(fake_slack, CAROL) == []
    clock.advance(timedelta(seconds=2))
    assert fake_slack.wait_for(lambda: any("Done. Delivered: 2" in _dump(m) for m in fake_slack.dms(COORDINATOR)),
                               timeout=10)
    progress = [m for m in fake_slack.dms(COORDINATOR) if "Urgent call" in m["text"]]
    assert len(progress) == 1, "one report, updated in place"


def test_the_urgent_form_counts_live_and_sends(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, f'roster add "NOAS" topic <@{CAROL}>')
    bot.slack.slash_command("urgent", user_id=COORDINATOR, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    assert "Will invite 1 organisation and 2 people." in _dump({"text": "", "blocks": view["blocks"]})
    picked = {"organisations": {"urgent_recount": {"type": "multi_static_select",
                                                   "selected_options": [{"value": "NOAS"}]}}}
    shown = dict(view, id=next(iter(fake_slack.views)), state={"values": picked})
    reply = bot.slack.block_action("urgent_recount", "", user_id=COORDINATOR, container_type="view", view=shown,
                                   block_id="organisations", action={"type": "multi_static_select",
                                                                     "selected_options": [{"value": "NOAS"}]})
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: "Will invite 2 organisations and 3 people." in json.dumps(
        list(fake_slack.views.values())[0]["blocks"]), timeout=10)
    values = {"title": {"value": {"type": "plain_text_input", "value": "Storm damage"}},
              "starts_at": {"value": {"type": "datetimepicker", "selected_date_time": int((T0 + timedelta(hours=6)).timestamp())}},
              **picked}
    accepted = bot.slack.view_submission("meeting_urgent", values, user_id=COORDINATOR, opened=view)
    assert accepted.status == 200 and accepted.body == b""
    assert fake_slack.wait_for(lambda: _invitations(fake_slack, CAROL), timeout=10)
    assert _invitations(fake_slack, CAROL)[0]["text"].startswith("URGENT: ")


def test_a_fan_out_never_asks_slack_who_reads_which_language(bot: RunningBot, fake_slack: FakeSlack) -> None:
    from services.roster import RosterRow

    fake_slack.set_delay("users.info", 3.0)  # looking people up would be slow today
    services = bot.runtime.services
    services.roster.import_rows(_actor(), [RosterRow("Bydelsmødrene", "core", (ALICE,), language="nb")])
    services.meetings.urgent(_actor(), title="Hetebølge")
    # The invitation goes out at once, in the organisation's language (Alice's Slack locale is en-US).
    assert fake_slack.wait_for(lambda: _invitations_nb(fake_slack, ALICE), timeout=2.5)
    assert fake_slack.calls_to("users.info") == []


def _invitations_nb(fake: FakeSlack, user: str) -> list[dict]:
    return [m for m in fake.dms(user) if "invitert til dialogmøte" in _dump(m)]


def test_building_the_agenda_and_declining_a_topic(bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(ALICE, "propose Heating costs for families")
    chat.say(BOB, "propose Night buses")
    chat.say(COORDINATOR, "schedule 2026-03-20 12:00 March dialogue")
    assert "is updated: 0 talks, 1 topic, 60 minutes of open floor" in chat.say(COORDINATOR, "agenda 1 add 1")["text"]
    assert "already on the agenda" in chat.say(COORDINATOR, "dagsorden 1 legg-til 1")["text"]
    assert "Only coordinators" in chat.say(ALICE, "agenda 1 add 2")["text"]
    assert fake_slack.wait_for(lambda: any("is on the agenda of meeting 1" in m["text"] for m in fake_slack.dms(ALICE)),
                               timeout=10)

    bot.slack.slash_command("agenda 1", user_id=COORDINATOR, response_url=fake_slack.response_url("form"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    assert view["callback_id"] == "meeting_agenda"

    def submit(minutes: str) -> object:
        values = {
            "topics": {"value": {"type": "multi_static_select", "selected_options": [{"value": "1"}, {"value": "2"}]}},
            "talk1_speaker": {"value": {"type": "plain_text_input", "value": "Deputy mayor"}},
            "talk1_subject": {"value": {"type": "plain_text_input", "value": "Winter plans"}},
            "talk1_minutes": {"value": {"type": "number_input", "value": minutes}},
        }
        return bot.slack.view_submission("meeting_agenda", values, user_id=COORDINATOR, opened=view)

    too_long = submit("75")
    assert "A talk lasts 1 to 60 minutes" in too_long.json()["errors"]["talk1_minutes"]
    assert submit("20").body == b""
    card = bot.runtime.services.meetings.get(_actor(), 1)
    assert [t.subject for t in card.talks] == ["Winter plans"] and [n for n, _ in card.agenda] == [1, 2]

    assert "is declined" in chat.say(COORDINATOR, "decline 2 Covered by the transport committee")["text"]
    assert fake_slack.wait_for(lambda: any("Covered by the transport committee" in m["text"] for m in fake_slack.dms(BOB)),
                               timeout=10)
    assert bot.runtime.services.meetings.get(_actor(), 1).agenda == ((1, "Heating costs for families"),)


def test_planning_advice_with_one_click_invites(bot: RunningBot, fake_slack: FakeSlack) -> None:
    from services.roster import RosterRow

    chat = Chat(bot, fake_slack)
    bot.runtime.services.roster.import_rows(_actor(), [
        RosterRow("Faith Council", "core", (ALICE,), ("religion",), "afternoon"),
        RosterRow("Harbour Refugee Welcome", "topic", (CAROL,), ("country-background",), "any", "", ("housing",)),
    ])
    reply = chat.say(COORDINATOR, "schedule 2026-03-20 10:00 Housing and shelter")
    text = _dump(reply)
    assert "Perspectives not covered" in text and "gender and age" in text
    assert "1 invited organisation prefers another time of day: Faith Council" in text
    assert "Worth inviting: *Harbour Refugee Welcome* (matches housing)" in text
    [button] = [b["accessory"] for b in reply["blocks"] if b.get("accessory", {}).get("action_id") == "invite_suggested"]
    invited = bot.slack.block_action("invite_suggested", button["value"], user_id=COORDINATOR,
                                     response_url=fake_slack.response_url("click"))
    assert invited.status == 200
    assert fake_slack.wait_for(lambda: any(r["key"] == "click" for r in fake_slack.responses))
    assert "Harbour Refugee Welcome" in bot.runtime.services.meetings.get(_actor(), 1).participants
    slots = chat.say(COORDINATOR, "suggest")
    assert "Best times from 3 March 2026 to 23 March 2026" in slots["text"] and "suits 1 of 1" in _dump(slots)
    assert "times until 18:00 are included" in _dump(slots), "Faith Council prefers afternoons"
    assert "Only coordinators" in chat.say(ALICE, "suggest")["text"]


def test_minutes_through_the_form_reach_the_thread_and_attendees(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))
    assert fake_slack.wait_for(lambda: len(fake_slack.messages(CHANNEL)) == 1, timeout=10)
    invitation = fake_slack.messages(CHANNEL)[0]
    chat.click(ALICE, "rsvp_yes", invitation)
    assert "has not happened yet" in chat.say(COORDINATOR, "minutes 1")["text"]
    clock.advance(timedelta(hours=2))
    bot.slack.slash_command("minutes 1", user_id=COORDINATOR, response_url=fake_slack.response_url("form"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    attendees = next(b for b in view["blocks"] if b.get("block_id") == "attendees")
    assert attendees["element"]["initial_users"] == [ALICE]

    def submit(owner: str | None) -> object:
        values = {
            "summary": {"value": {"type": "plain_text_input", "value": "Two more warm rooms this winter."}},
            "attendees": {"value": {"type": "multi_users_select", "selected_users": [ALICE, BOB]}},
            "action_2": {"value": {"type": "plain_text_input", "value": "Find volunteers"}},
            "action_2_owner": {"value": {"type": "static_select",
                                         "selected_option": {"value": owner} if owner else None}},
            "action_2_due": {"value": {"type": "datepicker", "selected_date": "2026-03-09"}},
        }
        return bot.slack.view_submission("meeting_minutes", values, user_id=COORDINATOR, opened=view)

    refused = submit(None)
    assert "needs an owner: the city or an organisation" in refused.json()["errors"]["action_2"]
    assert submit("org:Caritas").body == b""
    assert fake_slack.wait_for(lambda: any("Minutes: Winter shelter capacity" in m["text"]
                                           for m in fake_slack.messages(CHANNEL)), timeout=10)
    [posted] = [m for m in fake_slack.messages(CHANNEL) if m["text"].startswith("Minutes")]
    assert posted.get("thread_ts") == invitation["ts"]
    assert fake_slack.wait_for(lambda: all(any(m["text"].startswith("Minutes") for m in fake_slack.dms(u))
                                           for u in (ALICE, BOB)), timeout=10)
    assert "Find volunteers: Caritas, by 9 March 2026" in _dump(posted)


def test_the_home_tab_shows_meetings_topics_and_follow_up_and_refreshes_on_clicks(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    chat.say(BOB, "propose Night buses")
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE", "tab": "home",
             "event_ts": "1772442000.000100"}
    assert bot.slack.event(event).status == 200
    assert fake_slack.wait_for(lambda: fake_slack.home_view(ALICE) is not None, timeout=10)
    home = json.dumps(fake_slack.home_view(ALICE)["blocks"], ensure_ascii=False)
    assert "Winter shelter capacity" in home and "Your answer: No answer yet" in home
    assert "Night buses" in home and "rsvp_yes" in home and "New proposals" not in home
    view = fake_slack.home_view(ALICE)
    click = bot.slack.block_action("rsvp_yes", "1", user_id=ALICE, container_type="view", view=view)
    assert click.status == 200
    assert fake_slack.wait_for(lambda: "Your answer: Attending" in json.dumps(fake_slack.home_view(ALICE)["blocks"]),
                               timeout=10)
    bot.slack.event(dict(event, user=COORDINATOR))
    assert fake_slack.wait_for(lambda: fake_slack.home_view(COORDINATOR) is not None, timeout=10)
    coordinator_home = json.dumps(fake_slack.home_view(COORDINATOR)["blocks"], ensure_ascii=False)
    assert "Next meeting" in coordinator_home and "Attending: 1" in coordinator_home
    assert "New proposals" in coordinator_home and "Perspectives not covered" in coordinator_home


def test_a_refusal_on_the_home_tab_arrives_by_dm(bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))
    home = {"type": "home", "id": "VHOME1", "blocks": [], "hash": "h"}
    assert bot.slack.block_action("rsvp_yes", "1", user_id=CAROL, container_type="view", view=home).status == 200
    assert fake_slack.wait_for(lambda: any("not on the invitation list" in m["text"] for m in fake_slack.dms(CAROL)),
                               timeout=10)


def test_invitations_link_the_meetings_calendar_file(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> None:
    import urllib.request

    from icalendar import Calendar

    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_PUBLIC_URL="https://dialog.example.org")
    with running_bot(settings, clock=clock) as bot:
        chat = Chat(bot, fake_slack)
        chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
        chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
        clock.advance(timedelta(hours=1))
        assert fake_slack.wait_for(lambda: _invitations(fake_slack, ALICE), timeout=10)
        buttons = [e for b in _invitations(fake_slack, ALICE)[0]["blocks"] if b["type"] == "actions" for e in b["elements"]]
        [link] = [e["url"] for e in buttons if e["action_id"] == "calendar_link"]
        assert link.startswith("https://dialog.example.org/calendar/") and link.endswith(".ics")
        local = bot.url + link.removeprefix("https://dialog.example.org")
        with urllib.request.urlopen(local, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/calendar")
            [event] = Calendar.from_ical(response.read()).walk("VEVENT")
        assert str(event["summary"]) == "Winter shelter capacity"
        try:
            urllib.request.urlopen(bot.url + "/calendar/not-a-token.ics", timeout=10)
            raise AssertionError("an unknown calendar must be 404")
        except urllib.error.HTTPError as error:
            assert error.code == 404


def test_stats_for_coordinators_only(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(ALICE, "propose Night buses")
    reply = chat.say(COORDINATOR, "stats")
    assert reply["text"] == "Statistics" and "Proposals: 0 from the city, 1 from civil society, 0 from public agencies." in _dump(reply)
    assert "Only coordinators" in chat.say(ALICE, "statistikk")["text"]


def test_agenda_errors_land_on_their_talk_rows(bot: RunningBot, fake_slack: FakeSlack) -> None:
    # The service names a talk by its position among the talks given (Field.TALK, row); the form
    # shows it on that talk's own row, also when the first row was left empty.
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, "schedule 2026-03-20 12:00 March dialogue")
    bot.slack.slash_command("agenda 1", user_id=COORDINATOR, response_url=fake_slack.response_url("form"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]

    def talk(n: int, speaker: str, subject: str, minutes: str) -> dict[str, object]:
        return {
            f"talk{n}_speaker": {"value": {"type": "plain_text_input", "value": speaker}},
            f"talk{n}_subject": {"value": {"type": "plain_text_input", "value": subject}},
            f"talk{n}_minutes": {"value": {"type": "number_input", "value": minutes}},
        }

    both = bot.slack.view_submission("meeting_agenda", {**talk(1, "X", "Winter plans", "10"),
                                                        **talk(2, "Deputy mayor", "Budget", "75")},
                                     user_id=COORDINATOR, opened=view).json()["errors"]
    assert set(both) == {"talk1_speaker", "talk2_minutes"}
    assert "Each talk needs a speaker" in both["talk1_speaker"]
    assert "A talk lasts 1 to 60 minutes" in both["talk2_minutes"]

    second_only = bot.slack.view_submission("meeting_agenda", talk(2, "X", "Budget", "ten"),
                                            user_id=COORDINATOR, opened=view).json()["errors"]
    assert set(second_only) == {"talk2_minutes"}
    assert "whole number of minutes" in second_only["talk2_minutes"]
    second_only = bot.slack.view_submission("meeting_agenda", talk(2, "X", "Budget", "10"),
                                            user_id=COORDINATOR, opened=view).json()["errors"]
    assert set(second_only) == {"talk2_speaker"}
    assert bot.runtime.services.meetings.get(_actor(), 1).talks == ()

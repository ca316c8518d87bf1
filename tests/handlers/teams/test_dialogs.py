"""The Teams dialogs called directly, over real services on both databases: each form opens with the
service's data, a submission calls the same service as Slack's, a refused one comes back with what
was typed and the error under its field, the urgent count is recounted, tampered data is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.teams.context import TeamsDeps
from handlers.teams.dialogs import FORMS, fetch, open_button, submit
from services.clock import ManualClock
from services.container import Services
from services.enums import Tier
from services.i18n import translator
from services.people import Actor
from tests.conftest import COORDINATOR, TEAM
from tests.factories import PLATFORM
from tests.support.notifier import RecordingNotifier

EN = translator("en")
OSLO = ZoneInfo("Europe/Oslo")
MEMBER = "UMEMBER01"


@pytest.fixture
def platform() -> Iterator[str]:
    token = PLATFORM.set("teams")
    yield "teams"
    PLATFORM.reset(token)


class NoOutbox:
    """The dialogs answer through the invoke response alone: any use of the Connector fails."""

    def send(self, *args: Any) -> str:
        raise AssertionError("a dialog sent a message")

    def reply(self, *args: Any) -> str:
        raise AssertionError("a dialog replied")

    def member(self, *args: Any) -> dict[str, object] | None:
        raise AssertionError("a dialog looked up a member")


@pytest.fixture
def deps(services: Services) -> TeamsDeps:
    return TeamsDeps(services=services, tenant_id=TEAM, zone=OSLO, outbox=NoOutbox())


@pytest.fixture
def boss(deps: TeamsDeps) -> Actor:
    return deps.actor(COORDINATOR)


def _card(answer: dict[str, Any]) -> dict[str, Any]:
    task = answer["task"]
    assert task["type"] == "continue", task
    assert task["value"]["card"]["contentType"] == "application/vnd.microsoft.card.adaptive"
    return task["value"]["card"]["content"]


def _message(answer: dict[str, Any]) -> str:
    task = answer["task"]
    assert task["type"] == "message", task
    return str(task["value"])


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card["body"])
    return found


def _texts(card: dict[str, Any]) -> str:
    return "\n".join(e["text"] for e in card["body"] if e.get("type") == "TextBlock")


def _error_under(card: dict[str, Any], input_id: str) -> str:
    """The error shown right under the input `input_id` (fails when there is none)."""
    body = card["body"]
    at = next(i for i, e in enumerate(body) if e.get("id") == input_id)
    following = body[at + 1]
    assert following.get("color") == "Attention", following
    return str(following["text"])


def _schedule_values(**overrides: str) -> dict[str, Any]:
    values = {"dialog": "schedule", "title": "Spring dialogue", "date": "2026-03-20", "time": "10:00",
              "duration": "90", "video_link": "", "chair": "", "chair_person": "", "topics": "",
              "organisations": "", "observers": ""}
    values.update(overrides)
    return values


def test_the_open_button_asks_teams_for_the_dialog() -> None:
    assert FORMS == ("propose", "schedule", "urgent", "agenda", "minutes")
    button = open_button(EN, "agenda", meeting=3)
    assert button["type"] == "Action.Submit"
    assert button["data"] == {"msteams": {"type": "task/fetch"}, "dialog": "agenda", "meeting": 3}
    assert button["title"] == "Agenda"
    assert "meeting" not in open_button(EN, "propose")["data"]


def test_propose_through_the_dialog_creates_the_topic(deps: TeamsDeps, services: Services) -> None:
    member = deps.actor(MEMBER)
    opened = fetch(deps, member, EN, {"msteams": {"type": "task/fetch"}, "dialog": "propose"})
    assert opened["task"]["value"]["title"] == "Propose a topic"
    assert set(_inputs(_card(opened))) == {"title", "details"}
    answer = submit(deps, member, EN, {"dialog": "propose", "title": "Warm rooms", "details": "For winter."})
    assert "Warm rooms" in _message(answer)
    topics = services.topics.open_topics(member)
    assert [(t.title, t.details) for t in topics] == [("Warm rooms", "For winter.")]


def test_a_bad_title_keeps_the_form_and_what_was_typed(deps: TeamsDeps, services: Services) -> None:
    member = deps.actor(MEMBER)
    answer = submit(deps, member, EN, {"dialog": "propose", "title": "x" * 200, "details": "Keep me"})
    card = _card(answer)
    assert _inputs(card)["details"]["value"] == "Keep me"
    assert _inputs(card)["title"]["value"] == "x" * 200
    assert "150" in _error_under(card, "title")
    assert services.topics.open_topics(member) == []


def test_schedule_through_the_dialog_creates_the_meeting(deps: TeamsDeps, services: Services,
                                                        boss: Actor) -> None:
    services.roster.add(boss, "Caritas", Tier.CORE, [])
    services.roster.add(boss, "Red, Cross", Tier.TOPIC, [])
    topic = services.topics.propose(boss, "Heating costs", "")
    card = _card(fetch(deps, boss, EN, {"dialog": "schedule"}))
    inputs = _inputs(card)
    assert {"title", "date", "time", "duration", "video_link", "chair", "chair_person", "topics",
            "organisations"} <= set(inputs)
    # A name with a comma survives Teams' comma-joined multi-select values.
    [choice] = inputs["organisations"]["choices"]
    assert choice["title"].startswith("Red, Cross")
    answer = submit(deps, boss, EN, _schedule_values(topics=str(topic.number), organisations=choice["value"],
                                                      chair_person="entra-chair-id"))
    assert "Spring dialogue" in _message(answer)
    [upcoming] = services.meetings.upcoming(boss)
    meeting = upcoming.meeting if hasattr(upcoming, "meeting") else upcoming
    assert meeting.title == "Spring dialogue"
    assert meeting.starts_at.astimezone(OSLO).strftime("%Y-%m-%d %H:%M") == "2026-03-20 10:00"
    assert meeting.duration_minutes == 90
    assert [n for n, _ in meeting.agenda] == [topic.number]
    assert "Red, Cross" in meeting.participants


def test_a_non_coordinator_gets_the_service_s_refusal(deps: TeamsDeps, services: Services) -> None:
    member = deps.actor(MEMBER)
    assert "coordinator" in _message(fetch(deps, member, EN, {"dialog": "schedule"})).lower()
    refused = _message(submit(deps, member, EN, _schedule_values()))
    assert "coordinator" in refused.lower()
    assert services.meetings.upcoming(member) == []


def test_a_bad_date_keeps_the_form_with_the_error_and_the_values(deps: TeamsDeps, services: Services,
                                                                 boss: Actor) -> None:
    answer = submit(deps, boss, EN, _schedule_values(date="2026-02-30", chair="Deputy mayor"))
    card = _card(answer)
    assert "not a date" in _error_under(card, "time")
    inputs = _inputs(card)
    assert inputs["title"]["value"] == "Spring dialogue"
    assert inputs["date"]["value"] == "2026-02-30"
    assert inputs["chair"]["value"] == "Deputy mayor"
    assert inputs["duration"]["value"] == 90
    # Every field at fault at once: a past time and a bad link together.
    both = _card(submit(deps, boss, EN, _schedule_values(date="2026-03-01", video_link="ftp://x")))
    assert "already passed" in _error_under(both, "time")
    assert "https://" in _error_under(both, "video_link")
    assert services.meetings.upcoming(boss) == []


def test_urgent_recount_updates_the_count_and_does_nothing_else(
        deps: TeamsDeps, services: Services, boss: Actor, notifier: RecordingNotifier) -> None:
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS"])
    services.roster.add(boss, "Red Cross", Tier.TOPIC, ["URED1", "URED2"])
    first = _card(fetch(deps, boss, EN, {"dialog": "urgent"}))
    assert "Will invite 1 organisation and 1 person." in _texts(first)
    red = _inputs(first)["organisations"]["choices"][0]["value"]
    recount = next(a for e in first["body"] if e.get("type") == "ActionSet" for a in e["actions"])
    assert recount["data"] == {"dialog": "urgent", "recount": True}
    typed = {"title": "Flood", "date": "2026-03-02", "time": "15:00", "video_link": "", "background": "Water",
             "organisations": red, "observers": ""}
    again = _card(submit(deps, boss, EN, {**typed, **recount["data"]}))
    assert "Will invite 2 organisations and 3 people." in _texts(again)
    assert _inputs(again)["title"]["value"] == "Flood"
    assert _inputs(again)["background"]["value"] == "Water"
    assert _inputs(again)["organisations"]["value"] == red
    assert services.meetings.upcoming(boss) == []
    services.deliveries.sweep()
    assert notifier.posted == []
    # Sent for real: the same values through the Send button.
    sent = submit(deps, boss, EN, {**typed, "dialog": "urgent"})
    assert "Flood" in _message(sent)
    assert len(services.meetings.upcoming(boss)) == 1


def _meeting(services: Services, boss: Actor, clock: ManualClock, *, hours: int = 48) -> int:
    return services.meetings.schedule(boss, title="March dialogue",
                                      starts_at=clock.now() + timedelta(hours=hours)).meeting.number


def test_agenda_through_the_dialog_adds_a_topic(deps: TeamsDeps, services: Services, boss: Actor,
                                               clock: ManualClock) -> None:
    number = _meeting(services, boss, clock)
    topic = services.topics.propose(boss, "Heating costs", "")
    card = _card(fetch(deps, boss, EN, {"dialog": "agenda", "meeting": number}))
    inputs = _inputs(card)
    assert {"topics", "talk1_person", "talk1_speaker", "talk1_subject", "talk1_minutes", "talk2_minutes"} <= set(inputs)
    assert inputs["topics"]["choices"][0]["value"] == str(topic.number)
    answer = submit(deps, boss, EN, {"dialog": "agenda", "meeting": number, "topics": str(topic.number),
                                     "talk1_speaker": "Anna", "talk1_subject": "Costs", "talk1_minutes": "10",
                                     "talk1_person": "", "talk2_speaker": "", "talk2_subject": "",
                                     "talk2_minutes": "10", "talk2_person": ""})
    assert "March dialogue" in _message(answer)
    [upcoming] = services.meetings.upcoming(boss)
    meeting = upcoming.meeting if hasattr(upcoming, "meeting") else upcoming
    assert [n for n, _ in meeting.agenda] == [topic.number]
    assert [talk.subject for talk in meeting.talks] == ["Costs"]
    # A length that is not a number is shown on that talk's row, the rest kept.
    bad = _card(submit(deps, boss, EN, {"dialog": "agenda", "meeting": number, "talk2_speaker": "Per",
                                        "talk2_minutes": "ten", "talk2_subject": "More"}))
    assert "whole number" in _error_under(bad, "talk2_minutes")
    assert _inputs(bad)["talk2_speaker"]["value"] == "Per"


def test_minutes_through_the_dialog_are_recorded(deps: TeamsDeps, services: Services, boss: Actor,
                                                clock: ManualClock) -> None:
    number = _meeting(services, boss, clock, hours=2)
    early = _message(fetch(deps, boss, EN, {"dialog": "minutes", "meeting": number}))
    assert "has not happened yet" in early
    clock.advance(timedelta(hours=3))
    card = _card(fetch(deps, boss, EN, {"dialog": "minutes", "meeting": number}))
    assert {"summary", "decisions", "attendees", "action_1", "action_1_owner", "action_1_due"} <= set(_inputs(card))
    # A follow-up point with no owner: the service says so on that row, the summary kept.
    values = {"dialog": "minutes", "meeting": number, "summary": "We met and agreed.", "decisions": "",
              "attendees": "", "action_1": "", "action_1_owner": "", "action_1_due": "",
              "action_2": "Find premises", "action_2_owner": "", "action_2_due": "2026-03-20"}
    refused = _card(submit(deps, boss, EN, values))
    assert _error_under(refused, "action_2")
    assert _inputs(refused)["summary"]["value"] == "We met and agreed."
    recorded = _message(submit(deps, boss, EN, {**values, "action_2_owner": "city"}))
    assert f"minutes of meeting {number}" in recorded and "recorded" in recorded


@pytest.mark.parametrize("data", [
    {"dialog": "agenda", "meeting": "1; drop table"},
    {"dialog": "agenda"},
    {"dialog": "minutes", "meeting": True},
])
def test_tampered_meeting_numbers_get_a_clear_message(deps: TeamsDeps, boss: Actor, data: dict[str, Any]) -> None:
    for answer in (fetch(deps, boss, EN, data), submit(deps, boss, EN, data)):
        assert "names no meeting" in _message(answer)


def test_another_meeting_s_number_and_unknown_dialogs_are_refused(deps: TeamsDeps, services: Services,
                                                                  boss: Actor, clock: ManualClock) -> None:
    assert "999" in _message(fetch(deps, boss, EN, {"dialog": "agenda", "meeting": 999}))
    assert "999" in _message(submit(deps, boss, EN, {"dialog": "minutes", "meeting": 999, "summary": "Long enough"}))
    assert "not one the bot knows" in _message(fetch(deps, boss, EN, {"dialog": "roster"}))
    assert "not one the bot knows" in _message(submit(deps, boss, EN, {"title": "no dialog"}))

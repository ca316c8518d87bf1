"""The sandbox's Teams side over HTTP: the page's Teams endpoints, with the real bot behind the
real `/api/messages` and the fake Bot Connector (sandbox/teams.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.launcher import Sandbox
from sandbox.teams import CHANNEL_ID, COORDINATOR, PEOPLE, TeamsPerson
from tests.support.sandbox import call, running_sandbox

AMINA, OLA = PEOPLE[1], PEOPLE[2]
TITLE = "Dialogmøte om kveldene"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with running_sandbox(f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}", tmp_path / "workspace.json") as running:
        yield running


def _texts(node: Any) -> str:
    """Every text of a message as the page gets it (its text, its card's texts), as one string."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key in ("text", "title", "summary"):
                if isinstance(value.get(key), str):
                    found.append(value[key])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(node)
    return "\n".join(found)


def _state(sandbox: Sandbox) -> dict[str, Any]:
    status, body = call(sandbox, "/sandbox/api/teams/state")
    assert status == 200
    return body


def _wait(sandbox: Sandbox, found: Callable[[dict[str, Any]], Any]) -> Any:
    """Long-poll the page's Teams state until `found(state)` is truthy (30 s at most)."""
    state = _state(sandbox)
    for _ in range(60):
        result = found(state)
        if result:
            return result
        status, state = call(sandbox, f"/sandbox/api/teams/state?since={state['version']}")
        assert status == 200
    raise AssertionError(f"never found; last state: {_texts(state)[-2000:]}")


def _chat(state: dict[str, Any], person: TeamsPerson) -> list[dict[str, Any]]:
    return state["chats"][person.chat]


def _post_with(state: dict[str, Any], text: str) -> dict[str, Any] | None:
    return next((p for p in state["channel"]["posts"] if p["from"] == "bot" and text in _texts(p.get("card"))),
                None)


def _weekday_ahead(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_the_teams_tab_starts_with_the_channel_set_up_and_the_demo_topics_as_cards(sandbox: Sandbox) -> None:
    state = _wait(sandbox, lambda s: s if len([p for p in s["channel"]["posts"] if p["card"]]) >= 3 else None)
    assert [p["id"] for p in state["people"]] == [p.id for p in PEOPLE]
    assert state["people"][0]["coordinator"] is True
    assert state["channel"]["id"] == CHANNEL_ID
    # The coordinator set the channel up through the bot, and the bot said so in the thread.
    setup = next(p for p in state["channel"]["posts"] if p["from"] == COORDINATOR.id)
    assert "setup" in setup["text"]
    assert setup["replies"] and setup["replies"][0]["from"] == "bot"
    # The Slack demo's three proposals, announced as Adaptive Cards with a Support button.
    for title in ("Safe meeting places for young people", "Health information in more languages",
                  "Next year's budget for youth housing"):
        post = _post_with(state, title)
        assert post is not None, title
        assert post["card"]["type"] == "AdaptiveCard"
        assert any(a["type"] == "Action.Execute" and a["verb"] == "topic_support" for a in post["card"]["actions"])
    # New contacts were told in their own chats (the privacy notice), the coordinator was not.
    state = _wait(sandbox, lambda s: s if _chat(s, AMINA) else None)
    assert "Fjordby Interfaith Council \\(demo\\)" in _texts(_chat(state, AMINA))  # markdown-escaped


def test_a_message_from_a_demo_person_gets_the_bots_answer_in_their_chat(sandbox: Sandbox) -> None:
    before = len(_chat(_state(sandbox), AMINA))
    status, body = call(sandbox, "/sandbox/api/teams/send", {"user": AMINA.id, "where": "chat", "text": "meetings"})
    assert (status, body) == (200, {"ok": True})
    chat = _wait(sandbox, lambda s: _chat(s, AMINA) if len(_chat(s, AMINA)) >= before + 2 else None)
    # Her own message first, then the bot's answer.
    assert chat[before]["from"] == AMINA.id and chat[before]["text"] == "meetings"
    assert chat[-1]["from"] == "bot"
    assert _texts(chat[-1]).strip()


def test_bad_requests_are_refused_with_a_reason(sandbox: Sandbox) -> None:
    assert call(sandbox, "/sandbox/api/teams/send", {"user": "nobody", "where": "chat", "text": "hi"})[0] == 400
    assert call(sandbox, "/sandbox/api/teams/send", {"user": AMINA.id, "where": "chat", "text": " "})[0] == 400
    status, body = call(sandbox, "/sandbox/api/teams/send", {"user": AMINA.id, "where": "chat",
                                                             "text": "<at>Nobody</at> hi"})
    assert status == 400 and "Mentions" in body["error"]
    # A card in someone else's chat is not Amina's to click.
    status, _ = call(sandbox, "/sandbox/api/teams/click", {"user": AMINA.id, "conversation": OLA.chat,
                                                           "activity": "1", "verb": "rsvp_yes", "data": {}})
    assert status == 403
    assert call(sandbox, "/sandbox/api/teams/click", {"user": AMINA.id, "conversation": AMINA.chat,
                                                      "activity": "1", "verb": "rsvp_yes", "data": []})[0] == 400


def test_a_click_on_a_cards_rsvp_records_the_answer_and_the_channel_card_is_updated(sandbox: Sandbox) -> None:
    day = _weekday_ahead(7)
    status, _ = call(sandbox, "/sandbox/api/teams/send", {"user": COORDINATOR.id, "where": "chat",
                                                          "text": f"planlegg {day.isoformat()} 10:00 {TITLE}"})
    assert status == 200
    post = _wait(sandbox, lambda s: _post_with(s, TITLE))
    assert "0 av 2" in _texts(post["card"])
    yes = next(a for a in post["card"]["actions"] if a.get("verb") == "rsvp_yes")

    status, body = call(sandbox, "/sandbox/api/teams/click", {
        "user": AMINA.id, "conversation": post["conversation"], "activity": post["id"], "verb": yes["verb"],
        "data": yes["data"]})
    assert status == 200 and body["ok"] is True
    assert "Attending" in body["text"] or "Kommer" in body["text"]
    # The same post, updated in place with the new count.
    updated = _wait(sandbox, lambda s: (p := _post_with(s, TITLE)) and "1 av 2" in _texts(p["card"]) and p)
    assert updated["id"] == post["id"]
    # Amina's invitation reached her chat too, with its own buttons.
    invitation = _wait(sandbox, lambda s: next((m for m in _chat(s, AMINA) if TITLE in _texts(m.get("card"))), None))
    assert any(a.get("verb") == "rsvp_yes" for a in invitation["card"]["actions"])

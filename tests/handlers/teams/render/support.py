"""Builders for the services' messages, and checks that a rendered Teams card is well formed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.teams.render import Card
from services.enums import MeetingKind, MeetingState, Side
from services.i18n import translator
from services.messages import ActionItemView, MeetingCard, Tally, TopicCard

EN, NB = translator("en"), translator("nb")
OSLO = ZoneInfo("Europe/Oslo")
START = datetime(2026, 3, 16, 13, 0, tzinfo=UTC)  # 14:00 in Oslo
HOSTILE = "**x** [click](https://evil.example) <at>y</at>"

# What an Adaptive Card 1.5 allows for each element and action this renderer uses, with the values
# of the enumerations (the card models accept unknown keys and values, so they are checked here).
ELEMENT_KEYS = {
    "TextBlock": {"type", "id", "text", "wrap", "size", "weight", "color", "isSubtle", "spacing", "separator",
                  "fontType", "maxLines", "horizontalAlignment"},
    "FactSet": {"type", "id", "facts", "spacing", "separator"},
    "Container": {"type", "id", "items", "style", "spacing", "separator", "bleed"},
    "ColumnSet": {"type", "id", "columns", "spacing", "separator"},
    "ActionSet": {"type", "id", "actions", "spacing", "separator"},
}
ACTION_KEYS = {
    "Action.Execute": {"type", "title", "verb", "data", "style", "tooltip"},
    "Action.OpenUrl": {"type", "title", "url", "style", "tooltip"},
}
ENUMS = {
    "size": {"Small", "Default", "Medium", "Large", "ExtraLarge"},
    "weight": {"Lighter", "Default", "Bolder"},
    "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
    "spacing": {"None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"},
    "fontType": {"Default", "Monospace"},
}
ACTION_STYLES = {"default", "positive", "destructive"}
CONTAINER_STYLES = {"default", "emphasis", "good", "attention", "warning", "accent"}


def meeting(**overrides: Any) -> MeetingCard:
    """A scheduled regular meeting, with a tally, a talk, a topic and an observer."""
    values: dict[str, Any] = dict(
        number=4, title="Winter shelter capacity", kind=MeetingKind.REGULAR, state=MeetingState.SCHEDULED,
        starts_at=START, duration_minutes=60, video_link="https://meet.example.org/x",
        agenda=((3, "Heating costs"),), participants=("Caritas", "Red Cross"), observers=("Helsedirektoratet",),
        tally=Tally(yes=3, no=1, maybe=0, waiting=2, organisations_yes=2, organisations_invited=2,
                    observers_yes=1, observers_invited=1),
        invite_at=START, calendar_token="tok123",
    )
    values.update(overrides)
    return MeetingCard(**values)


def topic(**overrides: Any) -> TopicCard:
    """A proposed topic as a shared place sees it: by its organisation, no person."""
    values: dict[str, Any] = dict(
        number=7, title="Heating costs", details="Families cannot pay.", state="proposed", proposer=None,
        proposer_side=Side.CIVIL_SOCIETY, proposer_organisation="Caritas", supporters=3,
        supporting_organisations=2, created_at=START,
    )
    values.update(overrides)
    return TopicCard(**values)


def item(**overrides: Any) -> ActionItemView:
    """A follow-up point of meeting 4."""
    values: dict[str, Any] = dict(description="Find volunteers", owner="Caritas", due_on=date(2026, 3, 30),
                                  meeting_number=4, position=2)
    values.update(overrides)
    return ActionItemView(**values)


def _check_element(element: dict[str, Any]) -> None:
    kind = element["type"]
    assert kind in ELEMENT_KEYS, kind
    assert set(element) <= ELEMENT_KEYS[kind], set(element) - ELEMENT_KEYS[kind]
    for key, allowed in ENUMS.items():
        if key in element and kind != "Container":
            assert element[key] in allowed, (key, element[key])
    if kind == "TextBlock":
        assert isinstance(element["text"], str) and element["text"].strip()
        assert element.get("wrap") is True
    elif kind == "FactSet":
        assert element["facts"]
        for fact in element["facts"]:
            assert set(fact) == {"title", "value"} and fact["title"] and fact["value"]
    elif kind == "Container":
        assert element.get("style", "default") in CONTAINER_STYLES
        for child in element["items"]:
            _check_element(child)


def _check_action(action: dict[str, Any]) -> None:
    kind = action["type"]
    assert kind in ACTION_KEYS, kind
    assert set(action) <= ACTION_KEYS[kind]
    assert action["title"]
    assert action.get("style", "default") in ACTION_STYLES
    if kind == "Action.Execute":
        assert action["verb"] and isinstance(action["data"], dict)
    else:
        assert action["url"].startswith(("https://", "http://"))


def valid(card: Card) -> dict[str, Any]:
    """The card's JSON after checking it is an Adaptive Card 1.5 Teams takes; returns it."""
    assert isinstance(card, Card)
    assert card.text.strip()
    payload = card.card
    assert payload is not None
    json.dumps(payload)  # plain JSON, nothing a model left behind
    assert payload["type"] == "AdaptiveCard"
    assert payload["version"] == "1.5"
    assert payload["fallbackText"].strip()
    assert payload["body"]
    for element in payload["body"]:
        _check_element(element)
    actions = payload.get("actions", [])
    assert len(actions) <= 6  # Teams shows at most six
    for action in actions:
        _check_action(action)
    return payload


def texts(card: Card) -> str:
    """Every text the card shows (text blocks, facts), one per line."""
    out: list[str] = []

    def walk(element: dict[str, Any]) -> None:
        if element["type"] == "TextBlock":
            out.append(element["text"])
        elif element["type"] == "FactSet":
            out.extend(f"{fact['title']}: {fact['value']}" for fact in element["facts"])
        for child in element.get("items", []):
            walk(child)

    assert card.card is not None
    for element in card.card["body"]:
        walk(element)
    return "\n".join(out)


def actions(card: Card) -> list[dict[str, Any]]:
    """The card's actions."""
    assert card.card is not None
    return list(card.card.get("actions", []))


def verbs(card: Card) -> list[tuple[str, dict[str, Any]]]:
    """(verb, data) of each Universal Action."""
    return [(a["verb"], a["data"]) for a in actions(card) if a["type"] == "Action.Execute"]


def urls(card: Card) -> list[str]:
    """The addresses of the card's open-URL buttons."""
    return [a["url"] for a in actions(card) if a["type"] == "Action.OpenUrl"]


def inert(value: str, shown: str) -> None:
    """`value` (hostile) appears in `shown` only escaped: no bold, no link, no mention tag."""
    assert value not in shown
    assert "[click](https://evil.example)" not in shown
    assert "\\*\\*x\\*\\*" in shown and "\\[click\\]\\(https://evil.example\\)" in shown
    assert "<at>y</at>" not in shown

"""Teams' forms and questions through the real `/api/messages`: a command without its text answers
with a button that opens a dialog (task/fetch), the dialog's submission (task/submit) goes through
the same services, a refused one comes back with its values kept; cancelling and erasing ask first,
and their card's button does it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from fakes.teams import activities
from services.people import Destination, PersonRef, WorkspaceRef
from tests.handlers.teams.test_endpoint import _card_texts, _set_up
from tests.support.teams import COORDINATOR, MEMBER, TeamsClient, running_teams_bot


def _task(teams: TeamsClient, person: activities.Account, name: str, data: dict[str, Any]) -> dict[str, Any]:
    build = activities.task_fetch if name == "task/fetch" else activities.task_submit
    status, body = teams.post(build(data, sender=person))
    assert status == 200, body
    return body["task"]


def _inputs(card: dict[str, Any]) -> dict[str, Any]:
    """The card's inputs by id, with their current values."""
    found: dict[str, Any] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and "id" in node:
                found[node["id"]] = node.get("value")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def _button_data(sent_card: dict[str, Any]) -> dict[str, Any]:
    return next(a["data"] for a in sent_card.get("actions", []) if a.get("type") == "Action.Submit")


def test_propose_without_text_opens_a_dialog_whose_submission_proposes(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        teams.say(MEMBER, "foreslå")
        offered = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and any(a.get("type") == "Action.Submit" for c in s.attachments for a in c["content"].get("actions", []))
        ], timeout=20)[0]
        data = _button_data(offered.attachments[0]["content"])
        assert data["msteams"] == {"type": "task/fetch"} and data["dialog"] == "propose"
        dialog = _task(teams, MEMBER, "task/fetch", data)
        assert dialog["type"] == "continue"
        form = dialog["value"]["card"]["content"]
        assert {"title", "details"} <= set(_inputs(form))
        done = _task(teams, MEMBER, "task/submit", {"dialog": "propose", "title": "Trygge skoleveier",
                                                    "details": "Fotgjengerfelt ved skolene"})
        assert done["type"] == "message" and "Trygge skoleveier" in done["value"]
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.CHANNEL_ID and "Trygge skoleveier" in _card_texts(s)],
            timeout=20)


def test_a_refused_schedule_dialog_comes_back_with_what_was_typed(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        dialog = _task(teams, COORDINATOR, "task/fetch", {"dialog": "schedule"})
        assert dialog["type"] == "continue"
        again = _task(teams, COORDINATOR, "task/submit", {"dialog": "schedule", "title": "Dialogmøte om kultur",
                                                          "date": "not a date", "time": "10:00"})
        assert again["type"] == "continue"
        assert _inputs(again["value"]["card"]["content"])["title"] == "Dialogmøte om kultur"
        # Only coordinators schedule: a member gets the service's refusal.
        refused = _task(teams, MEMBER, "task/fetch", {"dialog": "schedule"})
        assert refused["type"] == "message" and "koordinator" in refused["value"].lower()


def test_cancelling_asks_first_and_the_button_cancels(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        day = date.today() + timedelta(days=20)
        teams.say(COORDINATOR, f"planlegg {day.isoformat()} 10:00 Dialogmøte om idrett")
        teams.say(COORDINATOR, "avlys 1 Rommet er ikke ledig")
        question = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(COORDINATOR)
            and any(a.get("verb") == "meeting_cancel" for c in s.attachments for a in c["content"].get("actions", []))
        ], timeout=20)[0]
        button = next(a for a in question.attachments[0]["content"]["actions"] if a.get("verb") == "meeting_cancel")
        assert button["data"] == {"meeting": 1, "reason": "Rommet er ikke ledig"}
        # A member cannot use the coordinator's button.
        assert "koordinator" in teams.click(MEMBER, "meeting_cancel", button["data"]).lower()
        answer = teams.click(COORDINATOR, "meeting_cancel", button["data"])
        assert "Dialogmøte om idrett" in answer
        status, _ = teams.say(COORDINATOR, "møter")
        assert status == 200
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(COORDINATOR)
            and "Ingen møter" in _card_texts(s)], timeout=20)


def test_erasing_yourself_asks_first_and_the_button_erases(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        teams.say(MEMBER, "slett")
        question = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and any(a.get("verb") == "privacy_erase" for c in s.attachments for a in c["content"].get("actions", []))
        ], timeout=20)[0]
        token = next(a for a in question.attachments[0]["content"]["actions"] if a.get("verb") == "privacy_erase")
        conversations = teams.bot.runtime.services.conversations
        where = replace(Destination.person(PersonRef("teams", str(MEMBER.aad_object_id))),
                        workspace=WorkspaceRef("teams", activities.TENANT_ID))
        # Someone else cannot use another person's confirmation: nothing is erased.
        teams.click(COORDINATOR, "privacy_erase", token["data"])
        assert conversations.reference(where) is not None
        answer = teams.click(MEMBER, "privacy_erase", token["data"])
        assert "slettet" in answer
        # Erased: the bot no longer knows how to reach them in their own chat.
        assert conversations.reference(where) is None

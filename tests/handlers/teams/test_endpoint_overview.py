"""`oversikt` in Teams end to end, through the real `/api/messages` and the fake Bot Connector: a
member's overview carries their meeting's one-click answers; a coordinator's lists a contact the bot
could not write to (someone on the roster who never installed the app)."""

from __future__ import annotations

import time
from typing import Any

from fakes.teams import activities
from fakes.teams.connector import Sent
from handlers.teams.render.common import MEETING_KEY, RSVP_MAYBE, RSVP_NO, RSVP_YES
from tests.handlers.teams.test_endpoint import ORGANISATION, _card_texts, _set_up, _weekday_ahead
from tests.support.teams import BOT, COORDINATOR, MEMBER, TeamsClient, running_teams_bot

NOBODY = activities.user("Nobody Installed")
TITLE = "Dialogmøte om boliger"


def _actions(sent: Sent) -> list[dict[str, Any]]:
    """Every Action.Execute of the message's cards, in their bodies' action sets and at their feet."""
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(sent.attachments)
    return found


def _overview(teams: TeamsClient, person: activities.Account, word: str = "oversikt") -> Sent:
    """`person` writes `word`; the overview card the bot answers with in their chat."""
    conversation = activities.personal_conversation(person)
    before = len([s for s in teams.connector.sent if s.conversation_id == conversation])
    status, _ = teams.say(person, word)
    assert status == 200
    return teams.connector.wait_for(lambda sent: [
        s for s in [s for s in sent if s.conversation_id == conversation][before:]
        if "Dialogmøter" in _card_texts(s) or "Dialogue meetings" in _card_texts(s)], timeout=20)[0]


def test_the_overview_answers_members_with_rsvp_and_coordinators_with_what_failed(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        # A contact who never installed the app: the bot may not write to them first in Teams.
        teams.connector.add_member(NOBODY.id, name=NOBODY.name, aad_object_id=str(NOBODY.aad_object_id))
        status, _ = teams.say(COORDINATOR, f'{activities.at(BOT)} deltakere kontakt "{ORGANISATION}" '
                                           f"{activities.at(NOBODY)}", scope="channel", mentions=[NOBODY])
        assert status == 200
        status, _ = teams.say(COORDINATOR, f"planlegg {_weekday_ahead(3).isoformat()} 10:00 {TITLE}")
        assert status == 200
        # The member's invitation went out (so the invitations have been sent).
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and TITLE in _card_texts(s)], timeout=20)

        overview = _overview(teams, MEMBER)
        assert TITLE in _card_texts(overview)
        rsvp = {(a["verb"], a["data"][MEETING_KEY]) for a in _actions(overview)
                if a["verb"] in (RSVP_YES, RSVP_NO, RSVP_MAYBE)}
        assert rsvp == {(RSVP_YES, 1), (RSVP_NO, 1), (RSVP_MAYBE, 1)}
        # The member is no coordinator: nothing about failed messages.
        assert "Kunne ikke leveres" not in _card_texts(overview)
        assert "Could not be delivered" not in _card_texts(overview)

        # Nobody's invitation fails for good as soon as it is due; the coordinator's overview says so.
        # (Asked again until it does: the failure is the delivery engine's, a moment after planning.)
        deadline = time.monotonic() + 30
        while True:
            shown = _card_texts(_overview(teams, COORDINATOR, "overview"))
            if "Kunne ikke leveres" in shown or "Could not be delivered" in shown:
                break
            assert time.monotonic() < deadline, f"the coordinator's overview never listed the failure:\n{shown}"
        section = shown.split("Kunne ikke leveres" if "Kunne ikke leveres" in shown else "Could not be delivered",
                              1)[1]
        failed = next(line for line in section.splitlines() if line.startswith("•"))
        # Who (their organisation), why (with the fix) and for which meeting.
        assert ORGANISATION in failed and "not installed" in failed
        assert "(møte 1)" in failed or "(meeting 1)" in failed

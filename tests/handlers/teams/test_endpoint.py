"""The Teams side end to end, through the real `/api/messages` and the fake Bot Connector: install,
setup of the dialogue channel, commands by message, a proposal announced, a meeting scheduled,
invitations as cards, a one-click answer, and the channel's tally updated in place."""

from __future__ import annotations

from datetime import date, timedelta

from fakes.teams import activities
from fakes.teams.connector import Sent
from handlers.teams.render.common import RSVP_YES
from tests.support.teams import BOT, COORDINATOR, MEMBER, OUTSIDER, TeamsClient, running_teams_bot

ORGANISATION = "Fjordby Frivilligsentral"


def _card_texts(sent: Sent) -> str:
    """Every text of the card(s) a message carries, and its own text, as one string."""
    found: list[str] = [sent.text]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(sent.attachments)
    return "\n".join(found)


def _weekday_ahead(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _set_up(teams: TeamsClient) -> None:
    """The coordinator and a member install the app; the coordinator sets up the channel and puts
    the member's organisation on the roster."""
    teams.install(COORDINATOR)
    teams.install(MEMBER)
    status, _ = teams.say(COORDINATOR, f"{activities.at(BOT)} setup", scope="channel")
    assert status == 200
    channel = teams.connector.wait_for(lambda sent: [s for s in sent if s.conversation_id.startswith(
        activities.CHANNEL_ID)])
    assert "dialogkanalen" in _card_texts(channel[-1])
    status, _ = teams.say(COORDINATOR, f'{activities.at(BOT)} deltakere ny "{ORGANISATION}" fast '
                                       f"{activities.at(MEMBER)}", scope="channel", mentions=[MEMBER])
    assert status == 200
    teams.connector.wait_for(lambda sent: [
        s for s in sent if s.conversation_id == activities.personal_conversation(COORDINATOR)
        and ORGANISATION in _card_texts(s)], timeout=20)


def test_a_whole_cycle_from_teams(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        # The member proposes a topic from their own chat: told there, announced in the channel.
        status, _ = teams.say(MEMBER, "foreslå Bedre busstilbud | Kveldsruter til bydelene")
        assert status == 200
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and "Bedre busstilbud" in _card_texts(s)], timeout=20)
        announced = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.CHANNEL_ID and "Bedre busstilbud" in _card_texts(s)])
        assert announced[0].operation == "send"

        day = _weekday_ahead(3)
        status, _ = teams.say(COORDINATOR, f"planlegg {day.isoformat()} 10:00 Dialogmøte om transport")
        assert status == 200
        # The invitation reaches the member's chat as a card with one-click answers.
        invitation = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and "Dialogmøte om transport" in _card_texts(s)], timeout=20)[0]
        actions = [a for a in invitation.attachments[0]["content"].get("actions", [])
                   if a.get("type") == "Action.Execute"]
        assert {a["verb"] for a in actions} >= {RSVP_YES}
        yes = next(a for a in actions if a["verb"] == RSVP_YES)
        # The channel's copy shows the tally, nobody attending yet.
        channel_post = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.CHANNEL_ID and s.operation == "send"
            and "Dialogmøte om transport" in _card_texts(s)], timeout=20)[0]
        assert "0 av 1" in _card_texts(channel_post)

        answer = teams.click(MEMBER, RSVP_YES, yes["data"], card_activity_id=invitation.activity_id)
        assert "Kommer" in answer or "Attending" in answer
        # The channel's card is updated in place with the new count.
        updated = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.operation == "update" and s.activity_id == channel_post.activity_id
            and "1 av 1" in _card_texts(s)], timeout=20)
        assert updated


def test_a_tampered_click_and_strangers_get_clear_private_answers(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        # Another meeting's number: no such meeting for them; nothing crashes, nothing is recorded.
        answer = teams.click(MEMBER, RSVP_YES, {"meeting": 999})
        assert "999" in answer or "finnes" in answer or "find" in answer
        # Tampered data of the wrong type reads as no meeting at all.
        assert teams.click(MEMBER, RSVP_YES, {"meeting": "1; drop table"})
        # Another tenant's activity is refused without touching this workspace.
        refused = teams.click(OUTSIDER, RSVP_YES, {"meeting": 1}, tenant_id="00000000-0000-4000-8000-000000000000")
        assert "another organisation" in refused or "annen organisasjon" in refused
        # Someone who is not a coordinator cannot make a channel the dialogue channel.
        before = len(teams.connector.sent)
        teams.install(OUTSIDER)
        status, _ = teams.say(OUTSIDER, f"{activities.at(BOT)} setup", scope="channel")
        assert status == 200
        told = teams.connector.wait_for(lambda sent: sent[before:] if sent[before:] else None)
        assert any("koordinator" in _card_texts(s).lower() or "coordinator" in _card_texts(s).lower()
                   for s in told)


def test_unsigned_activities_are_refused_when_not_anonymous(database_url: str) -> None:
    app_id = activities.BOT_APP_ID
    with running_teams_bot(database_url, TEAMS_ANONYMOUS="false", TEAMS_APP_ID=app_id,
                           TEAMS_APP_PASSWORD="8Xq8Q~Fh2kLm9Pq3Rs7Tv1Wx5Yz0Ab4Cd6Ef8Gh") as teams:
        message = activities.message("hjelp", sender=MEMBER)
        assert teams.post(message)[0] == 401
        assert teams.post(message, authorization="Bearer not.a.token")[0] == 401
        assert teams.post(message, authorization="Basic a2FyaTpodW50ZXIy")[0] == 401
        assert teams.connector.sent == []


def test_a_new_contact_is_told_and_can_stop_being_one_with_a_click(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        notice = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and any(a.get("verb") == "privacy_opt_out"
                    for c in s.attachments for a in c["content"].get("actions", []))], timeout=20)[0]
        assert ORGANISATION in _card_texts(notice)
        answer = teams.click(MEMBER, "privacy_opt_out", {}, card_activity_id=notice.activity_id)
        assert ORGANISATION in answer
        # Off the roster: the coordinators' roster no longer names them as its contact.
        status, _ = teams.say(COORDINATOR, "deltakere")
        assert status == 200
        # (The coordinators are also told, by a message of its own: wait for the roster's answer.)
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(COORDINATOR)
            and f"**{ORGANISATION}**: ingen kontaktpersoner ennå" in _card_texts(s)], timeout=20)


def test_a_connector_outage_while_answering_is_retried_and_the_answer_arrives(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        teams.install(MEMBER)
        chat = activities.personal_conversation(MEMBER)
        teams.connector.fail(503, conversation_id=chat, times=2)
        status, _ = teams.say(MEMBER, "hjelp")
        # Acknowledged at once, and nothing lost: the request is stored and tried again.
        assert status == 200
        answered = teams.connector.wait_for(lambda sent: [s for s in sent if s.conversation_id == chat], timeout=60)
        assert len(answered) == 1


def test_a_malformed_command_is_told_how_to_write_it_in_teams(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        teams.install(MEMBER)
        teams.say(MEMBER, "støtt")
        told = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)], timeout=20)[0]
        assert "`støtt <tema-nr>`" in _card_texts(told) and "/dialog" not in _card_texts(told)

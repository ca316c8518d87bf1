"""One process serving a Slack workspace and a Teams tenant over one database: the two never see
each other's data. Through the real endpoints only: signed Slack requests to `/slack/events` with
the fake Slack behind, activities to `/api/messages` with the fake Bot Connector behind.

Topics, meeting numbers, coordinators and channels are each the workspace's own; `/healthz`
reports both platforms.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from fakes.slack import FakeSlack
from fakes.teams import activities
from fakes.teams.connector import FakeConnector, Sent
from handlers.teams.render.common import RSVP_YES
from tests.conftest import CHANNEL
from tests.conftest import COORDINATOR as SLACK_COORDINATOR
from tests.support.harness import MEMBERS, RunningBot, bot_settings, fake_workspace, running_bot
from tests.support.teams import BOT, COORDINATOR, MEMBER, TENANT, TeamsClient

SLACK_MEMBER = MEMBERS[0]
SLACK_TOPIC = "Slackside sykkelveier"
TEAMS_TOPIC = "Teamsside leksehjelp"
SLACK_MEETING = "Slackside dialogmøte"
SLACK_SECOND = "Slackside oppfølging"
TEAMS_MEETING = "Teamsside dialogmøte"
ORGANISATION = "Fjordby Frivilligsentral"
TITLES = (SLACK_TOPIC, TEAMS_TOPIC, SLACK_MEETING, SLACK_SECOND, TEAMS_MEETING)
# The Teams coordinator's id as Slack would carry it, and a Teams person bearing Slack's
# coordinator's id as their object id: neither is anyone in the other workspace.
TEAMS_ID_IN_SLACK = str(COORDINATOR.aad_object_id)
SLACK_ID_IN_TEAMS = activities.user("Slack Koordinator", aad_object_id=SLACK_COORDINATOR)


@contextmanager
def _both(database_url: str) -> Iterator[tuple[RunningBot, FakeSlack, TeamsClient]]:
    """The bot serving the fake Slack workspace and the fake Teams tenant in one process."""
    with fake_workspace() as fake, FakeConnector() as connector:
        settings = bot_settings(database_url, fake, TEAMS_TENANT_ID=TENANT, TEAMS_ANONYMOUS="true",
                                TEAMS_COORDINATORS=TEAMS_ID_IN_SLACK, DIALOG_INVITE_LEAD="14d")
        with running_bot(settings) as bot:
            for person in (COORDINATOR, MEMBER, SLACK_ID_IN_TEAMS):
                connector.add_member(person.id, name=person.name, aad_object_id=str(person.aad_object_id))
            yield bot, fake, TeamsClient(bot, connector)
        assert fake.violations == []


def _texts(sent: Sent) -> str:
    """Everything a Teams activity shows (its text and its cards), as one string."""
    return sent.text + json.dumps(sent.attachments, ensure_ascii=False)


def _weekday_ahead(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Slack:
    """Slash commands as Slack posts them, each answered through its own response URL."""

    def __init__(self, bot: RunningBot, fake: FakeSlack) -> None:
        self.bot = bot
        self.fake = fake
        self._count = 0

    def command(self, text: str, user_id: str) -> str:
        """Run `/dialog text` as `user_id`; the text of the private answer."""
        self._count += 1
        key = f"answer-{self._count}"
        reply = self.bot.slack.slash_command(text, user_id=user_id, response_url=self.fake.response_url(key))
        assert reply.status == 200
        assert self.fake.wait_for(lambda: any(r["key"] == key for r in self.fake.responses), timeout=20)
        [body] = [r["body"] for r in self.fake.responses if r["key"] == key]
        return str(body.get("text")) + json.dumps(body.get("blocks") or [], ensure_ascii=False)


def _teams_answer(teams: TeamsClient, person: activities.Account, text: str) -> str:
    """`person` writes `text` in their chat with the bot; what the bot answered there."""
    before = len(teams.personal(person))
    status, _ = teams.say(person, text)
    assert status == 200
    return _texts(teams.wait_personal(person, before + 1)[-1])


def _set_up_teams(teams: TeamsClient) -> None:
    """The coordinator and a member install the app, the dialogue channel is set up and the member's
    organisation is on the Teams roster."""
    teams.install(COORDINATOR)
    teams.install(MEMBER)
    status, _ = teams.say(COORDINATOR, f"{activities.at(BOT)} setup", scope="channel")
    assert status == 200
    teams.connector.wait_for(lambda sent: [s for s in sent if s.conversation_id.startswith(activities.CHANNEL_ID)])
    added = _teams_answer(teams, COORDINATOR, f'deltakere ny "{ORGANISATION}" fast <@{MEMBER.aad_object_id}>')
    assert ORGANISATION in added


def _slack_everything(fake: FakeSlack) -> str:
    """Every Web API call and response-URL answer the bot made to Slack."""
    calls = [call.params for call in fake.calls]
    return json.dumps([calls, fake.responses], ensure_ascii=False, default=str)


def test_slack_and_teams_in_one_process_never_see_each_others_data(database_url: str) -> None:
    with _both(database_url) as (bot, fake, teams):
        slack = _Slack(bot, fake)
        _set_up_teams(teams)

        # /healthz reports both platforms.
        status, health = bot.get("/healthz")
        assert status == 200 and health["status"] == "ok", health
        assert health["slack"] == "on"
        assert health["teams"]["scheduler"] == "running" and health["teams"]["dialogue_channel"] == "set"

        # A topic each: both are topic 1 of their own workspace, and neither lists the other's.
        assert "number 1" in slack.command(f"propose {SLACK_TOPIC}", SLACK_MEMBER)
        proposed = _teams_answer(teams, MEMBER, f"foreslå {TEAMS_TOPIC}")
        assert TEAMS_TOPIC in proposed and ("number 1" in proposed or "nummer 1" in proposed), proposed
        slack_topics = slack.command("topics", SLACK_MEMBER)
        teams_topics = _teams_answer(teams, MEMBER, "tema")
        assert SLACK_TOPIC in slack_topics and TEAMS_TOPIC not in slack_topics
        assert TEAMS_TOPIC in teams_topics and SLACK_TOPIC not in teams_topics

        # Meetings count per workspace: Slack has 1 and 2, Teams only its own 1.
        slack_first, slack_second = _weekday_ahead(10), _weekday_ahead(12)
        assert f"Meeting 1 ({SLACK_MEETING})" in slack.command(
            f"schedule {slack_first.isoformat()} 10:00 {SLACK_MEETING}", SLACK_COORDINATOR)
        assert f"Meeting 2 ({SLACK_SECOND})" in slack.command(
            f"schedule {slack_second.isoformat()} 10:00 {SLACK_SECOND}", SLACK_COORDINATOR)
        teams_day = _weekday_ahead(11)
        scheduled = _teams_answer(teams, COORDINATOR, f"planlegg {teams_day.isoformat()} 10:00 {TEAMS_MEETING}")
        assert TEAMS_MEETING in scheduled
        slack_meetings = slack.command("meetings", SLACK_MEMBER)
        teams_meetings = _teams_answer(teams, MEMBER, "møter")
        assert SLACK_MEETING in slack_meetings and SLACK_SECOND in slack_meetings
        assert TEAMS_MEETING not in slack_meetings
        assert TEAMS_MEETING in teams_meetings
        assert SLACK_MEETING not in teams_meetings and SLACK_SECOND not in teams_meetings
        # Teams' meeting 1 is its own: a click answers for it, by its own title, as meeting 1.
        invitation = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(MEMBER)
            and TEAMS_MEETING in _texts(s)], timeout=20)[0]
        answer = teams.click(MEMBER, RSVP_YES, {"meeting": 1}, card_activity_id=invitation.activity_id)
        assert f"1 ({TEAMS_MEETING})" in answer and SLACK_MEETING not in answer, answer
        # Slack's meeting 2 is nothing in Teams: the clear "no such meeting" answer.
        missing = teams.click(MEMBER, RSVP_YES, {"meeting": 2})
        assert "2" in missing and SLACK_SECOND not in missing
        assert missing == teams.click(MEMBER, RSVP_YES, {"meeting": 999}).replace("999", "2")

        # Coordinators are each workspace's own.
        refused_in_slack = slack.command(f"schedule {_weekday_ahead(13).isoformat()} 10:00 Ikke tillatt",
                                         TEAMS_ID_IN_SLACK)
        assert "coordinator" in refused_in_slack.lower(), refused_in_slack
        teams.install(SLACK_ID_IN_TEAMS)
        refused_in_teams = _teams_answer(teams, SLACK_ID_IN_TEAMS,
                                         f"planlegg {_weekday_ahead(13).isoformat()} 10:00 Ikke tillatt")
        assert "koordinator" in refused_in_teams.lower(), refused_in_teams
        assert "Ikke tillatt" not in slack.command("meetings", SLACK_MEMBER)
        assert "Ikke tillatt" not in _teams_answer(teams, MEMBER, "møter")

        # Each channel gets its own workspace's announcements, and nothing of the other's.
        assert fake.wait_for(lambda: all(any(title in json.dumps(m, ensure_ascii=False)
                                             for m in fake.messages(CHANNEL))
                                         for title in (SLACK_TOPIC, SLACK_MEETING, SLACK_SECOND)), timeout=20)
        teams.connector.wait_for(lambda sent: all(
            any(title in _texts(s) for s in sent if s.conversation_id.startswith(activities.CHANNEL_ID))
            for title in (TEAMS_TOPIC, TEAMS_MEETING)), timeout=20)
        slack_channel = json.dumps(fake.messages(CHANNEL), ensure_ascii=False)
        teams_channel = "".join(_texts(s) for s in teams.connector.sent
                                if s.conversation_id.startswith(activities.CHANNEL_ID))
        assert TEAMS_TOPIC not in slack_channel and TEAMS_MEETING not in slack_channel
        assert SLACK_TOPIC not in teams_channel and SLACK_MEETING not in teams_channel
        assert SLACK_SECOND not in teams_channel
        # Nor anywhere else: nothing of Teams' reached Slack, nothing of Slack's reached Teams.
        said_to_slack = _slack_everything(fake)
        said_to_teams = "".join(_texts(s) for s in teams.connector.sent)
        assert not any(title in said_to_slack for title in (TEAMS_TOPIC, TEAMS_MEETING))
        assert not any(title in said_to_teams for title in (SLACK_TOPIC, SLACK_MEETING, SLACK_SECOND))
        assert str(COORDINATOR.aad_object_id) not in json.dumps([c.params for c in fake.calls], default=str)

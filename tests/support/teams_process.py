"""The real bot (`python bot.py`) serving the fake Teams tenant alone, as a child process, and a
fake Bot Connector that answers slowly, so a kill lands while activities are taken but unanswered."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from fakes.teams import activities
from fakes.teams.activities import Account
from fakes.teams.connector import FakeConnector
from tests.support.bot_process import BOT, clean_env


class SlowConnector(FakeConnector):
    """The fake Bot Connector, answering each request `delay` seconds after it took (and recorded)
    it, as a busy Connector does; 0 answers at once. A stopped fake lets waiting answers go."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.delay = 0.0

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Any:
        answer = super()._handle(method, raw_path, headers, body)
        # Outside the fake's lock: other requests are taken meanwhile, as the real service takes them.
        if self.delay > 0:
            self._stopping.wait(self.delay)
        return answer


def start_teams_bot(cwd: Path, log: str, *, database_url: str, port: int, coordinator: Account,
                    **values: str) -> subprocess.Popen[bytes]:
    """`python bot.py` serving the fake tenant alone (no Slack setting at all), activities
    unauthenticated on loopback; its output in `cwd/log`; `values` are further settings."""
    env = {key: value for key, value in clean_env().items() if not key.startswith(("TEAMS_", "GRAPH_"))}
    env.update(DATABASE_URL=database_url, HOST="127.0.0.1", PORT=str(port),
               TEAMS_TENANT_ID=activities.TENANT_ID, TEAMS_ANONYMOUS="true",
               TEAMS_COORDINATORS=str(coordinator.aad_object_id), **values)
    with open(cwd / log, "wb") as out:
        return subprocess.Popen([sys.executable, BOT], cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)


def post_activity(bot_url: str, connector: FakeConnector, activity: dict[str, Any]) -> int:
    """POST one activity to the bot's `/api/messages` as the Bot Connector does (with the fake's
    service URL); the status it was answered with."""
    activity = {**activity, "serviceUrl": connector.url}
    request = urllib.request.Request(bot_url + "/api/messages", data=json.dumps(activity).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def install(bot_url: str, connector: FakeConnector, person: Account) -> None:
    """The app installed for `person`: the bot keeps the reference of their chat with it."""
    status = post_activity(bot_url, connector,
                           activities.conversation_update(sender=person, members_added=[activities.bot()]))
    assert status == 200, status

"""Two bot processes against one PostgreSQL database, both sweeping: every message goes out once."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from fakes.slack import SlackRequester
from storage.db import make_engine, make_session_factory
from storage.models import Delivery
from tests.conftest import CHANNEL, COORDINATOR, empty_postgres
from tests.support.bot_process import BOT, clean_env, free_port, wait_healthy
from tests.support.harness import SIGNING_SECRET, fake_workspace

PEOPLE = [f"UREPLICA{n:03d}" for n in range(120)]


def _env(fake, database_url: str, port: int) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=fake.bot_token, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url, PORT=str(port), DIALOG_CHANNEL=CHANNEL, DIALOG_COORDINATORS=COORDINATOR,
    )


def test_two_replicas_never_double_send(tmp_path: Path, postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    empty_postgres(engine)
    roster = tmp_path / "roster.csv"
    lines = ["name,tier,contacts"] + [
        f"Replica Org {n:02d},core,{' '.join(PEOPLE[n * 3:(n + 1) * 3])}" for n in range(40)
    ]
    roster.write_text("\n".join(lines) + "\n")
    with fake_workspace() as fake:
        for user in PEOPLE:
            fake.add_user(user)
        imported = subprocess.run(
            [sys.executable, BOT, "roster", "import", str(roster), "--team", fake.team_id],
            cwd=tmp_path, env=_env(fake, postgres_url, free_port()), capture_output=True, text=True, timeout=60,
        )
        assert imported.returncode == 0, imported.stderr
        fake.set_delay("chat.postMessage", 0.2)  # slow enough that both replicas get a share
        ports = [free_port(), free_port()]
        logs = [open(tmp_path / f"replica{n}.log", "wb") for n in range(2)]
        replicas = [
            subprocess.Popen([sys.executable, BOT], cwd=tmp_path, env=_env(fake, postgres_url, port),
                             stdout=log, stderr=subprocess.STDOUT)
            for port, log in zip(ports, logs, strict=True)
        ]
        try:
            for port, process in zip(ports, replicas, strict=True):
                wait_healthy(f"http://127.0.0.1:{port}", process)
            slack = SlackRequester(f"http://127.0.0.1:{ports[0]}", SIGNING_SECRET, team_id=fake.team_id)
            reply = slack.slash_command("urgent Evacuation of the harbour district", user_id=COORDINATOR,
                                        response_url=fake.response_url("urgent"))
            assert reply.status == 200

            def invitations() -> Counter[str]:
                return Counter(c.params["channel"] for c in fake.calls_to("chat.postMessage")
                               if str(c.params.get("text", "")).startswith("URGENT: Invitation"))

            everyone = [CHANNEL, *PEOPLE]
            assert fake.wait_for(lambda: all(invitations()[d] for d in everyone), timeout=120), invitations()
            # A duplicate would need a second sweep by either replica: give both a few.
            fake.wait_for(lambda: sum(invitations().values()) > len(everyone), timeout=3)
        finally:
            for process in replicas:
                process.send_signal(signal.SIGTERM)
            for process in replicas:
                process.wait(timeout=30)
            for log in logs:
                log.close()
        assert [p.returncode for p in replicas] == [0, 0]
        counts = invitations()
        assert {d: counts[d] for d in everyone} == {d: 1 for d in everyone}
        assert sum(counts.values()) == len(everyone)
        assert fake.violations == []
    with make_session_factory(engine)() as session:
        senders = set(session.scalars(select(Delivery.claimed_by).where(Delivery.kind == "meeting_invitation")))
    engine.dispose()
    assert len(senders) == 2, f"both replicas should have sent a share: {senders}"

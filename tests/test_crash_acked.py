"""Kill -9 right after a burst of acknowledged requests: after the restart, each took effect once.

The real `bot.py` serves signed requests, with a CPU hog on every core beside it; every worker is
kept busy opening a form on a slow Slack, so when the process is killed every acknowledged command
and click is still waiting for its work (a form's own work is done before its acknowledgement). Slack will not send them again (it got its 200s): the restarted bot must find them in its
inbox, do each exactly once, and answer each person once (late, and saying so).
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from fakes.slack import FakeSlack, SlackRequester
from handlers.slack.app import WORK_THREADS
from handlers.slack.parsing import ModalContext
from storage.db import make_engine
from storage.models import Answer, Invitation, Organisation, Topic, TopicSupport
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.bot_process import free_port, start_logged_bot, wait_healthy
from tests.support.db_faults import cpu_hog
from tests.support.harness import SIGNING_SECRET, fake_workspace

PROPOSERS = [f"UPROP{n:04d}" for n in range(8)]
VOTERS = [f"UVOTE{n:04d}" for n in range(4)]
NEW_ORGANISATIONS = [f"Seeded Org {n}" for n in range(3)]
SUPPORTERS = [f"USUPP{n:04d}" for n in range(5)]
FORM_USERS = [f"UFORM{n:04d}" for n in range(3)]
# One per worker thread: each keeps one busy by opening a form while Slack is slow.
HOLDERS = [f"UHOLD{n:04d}" for n in range(WORK_THREADS)]


def _start(tmp_path: Path, fake: FakeSlack, database_url: str, port: int, log: str) -> subprocess.Popen[bytes]:
    return start_logged_bot(tmp_path, log, api_url=fake.api_url, bot_token=fake.bot_token,
                            database_url=database_url, port=port)


def _counts(database_url: str) -> tuple[Counter[str], int, Counter[str], int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            titles = Counter(conn.scalars(select(Topic.title)).all())
            supports = conn.scalar(select(func.count()).select_from(TopicSupport)) or 0
            organisations = Counter(conn.scalars(select(Organisation.name)).all())
            yes = conn.scalar(select(func.count()).select_from(Invitation)
                              .where(Invitation.answer == Answer.YES)) or 0
    finally:
        engine.dispose()
    return titles, supports, organisations, yes


def _announced(fake: FakeSlack) -> Counter[str]:
    return Counter(m["text"] for m in fake.messages(CHANNEL) if "New topic proposed" in m["text"])


def test_sigkill_after_an_acked_burst_loses_nothing_and_doubles_nothing(
        tmp_path: Path, database_url: str) -> None:
    # A busy machine beside it: nothing here may depend on an idle one.
    with cpu_hog(seconds=120), fake_workspace() as fake:
        for user in PROPOSERS + SUPPORTERS + FORM_USERS + VOTERS + HOLDERS:
            fake.add_user(user, locale="en-GB")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        first = _start(tmp_path, fake, database_url, port, "first.log")
        try:
            wait_healthy(url, first)
            slack = SlackRequester(url, SIGNING_SECRET, team_id=fake.team_id)
            slack.slash_command("propose Bike lanes by the schools", user_id=COORDINATOR,
                                response_url=fake.response_url("setup"))
            assert fake.wait_for(lambda: len(_announced(fake)) == 1, timeout=20)
            [announcement] = [m for m in fake.messages(CHANNEL) if "New topic proposed" in m["text"]]
            mentions = " ".join(f"<@{u}>" for u in VOTERS)
            slack.slash_command(f'roster add "Voters Org" core {mentions}', user_id=COORDINATOR,
                                response_url=fake.response_url("setup-roster"))
            assert fake.wait_for(lambda: "setup-roster" in {r["key"] for r in fake.responses}, timeout=20)
            slack.slash_command("urgent Burst drill", user_id=COORDINATOR,
                                response_url=fake.response_url("setup-urgent"))
            assert fake.wait_for(lambda: any("Burst drill" in m["text"] for m in fake.messages(CHANNEL)),
                                 timeout=20)
            [invitation] = [m for m in fake.messages(CHANNEL) if "Burst drill" in m["text"]]

            # Every worker waits on Slack opening a form, so the work of the burst below queues.
            fake.set_delay("views.open", 30.0)
            for n, user in enumerate(HOLDERS):
                assert slack.slash_command("propose", user_id=user,
                                           response_url=fake.response_url(f"hold-{n}")).status == 200
            assert fake.wait_for(lambda: len(fake.calls_to("views.open")) == len(HOLDERS), timeout=20)
            replies = []
            for n, user in enumerate(PROPOSERS):
                replies.append(slack.slash_command(f"propose Burst topic number {n}", user_id=user,
                                                   response_url=fake.response_url(f"propose-{n}")))
            for n, user in enumerate(SUPPORTERS):
                replies.append(slack.block_action("topic_support", "1", user_id=user, message=announcement,
                                                  response_url=fake.response_url(f"support-{n}")))
            for n, user in enumerate(FORM_USERS):
                values = {"title": {"value": {"type": "plain_text_input", "value": f"Form topic {n}"}},
                          "details": {"value": {"type": "plain_text_input", "value": ""}}}
                origin = ModalContext(CHANNEL, fake.response_url(f"form-{n}")).dump()
                replies.append(slack.view_submission("topic_propose", values, user_id=user,
                                                     private_metadata=origin))
            for n, user in enumerate(VOTERS):
                replies.append(slack.block_action("rsvp_yes", "1", user_id=user, message=invitation,
                                                  response_url=fake.response_url(f"rsvp-{n}")))
            for n, name in enumerate(NEW_ORGANISATIONS):
                replies.append(slack.slash_command(f'roster add "{name}" topic', user_id=COORDINATOR,
                                                   response_url=fake.response_url(f"roster-{n}")))
            assert [r.status for r in replies] == [200] * len(replies)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        assert not any(r["key"].startswith(("propose-", "support-")) for r in fake.responses), \
            "the kill must land before the work"

        fake.set_delay("views.open", 0.0)
        second = _start(tmp_path, fake, database_url, port, "second.log")
        try:
            wait_healthy(url, second)
            expected = {f"propose-{n}" for n in range(len(PROPOSERS))} | {
                f"support-{n}" for n in range(len(SUPPORTERS))} | {f"form-{n}" for n in range(len(FORM_USERS))} | {
                f"rsvp-{n}" for n in range(len(VOTERS))} | {f"roster-{n}" for n in range(len(NEW_ORGANISATIONS))}
            assert fake.wait_for(lambda: expected <= {r["key"] for r in fake.responses}, timeout=60), \
                (tmp_path / "second.log").read_text()
            assert fake.wait_for(lambda: len(_announced(fake)) == 1 + len(PROPOSERS) + len(FORM_USERS),
                                 timeout=30)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

        titles, supports, organisations, yes = _counts(database_url)
        assert sorted(titles) == sorted(
            ["Bike lanes by the schools"] + [f"Burst topic number {n}" for n in range(len(PROPOSERS))]
            + [f"Form topic {n}" for n in range(len(FORM_USERS))])
        assert set(titles.values()) == {1}
        assert supports == len(SUPPORTERS)
        assert yes == len(VOTERS)
        assert sorted(organisations) == sorted(["Voters Org", *NEW_ORGANISATIONS])
        assert set(organisations.values()) == {1}
        assert set(_announced(fake).values()) == {1}
        # One answer each, and it says it is late (or that the request went through before).
        answers = Counter(r["key"] for r in fake.responses)
        assert all(answers[key] == 1 for key in expected), answers
        for response in fake.responses:
            if response["key"].startswith("propose-"):
                assert "This answer is late" in json.dumps(response["body"]), response
        # The holders' forms are asked for again after the restart, with their spent triggers (Slack
        # would say expired_trigger_id by then; the fake flags the reuse). Nothing else may be amiss.
        spent = [v for v in fake.violations if v.startswith("views.open:") and "was already used" in v]
        assert len(spent) <= len(HOLDERS)
        assert [v for v in fake.violations if v not in spent] == []

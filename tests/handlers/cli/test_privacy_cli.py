"""`bot.py person export|erase` and `bot.py retention [--dry-run]`, for the data protection officer's
requests: through the services, as a coordinator, erasing only with --yes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot import parse_arguments
from handlers.cli import commands
from handlers.cli.privacy import person_of
from services.clock import ManualClock
from services.container import Services
from services.people import PersonRef
from storage.models import Answer, Tier
from tests.conftest import COORDINATOR
from tests.factories import coordinator, person

ROOT = Path(__file__).resolve().parents[3]


def _run(services: Services, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = commands.run(parse_arguments(list(argv)), services, platform="slack", coordinators=(COORDINATOR,),
                          language="en", out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def _kari(services: Services, clock: ManualClock) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UKARI001", "UOLA0002"])
    services.topics.propose(person("UKARI001"), "Heating costs")
    card = services.meetings.schedule(coordinator(), title="March", starts_at=clock.now() + timedelta(hours=2)).meeting
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))
    services.meetings.rsvp(person("UKARI001"), card.number, Answer.YES)


def test_a_person_is_named_by_platform_and_id_an_id_or_an_address() -> None:
    assert person_of("slack:U012AB3CD", "slack") == PersonRef("slack", "U012AB3CD")
    assert person_of("U012AB3CD", "slack") == PersonRef("slack", "U012AB3CD")
    assert person_of("teams:29:1abc", "slack") == PersonRef("teams", "29:1abc")
    assert person_of("kari@example.org", "slack") == PersonRef("email", "kari@example.org")


def test_export_writes_their_data_as_json_and_nobody_elses(services: Services, clock: ManualClock,
                                                           tmp_path: Path) -> None:
    _kari(services, clock)
    status, out, _ = _run(services, "person", "export", "slack:UKARI001", "--team", "T0DIALOG")
    assert status == 0
    document = json.loads(out)
    assert document["person"]["user_id"] == "UKARI001" and document["topics_proposed"][0]["title"] == "Heating costs"
    assert "UOLA0002" not in out
    target = tmp_path / "kari.json"
    status, out, _ = _run(services, "person", "export", "UKARI001", str(target), "--team", "T0DIALOG")
    assert status == 0 and json.loads(target.read_text())["contact_for"][0]["organisation"] == "Caritas"


def test_erase_says_what_would_go_and_erases_only_with_yes(services: Services, clock: ManualClock) -> None:
    _kari(services, clock)
    status, _, err = _run(services, "person", "erase", "UKARI001", "--team", "T0DIALOG")
    assert status == 1 and "add --yes" in err and "invitations 1" in err
    assert services.privacy.export(coordinator(), PersonRef("slack", "UKARI001"))["contact_for"]
    status, out, _ = _run(services, "person", "erase", "UKARI001", "--yes", "--team", "T0DIALOG")
    assert status == 0 and "records no longer name them" in out
    assert not services.privacy.export(coordinator(), PersonRef("slack", "UKARI001"))["contact_for"]
    # Not a coordinator: refused, nothing erased.
    status, _, err = _run(services, "person", "erase", "UOLA0002", "--yes", "--team", "T0DIALOG", "--as", "UKARI001")
    assert status == 1 and "Only coordinators" in err
    assert services.privacy.export(coordinator(), PersonRef("slack", "UOLA0002"))["contact_for"]


def test_retention_from_the_shell(tmp_path: Path, database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIALOG_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, DIALOG_RETENTION="12mo")
    done = subprocess.run([sys.executable, str(ROOT / "bot.py"), "retention", "--dry-run"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 answers would be made anonymous" in done.stdout

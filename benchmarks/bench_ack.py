"""1. Ack latency of `/dialog topics` and of an RSVP click under 20 concurrent clients.

The bot (`python bot.py`) and the baseline no-op Bolt app get the same signed requests from the
same load generator; the ratio of their latency percentiles is the result. The fake Slack does not
enforce rate limits here: this measures the HTTP path, and a listener's work after `ack()`
competes with the next requests for the same process, as it does in production.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.common import (
    CHANNEL,
    COORDINATOR,
    MEMBERS,
    Chat,
    Report,
    Result,
    Sample,
    Server,
    contact_ids,
    database,
    latency_summary,
    load,
    ms,
    note_violations,
    start_bot,
    start_noop,
    wait_for,
    wait_settled,
    workspace,
)

TARGET = 1.5
ORGANISATIONS, PER_ORGANISATION = 40, 5
TOPICS = 10
WARMUP = 60


def _specs(kind: str, fake, count: int, contacts: list[str], post: dict | None, tag: str) -> list[tuple]:
    if kind == "topics":
        return [("command", "topics", MEMBERS[n % len(MEMBERS)], fake.response_url(f"{tag}:{n}"))
                for n in range(count)]
    value = _button_value(post)
    return [("action", "rsvp_yes", value, contacts[n % len(contacts)], post, fake.response_url(f"{tag}:{n}"))
            for n in range(count)]


def _button_value(post: dict | None) -> str:
    for block in (post or {}).get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == "rsvp_yes":
                return str(element["value"])
    raise RuntimeError("the meeting post has no rsvp_yes button")


def _measure(server: Server, kind: str, fake, requests: int, contacts: list[str], post: dict | None,
             concurrency: int) -> tuple[list[Sample], float | None, float]:
    """Warm the server up, send `requests` of `kind`, and wait until the listeners' work after the
    acks is done too. Returns the samples, that wait, and the server's CPU seconds per request."""
    who = server.name
    warmup = _specs(kind, fake, WARMUP, contacts, post, f"{who}-warm-{kind}")
    load(server.url, warmup, concurrency=concurrency)
    if who == "bot":
        _drain(fake, f"{who}-warm-{kind}", WARMUP)
    cpu = server.cpu_seconds()
    samples = load(server.url, _specs(kind, fake, requests, contacts, post, f"{who}-{kind}"),
                   concurrency=concurrency)
    drained = _drain(fake, f"{who}-{kind}", requests) if who == "bot" else 0.0
    return samples, drained, (server.cpu_seconds() - cpu) / requests


def _drain(fake, tag: str, count: int, timeout: float = 120.0) -> float | None:
    """Seconds until every listener has answered (its work after ack), or None on timeout."""
    started = time.monotonic()

    def answered() -> bool:
        return sum(1 for r in fake.responses if r["key"].startswith(tag + ":")) >= count

    return time.monotonic() - started if wait_for(answered, timeout, interval=0.25) else None


def run(backend: str, workdir: Path, *, requests: int = 2000, concurrency: int = 20) -> Report:
    report = Report(1, "Ack latency under 20 concurrent clients", backend)
    contacts = contact_ids(ORGANISATIONS * PER_ORGANISATION, "A")
    fake = workspace(contacts)
    measured: dict[tuple[str, str], list[Sample]] = {}
    drained: dict[str, float | None] = {}
    cpu: dict[tuple[str, str], float] = {}
    post: dict | None = None
    try:
        with database(backend, workdir, "ack") as url:
            bot = start_bot(workdir, fake, url)
            try:
                chat = Chat(bot.url, fake)
                chat.add_core_organisations("Ack Org", contacts, PER_ORGANISATION)
                for n in range(TOPICS):
                    chat.say(MEMBERS[n % len(MEMBERS)], f"propose Ack benchmark topic {n} | details {n}")
                starts = datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(hours=2)
                chat.say(COORDINATOR, f"schedule {starts:%Y-%m-%d %H:%M} Ack benchmark meeting")
                everyone = [fake.dm_channel_id(u) for u in contacts]

                def delivered() -> bool:
                    counts = fake.message_counts()
                    return counts.get(CHANNEL, 0) >= TOPICS + 1 and all(counts.get(d, 0) for d in everyone)

                if not wait_for(delivered, 120, 0.2):
                    raise RuntimeError("the invitations did not all go out")
                wait_settled(url)
                post = next(m for m in fake.messages(CHANNEL) if "rsvp_yes" in str(m["blocks"]))
                for kind in ("topics", "rsvp"):
                    measured[("bot", kind)], drained[kind], cpu[("bot", kind)] = _measure(
                        bot, kind, fake, requests, contacts, post, concurrency)
            finally:
                bot.stop()
            noop = start_noop(workdir, fake)
            try:
                for kind in ("topics", "rsvp"):
                    measured[("noop", kind)], _, cpu[("noop", kind)] = _measure(
                        noop, kind, fake, requests, contacts, post, concurrency)
            finally:
                noop.stop()
        names = {"topics": "`/dialog topics`", "rsvp": "RSVP click (`rsvp_yes`)"}
        for kind in ("topics", "rsvp"):
            b50, b99, brate, bbad = latency_summary(measured[("bot", kind)])
            n50, n99, nrate, nbad = latency_summary(measured[("noop", kind)])
            for label, bot_value, base_value in (("p50", b50, n50), ("p99", b99, n99)):
                ratio = bot_value / base_value if base_value > 0 else None
                report.results.append(Result(
                    f"{names[kind]} ack {label}", ms(bot_value), ms(base_value), ratio, f"≤ {TARGET}",
                    ratio is not None and ratio <= TARGET and bbad == 0,
                ))
            drain = drained.get(kind)
            report.details.append(
                f"{names[kind]}: {requests} requests, {concurrency} clients; bot {brate:.0f} req/s "
                f"({bbad} not 200), baseline {nrate:.0f} req/s ({nbad} not 200); the bot's listeners "
                + (f"finished their work {drain:.1f} s after the last ack" if drain is not None
                   else "had not all answered 120 s after the last ack")
                + f". Server CPU per request (user + system, all threads, work after the ack "
                f"included): bot {ms(cpu[('bot', kind)])}, baseline {ms(cpu[('noop', kind)])}."
            )
    finally:
        fake.stop()
        note_violations(report, fake)
    return report

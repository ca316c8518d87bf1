"""1. Ack latency of `/dialog topics` and of an RSVP click: open loop, and a saturation run.

The bot (`python bot.py`) and the baseline no-op Bolt app get the same signed requests from the
same load generator. The result is the *open-loop* latency: requests arrive at a steady
100 a second for 20 s whatever the answers (as Slack's users do), and the ratio of the bot's p50
and p99 to the no-op app's under the same arrivals is the target. The saturation run (20 clients
sending back to back) is kept as a throughput figure: requests a second and server CPU per request,
bot ÷ no-op. The fake Slack does not enforce rate limits here: this measures the HTTP path, and a
listener's work after `ack()` competes with the next requests for the same process, as it does in
production.
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
RATE, SECONDS = 100, 20  # the open loop: requests a second, for how long
OPEN_CLIENTS = 64  # enough that a request leaves on time even while earlier ones wait
SATURATION_REQUESTS = 1000


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
             concurrency: int, *, tag: str = "", offsets: list[float] | None = None
             ) -> tuple[list[Sample], float | None, float]:
    """Warm the server up, send `requests` of `kind` (back to back, or at `offsets`: open loop),
    and wait until the listeners' work after the acks is done too. Returns the samples, that wait,
    and the server's CPU seconds per request."""
    who = server.name
    warmup = _specs(kind, fake, WARMUP, contacts, post, f"{who}-warm{tag}-{kind}")
    load(server.url, warmup, concurrency=min(concurrency, 20))
    if who == "bot":
        _drain(fake, f"{who}-warm{tag}-{kind}", WARMUP)
    cpu = server.cpu_seconds()
    samples = load(server.url, _specs(kind, fake, requests, contacts, post, f"{who}{tag}-{kind}"),
                   concurrency=concurrency, offsets=offsets)
    drained = _drain(fake, f"{who}{tag}-{kind}", requests) if who == "bot" else 0.0
    return samples, drained, (server.cpu_seconds() - cpu) / requests


def _drain(fake, tag: str, count: int, timeout: float = 120.0) -> float | None:
    """Seconds until every listener has answered (its work after ack), or None on timeout."""
    started = time.monotonic()

    def answered() -> bool:
        return sum(1 for r in fake.responses if r["key"].startswith(tag + ":")) >= count

    return time.monotonic() - started if wait_for(answered, timeout, interval=0.25) else None


def run(backend: str, workdir: Path, *, requests: int = SATURATION_REQUESTS, concurrency: int = 20) -> Report:
    report = Report(1, "Ack latency: open loop at 100 requests/s, and a saturation run", backend)
    arrivals = [n / RATE for n in range(RATE * SECONDS)]
    opened: dict[tuple[str, str], list[Sample]] = {}
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
                    opened[("bot", kind)], drained[f"open-{kind}"], _ = _measure(
                        bot, kind, fake, len(arrivals), contacts, post, OPEN_CLIENTS, tag="-open",
                        offsets=arrivals)
                    measured[("bot", kind)], drained[kind], cpu[("bot", kind)] = _measure(
                        bot, kind, fake, requests, contacts, post, concurrency)
            finally:
                bot.stop()
            noop = start_noop(workdir, fake)
            try:
                for kind in ("topics", "rsvp"):
                    opened[("noop", kind)], _, _ = _measure(
                        noop, kind, fake, len(arrivals), contacts, post, OPEN_CLIENTS, tag="-open",
                        offsets=arrivals)
                    measured[("noop", kind)], _, cpu[("noop", kind)] = _measure(
                        noop, kind, fake, requests, contacts, post, concurrency)
            finally:
                noop.stop()
        names = {"topics": "`/dialog topics`", "rsvp": "RSVP click (`rsvp_yes`)"}
        for kind in ("topics", "rsvp"):
            o50, o99, _, obad = latency_summary(opened[("bot", kind)])
            p50, p99, _, pbad = latency_summary(opened[("noop", kind)])
            for label, bot_value, base_value in (("p50", o50, p50), ("p99", o99, p99)):
                ratio = bot_value / base_value if base_value > 0 else None
                report.results.append(Result(
                    f"{names[kind]} ack {label}, open loop {RATE}/s", ms(bot_value), ms(base_value), ratio,
                    f"≤ {TARGET}", ratio is not None and ratio <= TARGET and obad == 0,
                ))
            b50, b99, brate, bbad = latency_summary(measured[("bot", kind)])
            n50, n99, nrate, nbad = latency_summary(measured[("noop", kind)])
            report.results.append(Result(
                f"{names[kind]} saturation throughput", f"{brate:.0f} req/s", f"{nrate:.0f} req/s",
                brate / nrate if nrate > 0 else None, "– (a figure)", None,
            ))
            report.results.append(Result(
                f"{names[kind]} server CPU per request", ms(cpu[("bot", kind)]), ms(cpu[("noop", kind)]),
                cpu[("bot", kind)] / cpu[("noop", kind)] if cpu[("noop", kind)] > 0 else None,
                "– (a figure)", None,
            ))
            open_drain = drained.get(f"open-{kind}")
            report.details.append(
                f"{names[kind]}, open loop: {len(arrivals)} requests at {RATE}/s for {SECONDS} s "
                f"({OPEN_CLIENTS} clients so each leaves on time); bot p50 {ms(o50)}, p99 {ms(o99)}, "
                f"{obad} not 200; no-op p50 {ms(p50)}, p99 {ms(p99)}, {pbad} not 200; the bot's listeners "
                + (f"finished their work {open_drain:.1f} s after the last ack." if open_drain is not None
                   else "had not all answered 120 s after the last ack.")
            )
            drain = drained.get(kind)
            report.details.append(
                f"{names[kind]}, saturation: {requests} requests, {concurrency} clients back to back; "
                f"p50 {ms(b50)} vs {ms(n50)}, p99 {ms(b99)} vs {ms(n99)}; bot {brate:.0f} req/s "
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

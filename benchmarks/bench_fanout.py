"""2. Urgent fan-out to 300 contacts in 100 organisations, against Slack's rate limits.

Time from sending `/dialog urgent <title>` to the last invitation DM stored by the fake Slack
(enforcing Slack's published limits), against a bare slack_sdk loop that posts the same 301
messages (channel post and 300 DMs, same content) sequentially to the same fake with the same
limits, sleeping `Retry-After` on each 429 (slack_sdk's RateLimitErrorRetryHandler). Also: any
recipient with more than one invitation (duplicate) or none (loss).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from benchmarks.common import (
    CHANNEL,
    COORDINATOR,
    Chat,
    Report,
    Result,
    contact_ids,
    count_log,
    database,
    in_subprocess,
    note_violations,
    payloads_of,
    post_loop,
    start_bot,
    wait_for,
    wait_settled,
    workspace,
)

TARGET = 1.25
ORGANISATIONS, PER_ORGANISATION = 100, 3
TITLE = "Flood response coordination"


def _first_ts(fake, channel: str) -> float | None:
    messages = fake.messages(channel)
    return float(messages[0]["ts"]) if messages else None


def run(backend: str, workdir: Path) -> Report:
    report = Report(2, "Urgent fan-out to 300 contacts in 100 organisations (rate-limited)", backend)
    contacts = contact_ids(ORGANISATIONS * PER_ORGANISATION, "F")
    dms = [f"D{u}" for u in contacts]
    fake = workspace(contacts)
    try:
        with database(backend, workdir, "fanout") as url:
            bot = start_bot(workdir, fake, url)
            try:
                chat = Chat(bot.url, fake)
                chat.say(COORDINATOR, "help")  # the listener path and the coordinator's language are warm
                chat.add_core_organisations("Fan-out Org", contacts, PER_ORGANISATION)
                calls_before = Counter(c.method for c in fake.calls)
                fake.set_rate_limits(True)
                started = time.time()
                chat.send(COORDINATOR, f"urgent {TITLE}")

                def arrived() -> bool:
                    counts = fake.message_counts()
                    return counts.get(CHANNEL, 0) >= 1 and all(counts.get(d, 0) for d in dms)

                complete = wait_for(arrived, timeout=240, interval=0.05)
                wait_settled(url, timeout=60)
                time.sleep(3)  # a would-be duplicate gets every chance (the sweep runs each second)
                firsts = [_first_ts(fake, d) for d in dms]
                arrivals = [t for t in firsts if t is not None]
                bot_seconds = max(arrivals) - started if complete else None
                per_recipient = fake.message_counts()
                duplicates = sum(1 for d in dms if per_recipient.get(d, 0) > 1)
                losses = sum(1 for d in dms if per_recipient.get(d, 0) == 0)
                channel_posts = per_recipient.get(CHANNEL, 0)
                limited = fake.rate_limited_counts()
                calls = Counter(c.method for c in fake.calls) - calls_before
                pauses = count_log(bot, "rate limited: sending paused")
                locale_misses = count_log(bot, "could not look up the locale")
                sent = sorted([m for d in dms for m in fake.messages(d)] + fake.messages(CHANNEL),
                              key=lambda m: float(m["ts"]))
                payloads = payloads_of([m for m in sent if m["channel"] == CHANNEL][:1]
                                       + [m for m in sent if m["channel"] != CHANNEL])
            finally:
                bot.stop()
        # The baseline: the same messages, the same limits, a fresh set of buckets.
        fake.set_rate_limits(False)
        fake.reset()
        fake.set_rate_limits(True)
        timing = in_subprocess(post_loop, fake.api_url, fake.bot_token, payloads, True)
        base_arrivals = [_first_ts(fake, d) for d in dms]
        base_seconds = max(t for t in base_arrivals if t is not None) - timing["started"]
        base_limited = fake.rate_limited_counts()

        ratio = bot_seconds / base_seconds if bot_seconds is not None and base_seconds > 0 else None
        report.results.append(Result(
            "time to the last of 300 DMs", f"{bot_seconds:.1f} s" if bot_seconds is not None else "timeout",
            f"{base_seconds:.1f} s", ratio, f"≤ {TARGET}", ratio is not None and ratio <= TARGET,
        ))
        report.results.append(Result("recipients with > 1 invitation (duplicates)", str(duplicates), "0",
                                     None, "0", duplicates == 0))
        report.results.append(Result("recipients with no invitation (losses)", str(losses), "0",
                                     None, "0", losses == 0))
        report.details.append(
            f"Bot: {sum(calls.values())} Web API calls ({_fmt(dict(calls))}); "
            f"429s served: {_fmt(limited)}; sending paused after a 429 {pauses} times; "
            f"{locale_misses} readers' language lookups failed (default language used); "
            f"{channel_posts} channel post(s)."
        )
        report.details.append(
            f"Baseline: {len(payloads)} posts; 429s served: {_fmt(base_limited)}."
        )
        report.details.append(
            "chat.postMessage limits in the fake: 1/s per channel (burst 3) and 300/min per workspace "
            "(burst 100); users.info Tier 4 (100/min), chat.update Tier 3 (50/min)."
        )
    finally:
        fake.stop()
        note_violations(report, fake)
    return report


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{m} {n}" for m, n in sorted(counts.items())) or "none"

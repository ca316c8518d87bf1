"""2. Urgent fan-out to 3,000 contacts in 1,000 organisations, against Slack's rate limits.

The roster is loaded with `bot.py roster import`. Measured: the acknowledgement of
`/dialog urgent <title>` (the use case plans 3,000 invitations before the ack: Slack's limit is
3 s), and the time from sending it to the last of the 3,000 invitation DMs stored by the fake
Slack (enforcing Slack's published limits). The baseline is a bare slack_sdk loop posting the
same messages (the channel post and an invitation to each DM, with the bot's own text, blocks and
metadata) one after another, sleeping `Retry-After` on each 429 (slack_sdk's
RateLimitErrorRetryHandler), to a second fake Slack with the same limits. The two run side by
side in the same run: each fake has its own buckets, and sending at Slack's limit takes about ten
minutes either way. Also: recipients with more than one invitation (duplicates) or none (losses).
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
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
    import_roster,
    note_violations,
    payloads_of,
    post_loop,
    start_bot,
    wait_for,
    wait_settled,
    workspace,
)

TARGET = 1.1
ACK_TARGET_SECONDS = 3.0
ORGANISATIONS, PER_ORGANISATION = 1000, 3
TITLE = "Flood response coordination"
TIMEOUT = 1500.0


def _first_ts(fake, channel: str) -> float | None:
    messages = fake.messages(channel)
    return float(messages[0]["ts"]) if messages else None


def run(backend: str, workdir: Path) -> Report:
    people = ORGANISATIONS * PER_ORGANISATION
    report = Report(2, f"Urgent fan-out to {people} contacts in {ORGANISATIONS} organisations "
                       "(rate-limited)", backend)
    contacts = contact_ids(people, "F")
    fake = workspace(contacts)
    base_fake = workspace(contacts)
    dms = [fake.dm_channel_id(u) for u in contacts]
    try:
        with database(backend, workdir, "fanout") as url:
            bot = start_bot(workdir, fake, url)
            try:
                chat = Chat(bot.url, fake)
                chat.say(COORDINATOR, "help")  # the listener path and the coordinator's language are warm
                import_roster(workdir, url, "Fan-out Org", contacts, PER_ORGANISATION)
                calls_before = Counter(c.method for c in fake.calls)
                fake.set_rate_limits(True)
                base_fake.set_rate_limits(True)
                started = time.time()
                reply = chat.slack.slash_command(f"urgent {TITLE}", user_id=COORDINATOR,
                                                 response_url=fake.response_url("urgent"))
                ack_seconds = time.time() - started
                # The baseline posts what the bot posts: its first invitation DM, to everyone.
                if not wait_for(lambda: any(fake.messages(d) for d in dms[:50]) and fake.messages(CHANNEL),
                                timeout=120, interval=0.1):
                    raise RuntimeError("the bot sent no invitation")
                template = next(fake.messages(d)[0] for d in dms[:50] if fake.messages(d))
                payloads = payloads_of(fake.messages(CHANNEL)[:1]) + [
                    {**payloads_of([template])[0], "channel": base_fake.dm_channel_id(u)} for u in contacts
                ]
                with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
                    baseline = pool.submit(post_loop, base_fake.api_url, base_fake.bot_token, payloads, True)

                    def arrived() -> bool:
                        counts = fake.message_counts()
                        return counts.get(CHANNEL, 0) >= 1 and all(counts.get(d, 0) for d in dms)

                    complete = wait_for(arrived, timeout=TIMEOUT, interval=0.5)
                    timing = baseline.result(timeout=TIMEOUT)
                wait_settled(url, timeout=60)
                time.sleep(3)  # a would-be duplicate gets every chance (the sweep runs each second)
                arrivals = [t for t in (_first_ts(fake, d) for d in dms) if t is not None]
                bot_seconds = max(arrivals) - started if complete else None
                per_recipient = fake.message_counts()
                duplicates = sum(1 for d in dms if per_recipient.get(d, 0) > 1)
                losses = sum(1 for d in dms if per_recipient.get(d, 0) == 0)
                channel_posts = per_recipient.get(CHANNEL, 0)
                limited = fake.rate_limited_counts()
                calls = Counter(c.method for c in fake.calls) - calls_before
                pauses = count_log(bot, "rate limited: sending paused")
            finally:
                bot.stop()
        base_arrivals = [_first_ts(base_fake, base_fake.dm_channel_id(u)) for u in contacts]
        base_seconds = max(t for t in base_arrivals if t is not None) - timing["started"]
        base_limited = base_fake.rate_limited_counts()

        report.results.append(Result(
            f"`/dialog urgent` ack (plans {people:,} invitations first)", f"{ack_seconds:.2f} s",
            f"HTTP {reply.status}", None, f"< {ACK_TARGET_SECONDS:g} s",
            reply.status == 200 and ack_seconds < ACK_TARGET_SECONDS,
        ))
        ratio = bot_seconds / base_seconds if bot_seconds is not None and base_seconds > 0 else None
        report.results.append(Result(
            f"time to the last of {people} DMs",
            f"{bot_seconds:.1f} s" if bot_seconds is not None else "timeout",
            f"{base_seconds:.1f} s", ratio, f"≤ {TARGET}", ratio is not None and ratio <= TARGET,
        ))
        report.results.append(Result("recipients with > 1 invitation (duplicates)", str(duplicates), "0",
                                     None, "0", duplicates == 0))
        report.results.append(Result("recipients with no invitation (losses)", str(losses), "0",
                                     None, "0", losses == 0))
        report.details.append(
            f"Bot: {sum(calls.values())} Web API calls ({_fmt(dict(calls))}); "
            f"429s served: {_fmt(limited)}; sending paused after a 429 {pauses} times; "
            f"{channel_posts} channel post(s)."
        )
        report.details.append(
            f"Baseline (side by side, its own fake Slack): {len(payloads)} posts; "
            f"429s served: {_fmt(base_limited)}."
        )
        report.details.append(
            "chat.postMessage limits in each fake: 1/s per channel (burst 3) and 300/min per workspace "
            "(burst 100); chat.update Tier 3 (50/min)."
        )
    finally:
        fake.stop()
        base_fake.stop()
        note_violations(report, fake)
    return report


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{m} {n}" for m, n in sorted(counts.items())) or "none"

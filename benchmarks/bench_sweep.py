"""4. Sweep lag: how long a delivery waits between falling due and being sent.

A meeting is scheduled whose invitations are due at once: a channel post and a DM to each of 50
contacts, all due at the same moment and the sweep woken. The lag of each is `sent_at - due_at`
from the deliveries table (both stamped by the bot's clock). The baseline is a bare slack_sdk
loop posting the same 51 messages one after another to the same fake: its per-message time is
what sending alone costs. Slack's rate limits are enforced for both (51 posts fit the
workspace's burst, and the bot paces each channel to Slack's 1 a second itself, so 50
announcements to one channel would measure that pacing, not the sweep).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

from benchmarks.common import (
    CHANNEL,
    COORDINATOR,
    Chat,
    Report,
    Result,
    contact_ids,
    database,
    deliveries,
    in_subprocess,
    note_violations,
    payloads_of,
    percentile,
    post_loop,
    start_bot,
    wait_for,
    wait_settled,
    workspace,
)

CONTACTS, PER_ORGANISATION = 50, 5
TARGET_SECONDS = 2.0


def run(backend: str, workdir: Path) -> Report:
    report = Report(4, f"Sweep lag: {CONTACTS + 1} invitations due at once (rate-limited)", backend)
    contacts = contact_ids(CONTACTS, "S")
    fake = workspace(contacts)
    try:
        with database(backend, workdir, "sweep") as url:
            bot = start_bot(workdir, fake, url)
            try:
                chat = Chat(bot.url, fake)
                chat.add_core_organisations("Sweep Org", contacts, PER_ORGANISATION)
                fake.set_rate_limits(True)
                starts = datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(hours=2)
                chat.send(COORDINATOR, f"schedule {starts:%Y-%m-%d %H:%M} Sweep benchmark meeting")
                dms = [fake.dm_channel_id(u) for u in contacts]

                def delivered() -> bool:
                    counts = fake.message_counts()
                    return counts.get(CHANNEL, 0) >= 1 and all(counts.get(d, 0) for d in dms)

                if not wait_for(delivered, 60, 0.05):
                    raise RuntimeError("not every invitation went out")
                wait_settled(url)
                rows = [r for r in deliveries(url) if r.kind == "meeting_invitation"]
                payloads = payloads_of(fake.messages(CHANNEL) + [fake.messages(d)[0] for d in dms])
                limited = fake.rate_limited_counts()
            finally:
                bot.stop()
        lags = [(r.sent_at - r.due_at).total_seconds() for r in rows if r.sent_at is not None]
        fake.reset()  # fresh buckets, limits still enforced
        timing = in_subprocess(post_loop, fake.api_url, fake.bot_token, payloads, True)
        per_message = (timing["done"][-1] - timing["started"]) / len(payloads)
        base_lags = [done - timing["started"] for done in timing["done"]]

        lag = median(lags)
        report.results.append(Result(
            "median lag from due to sent", f"{lag:.2f} s", f"{per_message * 1000:.1f} ms per post",
            lag / per_message, f"median ≤ {TARGET_SECONDS:.0f} s", lag <= TARGET_SECONDS,
        ))
        report.details.append(
            f"Bot lag over {len(lags)} invitations: median {lag:.2f} s, p90 {percentile(lags, 90):.2f} s, "
            f"max {max(lags):.2f} s. The baseline loop, all {len(payloads)} due at its start, has a median "
            f"lag of {median(base_lags):.2f} s (max {max(base_lags):.2f} s); ratio of medians "
            f"{lag / median(base_lags):.1f}. The ratio column is the bot's median lag over the baseline's "
            f"time per post. 429s served to the bot: {limited or 'none'}; to the baseline: "
            f"{fake.rate_limited_counts() or 'none'}."
        )
    finally:
        fake.stop()
        note_violations(report, fake)
    return report

"""The browser sandbox: a local Slack-like workspace in which the real bot runs (launcher.py).

Only these constants are here, so the command line can name the sandbox's defaults without
importing the sandbox (and the fake Slack behind it) when it runs a real bot.
"""

SANDBOX_DATABASE_URL = "sqlite:///dialogbot-sandbox.sqlite3"
"""The sandbox's own database: its fictional workspace never shares a database (and so a
delivery sweep) with a real one."""

LOOPBACK = ("127.0.0.1", "localhost", "::1")
"""Hosts only this machine can reach: the sandbox has no sign-in."""

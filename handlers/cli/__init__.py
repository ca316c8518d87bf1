"""Command-line use of the services through `bot.py` (bulk roster work)."""

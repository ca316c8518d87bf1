"""Chat platforms: how the bot looks and listens on each. Only bot.py imports this package."""

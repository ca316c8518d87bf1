"""Microsoft Teams: activities from the Bot Connector, Adaptive Cards, and the Teams Notifier."""

PLATFORM = "teams"

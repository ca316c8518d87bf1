"""Slack: Bolt listeners, payload parsing, Block Kit builders and the Slack Notifier."""

PLATFORM = "slack"

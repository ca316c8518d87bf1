"""Local stand-ins for the platforms Dialogbot talks to (a fake Slack Web API)."""

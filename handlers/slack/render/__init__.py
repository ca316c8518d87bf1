"""Block Kit renderers, by subject: pure functions from plain data (and a translator) to Slack
messages, views and forms.

User text is escaped here, at the last step before Slack, and nowhere else.
"""

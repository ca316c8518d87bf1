"""A fake of the Bot Framework Connector that Teams bots talk to, served over real HTTP on loopback,
and builders of the activities Teams posts to a bot.

* ``connector.py``: :class:`FakeConnector`, the Connector's REST API (``/v3/conversations/...``):
  sends, replies, updates, new conversations and member look-ups, recorded for tests, with
  failures to inject (429 with ``Retry-After``, 403 with Bot Framework error codes, 401, 500, a
  lost answer, a stalled answer), an optional bearer token and Teams' per-conversation limits.
* ``activities.py``: incoming activities in Teams' own shape (messages with ``<at>`` mentions,
  ``adaptiveCard/action`` and task module invokes, ``conversationUpdate``,
  ``installationUpdate``); ``payloads/`` holds examples in the shape Microsoft documents, which
  the builders are checked against.

The fake imports only the standard library: it fakes the platform, not the bot's idea of it.
"""

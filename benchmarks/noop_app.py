"""The baseline server: a Bolt app whose listeners only acknowledge, on the bot's own HTTP stack.

The same Flask app (`handlers.slack.server.create_web_app`), the same waitress server with the
same thread count (`make_server`'s default, as `bot.py` uses), the same Web API client and
signature checks. The listeners acknowledge in the request's own thread
(`process_before_response=True`) and do nothing else: the least work Bolt can do to answer Slack,
whatever the bot chooses. Configured from the environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET,
SLACK_API_URL, PORT.
"""

from __future__ import annotations

import logging
import os
import re
import signal
from typing import Any

from slack_bolt import Ack, App

from handlers.slack.app import make_client
from handlers.slack.server import create_web_app, make_server, stop_server


def build() -> App:
    client = make_client(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"], retries=True)
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              process_before_response=True, logger=logging.getLogger("noop.bolt"))

    @app.command("/dialog")
    def command(ack: Ack) -> None:
        ack()

    @app.action(re.compile(r"^rsvp_(yes|no|maybe)$"))
    def answer(ack: Ack) -> None:
        ack()

    return app


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    web = create_web_app(build(), lambda: {"status": "ok"})
    server = make_server(web, "127.0.0.1", int(os.environ["PORT"]))

    def stop(_signum: int, _frame: Any) -> None:
        stop_server(server)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.run()


if __name__ == "__main__":
    main()

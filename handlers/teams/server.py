"""Teams' activities at POST /api/messages on the bot's HTTP server: the token checked first (401),
the JSON read as an Activity (400), then handed to the bot; invokes are answered with their body."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from microsoft_agents.activity import Activity
from pydantic import ValidationError

from handlers.teams.auth import Gate, KeysUnavailable, Unauthorized
from handlers.teams.bot import TeamsBot

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
# The Bot Connector's activities are small; a card's submitted data a few kilobytes.
MAX_ACTIVITY_BYTES = 256 * 1024


def register(web: Flask, bot: TeamsBot, gate: Gate) -> None:
    """Add POST /api/messages to `web` (the bot's Flask app)."""

    @web.post(MESSAGES_PATH)
    def teams_messages() -> Any:
        try:
            caller = gate.check(request.headers.get("Authorization"))
        except Unauthorized as refusal:
            log.info("refused a request to %s: %s", MESSAGES_PATH, refusal)
            return _error(401, "Unauthorized")
        except KeysUnavailable:
            response = _error(503, "Cannot check the token just now")
            response.headers["Retry-After"] = "5"
            return response
        if (request.content_length or 0) > MAX_ACTIVITY_BYTES:
            return _error(413, "Activity too large")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error(400, "The body must be a JSON activity")
        try:
            activity = Activity.model_validate(body)
        except ValidationError:
            return _error(400, "Not an activity")
        if not activity.conversation or not activity.conversation.id:
            return _error(400, "The activity has no conversation")
        if not caller.vouches_for(activity.service_url):
            # A token issued for one service URL must not send the bot's answers to another.
            log.warning("refused an activity whose service URL its token does not name")
            return _error(401, "Unauthorized")
        answer = bot.receive(activity, body)
        if answer.body is None:
            return Response(status=answer.status)
        return jsonify(answer.body), answer.status


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response

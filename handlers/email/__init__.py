"""E-mail: people outside the chat workspace, reached at their address (SMTP), who answer and take
part through the bot's own pages under /p/ (signed links, no login)."""

from services.people import EMAIL

PLATFORM = EMAIL

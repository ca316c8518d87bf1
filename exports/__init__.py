"""Documents made from the services' plain records, for any platform and the command line: the
minutes as PDF/A and DOCX for a municipality's case archive. Presentation, like handlers/, but of
no platform: handlers (Slack's download link, `bot.py minutes export`) import it; it imports only
the services' records and translations, never storage or a platform."""

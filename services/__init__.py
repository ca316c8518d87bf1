"""The domain: use cases and rules, platform-neutral. Never imports a chat platform's SDK."""

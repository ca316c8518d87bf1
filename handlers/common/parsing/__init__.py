"""The command grammar: text as people type it to the bot becomes a `Command`, or InvalidInput
with a usage hint. Platforms write mentions as `<@id>` or `<@id|name>` before parsing."""

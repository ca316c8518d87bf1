"""What every chat platform shares: the `/dialog` command grammar (`parsing/`), read the same in
Slack and in Teams."""

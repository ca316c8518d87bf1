"""APScheduler setup and the thin jobs that call services."""

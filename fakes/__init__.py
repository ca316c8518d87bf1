"""Test doubles of the platforms Dialogbot talks to, for tests, benchmarks and the sandbox only."""

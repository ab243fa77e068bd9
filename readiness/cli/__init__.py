"""The `readiness` command line: one click group and its commands."""

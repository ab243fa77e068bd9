"""CLI commands that need the web app and its database (serve, demo, users, assessments)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the web commands to the `readiness` group."""

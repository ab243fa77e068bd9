"""CLI commands that render PDF reports (roadmap, reports build)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the report commands to the `readiness` group."""

"""CLI commands for national coordinators (national-scale demo data, exports)."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the national commands to the `readiness` group."""

"""The `readiness` command line: one click group, its commands registered from their modules.

`offline` needs no server or database; `web`, `reports` and `national` build the app through
`readiness.cli.app` and import heavy libraries only when a command runs.
"""

from __future__ import annotations

import sys

import click

from readiness.cli import backup, legal, national, offline, reports, retention, web


@click.group()
@click.version_option(package_name="maw-readiness")
def main() -> None:
    """MAW Readiness: how ready a municipality is for multi-agency working, and what to do next."""


for _module in (offline, web, reports, national, legal, backup, retention):
    _module.register(main)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

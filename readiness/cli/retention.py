"""`readiness retention apply [--dry-run]`: the retention period of responses, applied.

Removes the responses of rounds closed more than RETENTION_RESPONSES_DAYS ago, keeping what
their results, roadmap and PDF are made from (`services.retention`); audited as a
command-line action. Run it from cron, e.g. once a night.
"""

from __future__ import annotations

import click

from readiness.cli.app import command_transaction


def register(group: click.Group) -> None:
    """Add the retention commands to the `readiness` group."""
    group.add_command(retention_group)


@click.group("retention")
def retention_group() -> None:
    """How long responses are kept (RETENTION_RESPONSES_DAYS)."""


@retention_group.command("apply")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; change nothing.")
def retention_apply(dry_run: bool) -> None:
    """Remove the responses of rounds closed longer ago than the retention period."""
    from readiness.services import retention

    with command_transaction() as (app, session):
        days = retention.period_days(app.config["RETENTION_RESPONSES_DAYS"])
        if days is None:
            raise click.ClickException("READINESS_RETENTION_RESPONSES_DAYS is not set: "
                                       "responses are kept until their round is deleted.")
        found = retention.due(session, days) if dry_run else retention.apply(session, days)
        lines = [f"  {d.assessment.municipality.name}, round {d.assessment.round} "
                 f"(closed {d.assessment.closed_at:%Y-%m-%d}): {d.responses} responses"
                 for d in found if d.assessment.closed_at is not None]
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} the responses of {len(found)} rounds closed more than {days} days ago "
               f"({sum(d.responses for d in found)} responses); their results and PDFs stay.")
    for line in lines:
        click.echo(line)

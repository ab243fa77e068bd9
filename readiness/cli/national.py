"""CLI commands for national coordinators: national-scale demo data and API tokens."""

from __future__ import annotations

import click

from readiness.cli.app import command_app, command_transaction


def register(group: click.Group) -> None:
    """Add the national commands to the `readiness` group."""
    group.add_command(demo)
    group.add_command(api_token)


@click.command()
@click.option("--municipalities", type=click.IntRange(1, 100_000), default=600,
              show_default=True, help="How many municipalities to create.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("--country", default="BE", show_default=True,
              help="ISO 3166 alpha-2 code of the demo country.")
@click.option("--database", default=None, help="A database URL (default: the configured one).")
def demo(municipalities: int, seed: int, country: str, database: str | None) -> None:
    """Fill the database with a plausible country: regions, size bands, two assessment rounds."""
    from readiness.core.questionnaire import get_questionnaire
    from readiness.demo.national import build_demo

    country = country.strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise click.BadParameter("give a two-letter country code, e.g. BE", param_hint="--country")
    with command_transaction(database=database) as (_, session):
        summary = build_demo(session, get_questionnaire(), municipalities, seed=seed,
                             country=country)
    click.echo(f"Created {summary.municipalities} municipalities in {country} with "
               f"{summary.assessments} closed assessments and {summary.responses} responses "
               f"in {summary.seconds:.1f} s.")
    click.echo("To look at it: readiness user create NAME --role national_coordinator, then "
               "readiness serve and open /dashboard/.")


@click.group("api-token")
def api_token() -> None:
    """Tokens for the read-only JSON API (admins and national coordinators)."""


@api_token.command("create")
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown in listings).")
@click.option("--database", default=None, help="A database URL (default: the configured one).")
def api_token_create(username: str, name: str, database: str | None) -> None:
    """Create a token for USERNAME and print it once (only its hash is stored)."""
    from readiness.services.audit import record_object
    from readiness.services.national import create_api_token

    with command_transaction(database=database) as (_, session):
        row, token = create_api_token(session, username, name)
        record_object(session, None, "api_token_created", row, detail=f"for {username}")
    click.echo(token)
    click.echo("Keep it secret: send it as 'Authorization: Bearer <token>'. It is not shown "
               "again.", err=True)


@api_token.command("revoke")
@click.argument("public_id")
@click.option("--database", default=None, help="A database URL (default: the configured one).")
def api_token_revoke(public_id: str, database: str | None) -> None:
    """Revoke the token with this public id (see `api-token list`)."""
    from readiness.services.audit import record
    from readiness.services.national import revoke_api_token

    with command_transaction(database=database) as (_, session):
        revoke_api_token(session, public_id)
        record(session, None, "api_token_revoked", object_type="apitoken", object_id=public_id)
    click.echo(f"Revoked {public_id}.")


@api_token.command("list")
@click.option("--database", default=None, help="A database URL (default: the configured one).")
def api_token_list(database: str | None) -> None:
    """List API tokens (public id, user, name, created, last used, revoked)."""
    from readiness.db import get_db
    from readiness.services.national import list_api_tokens

    with command_app(database=database) as app, get_db(app).sessions() as session:
        for row in list_api_tokens(session):
            click.echo("\t".join(row))

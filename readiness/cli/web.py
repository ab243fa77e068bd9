"""CLI commands that need the web app and its database: serve (with --demo), db, user, assessment.

Each command builds the app from the environment (READINESS_DATABASE_URL, READINESS_SECRET_KEY
...) through `readiness.cli.app`; `serve` and `db upgrade` create or migrate the database, so a
fresh install needs no other step, and the other commands refuse a database that is behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from readiness.cli.app import LOOPBACK_HOSTS, command_app, command_transaction, local_hosts
from readiness.vocabulary import POPULATION_BANDS, Mode, Role

if TYPE_CHECKING:
    from flask import Flask

def _base_url(app: Flask, given: str | None) -> str:
    return (given or app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


def register(group: click.Group) -> None:
    """Add the web commands to the `readiness` group."""
    group.add_command(serve)
    group.add_command(db_group)
    group.add_command(user_group)
    group.add_command(assessment_group)
    group.add_command(municipality_group)
    group.add_command(audit_command)
    group.add_command(worker)


def run_server(app: Flask, host: str, port: int, threads: int) -> None:
    """Serve `app` with waitress until stopped: a production WSGI server in pure Python, so the
    same command works on a mobile team's Windows or Mac laptop and on a Linux server."""
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=threads, ident="MAW Readiness")


@click.command()
@click.option("--demo", is_flag=True, help="Load demo municipalities, users and a live link.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once.")
def serve(demo: bool, host: str, port: int, threads: int) -> None:
    """Serve the web app with a production WSGI server (waitress; the embedded SQLite database
    is created if missing). Larger sites run gunicorn instead: see the README, Deploying."""
    started = time.monotonic()
    if host not in LOOPBACK_HOSTS and local_hosts():
        raise click.ClickException(
            f"Serving on {host} needs READINESS_PUBLIC_BASE_URL or READINESS_TRUSTED_HOSTS "
            "(the host names browsers use), so a forged Host header cannot reach a link")
    with command_app(migrate=True) as app:
        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
        if demo:
            _print_demo(app, base)
        click.echo(f"Database: {app.config['DATABASE_URL']}")
        click.echo(f"Ready in {time.monotonic() - started:.1f} s: open {base}/ (Ctrl+C stops)")
        helper = _start_worker(app)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the worker too
        try:
            run_server(app, host, port, threads)
        finally:
            if helper is not None:
                helper.terminate()
                helper.wait(timeout=10)


def _start_worker(app: Flask) -> subprocess.Popen[bytes] | None:
    """For the embedded queue, a `readiness worker` process beside the server (a shared
    queue, TASK_QUEUE_URL, has its own workers, started by the operator)."""
    if app.config.get("TASK_QUEUE_URL"):
        return None
    env = {**os.environ, "READINESS_INSTANCE_PATH": app.instance_path,
           "READINESS_DATABASE_URL": app.config["DATABASE_URL"]}
    return subprocess.Popen([sys.executable, "-m", "readiness.cli.main", "worker"], env=env)


@click.command()
@click.option("--workers", type=click.IntRange(1, 64),
              help="Renders at once (default: READINESS_TASK_WORKERS, else one per core).")
def worker(workers: int | None) -> None:
    """Run the background worker: it renders roadmap PDFs and works out the national
    dashboard's first page ahead, from the task queue."""
    from readiness.tasks import run_consumer

    with command_app() as app:
        click.echo(f"Worker on {app.config.get('TASK_QUEUE_URL') or 'the embedded queue'} "
                   "(Ctrl+C stops)")
        run_consumer(app, workers)


def _print_demo(app: Flask, base: str) -> None:
    from readiness.core.questionnaire import get_questionnaire
    from readiness.db import get_db
    from readiness.demo.municipal import load_demo
    from readiness.tokens import link_key

    with get_db(app).write_session() as session:
        summary = load_demo(session, get_questionnaire(),
                            password_method=app.config["PASSWORD_HASH_METHOD"],
                            link_key=link_key(app.config["SECRET_KEY"]))
    click.echo("Demo municipalities: " + ", ".join(summary.municipalities))
    click.echo("Demo logins (passwords are new on every start):")
    for login in summary.logins:
        click.echo(f"  {login.role:<26} {login.username:<12} {login.password}")
    click.echo(f"Open invitation link ({summary.open_link_agency}): "
               f"{base}/s/{summary.open_link_token}")


@click.group("db")
def db_group() -> None:
    """The database schema."""


@db_group.command("upgrade")
@click.option("--database", default=None, help="A database URL (default: the configured one).")
def db_upgrade(database: str | None) -> None:
    """Create the database or bring its schema up to date."""
    with command_app(migrate=True, database=database) as app:
        click.echo(f"Database up to date: {app.config['DATABASE_URL']}")


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the migration changes.")
def db_revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    from readiness.db import alembic_config

    with command_app() as app:
        command.revision(alembic_config(app.config["DATABASE_URL"]), message=message,
                         autogenerate=True)


@click.group("user")
def user_group() -> None:
    """Accounts of admins, coordinators and advisors."""


@user_group.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--municipality", help="Own municipality (coordinator) or first assignment "
                                     "(advisor).")
@click.option("--country", help="Country code, when several municipalities share the name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="At least 12 characters (asked for when not given).")
@click.option("--name", "display_name", default="", help="Display name, e.g. on PDF covers.")
@click.option("--organisation", default="", help="The organisation they work for.")
@click.option("--email", default="", help="For a self-service password reset (optional).")
def user_create(username: str, role: str, municipality: str | None, country: str | None,
                password: str, display_name: str, organisation: str, email: str) -> None:
    """Create a user."""
    from readiness.services import assessments as services
    from readiness.services import people

    with command_transaction() as (app, session):
        place = services.find_municipality(session, municipality, country) \
            if municipality else None
        user = services.create_user(session, username, password, role, municipality=place,
                                    password_method=app.config["PASSWORD_HASH_METHOD"])
        services.record_audit(session, None, "user_created", user, detail=role)
        if display_name or organisation or email:
            people.update_profile(session, None, user, display_name, organisation, email)
        click.echo(f"Created {user.role} {user.username}"
                   + (f" for {place.name}" if place else ""))


@user_group.command("assign")
@click.argument("username")
@click.option("--municipality", required=True)
@click.option("--country", help="Country code, when several municipalities share the name.")
def user_assign(username: str, municipality: str, country: str | None) -> None:
    """Assign an advisor to a municipality."""
    from sqlalchemy import select

    from readiness.models import User
    from readiness.services import assessments as services

    with command_transaction() as (_, session):
        user = session.scalar(select(User).where(User.username == username.lower()))
        if user is None:
            raise services.ServiceError(f"no user named {username!r}")
        place = services.find_municipality(session, municipality, country)
        services.assign_advisor(user, place)
        services.record_audit(session, None, "advisor_assigned", user, place)
        click.echo(f"{user.username} now works with {place.name}")


@click.group("assessment")
def assessment_group() -> None:
    """Assessments of municipalities."""


@assessment_group.command("create")
@click.option("--municipality", required=True, help="The municipality's name.")
@click.option("--agencies", required=True,
              help="Comma-separated agency ids, e.g. police,health,education.")
@click.option("--mode", type=click.Choice([m.value for m in Mode]), default=Mode.SURVEY.value,
              show_default=True)
@click.option("--in-workshop", "in_workshop", default="",
              help="Survey mode only: comma-separated agency ids recorded in a workshop instead "
                   "of getting a link (a mixed round).")
@click.option("--sizes", default="",
              help="How many practitioners each agency's link is sent to, e.g. police=12,"
                   "health=7: the link takes no more responses than that, and the results "
                   "print it (as the new-round form asks).")
@click.option("--date", "conducted_on", type=click.DateTime(["%Y-%m-%d"]),
              help="Date of the assessment (today by default).")
@click.option("--country", help="Country code: tells apart namesakes, and is needed to create "
                                "a municipality that does not exist yet.")
@click.option("--population", type=click.Choice(POPULATION_BANDS),
              help="Population band, to create a municipality that does not exist yet.")
@click.option("--region", default="", help="Region, for a new municipality.")
@click.option("--base-url", help="Site address for the links (default: READINESS_PUBLIC_BASE_URL "
                                 "or http://127.0.0.1:5000).")
@click.option("--closes", "closes_on", type=click.DateTime(["%Y-%m-%d"]),
              help="Closing date: the last day the links take answers (READINESS_TIMEZONE).")
@click.option("--pack", "pack_file", type=click.Path(dir_okay=False, writable=True),
              help="Also write the invitation pack: a PDF with one printable page per agency, "
                   "its link as a QR code.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def assessment_create(municipality: str, agencies: str, mode: str, in_workshop: str,
                      sizes: str, conducted_on: Any,
                      country: str | None, population: str | None, region: str,
                      base_url: str | None, closes_on: Any, pack_file: str | None,
                      as_json: bool) -> None:
    """Open an assessment round and print one invitation link per agency (the round's links
    page shows them again)."""
    from readiness.core.questionnaire import get_questionnaire
    from readiness.services import assessments as services
    from readiness.tokens import link_key

    wanted = [a.strip() for a in agencies.split(",") if a.strip()]
    q = get_questionnaire()
    with command_transaction() as (app, session):
        base = _base_url(app, base_url)
        try:
            place = services.find_municipality(session, municipality, country)
        except services.ServiceError as error:
            if not (country and population):
                raise services.ServiceError(
                    f"{error}; to create it, add --country CC --population BAND") from None
            place = services.create_municipality(session, name=municipality, country=country,
                                                 region=region, population_band=population)
        assessment, tokens = services.create_assessment(
            session, place, q=q, agencies=wanted, mode=mode,
            conducted_on=conducted_on.date() if conducted_on else date.today(),
            closes_on=closes_on.date() if closes_on else None,
            link_key=link_key(app.config["SECRET_KEY"]),
            in_workshop=[a.strip() for a in in_workshop.split(",") if a.strip()],
            capacities=_sizes(sizes))
        key = link_key(app.config["SECRET_KEY"])
        links = [{"agency": inv.agency, "invitation": inv.public_id,
                  "url": f"{base}/s/{tokens[inv.public_id]}",
                  "code": _join_code(services.shown_join_code(inv, key))}
                 for inv in assessment.invitations]
        if pack_file:
            _write_pack(app, assessment, links, pack_file, f"{base}/j")
        document = {
            "municipality": {"id": place.public_id, "name": place.name,
                             "country": place.country},
            "assessment": {"id": assessment.public_id, "round": assessment.round,
                           "mode": assessment.mode, "status": assessment.status,
                           "workshop_agencies": services.workshop_agencies(assessment),
                           "questionnaire": {"id": q.id, "version": q.version}},
            "links": links,
        }
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(f"Opened round {assessment.round} for {place.name} ({mode}).")
    if not links:
        click.echo("Workshop mode: record each agency's agreed answers on the assessment page.")
    for link in links:
        click.echo(f"  {link['agency']:<18} {link['url']}")
    if pack_file and links:
        click.echo(f"Invitation pack: {pack_file}")


def _sizes(text: str) -> dict[str, int]:
    """--sizes police=12,health=7 as {agency: practitioners}; a bad pair stops the command."""
    sizes: dict[str, int] = {}
    for pair in (p.strip() for p in text.split(",") if p.strip()):
        agency, _, number = pair.partition("=")
        if not number.strip().isdigit():
            raise click.BadParameter(f"{pair!r}: write agency=number, e.g. police=12",
                                     param_hint="--sizes")
        sizes[agency.strip()] = int(number)
    return sizes


def _join_code(code: str | None) -> str:
    """A join code as printed, or "" for a link without one."""
    from readiness.tokens import show_join_code

    return show_join_code(code) if code else ""


def _write_pack(app: Flask, assessment: Any, links: list[dict[str, str]], path: str,
                join_url: str) -> None:
    """Render the invitation pack of a round just made to `path` (the command's own process)."""
    from readiness.report.pack import pack_html
    from readiness.report.render import ReportError, render_pdf
    from readiness.web.invitations import invitation_pack

    if not links:
        raise click.ClickException("a workshop round has no links, so no invitation pack")
    pack = invitation_pack(assessment, [(link["agency"], link["url"], link["code"] or None)
                                        for link in links], app.config, None, join_url)
    try:
        pdf = render_pdf(pack_html(pack), timeout=float(app.config["REPORT_TIMEOUT"]),
                         isolate=False)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    with open(path, "wb") as out:
        out.write(pdf)


def _confirm(name: str, yes: bool, what: str) -> None:
    """Go on only with --yes or when `name` is typed at the prompt."""
    from readiness.services import erasure

    if yes:
        return
    typed = click.prompt(f"This deletes {what} for good. Type {name} to confirm",
                         default="", show_default=False)
    if not erasure.confirmed(typed, name):
        raise click.ClickException("Not confirmed: nothing was deleted.")


def _forget_pdfs(app: Flask, round_ids: list[str]) -> None:
    from pathlib import Path

    from readiness import tasks

    for round_id in round_ids:
        tasks.forget_round(app, Path(app.instance_path) / "report-cache", round_id)


@assessment_group.command("delete")
@click.argument("public_id")
@click.option("--yes", is_flag=True, help="Do not ask to type the municipality's name.")
def assessment_delete(public_id: str, yes: bool) -> None:
    """Delete a round for good with its answers, results and PDFs (audited); the tracked
    actions it proposed stay in the municipality's action plan."""
    from sqlalchemy import select

    from readiness.models import Assessment
    from readiness.services import erasure
    from readiness.services.assessments import ServiceError

    with command_transaction() as (app, session):
        found = session.scalar(select(Assessment).where(Assessment.public_id == public_id))
        if found is None:
            raise ServiceError(f"No assessment {public_id!r}")
        name, number = found.municipality.name, found.round
        _confirm(name, yes, f"round {number} of {name}")
        kept = erasure.tracked_actions(session, found)
        _forget_pdfs(app, [erasure.delete_round(session, None, found)])
    click.echo(f"Deleted round {number} of {name}; its {kept} tracked actions stay in the "
               "action plan.")


@click.group("municipality")
def municipality_group() -> None:
    """Municipalities."""


@municipality_group.command("delete")
@click.argument("name")
@click.option("--country", help="Country code, to tell namesakes apart.")
@click.option("--yes", is_flag=True, help="Do not ask to type the name again.")
def municipality_delete(name: str, country: str | None, yes: bool) -> None:
    """Delete a municipality for good with all its rounds, plan and PDFs (audited)."""
    from readiness.services import assessments as services
    from readiness.services import erasure

    with command_transaction() as (app, session):
        found = services.find_municipality(session, name, country)
        shown, rounds = found.name, len(found.assessments)
        _confirm(shown, yes, f"{shown} and its {rounds} rounds")
        _forget_pdfs(app, erasure.delete_municipality(session, None, found))
    click.echo(f"Deleted {shown} and its {rounds} rounds.")


@click.command("audit")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Events from this day on (UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for other tools.")
@click.option("--purge", is_flag=True,
              help="Delete the events older than READINESS_AUDIT_RETENTION_DAYS instead.")
def audit_command(since: Any, as_json: bool, purge: bool) -> None:
    """Print the audit log, newest first (tab-separated), or apply its retention period."""
    from datetime import UTC, datetime, timedelta

    from readiness.db import get_db
    from readiness.services import audit

    with command_app() as app:
        if purge:
            days = app.config["AUDIT_RETENTION_DAYS"]
            if not days:
                raise click.ClickException("READINESS_AUDIT_RETENTION_DAYS is not set: the "
                                           "audit log is kept whole")
            with get_db(app).write_session() as session:
                removed = audit.purge(session, datetime.now(UTC) - timedelta(days=int(days)))
            click.echo(f"Removed {removed} audit events older than {days} days.")
            return
        start = since.replace(tzinfo=UTC) if since else None
        with get_db(app).sessions() as session:
            ids = audit.municipality_ids(session)
            rows = [audit.as_row(event, ids)
                    for event in session.scalars(audit.query(audit.Filters(since=start)))]
    if as_json:
        click.echo(json.dumps({"events": rows}, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo("\t".join(row[column].replace("\t", " ") for column in audit.COLUMNS))

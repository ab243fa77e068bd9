"""`readiness backup --out FILE` and `readiness restore FILE`: online, consistent copies.

SQLite: the SQLite online backup API (a consistent copy while the app runs, WAL included) into a
new file, and back. PostgreSQL: `pg_dump -Fc` and `pg_restore --clean` when they are on the PATH;
without them the command refuses and says to install the PostgreSQL client tools. Both are audited.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click

from readiness.cli.app import command_app


def register(group: click.Group) -> None:
    """Add backup and restore to the `readiness` group."""
    group.add_command(backup)
    group.add_command(restore)


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise click.ClickException("an in-memory database cannot be backed up")
    return Path(parsed.database)


def _libpq_url(url: str) -> str:
    """The URL as pg_dump reads it (no SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise click.ClickException(
            f"{name} is not installed: install the PostgreSQL client tools (Debian: "
            "apt-get install postgresql-client) to back up or restore a PostgreSQL database")
    return found


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy one SQLite database into another with the online backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _note(action: str, detail: str, migrate: bool = False) -> None:
    from readiness.db import get_db
    from readiness.services import audit

    with command_app(migrate=migrate) as app, get_db(app).write_session() as session:
        audit.record(session, None, action, object_type="database", detail=detail[:200])


@click.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The backup file to write (must not exist).")
def backup(out: Path) -> None:
    """Write a consistent copy of the database while the app keeps running."""
    if out.exists():
        raise click.ClickException(f"{out} exists; choose a new file")
    with command_app() as app:
        url = app.config["DATABASE_URL"]
    path = _sqlite_path(url)
    dump = None if path is not None else _tool("pg_dump")
    _note("backup_made", out.name)  # first, so the backup holds the record of itself
    if path is not None:
        _copy_sqlite(path, out)
    else:
        subprocess.run([str(dump), "-Fc", "--no-owner", "-f", str(out),
                        "--dbname", _libpq_url(url)], check=True)
    click.echo(f"Backed up to {out} ({out.stat().st_size} bytes).")


def _check_sqlite_backup(file: Path) -> None:
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as probe:
            probe.execute("SELECT version_num FROM alembic_version").fetchone()
        probe.close()
    except sqlite3.DatabaseError:
        raise click.ClickException(f"{file} is not a MAW Readiness SQLite backup") from None


def _check_postgres_backup(file: Path) -> None:
    """A pg_dump archive in the custom format begins with PGDMP; anything else is refused
    before pg_restore touches the database."""
    with file.open("rb") as handle:
        if handle.read(5) != b"PGDMP":
            raise click.ClickException(f"{file} is not a MAW Readiness PostgreSQL backup "
                                       "(a pg_dump archive)")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def restore(file: Path, yes: bool) -> None:
    """Replace the whole database by a backup (stop the app first), then upgrade its schema."""
    from sqlalchemy.engine import make_url

    with command_app(migrate=True) as app:  # a fresh machine restores onto an empty database
        url = app.config["DATABASE_URL"]
    if not yes:
        click.confirm(f"Replace every record in {make_url(url).render_as_string()} by {file}?",
                      abort=True)
    path = _sqlite_path(url)
    if path is not None:
        _check_sqlite_backup(file)
        _copy_sqlite(file, path)
    else:
        _check_postgres_backup(file)
        subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                        "--dbname", _libpq_url(url), str(file)], check=True)
    _note("backup_restored", file.name, migrate=True)  # brings an older backup's schema up to date
    click.echo(f"Restored {file}.")

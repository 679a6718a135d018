"""`chekara db …`: the embedded cluster, the schema, backup and restore."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import text

from chekara.config import get_settings
from chekara.db import embedded
from chekara.db.engine import make_engine
from chekara.db.migrate import upgrade_to_head

app = typer.Typer(help="Run the embedded PostGIS cluster, migrate the schema, back up and restore.", no_args_is_help=True)
console = Console()


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def ensure_database_up() -> None:
    """Start the embedded cluster when no external database is configured."""
    settings = get_settings()
    if settings.uses_embedded_database:
        try:
            embedded.up(settings)
        except embedded.EmbeddedDatabaseError as exc:
            _fail(str(exc))


@app.command()
def up() -> None:
    """Start the embedded cluster under var/pg (initialises it the first time). Idempotent."""
    settings = get_settings()
    if not settings.uses_embedded_database:
        console.print("CHEKARA_DATABASE_URL is set: using that server, not starting one.")
        _check_connection()
        return
    try:
        state = embedded.up(settings)
    except embedded.EmbeddedDatabaseError as exc:
        _fail(str(exc))
    console.print(state.describe())


@app.command()
def down() -> None:
    """Stop the embedded cluster."""
    settings = get_settings()
    if not settings.uses_embedded_database:
        console.print("CHEKARA_DATABASE_URL is set: nothing embedded to stop.")
        return
    try:
        state = embedded.down(settings)
    except embedded.EmbeddedDatabaseError as exc:
        _fail(str(exc))
    console.print(state.describe())


@app.command()
def status() -> None:
    """Say whether the database is running; exit 1 when it is not."""
    settings = get_settings()
    if not settings.uses_embedded_database:
        _check_connection()
        return
    state = embedded.status(settings)
    console.print(state.describe())
    if not state.running:
        raise typer.Exit(1)


def _check_connection() -> None:
    engine = make_engine(get_settings())
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version()")).scalar_one()
        console.print(f"database reachable: {version.split(',')[0]}")
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        _fail(f"database not reachable: {exc}")
    finally:
        engine.dispose()


@app.command()
def migrate() -> None:
    """Apply every Alembic migration (creates PostGIS on first run)."""
    ensure_database_up()
    upgrade_to_head()
    console.print("schema is at the newest revision")


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="do not ask")) -> None:
    """Development only: drop every table and migrate again."""
    settings = get_settings()
    if settings.env == "production":
        _fail("refusing to reset a production database")
    if not yes and not typer.confirm("Drop ALL data in the database?"):
        raise typer.Exit(1)
    ensure_database_up()
    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade_to_head()
    console.print("database reset and migrated")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description:<48}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)


@app.command()
def backup(
    file: Path = typer.Argument(..., dir_okay=False, help="the backup file to write (PostgreSQL custom format)"),
) -> None:
    """Back up the database in use to FILE: one consistent pg_dump snapshot, while the server keeps running."""
    from chekara.db import backup as backups

    ensure_database_up()
    settings = get_settings()
    try:
        with _progress() as progress:
            task = progress.add_task("backing up", total=backups.table_count(settings))
            backups.backup(settings, file, lambda table: progress.update(task, advance=1, description=table))
            progress.update(task, description="done")
    except backups.BackupError as exc:
        _fail(str(exc))
    console.print(f"backup of {backups.database_name(settings)!r} written to {file} ({file.stat().st_size:,} bytes)")


@app.command()
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a file written by `chekara db backup`"),
    force: bool = typer.Option(False, "--force", help="replace everything in a database that already holds data"),
) -> None:
    """Restore FILE into the database in use, in one transaction (a failed restore changes nothing).

    The database must be empty, or --force replaces what it holds. Stop the server first.
    """
    from chekara.db import backup as backups

    ensure_database_up()
    settings = get_settings()
    try:
        backups.check_target(settings, force)  # refused before any progress is shown
        with _progress() as progress:
            task = progress.add_task("restoring", total=backups.entry_count(settings, file))
            backups.restore(settings, file, force, lambda entry: progress.update(task, advance=1, description=entry[:48]))
            progress.update(task, description="done")
    except backups.BackupError as exc:
        _fail(str(exc))
    console.print(f"{file} restored into {backups.database_name(settings)!r}; check it with `chekara audit verify`")

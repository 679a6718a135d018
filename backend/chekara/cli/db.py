"""`chekara db …`: the embedded cluster and the schema."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy import text

from chekara.config import get_settings
from chekara.db import embedded
from chekara.db.engine import make_engine
from chekara.db.migrate import upgrade_to_head

app = typer.Typer(help="Run the embedded PostGIS cluster and migrate the schema.", no_args_is_help=True)
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

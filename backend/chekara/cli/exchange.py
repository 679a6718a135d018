"""`chekara exchange`: the exchange with partner customs from the command line."""

from __future__ import annotations

import typer
from rich.console import Console

from chekara.cli import db
from chekara.config import get_settings
from chekara.db.engine import session_factory

app = typer.Typer(help="Exchange with the neighbouring customs (docs/EXCHANGE.md).", no_args_is_help=True)
console = Console()


@app.command("deliver")
def deliver() -> None:
    """One delivery pass now: post what is due to every partner's webhook. The server does this on its own."""
    from chekara.services.exchange.delivery import deliver_due

    db.ensure_database_up()
    with session_factory()() as session:
        report = deliver_due(session, get_settings())
    console.print(f"delivered {report.delivered}, failed {report.failed}, dead-lettered {report.dead}")

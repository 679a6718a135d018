"""`chekara analytics …`: the hourly H3 rollups behind the heatmaps."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from chekara.cli.db import ensure_database_up
from chekara.db.engine import session_factory

app = typer.Typer(help="Rollups for the heatmaps: rebuild from raw positions, or update incrementally.",
                  no_args_is_help=True)
console = Console()


def _progress(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console)


@app.command()
def rebuild() -> None:
    """Recompute every rollup from the raw positions (same numbers as the incremental updates)."""
    from chekara.services.analytics.rollups import rebuild_rollups

    ensure_database_up()
    with _progress("rebuilding rollups (fixes)") as progress, session_factory()() as session:
        task = progress.add_task("fixes", total=None)
        report = rebuild_rollups(session, progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"rebuilt from {report.fixes:,} fixes; rollups hold every position id up to {report.position_id:,}")


@app.command()
def update() -> None:
    """Count the fixes that arrived since the last update (the server does this on its own every sweep)."""
    from chekara.services.analytics.rollups import update_rollups

    ensure_database_up()
    with _progress("updating rollups (position ids)") as progress, session_factory()() as session:
        task = progress.add_task("ids", total=None)
        report = update_rollups(session, progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"counted {report.fixes:,} new fixes; rollups hold every position id up to {report.position_id:,}")

"""`chekara archive …`: closed months of positions to GeoParquet, and out of the database once verified."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from chekara.cli.analytics import progress_bar
from chekara.cli.db import ensure_database_up
from chekara.config import get_settings
from chekara.db.engine import session_factory

app = typer.Typer(help="The positions archive: export a closed month to GeoParquet, verify, detach it from the database.",
                  no_args_is_help=True)
console = Console()

MONTH_HELP = "a closed calendar month, YYYY-MM (UTC)"


def _month(value: str) -> date:
    from chekara.domain.archive.months import parse_month

    try:
        return parse_month(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--month'") from exc


def _fail(exc: Exception) -> None:
    field = getattr(exc, "field", None)
    console.print(f"[red]error[/red] ({'--' + field if field else 'archive'}): {getattr(exc, 'message', exc)}")
    raise typer.Exit(1)


@app.command()
def export(month: str = typer.Option(..., "--month", help=MONTH_HELP)) -> None:
    """Write the month's fixes as GeoParquet (a file a day) under CHEKARA_ARCHIVE_DIR, verify them, record the export."""
    from chekara.errors import ChekaraError
    from chekara.services.archive.months import export_month, utc_now

    first = _month(month)
    ensure_database_up()
    settings = get_settings()
    try:
        with progress_bar(f"exporting {month} (days)") as bar, session_factory()() as session:
            task = bar.add_task("days", total=None)
            report = export_month(session, settings.archive_path, first, utc_now(), settings.max_fix_age_days,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    except ChekaraError as exc:
        _fail(exc)
    console.print(f"exported {report.fixes:,} fixes of {month} in {report.files} day files to {report.folder}; "
                  f"verified, checksum {report.content_sha256[:16]}…")


@app.command()
def detach(
    month: str | None = typer.Option(None, "--month", help=MONTH_HELP),
    due: bool = typer.Option(False, "--due", help="every exported month CHEKARA_POSITIONS_RETENTION_MONTHS lets go"),
) -> None:
    """Remove an exported month's fixes from the database, after checking the archive against the export's checksum."""
    from chekara.errors import ChekaraError
    from chekara.services.archive.months import detach_month, due_months, utc_now

    if (month is None) == (not due):
        raise typer.BadParameter("give --month YYYY-MM or --due", param_hint="'--month'")
    chosen = [_month(month)] if month else []
    ensure_database_up()
    settings = get_settings()
    try:
        with session_factory()() as session:
            if due:
                chosen = due_months(session, utc_now(), settings.positions_retention_months, settings.max_fix_age_days)
            for first in chosen:
                with progress_bar(f"verifying {first:%Y-%m} and detaching (days)") as bar:
                    task = bar.add_task("days", total=None)
                    removed = detach_month(session, settings.archive_path, first, utc_now(), settings.max_fix_age_days,
                                           progress=lambda done, total: bar.update(task, completed=done, total=total))
                console.print(f"detached {first:%Y-%m}: {removed:,} fixes removed from the database; the archive holds them")
    except ChekaraError as exc:
        _fail(exc)
    if due and not chosen:
        console.print("no exported month is due (CHEKARA_POSITIONS_RETENTION_MONTHS; 0 keeps everything)")


@app.command()
def status() -> None:
    """Months in the database and in the archive, and which the retention setting lets go."""
    from chekara.services.archive.months import archive_status, utc_now

    ensure_database_up()
    settings = get_settings()
    with session_factory()() as session:
        rows = archive_status(session, utc_now(), settings.positions_retention_months)
    table = Table("month", "status", "fixes in database (estimate; -1: not analysed yet)", "fixes archived", "due")
    for row in rows:
        table.add_row(f"{row.month:%Y-%m}", row.status, f"{row.fixes_in_database:,}",
                      "" if row.fixes_archived is None else f"{row.fixes_archived:,}", "yes" if row.due else "")
    console.print(table)
    console.print(f"archive folder: {settings.archive_path}")

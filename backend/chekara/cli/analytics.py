"""`chekara analytics …`: the hourly and daily H3 rollups behind the heatmaps, and heatmaps over the archive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from chekara.cli.db import ensure_database_up
from chekara.config import get_settings
from chekara.db.engine import session_factory

app = typer.Typer(help="Rollups for the heatmaps: rebuild from raw positions, or update incrementally.",
                  no_args_is_help=True)
console = Console()


def progress_bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                    console=console)


@app.command()
def rebuild() -> None:
    """Recompute every rollup from the raw positions (same numbers as the incremental updates)."""
    from chekara.services.analytics.rollups import rebuild_rollups

    ensure_database_up()
    with progress_bar("rebuilding rollups (fixes)") as progress, session_factory()() as session:
        task = progress.add_task("fixes", total=None)
        report = rebuild_rollups(session, progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"rebuilt from {report.fixes:,} fixes; rollups hold every position id up to {report.position_id:,}")


@app.command()
def update() -> None:
    """Count the fixes that arrived since the last update (the server does this on its own every sweep)."""
    from chekara.services.analytics.rollups import update_rollups

    ensure_database_up()
    with progress_bar("updating rollups (position ids)") as progress, session_factory()() as session:
        task = progress.add_task("ids", total=None)
        report = update_rollups(session, progress=lambda done, total: progress.update(task, completed=done, total=total))
    console.print(f"counted {report.fixes:,} new fixes; rollups hold every position id up to {report.position_id:,}")


_TIME_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S"]


@app.command("archive-heatmap")
def archive_heatmap(
    from_: datetime = typer.Option(..., "--from", formats=_TIME_FORMATS, help="start, UTC unless an offset is given"),
    to: datetime = typer.Option(..., "--to", formats=_TIME_FORMATS, help="end (excluded)"),
    metric: str = typer.Option("fixes", "--metric", help="fixes, trips, speed (mean km/h) or dwell (seconds)"),
    res: int = typer.Option(9, "--res", min=5, max=9, help="H3 resolution 5..9"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="a running Dask scheduler, e.g. tcp://10.0.0.5:8786;"
                                         " default: a LocalCluster here"),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="LocalCluster worker processes"),
    out: Path | None = typer.Option(None, "--out", help=".geojson or .parquet (GeoParquet 1.1);"
                                    " default: <archive>/heatmaps/heatmap_<metric>_r<res>_<from>_<to>.geojson"),
) -> None:
    """A heatmap over the GeoParquet archive, computed with Dask (dask.distributed + dask-geopandas)."""
    from chekara.services.analytics.heatmap import METRICS, as_utc
    from chekara.services.archive.dask_heatmap import SUFFIXES, archive_heatmap as compute, dask_client, write_result
    from chekara.services.archive.geoparquet import files_between

    start, end = as_utc(from_), as_utc(to)
    if metric not in METRICS:
        raise typer.BadParameter(f"must be one of {', '.join(METRICS)}", param_hint="'--metric'")
    if end <= start:
        raise typer.BadParameter("must be after --from", param_hint="'--to'")
    if out is not None and out.suffix not in SUFFIXES:
        raise typer.BadParameter("must end in .geojson, .json or .parquet", param_hint="'--out'")
    root = get_settings().archive_path
    files = files_between(root, start, end)
    if not files:
        console.print(f"[red]error[/red] (--from): the archive under {root} has no exported day between "
                      f"{start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC")
        raise typer.Exit(1)
    target = out or root / "heatmaps" / f"heatmap_{metric}_r{res}_{start:%Y%m%dT%H}_{end:%Y%m%dT%H}.geojson"
    with console.status(f"computing {metric} at res {res} over {len(files)} day files with Dask"):
        try:
            with dask_client(scheduler, workers) as client:
                result = compute(client, files, metric, res, start, end)
        except (OSError, ValueError) as exc:  # an unreachable scheduler, or an address without a port
            if scheduler is None:
                raise
            console.print(f"[red]error[/red] (--scheduler): {exc}")
            raise typer.Exit(1) from exc
    write_result(result, target)
    console.print(f"{len(result.cells):,} cells from {result.files} day files on {result.workers} Dask workers"
                  f" ({datetime.now(UTC):%H:%M:%S} UTC); written to {target}")

"""`chekara basemap import FILE.pmtiles`: the offline basemap every map draws (see services/basemap.py)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from chekara.config import get_settings
from chekara.errors import InvalidInput
from chekara.services import basemap

app = typer.Typer(help="The offline basemap: a PMTiles archive of vector tiles served by the app.", no_args_is_help=True)
console = Console()


@app.command("import")
def import_archive(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="a PMTiles v3 archive of vector tiles"),
) -> None:
    """Check FILE and make it the basemap of every map (served at /basemap/basemap.pmtiles)."""
    try:
        info = basemap.import_basemap(file, get_settings())
    except InvalidInput as exc:
        console.print(f"[red]{exc.message}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    west, south, east, north = info.bounds
    console.print(
        f"basemap imported: {info.size_bytes / 1e6:.1f} MB, zoom {info.min_zoom}–{info.max_zoom}, "
        f"bounds {west:.3f},{south:.3f},{east:.3f},{north:.3f} → {info.path}",
        soft_wrap=True,
    )


@app.command("status")
def status() -> None:
    """The basemap in use: the imported archive, or the Natural Earth countries shipped with the install."""
    info = basemap.current_basemap(get_settings())
    if info is None:
        console.print("no archive imported: the maps draw the Natural Earth countries")
        return
    console.print(f"{info.path}: {info.size_bytes / 1e6:.1f} MB, zoom {info.min_zoom}–{info.max_zoom}", soft_wrap=True)

"""A bring-your-own offline basemap: one PMTiles archive of vector tiles (e.g. a Protomaps extract of
Kyrgyzstan from OpenStreetMap), imported with `chekara basemap import` and served by the app itself.

The archive is checked with the maintained `pmtiles` reader (magic number, spec version, vector tiles)
before it replaces the one in use, and copied beside it first so a page never reads half a file.
Without an archive the maps keep the Natural Earth basemap shipped with the install.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import MagicNumberNotFound, SpecVersionUnsupported, TileType

from chekara.config import Settings
from chekara.errors import InvalidInput

#: Where the page's script fetches the archive from (HTTP range requests).
BASEMAP_PMTILES_URL = "/basemap/basemap.pmtiles"


@dataclass(frozen=True)
class BasemapInfo:
    path: Path
    size_bytes: int
    min_zoom: int
    max_zoom: int
    #: west, south, east, north in degrees.
    bounds: tuple[float, float, float, float]
    #: Changes whenever a new archive is imported: the pages' URL carries it, so browsers do not mix archives.
    version: str


def basemap_path(settings: Settings) -> Path:
    return settings.var_dir / "basemap" / "basemap.pmtiles"


def read_info(path: Path) -> BasemapInfo:
    """The archive's zooms and bounds; InvalidInput unless it is a PMTiles v3 archive of vector tiles."""
    try:
        with path.open("rb") as f:
            header = Reader(MmapSource(f)).header()
    except (MagicNumberNotFound, SpecVersionUnsupported, ValueError, OSError) as exc:
        raise InvalidInput(f"{path} is not a PMTiles v3 archive ({str(exc) or type(exc).__name__})", field="file") from exc
    if header["tile_type"] != TileType.MVT:
        raise InvalidInput(f"{path} holds {header['tile_type'].name} tiles; the maps draw vector (MVT) tiles", field="file")
    stat = path.stat()
    return BasemapInfo(
        path=path, size_bytes=stat.st_size, min_zoom=header["min_zoom"], max_zoom=header["max_zoom"],
        bounds=(header["min_lon_e7"] / 1e7, header["min_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7),
        version=f"{stat.st_mtime_ns:x}",
    )


def import_basemap(source: Path, settings: Settings) -> BasemapInfo:
    """Check `source` and make it the basemap of every map (replacing the one in use)."""
    read_info(source)
    target = basemap_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".pmtiles.part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)  # atomic: a page reads the old archive or the new one, never half of one
    return read_info(target)


def current_basemap(settings: Settings) -> BasemapInfo | None:
    path = basemap_path(settings)
    return read_info(path) if path.is_file() else None

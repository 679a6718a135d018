"""`chekara basemap import`: a PMTiles archive of vector tiles is checked, then replaces the one in use."""

from __future__ import annotations

import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write
from typer.testing import CliRunner

from chekara.cli import basemap as basemap_cli
from chekara.config import get_settings
from chekara.errors import InvalidInput
from chekara.services import basemap
from tests.pmtiles_archive import build_archive


@pytest.fixture
def settings(tmp_path):
    return get_settings().model_copy(update={"var_dir": tmp_path / "var"})


def test_an_archive_is_imported_with_its_zooms_and_bounds(tmp_path, settings):
    source = build_archive(tmp_path / "kg.pmtiles", max_zoom=5)
    assert basemap.current_basemap(settings) is None
    info = basemap.import_basemap(source, settings)
    assert info.path == basemap.basemap_path(settings) and info.path.read_bytes() == source.read_bytes()
    assert (info.min_zoom, info.max_zoom) == (0, 5)
    assert info.bounds == pytest.approx((69.2, 39.1, 80.3, 43.3))
    assert basemap.current_basemap(settings) == info


def test_a_new_import_replaces_the_archive_and_its_version(tmp_path, settings):
    first = basemap.import_basemap(build_archive(tmp_path / "a.pmtiles", max_zoom=3), settings)
    second = basemap.import_basemap(build_archive(tmp_path / "b.pmtiles", max_zoom=6), settings)
    assert second.max_zoom == 6 and second.version != first.version
    assert not list(second.path.parent.glob("*.part"))


def test_what_is_not_a_vector_archive_is_refused_and_changes_nothing(tmp_path, settings):
    kept = basemap.import_basemap(build_archive(tmp_path / "kg.pmtiles"), settings)
    text = tmp_path / "notes.pmtiles"
    text.write_text("not an archive")
    raster = tmp_path / "raster.pmtiles"
    with write(raster) as writer:
        writer.write_tile(zxy_to_tileid(0, 0, 0), b"\x89PNG")
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_lon_e7": 0, "min_lat_e7": 0,
                         "max_lon_e7": 0, "max_lat_e7": 0, "center_zoom": 0, "center_lon_e7": 0, "center_lat_e7": 0}, {})
    for bad, says in ((text, "not a PMTiles"), (raster, "vector")):
        with pytest.raises(InvalidInput, match=says):
            basemap.import_basemap(bad, settings)
    assert basemap.current_basemap(settings) == kept


def test_the_command_imports_and_reports(tmp_path, settings, monkeypatch):
    monkeypatch.setattr(basemap_cli, "get_settings", lambda: settings)
    runner = CliRunner()
    done = runner.invoke(basemap_cli.app, ["import", str(build_archive(tmp_path / "kg.pmtiles"))])
    assert done.exit_code == 0, done.output
    assert "zoom 0–6" in done.output and basemap.basemap_path(settings).is_file()
    assert "zoom 0–6" in runner.invoke(basemap_cli.app, ["status"]).output
    bad = tmp_path / "bad.pmtiles"
    bad.write_bytes(b"x" * 200)
    refused = runner.invoke(basemap_cli.app, ["import", str(bad)])
    assert refused.exit_code == 1 and "not a PMTiles" in refused.output

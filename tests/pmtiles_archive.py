"""A small PMTiles archive of vector tiles, built by the tests themselves (no download, no extract).

Each tile over Kyrgyzstan holds what a Protomaps basemap would: an ``earth``
polygon covering the tile, a ``roads`` line (kind ``highway``) and a
``places`` point named after the tile. The Mapbox Vector Tile encoding is
written out here (a protobuf of a few fields) so the test needs no encoder
package; the archive is written by the maintained ``pmtiles`` writer.
"""

from __future__ import annotations

import math
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

#: West, south, east, north of Kyrgyzstan, degrees.
KYRGYZSTAN_BOUNDS = (69.2, 39.1, 80.3, 43.3)
EXTENT = 4096


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | int | str) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _packed(number: int, values: list[int]) -> bytes:
    return _field(number, b"".join(_varint(v) for v in values))


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def _geometry(points: list[tuple[int, int]], close: bool) -> list[int]:
    """MoveTo the first point, LineTo the rest, ClosePath for a polygon ring (deltas, zigzag)."""
    out, x, y = [], 0, 0
    for i, (px, py) in enumerate(points):
        if i == 0:
            out.append(1 | (1 << 3))  # MoveTo, one point
        elif i == 1:
            out.append(2 | ((len(points) - 1) << 3))  # LineTo, the rest
        out += [_zigzag(px - x), _zigzag(py - y)]
        x, y = px, py
    if close:
        out.append(7 | (1 << 3))
    return out


def _layer(name: str, geometry_type: int, geometry: list[int], properties: dict[str, str]) -> bytes:
    keys = list(properties)
    values = [_field(1, properties[k]) for k in keys]  # Value.string_value
    feature = _field(1, 1) + _packed(2, [i for k in range(len(keys)) for i in (k, k)]) + _field(3, geometry_type) + _packed(4, geometry)
    body = _field(15, 2) + _field(1, name) + _field(2, feature)
    body += b"".join(_field(3, k) for k in keys) + b"".join(_field(4, v) for v in values) + _field(5, EXTENT)
    return _field(3, body)


def vector_tile(label: str) -> bytes:
    square = [(0, 0), (EXTENT, 0), (EXTENT, EXTENT), (0, EXTENT)]  # clockwise in tile coordinates: an outer ring
    return (
        _layer("earth", 3, _geometry(square, close=True), {"kind": "earth"})
        + _layer("roads", 2, _geometry([(0, EXTENT // 3), (EXTENT, 2 * EXTENT // 3)], close=False), {"kind": "highway", "name": "M41"})
        + _layer("places", 1, _geometry([(EXTENT // 2, EXTENT // 2)], close=False), {"kind": "locality", "name": label})
    )


def _tile_range(zoom: int, bounds: tuple[float, float, float, float]) -> tuple[range, range]:
    west, south, east, north = bounds
    n = 2**zoom

    def x(lon: float) -> int:
        return min(n - 1, int((lon + 180) / 360 * n))

    def y(lat: float) -> int:
        rad = math.radians(lat)
        return min(n - 1, int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * n))

    return range(x(west), x(east) + 1), range(y(north), y(south) + 1)


def build_archive(path: Path, max_zoom: int = 6, bounds: tuple[float, float, float, float] = KYRGYZSTAN_BOUNDS) -> Path:
    """Tiles for zooms 0..max_zoom over `bounds`, uncompressed MVT."""
    tiles = {}
    for z in range(max_zoom + 1):
        xs, ys = _tile_range(z, bounds)
        for x in xs:
            for y in ys:
                tiles[zxy_to_tileid(z, x, y)] = vector_tile(f"tile {z}/{x}/{y}")
    west, south, east, north = bounds
    with write(path) as writer:
        for tile_id in sorted(tiles):
            writer.write_tile(tile_id, tiles[tile_id])
        writer.finalize(
            {
                "tile_type": TileType.MVT, "tile_compression": Compression.NONE,
                "min_lon_e7": int(west * 1e7), "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7), "max_lat_e7": int(north * 1e7),
                "center_zoom": max_zoom, "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            },
            {"vector_layers": [{"id": name, "fields": {}} for name in ("earth", "roads", "places")],
             "attribution": "test archive"},
        )
    return path

"""Fixes written straight into positions (binary COPY), for the command-line tests of analytics and the archive."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from chekara.domain.analytics.h3_cells import latlng_cell
from chekara.ingest.persist import copy_positions, positions_ewkb


def copy_fixes(engine, device: int, times: list[datetime], corridor_distance_m: float | None = None) -> None:
    """One fix at each time, 0.002° further east each, at 40 km/h; committed."""
    lon = 74.6 + np.arange(len(times)) * 0.002
    lat = np.full(len(times), 42.87)
    rows = [(device, None, ts, datetime.now(UTC), g, 40.0, None, None, None, None,
             latlng_cell(la, lo), corridor_distance_m, None, None, False)
            for ts, g, lo, la in zip(times, positions_ewkb(lon, lat), lon.tolist(), lat.tolist())]
    raw = engine.raw_connection()
    try:
        copy_positions(raw.driver_connection, rows)
        raw.driver_connection.commit()
    finally:
        raw.close()

"""MovingPandas' TrajectoryStopDetector on the same fixes, as the reference our stop detection must match."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "Missing optional dependencies" (Stone Soup, for smoothers we do not use)
    import movingpandas as mpd


def movingpandas_stops(
    ts: Sequence[datetime], lon: Sequence[float], lat: Sequence[float], max_diameter_m: float, min_duration_s: float,
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each stop MovingPandas finds in one lon/lat track."""
    frame = gpd.GeoDataFrame(
        {"t": pd.to_datetime(list(ts), utc=True)},
        geometry=[Point(x, y) for x, y in zip(lon, lat)], crs="EPSG:4326",
    ).set_index("t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its time-zone notice and pandas deprecations, not ours to fix
        trajectory = mpd.Trajectory(frame, traj_id=1)
        ranges = mpd.TrajectoryStopDetector(trajectory).get_stop_time_ranges(
            max_diameter=max_diameter_m, min_duration=timedelta(seconds=min_duration_s)
        )
    return [(_utc(r.t_0), _utc(r.t_n)) for r in ranges]


def _utc(instant) -> datetime:
    """MovingPandas hands times back without their zone; they are the UTC ones it was given."""
    value = pd.Timestamp(instant).to_pydatetime()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def same_stops(ours: list[tuple[datetime, datetime]], theirs: list[tuple[datetime, datetime]], fix_interval_s: float) -> bool:
    """Same number of stops, each start and end within one fix interval of the other's."""
    if len(ours) != len(theirs):
        return False
    tolerance = timedelta(seconds=fix_interval_s * 1.01)
    return all(abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance for a, b in zip(sorted(ours), sorted(theirs)))

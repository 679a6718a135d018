"""Heatmaps from the hourly rollups: one value per H3 cell at resolution 5..9.

- ``fixes``: fixes in the cell (additive: sums over cells and hours are the raw count).
- ``speed``: mean reported speed, km/h (sum of speeds / fixes with a speed, both summed first).
- ``dwell``: seconds credited to the cell by its fixes (chekara.domain.analytics.dwell).
- ``trips``: distinct trips. Not additive (one trip crossing ten hours or
  seven child cells is still one trip), so it is counted from the rollup's
  per-(hour, cell) trip sets, COUNT(DISTINCT trip_id) over the window and
  the parent cell, never by adding per-hour counts.

The window is whole UTC hours: ``from`` is taken down to its hour, ``to`` up
to the next one; the answer says which window it used. A window of whole UTC
days reads the daily level (per resolution and day; distinct trips counted on
each trip's first day in the window), any other the hourly one
(chekara.domain.analytics.rollup_levels); the answer says which (``level``),
and both give the same numbers (tested). ``bbox`` keeps the
hexagons whose centre lies in it, each with its full value (its res-9
children are gathered a little beyond the box first). ``corridor`` keeps
the res-9 cells whose centre lies in the corridor's band (line ±
half-width), and the coarser hexagons aggregate only those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from geoalchemy2.shape import to_shape
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import BigInteger

from chekara.domain.analytics.rollup_levels import LEVELS, NO_PREVIOUS_DAY, choose_level, day_level_refusal, day_range
from chekara.domain.analytics.h3_cells import (
    BASE_RESOLUTION,
    HEATMAP_RESOLUTIONS,
    cells_in_polygon,
    centre_in_bbox,
    descendant_reach_m,
    padded_bbox,
)
from chekara.domain.geometry import buffer_m
from chekara.errors import InvalidInput
from chekara.services.analytics.rollups import watermark
from chekara.services.corridors import get_corridor

METRICS = ("fixes", "trips", "speed", "dwell")
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class HeatCell:
    cell: int
    value: float


@dataclass(frozen=True)
class Heatmap:
    metric: str
    res: int
    #: The window actually used: whole UTC hours.
    from_: datetime
    to: datetime
    bbox: BBox | None
    corridor: str | None
    cells: list[HeatCell]
    #: Fixes with ids up to this are in the rollups (chekara analytics update moves it).
    rollups_position_id: int
    rollups_updated_at: datetime | None
    #: The rollup level that answered: "hour" or "day".
    level: str = "hour"


def hour_window(from_: datetime, to: datetime) -> tuple[datetime, datetime]:
    """The smallest whole-UTC-hour window holding [from_, to) (naive times are taken as UTC)."""
    from_, to = as_utc(from_), as_utc(to)
    start = from_.replace(minute=0, second=0, microsecond=0)
    end = to.replace(minute=0, second=0, microsecond=0)
    if end < to:
        end += timedelta(hours=1)
    return start, end


def as_utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def parse_bbox(raw: str | None) -> BBox | None:
    if raw is None or raw == "":
        return None
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError as exc:
        raise InvalidInput("bbox must be minlon,minlat,maxlon,maxlat (numbers)", field="bbox") from exc
    if len(values) != 4:
        raise InvalidInput("bbox must be minlon,minlat,maxlon,maxlat", field="bbox")
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise InvalidInput("bbox must have minlon < maxlon and minlat < maxlat within lon/lat range", field="bbox")
    return values  # type: ignore[return-value]


def corridor_cells(session: Session, code: str) -> set[int]:
    """Res-9 cells whose centre lies within the corridor's half-width of its line."""
    corridor = get_corridor(session, code, field_name="corridor")
    return cells_in_polygon(buffer_m(to_shape(corridor.geom), corridor.half_width_m), BASE_RESOLUTION)


def _value_sql(metric: str) -> tuple[str, str]:
    """(the value expression, a HAVING clause) over rollup rows aliased r."""
    if metric == "fixes":
        return "sum(r.fixes)", ""
    if metric == "dwell":
        return "sum(r.dwell_ms) / 1000.0", ""
    if metric == "speed":
        return "sum(r.speed_kmh_sum) / sum(r.speed_fixes)", "HAVING sum(r.speed_fixes) > 0"
    return "count(DISTINCT r.trip_id)", ""


def heatmap(
    session: Session, metric: str, res: int, from_: datetime, to: datetime,
    bbox: BBox | None = None, corridor: str | None = None, level: str = "auto",
) -> Heatmap:
    """The heatmap over [from_, to); ``level`` "auto" picks the daily level for whole UTC days ("hour"/"day" force one)."""
    if metric not in METRICS:
        raise InvalidInput(f"metric must be one of {', '.join(METRICS)}", field="metric")
    if res not in HEATMAP_RESOLUTIONS:
        raise InvalidInput("res must be 5..9", field="res")
    if to <= from_:
        raise InvalidInput("to must be after from", field="to")
    start, end = hour_window(from_, to)
    if level == "auto":
        level = choose_level(start, end, metric, corridor)
    elif level not in LEVELS:
        raise InvalidInput("level must be auto, hour or day", field="level")
    elif level == "day" and (refusal := day_level_refusal(start, end, metric, corridor)) is not None:
        raise InvalidInput(refusal, field="level")
    read = _daily if level == "day" else _hourly
    cells = read(session, metric, res, start, end, bbox, corridor)
    if bbox is not None and res != BASE_RESOLUTION:
        cells = [c for c in cells if centre_in_bbox(c.cell, bbox)]
    position_id, updated_at = watermark(session)
    return Heatmap(metric, res, start, end, bbox, corridor.upper() if corridor else None, cells, position_id,
                   updated_at, level)


def _corridor_filter(session: Session, corridor: str | None, where: list[str], params: dict) -> list:
    if corridor is None:
        return []
    where.append("r.cell = ANY(:corridor_cells)")
    params["corridor_cells"] = sorted(corridor_cells(session, corridor))
    return [bindparam("corridor_cells", type_=ARRAY(BigInteger))]


def _run(session: Session, metric: str, sql: str, params: dict, binds: list) -> list[HeatCell]:
    statement = text(sql).bindparams(*binds) if binds else text(sql)
    return [HeatCell(int(cell), _number(metric, v)) for cell, v in session.execute(statement, params).all()]


def _hourly(session: Session, metric: str, res: int, start: datetime, end: datetime,
            bbox: BBox | None, corridor: str | None) -> list[HeatCell]:
    """Res-9 cell-hours, grouped by the parent cell at ``res`` through h3_cells."""
    table = "h3_cell_hour_trips" if metric == "trips" else "h3_cell_hours"
    key = "r.cell" if res == BASE_RESOLUTION else f"c.r{res}"
    needs_cells = res != BASE_RESOLUTION or bbox is not None
    where = ["r.hour >= :start", "r.hour < :end"]
    params: dict = {"start": start, "end": end}
    if bbox is not None:
        box = padded_bbox(bbox, descendant_reach_m(res))
        where.append("c.lon BETWEEN :min_lon AND :max_lon AND c.lat BETWEEN :min_lat AND :max_lat")
        params |= dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), box))
    binds = _corridor_filter(session, corridor, where, params)
    value, having = _value_sql(metric)
    sql = (
        f"SELECT {key} AS cell, {value} AS value FROM {table} r"
        + (" JOIN h3_cells c ON c.cell = r.cell" if needs_cells else "")
        + f" WHERE {' AND '.join(where)} GROUP BY {key} {having} ORDER BY {key}"
    )
    return _run(session, metric, sql, params, binds)


def _daily(session: Session, metric: str, res: int, start: datetime, end: datetime,
           bbox: BBox | None, corridor: str | None) -> list[HeatCell]:
    """Cell-days stored at ``res`` itself; with a corridor, its res-9 cell-days grouped by parent (additive metrics)."""
    first_day, end_day = day_range(start, end)
    params: dict = {"first_day": first_day, "end_day": end_day, "res": res, "none": NO_PREVIOUS_DAY}
    where = ["r.day >= :first_day", "r.day < :end_day"]
    if metric == "trips":
        # Each trip counts on its first day inside the window: its previous day in the cell is before it.
        table, value, having = "h3_cell_day_trip_counts", "sum(r.trips)", ""
        where.append("r.prev_day < :first_day")
    else:
        table = "h3_cell_days"
        value, having = _value_sql(metric)
    by_parent = corridor is not None and res != BASE_RESOLUTION
    where.append("r.res = :res" if not by_parent else f"r.res = {BASE_RESOLUTION}")
    key = f"c.r{res}" if by_parent else "r.cell"
    needs_cells = by_parent or (bbox is not None and res == BASE_RESOLUTION)
    if bbox is not None and res == BASE_RESOLUTION:
        where.append("c.lon BETWEEN :min_lon AND :max_lon AND c.lat BETWEEN :min_lat AND :max_lat")
        params |= dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), bbox))
    binds = _corridor_filter(session, corridor, where, params)
    sql = (
        f"SELECT {key} AS cell, {value} AS value FROM {table} r"
        + (" JOIN h3_cells c ON c.cell = r.cell" if needs_cells else "")
        + f" WHERE {' AND '.join(where)} GROUP BY {key} {having} ORDER BY {key}"
    )
    return _run(session, metric, sql, params, binds)


def _number(metric: str, value) -> float | int:
    if metric in ("fixes", "trips"):
        return int(value)
    return round(float(value), 3)

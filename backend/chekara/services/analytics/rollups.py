"""Hourly and daily H3 rollups of positions, kept up to date incrementally, or rebuilt from scratch.

The daily level (per resolution 5..9 and UTC day; chekara.domain.analytics.rollup_levels) is
fed from the same delta as the hourly one on update, and derived from the hourly tables on
rebuild: the two paths meet in the tests.

Per res-9 cell and UTC hour: fixes, fixes with a speed and their speed sum,
dwell (chekara.domain.analytics.dwell: each fix owns the time to the
device's next fix, capped), and the set of trips seen.

**Never counting a fix twice.** A watermark on ``positions.id`` says which
fixes are in the rollups: every id <= watermark, and no other. Ids are
handed out at insert, so a late fix (an old timestamp arriving now) has a
new id and is counted once, into the hour of its timestamp. An id is
handed out when a transaction inserts, not when it commits, so a larger id
can commit before a smaller one; the watermark only advances to a
*settled* id: ``LOCK TABLE positions IN SHARE MODE`` waits for every
transaction that is writing positions to finish (new writers wait a
moment behind it), ``max(id)`` read then is final, and the lock is
released at once by a commit, before any rollup work.

**Late fixes and dwell.** When new fixes arrive, the dwell of each new fix
is computed against the device's next fix (old or new), and each old fix
whose next fix is now a new one (the fix just before a new one) gets the
difference between its new and its old dwell. Summing those changes keeps
the rollups equal to a rebuild; a test proves it with late fixes.

Updaters and rebuilds serialise on the watermark row (SELECT … FOR UPDATE).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from chekara.domain.analytics.dwell import DWELL_CAP_S
from chekara.domain.analytics.rollup_levels import NO_PREVIOUS_DAY
from chekara.domain.analytics.h3_cells import centre_lonlat, parents

log = logging.getLogger("chekara.analytics")

WATERMARK = "h3_cell_hours"
#: Fixes per incremental round (one transaction each).
UPDATE_CHUNK_FIXES = 100_000
#: Fixes per rebuild step (a step per group of whole devices).
REBUILD_CHUNK_FIXES = 1_000_000
#: How long an update waits for in-flight position writes before skipping a round.
SETTLE_LOCK_TIMEOUT = "5s"

#: The UTC hour of a timestamp, whatever the session's time zone.
_HOUR = "date_bin('1 hour', {ts}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
#: A fix's dwell: milliseconds to the next fix, capped. (LEAST ignores NULLs: check for "no next fix" first.)
_DWELL_MS = "LEAST((EXTRACT(EPOCH FROM ({next_ts} - {ts})) * 1000)::bigint, :cap_ms)"
#: The UTC day of a timestamp.
_DAY = "({ts} AT TIME ZONE 'UTC')::date"
#: A res-9 cell c (a row of h3_cells) and its parents, as (res, cell) rows: the daily level is per resolution.
_AT_EVERY_RES = "CROSS JOIN LATERAL (VALUES (9, c.cell), (8, c.r8), (7, c.r7), (6, c.r6), (5, c.r5)) v(res, cell)"
_ADD_ON_CONFLICT = """
    ON CONFLICT (hour, cell) DO UPDATE SET
        fixes = h3_cell_hours.fixes + excluded.fixes,
        speed_fixes = h3_cell_hours.speed_fixes + excluded.speed_fixes,
        speed_kmh_sum = h3_cell_hours.speed_kmh_sum + excluded.speed_kmh_sum,
        dwell_ms = h3_cell_hours.dwell_ms + excluded.dwell_ms
"""


def _dwell_to_next(alias: str, below: str) -> str:
    """The dwell of fix ``alias`` against the device's next fix among ids <= :below; NULL when there is none."""
    dwell = _DWELL_MS.format(next_ts="p.ts", ts=f"{alias}.ts")
    return (
        f"(SELECT {dwell} FROM positions p WHERE p.device_id = {alias}.device_id AND p.ts > {alias}.ts"
        f" AND p.id <= :{below} ORDER BY p.ts LIMIT 1)"
    )


_DELTA_CELL_HOURS = f"""
CREATE TEMP TABLE delta_cell_hours ON COMMIT DROP AS
WITH new AS (
    SELECT id, device_id, ts, h3_r9, speed_kmh FROM positions WHERE id > :low AND id <= :high
),
new_fixes AS (
    SELECT n.ts, n.h3_r9, n.speed_kmh, {_dwell_to_next("n", "high")} AS dwell_ms
    FROM new n
),
split AS (  -- old fixes whose next fix is now a new one: a late fix split their interval, or it is their first next
    SELECT DISTINCT prev.id, prev.device_id, prev.ts, prev.h3_r9
    FROM new n
    CROSS JOIN LATERAL (
        SELECT p.id, p.device_id, p.ts, p.h3_r9 FROM positions p
        WHERE p.device_id = n.device_id AND p.ts < n.ts AND p.id <= :high ORDER BY p.ts DESC LIMIT 1
    ) prev
    WHERE prev.id <= :low
),
split_change AS (
    SELECT s.ts, s.h3_r9,
        COALESCE({_dwell_to_next("s", "high")}, 0) - COALESCE({_dwell_to_next("s", "low")}, 0) AS dwell_ms
    FROM split s
),
delta AS (
    SELECT {_HOUR.format(ts="ts")} AS hour, h3_r9 AS cell, 1 AS fixes, (speed_kmh IS NOT NULL)::int AS speed_fixes,
           COALESCE(speed_kmh::numeric, 0) AS speed_kmh_sum, COALESCE(dwell_ms, 0) AS dwell_ms
    FROM new_fixes
    UNION ALL
    SELECT {_HOUR.format(ts="ts")}, h3_r9, 0, 0, 0, dwell_ms FROM split_change
)
SELECT hour, cell, sum(fixes) AS fixes, sum(speed_fixes) AS speed_fixes, sum(speed_kmh_sum) AS speed_kmh_sum,
       sum(dwell_ms) AS dwell_ms
FROM delta GROUP BY hour, cell
"""

_ADD_DELTA_HOURS = f"""
INSERT INTO h3_cell_hours (hour, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms)
SELECT hour, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms FROM delta_cell_hours
{_ADD_ON_CONFLICT}
"""

_ADD_DELTA_DAYS = f"""
INSERT INTO h3_cell_days (res, day, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms)
SELECT v.res, {_DAY.format(ts="d.hour")}, v.cell, sum(d.fixes), sum(d.speed_fixes), sum(d.speed_kmh_sum), sum(d.dwell_ms)
FROM delta_cell_hours d JOIN h3_cells c ON c.cell = d.cell {_AT_EVERY_RES}
GROUP BY 1, 2, 3
{_ADD_ON_CONFLICT.replace("h3_cell_hours", "h3_cell_days").replace("(hour, cell)", "(res, day, cell)")}
"""

_DELTA_TRIPS = f"""
INSERT INTO h3_cell_hour_trips (hour, cell, trip_id)
SELECT DISTINCT {_HOUR.format(ts="ts")}, h3_r9, trip_id FROM positions
WHERE id > :low AND id <= :high AND trip_id IS NOT NULL
ON CONFLICT DO NOTHING
"""

_NEW_TRIP_DAYS = f"""
CREATE TEMP TABLE new_trip_days ON COMMIT DROP AS
WITH seen AS (
    SELECT DISTINCT {_DAY.format(ts="ts")} AS day, h3_r9, trip_id FROM positions
    WHERE id > :low AND id <= :high AND trip_id IS NOT NULL
),
added AS (
    INSERT INTO h3_cell_day_trips (res, cell, trip_id, day)
    SELECT DISTINCT v.res, v.cell, s.trip_id, s.day FROM seen s JOIN h3_cells c ON c.cell = s.h3_r9 {_AT_EVERY_RES}
    ON CONFLICT DO NOTHING
    RETURNING res, cell, trip_id, day
)
SELECT * FROM added
"""

#: Trip-days whose previous day in the cell changed: the new ones, and the next day of each (a new day may
#: fall between two old ones). Each moves one trip between two (res, day, cell, prev_day) counts.
_TRIP_DAY_CHANGES = f"""
CREATE TEMP TABLE trip_day_changes ON COMMIT DROP AS
WITH affected AS (SELECT res, cell, trip_id, min(day) AS since FROM new_trip_days GROUP BY 1, 2, 3),
ordered AS (
    SELECT t.res, t.cell, t.trip_id, t.day, t.prev_day, a.since,
           lag(t.day) OVER (PARTITION BY t.res, t.cell, t.trip_id ORDER BY t.day) AS new_prev
    FROM h3_cell_day_trips t JOIN affected a USING (res, cell, trip_id)
)
SELECT o.res, o.cell, o.trip_id, o.day, o.prev_day AS old_prev, o.new_prev, n.day IS NOT NULL AS is_new
FROM ordered o LEFT JOIN new_trip_days n USING (res, cell, trip_id, day)
WHERE o.day >= o.since AND (n.day IS NOT NULL OR o.prev_day IS DISTINCT FROM o.new_prev)
"""

_APPLY_TRIP_DAY_CHANGES = [
    """UPDATE h3_cell_day_trips t SET prev_day = c.new_prev FROM trip_day_changes c
       WHERE t.res = c.res AND t.cell = c.cell AND t.trip_id = c.trip_id AND t.day = c.day""",
    """INSERT INTO h3_cell_day_trip_counts (res, day, cell, prev_day, trips)
       SELECT res, day, cell, prev, sum(n) FROM (
           SELECT res, day, cell, COALESCE(new_prev, :none) AS prev, 1 AS n FROM trip_day_changes
           UNION ALL
           SELECT res, day, cell, COALESCE(old_prev, :none), -1 FROM trip_day_changes WHERE NOT is_new
       ) d GROUP BY 1, 2, 3, 4
       ON CONFLICT (res, day, cell, prev_day) DO UPDATE SET trips = h3_cell_day_trip_counts.trips + excluded.trips""",
    """DELETE FROM h3_cell_day_trip_counts k USING (SELECT DISTINCT res, day, cell FROM trip_day_changes) c
       WHERE k.res = c.res AND k.day = c.day AND k.cell = c.cell AND k.trips = 0""",
]

#: The daily level from the hourly one (a rebuild): the same sums, and the trip-days with their previous day.
_REBUILD_DAYS = [
    f"""INSERT INTO h3_cell_days (res, day, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms)
        SELECT v.res, {_DAY.format(ts="h.hour")}, v.cell, sum(h.fixes), sum(h.speed_fixes), sum(h.speed_kmh_sum),
               sum(h.dwell_ms)
        FROM h3_cell_hours h JOIN h3_cells c ON c.cell = h.cell {_AT_EVERY_RES} GROUP BY 1, 2, 3""",
    f"""INSERT INTO h3_cell_day_trips (res, cell, trip_id, day, prev_day)
        SELECT res, cell, trip_id, day, lag(day) OVER (PARTITION BY res, cell, trip_id ORDER BY day) FROM (
            SELECT DISTINCT v.res, v.cell, t.trip_id, {_DAY.format(ts="t.hour")} AS day
            FROM h3_cell_hour_trips t JOIN h3_cells c ON c.cell = t.cell {_AT_EVERY_RES}
        ) s""",
    """INSERT INTO h3_cell_day_trip_counts (res, day, cell, prev_day, trips)
       SELECT res, day, cell, COALESCE(prev_day, :none), count(*) FROM h3_cell_day_trips GROUP BY 1, 2, 3, 4""",
]
#: An hour of a month whose fixes were detached to the archive (chekara.services.archive.months).
_IN_DETACHED_MONTH = (
    "EXISTS (SELECT 1 FROM archive_months a WHERE a.status = 'detached'"
    " AND {col} >= (a.month::timestamp AT TIME ZONE 'UTC') AND {col} < ((a.month + interval '1 month') AT TIME ZONE 'UTC'))"
)
DAILY_TABLES = ("h3_cell_days", "h3_cell_day_trips", "h3_cell_day_trip_counts")

_REBUILD_CELL_HOURS = f"""
INSERT INTO h3_cell_hours (hour, cell, fixes, speed_fixes, speed_kmh_sum, dwell_ms)
SELECT {_HOUR.format(ts="ts")}, h3_r9, count(*), count(speed_kmh), COALESCE(sum(speed_kmh::numeric), 0),
       COALESCE(sum(CASE WHEN next_ts IS NOT NULL THEN {_DWELL_MS.format(next_ts="next_ts", ts="ts")} END), 0)
FROM (
    SELECT ts, h3_r9, speed_kmh, lead(ts) OVER (PARTITION BY device_id ORDER BY ts) AS next_ts
    FROM positions WHERE id <= :high AND device_id >= :first_device AND device_id <= :last_device
) f
GROUP BY 1, 2
{_ADD_ON_CONFLICT}
"""

_REBUILD_TRIPS = f"""
INSERT INTO h3_cell_hour_trips (hour, cell, trip_id)
SELECT DISTINCT {_HOUR.format(ts="ts")}, h3_r9, trip_id FROM positions
WHERE id <= :high AND device_id >= :first_device AND device_id <= :last_device AND trip_id IS NOT NULL
ON CONFLICT DO NOTHING
"""

_MISSING_CELLS = """
SELECT DISTINCT r.cell FROM h3_cell_hours r
WHERE NOT EXISTS (SELECT 1 FROM h3_cells c WHERE c.cell = r.cell)
"""

_MISSING_CELLS_OF_RANGE = """
SELECT DISTINCT p.h3_r9 FROM positions p
WHERE p.id > :low AND p.id <= :high AND NOT EXISTS (SELECT 1 FROM h3_cells c WHERE c.cell = p.h3_r9)
"""


@dataclass(frozen=True)
class RollupReport:
    #: Fixes added to the rollups by this run.
    fixes: int
    #: The watermark after the run: every position id up to it is counted.
    position_id: int


Progress = Callable[[int, int], None]  # (fixes done, fixes in all)


def settled_position_id(session: Session) -> int | None:
    """The largest position id with no smaller id still uncommitted; None if writers hold the table too long.

    Commits (which releases the lock at once).
    """
    try:
        session.execute(text(f"SET LOCAL lock_timeout = '{SETTLE_LOCK_TIMEOUT}'"))
        session.execute(text("LOCK TABLE positions IN SHARE MODE"))
        horizon = int(session.scalar(text("SELECT COALESCE(max(id), 0) FROM positions")))
    except OperationalError:
        session.rollback()
        log.warning("positions stayed locked by writers for %s; rollups wait for the next round", SETTLE_LOCK_TIMEOUT)
        return None
    session.commit()
    return horizon


def _locked_watermark(session: Session) -> int:
    session.execute(
        text("INSERT INTO analytics_watermarks (name, position_id) VALUES (:name, 0) ON CONFLICT DO NOTHING"),
        {"name": WATERMARK},
    )
    return int(session.scalar(
        text("SELECT position_id FROM analytics_watermarks WHERE name = :name FOR UPDATE"), {"name": WATERMARK}
    ))


def _set_watermark(session: Session, position_id: int) -> None:
    session.execute(
        text("UPDATE analytics_watermarks SET position_id = :id, updated_at = now() WHERE name = :name"),
        {"id": position_id, "name": WATERMARK},
    )


def watermark(session: Session) -> tuple[int, object]:
    """(position id, when it last moved) of the rollups; (0, None) before the first run."""
    row = session.execute(
        text("SELECT position_id, updated_at FROM analytics_watermarks WHERE name = :name"), {"name": WATERMARK}
    ).first()
    return (int(row[0]), row[1]) if row else (0, None)


def _add_cells(session: Session, cells: list[int]) -> None:
    """Record new res-9 cells with their parents and centre (computed here, in Python, with h3)."""
    rows = []
    for cell in cells:
        up = parents(cell)
        lon, lat = centre_lonlat(cell)
        rows.append({"cell": cell, "r8": up[8], "r7": up[7], "r6": up[6], "r5": up[5], "lon": lon, "lat": lat})
    if rows:
        session.execute(
            text("INSERT INTO h3_cells (cell, r8, r7, r6, r5, lon, lat) VALUES (:cell, :r8, :r7, :r6, :r5, :lon, :lat)"
                 " ON CONFLICT DO NOTHING"),
            rows,
        )


def update_rollups(session: Session, chunk_fixes: int = UPDATE_CHUNK_FIXES, progress: Progress | None = None) -> RollupReport:
    """Count every settled fix not yet counted; one transaction per chunk of ids (commits)."""
    horizon = settled_position_id(session)
    if horizon is None:
        return RollupReport(0, watermark(session)[0])
    counted = 0
    start = None
    while True:
        low = _locked_watermark(session)
        start = low if start is None else start
        if low >= horizon:
            session.commit()
            return RollupReport(counted, low)
        high = min(horizon, low + chunk_fixes)
        params = {"low": low, "high": high, "cap_ms": DWELL_CAP_S * 1000}
        # New cells first: the daily level reaches their parents through h3_cells.
        _add_cells(session, list(session.scalars(text(_MISSING_CELLS_OF_RANGE), {"low": low, "high": high})))
        session.execute(text(_DELTA_CELL_HOURS), params)
        session.execute(text(_ADD_DELTA_HOURS))
        session.execute(text(_ADD_DELTA_DAYS))
        session.execute(text("DROP TABLE delta_cell_hours"))  # ON COMMIT DROP does not fire inside a savepoint
        session.execute(text(_DELTA_TRIPS), {"low": low, "high": high})
        _update_trip_days(session, low, high)
        counted += int(session.scalar(
            text("SELECT count(*) FROM positions WHERE id > :low AND id <= :high"), {"low": low, "high": high}
        ))
        _set_watermark(session, high)
        session.commit()
        if progress:
            progress(high - start, horizon - start)


def _update_trip_days(session: Session, low: int, high: int) -> None:
    """The daily trip sets and counts for the fixes with ids in (low, high]."""
    session.execute(text(_NEW_TRIP_DAYS), {"low": low, "high": high})
    session.execute(text(_TRIP_DAY_CHANGES))
    for statement in _APPLY_TRIP_DAY_CHANGES:
        session.execute(text(statement), {"none": NO_PREVIOUS_DAY})
    session.execute(text("DROP TABLE new_trip_days, trip_day_changes"))


def _device_groups(session: Session, high: int, chunk_fixes: int) -> list[tuple[int, int, int]]:
    """Consecutive device ids grouped into steps of about chunk_fixes fixes: (first, last, fixes)."""
    groups: list[tuple[int, int, int]] = []
    first = last = None
    size = 0
    for device_id, fixes in session.execute(
        text("SELECT device_id, count(*) FROM positions WHERE id <= :high GROUP BY device_id ORDER BY device_id"),
        {"high": high},
    ):
        if first is None:
            first = device_id
        last, size = device_id, size + fixes
        if size >= chunk_fixes:
            groups.append((first, last, size))
            first, size = None, 0
    if first is not None:
        groups.append((first, last, size))
    return groups


def rebuild_rollups(session: Session, chunk_fixes: int = REBUILD_CHUNK_FIXES, progress: Progress | None = None) -> RollupReport:
    """Recompute every rollup from the raw positions, in one transaction (readers see the old numbers until it commits).

    Months detached to the archive keep their hourly rows (their fixes are no longer in positions).

    Dwell here comes from a window over each device's fixes (lead(ts)), not
    from the incremental corrections, so comparing the two checks both.
    """
    horizon = settled_position_id(session)
    if horizon is None:
        raise RuntimeError("positions stayed locked by writers; try again")
    _locked_watermark(session)
    # Detached months' fixes are only in the archive now: their hourly rows stay (the daily ones follow from them).
    for table in ("h3_cell_hours", "h3_cell_hour_trips"):
        session.execute(text(f"DELETE FROM {table} WHERE NOT {_IN_DETACHED_MONTH.format(col='hour')}"))
    for table in DAILY_TABLES:
        session.execute(text(f"DELETE FROM {table}"))
    groups = _device_groups(session, horizon, chunk_fixes)
    total = sum(g[2] for g in groups)
    done = 0
    if progress:
        progress(0, total)
    for first, last, fixes in groups:
        params = {"high": horizon, "first_device": first, "last_device": last}
        session.execute(text(_REBUILD_CELL_HOURS), params | {"cap_ms": DWELL_CAP_S * 1000})
        session.execute(text(_REBUILD_TRIPS), params)
        done += fixes
        if progress:
            progress(done, total)
    _add_cells(session, list(session.scalars(text(_MISSING_CELLS))))
    for statement in _REBUILD_DAYS:
        session.execute(text(statement), {"none": NO_PREVIOUS_DAY})
    _set_watermark(session, horizon)
    session.commit()
    return RollupReport(total, horizon)

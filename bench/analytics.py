"""Analytics benchmark, in one process, on a scratch database:

    .venv/bin/python bench/analytics.py [--fixes 10000000] [--days 30] [--stop-fixes 500000] [--repeat 3]

(a) heatmaps over the whole window (30 days of --fixes fixes) from the hourly
    H3 rollups, against the same answer computed by a GROUP BY over the raw
    positions; also one day, and the incremental update of the last day;
(a2) every heatmap (fixes, trips, speed, dwell; res 5..9) over 30 days and
    over 1 day from the daily level, against the hourly level (both checked equal);
(b) our stop detection against MovingPandas' TrajectoryStopDetector on the
    same --stop-fixes fixes (and a check that both find the same stops);
(c) the archive: `chekara archive export` of the window's month(s) to
    GeoParquet, heatmaps over it with Dask (LocalCluster, 2 workers) against
    the same heatmaps from the database (checked equal), and the detach.
The window starts at UTC midnight on the first day of the month two months
back, so it lies in closed months (archivable) and on day boundaries.
Prints times and ratios. The fixes are synthetic trucks driving the seeded
corridors back and forth at 45–85 km/h, one fix every 30 s with ~8 m of GPS
noise, stopping 20–60 min on the road every 1–3 h and 2–6 h at each end.
Days 1..N-1 are loaded by binary COPY without indexes, then indexed and
rolled up; the last day is loaded with the indexes in place and counted by
the incremental update.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3.api.basic_int as h3
import numpy as np
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import scratch_database  # noqa: E402
from chekara.config import get_settings  # noqa: E402
from chekara.db.engine import make_engine  # noqa: E402
from chekara.db.models import Corridor  # noqa: E402
from chekara.domain.analytics.stops import detect_stops_lonlat  # noqa: E402
from chekara.domain.archive.months import month_of, months_between  # noqa: E402
from chekara.domain.geometry import lonlat_transformer, metric_transformer, to_metric  # noqa: E402
from chekara.domain.roles import Actor  # noqa: E402
from chekara.ingest.persist import COPY_POSITIONS, COPY_TYPES  # noqa: E402
from chekara.services.analytics.heatmap import heatmap  # noqa: E402
from chekara.services.analytics.rollups import rebuild_rollups, update_rollups  # noqa: E402
from chekara.services.archive.dask_heatmap import archive_heatmap, dask_client  # noqa: E402
from chekara.services.archive.geoparquet import files_between  # noqa: E402
from chekara.services.archive.months import detach_month, export_month  # noqa: E402
from chekara.services.archive.partitions import create_month_partition  # noqa: E402
from chekara.services.devices import register_device  # noqa: E402
from chekara.services.seed import seed_reference_data  # noqa: E402
from chekara.services.trips import TripDeviceDraft, TripDraft, create_trip  # noqa: E402
from tests.stop_reference import movingpandas_stops, same_stops  # noqa: E402

BENCH = Actor("bench", "admin")
INTERVAL_S = 30.0

# positions' indexes as the migrations define them, dropped for the bulk load and made again after.
DROP_INDEXES = [
    "ALTER TABLE positions DROP CONSTRAINT uq_positions_device_ts",
    "DROP INDEX ix_positions_trip_ts", "DROP INDEX ix_positions_geom", "DROP INDEX ix_positions_h3_r9",
    "DROP INDEX ix_positions_ts",
]
CREATE_INDEXES = [  # on the partitioned table: PostgreSQL builds each partition's own
    "ALTER TABLE positions ADD CONSTRAINT uq_positions_device_ts UNIQUE (device_id, ts)",
    "CREATE INDEX ix_positions_trip_ts ON positions (trip_id, ts)",
    "CREATE INDEX ix_positions_geom ON positions USING gist (geom)",
    "CREATE INDEX ix_positions_h3_r9 ON positions (h3_r9)",
    "CREATE INDEX ix_positions_ts ON positions (ts)",
]
METRICS_RES = [(m, r) for m in ("fixes", "trips", "speed", "dwell") for r in (5, 6, 7, 8, 9)]


class Truck:
    """One device's month: along-corridor distance s(t) as breakpoints, driven back and forth with stops."""

    def __init__(self, line_m: LineString, start: datetime, days: int, rng: np.random.Generator) -> None:
        coords = np.asarray(line_m.coords)
        self.vertex_x, self.vertex_y = coords[:, 0], coords[:, 1]
        self.vertex_m = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(self.vertex_x), np.diff(self.vertex_y)))))
        length = float(self.vertex_m[-1])
        horizon = days * 86_400.0
        t, s = [0.0], [float(rng.uniform(0, length))]
        heading = 1 if rng.random() < 0.5 else -1
        while t[-1] < horizon:
            speed = rng.uniform(45, 85) / 3.6
            leg = rng.uniform(3_600, 3 * 3_600) * speed  # drive 1–3 h, then stop on the road
            target = s[-1] + heading * leg
            if target >= length or target <= 0:
                target = length if target >= length else 0.0
                t.append(t[-1] + abs(target - s[-1]) / speed), s.append(target)
                t.append(t[-1] + rng.uniform(2, 6) * 3_600), s.append(target)  # checkpoint and turnaround
                heading = -heading
            else:
                t.append(t[-1] + leg / speed), s.append(target)
                t.append(t[-1] + rng.uniform(20, 60) * 60), s.append(target)
        self.t = np.array(t)
        self.s = np.array(s)
        self.start = start
        self.phase_s = float(rng.uniform(0, INTERVAL_S))
        self.noise = rng

    def fixes(self, day: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(seconds since start, x, y, speed km/h) of the day's fixes."""
        first = math.ceil((day * 86_400 - self.phase_s) / INTERVAL_S)
        last = math.ceil(((day + 1) * 86_400 - self.phase_s) / INTERVAL_S)
        times = self.phase_s + np.arange(first, last) * INTERVAL_S
        along = np.interp(times, self.t, self.s)
        # Linear interpolation between the line's vertices: the same points as line_interpolate_point, faster.
        x = np.interp(along, self.vertex_m, self.vertex_x) + self.noise.normal(0, 5, len(along))
        y = np.interp(along, self.vertex_m, self.vertex_y) + self.noise.normal(0, 5, len(along))
        segment = np.clip(np.searchsorted(self.t, times, side="right") - 1, 0, len(self.t) - 2)
        speed = np.abs(np.diff(self.s)[segment] / np.diff(self.t)[segment]) * 3.6
        speed = np.where(speed > 0, speed + self.noise.normal(0, 2, len(speed)), 0.0).clip(0)
        return times, x, y, speed


def make_trucks(session: Session, count: int, start: datetime, days: int) -> list[tuple[int, int, Truck]]:
    rng = np.random.default_rng(2026)
    corridors = list(session.query(Corridor).order_by(Corridor.code))
    trucks = []
    for i in range(count):
        corridor = corridors[i % len(corridors)]
        device = register_device(session, f"AN-{i}", "tracker", "", None, BENCH)
        trip = create_trip(session, TripDraft(
            declaration_number=f"AN-{i}", vehicle_plates=["01123ABC"], devices=[TripDeviceDraft(f"AN-{i}", "vehicle")],
            origin=corridor.origin.code, destination=corridor.destination.code, corridor=corridor.code,
            planned_departure=start - timedelta(hours=1), deadline=start + timedelta(days=days + 1),
        ), BENCH)
        trucks.append((device.id, trip.id, Truck(to_metric(to_shape(corridor.geom)), start, days, rng)))
    session.commit()
    return trucks


def ewkb_points(lon: np.ndarray, lat: np.ndarray) -> list[bytes]:
    """EWKB points with SRID 4326, as chekara.ingest.persist.positions_ewkb writes them, built with numpy."""
    packed = np.empty(len(lon), dtype=[("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")])
    packed["order"], packed["type"], packed["srid"], packed["x"], packed["y"] = 1, 0x20000001, 4326, lon, lat
    raw = packed.tobytes()
    return [raw[i : i + 25] for i in range(0, len(raw), 25)]


def copy_day(engine, trucks, day: int, start: datetime) -> int:
    """One day of every truck's fixes, in time order across trucks (as ingest writes them), by binary COPY."""
    parts = [(device_pk, trip_id, *truck.fixes(day)) for device_pk, trip_id, truck in trucks]
    device = np.concatenate([np.full(len(p[2]), p[0]) for p in parts])
    trip = np.concatenate([np.full(len(p[2]), p[1]) for p in parts])
    seconds = np.concatenate([p[2] for p in parts])
    x = np.concatenate([p[3] for p in parts])
    y = np.concatenate([p[4] for p in parts])
    speed = np.concatenate([p[5] for p in parts])
    order = np.argsort(seconds, kind="stable")
    device, trip, seconds, x, y, speed = (a[order] for a in (device, trip, seconds, x, y, speed))
    lon, lat = lonlat_transformer().transform(x, y)
    cells = [h3.latlng_to_cell(la, lo, 9) for la, lo in zip(lat.tolist(), lon.tolist())]
    geoms = ewkb_points(np.asarray(lon), np.asarray(lat))
    received = datetime.now(UTC)
    base = start.timestamp()
    raw = engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK triggers for generated, consistent rows
            with cursor.copy(COPY_POSITIONS) as copy:
                copy.set_types(COPY_TYPES)
                for d, tr, s, g, sp, c in zip(device.tolist(), trip.tolist(), seconds.tolist(), geoms, speed.tolist(), cells):
                    copy.write_row((d, tr, datetime.fromtimestamp(base + s, UTC), received, g, round(sp, 1), None, 8.0,
                                    None, None, c, None, None, None, False))
        raw.driver_connection.commit()
    finally:
        raw.close()
    return len(device)


def timed(label: str, fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    print(f"  {label:<58} {seconds:8.3f} s")
    return seconds, result


RAW_HEATMAPS = {
    "fixes": "SELECT {key}, count(*) FROM positions p {join} WHERE p.ts >= :s AND p.ts < :e GROUP BY 1",
    "trips": "SELECT {key}, count(DISTINCT p.trip_id) FROM positions p {join} WHERE p.ts >= :s AND p.ts < :e"
             " AND p.trip_id IS NOT NULL GROUP BY 1",
    "speed": "SELECT {key}, avg(p.speed_kmh) FROM positions p {join} WHERE p.ts >= :s AND p.ts < :e GROUP BY 1"
             " HAVING count(p.speed_kmh) > 0",
    # Dwell from raw fixes needs each fix's next fix: a window over every device's track.
    "dwell": "SELECT {key}, sum(CASE WHEN nx IS NULL THEN 0 ELSE LEAST(EXTRACT(EPOCH FROM (nx - p.ts)), 600) END)"
             " FROM (SELECT ts, h3_r9, lead(ts) OVER (PARTITION BY device_id ORDER BY ts) AS nx FROM positions) p {join}"
             " WHERE p.ts >= :s AND p.ts < :e GROUP BY 1",
}


def heatmap_bench(engine, start: datetime, end: datetime, repeat: int, label: str) -> list[tuple[str, float, float]]:
    """The hourly level against the raw GROUP BY (the raw side once: it is the slow baseline)."""
    rows = []
    with Session(engine) as session:
        for metric, res in (("fixes", 9), ("fixes", 7), ("fixes", 5), ("trips", 9), ("speed", 9), ("dwell", 9)):
            key, join = ("p.h3_r9", "") if res == 9 else (f"c.r{res}", "JOIN h3_cells c ON c.cell = p.h3_r9")
            sql = text(RAW_HEATMAPS[metric].format(key=key, join=join))
            t_roll, result = timed(f"{label} {metric} res {res}: hourly rollups",
                                   lambda: heatmap(session, metric, res, start, end, level="hour"), repeat)
            t_raw, raw = timed(f"{label} {metric} res {res}: GROUP BY over raw positions",
                               lambda: session.execute(sql, {"s": start, "e": end}).all(), 1)
            assert len(result.cells) == len(raw), (metric, res, len(result.cells), len(raw))
            if metric in ("fixes", "trips"):
                assert sorted((c.cell, c.value) for c in result.cells) == sorted((int(k), int(v)) for k, v in raw)
            rows.append((f"{label}, {metric}, res {res}", t_roll, t_raw))
    return rows


def daily_bench(engine, start: datetime, end: datetime, repeat: int, label: str) -> list[tuple[str, float, float]]:
    """Every metric and resolution from the daily level (chosen automatically) against the hourly level."""
    rows = []
    with Session(engine) as session:
        for metric, res in METRICS_RES:
            t_day, daily = timed(f"{label} {metric} res {res}: daily level",
                                 lambda: heatmap(session, metric, res, start, end), repeat)
            t_hour, hourly = timed(f"{label} {metric} res {res}: hourly level",
                                   lambda: heatmap(session, metric, res, start, end, level="hour"), repeat)
            assert daily.level == "day", daily.level
            assert [(c.cell, c.value) for c in daily.cells] == [(c.cell, c.value) for c in hourly.cells], (metric, res)
            rows.append((f"{label}, {metric}, res {res}", t_day, t_hour))
    return rows


def archive_bench(engine, start: datetime, end: datetime, root: Path) -> tuple:
    """Export the window's months, heatmaps over the archive with Dask (2 workers) vs the database, then detach."""
    now = datetime.now(UTC)
    months = months_between(month_of(start), month_of(end - timedelta(seconds=1)))
    rows = []
    with Session(engine) as session:
        t_export, reports = timed(f"archive export of {', '.join(f'{m:%Y-%m}' for m in months)} (GeoParquet, verified)",
                                  lambda: [export_month(session, root, m, now, 7.0) for m in months])
        exported = sum(r.fixes for r in reports)
        size = sum(f.stat().st_size for f in root.rglob("*.parquet"))
        print(f"    {exported:,} fixes, {exported / t_export:,.0f} fixes/s, {size / 1e6:,.0f} MB of GeoParquet")
        files = files_between(root, start, end)
        started = time.perf_counter()
        with dask_client(workers=2) as client:
            print(f"  LocalCluster of 2 workers up in {time.perf_counter() - started:.1f} s")
            for metric, res in (("fixes", 9), ("fixes", 5), ("trips", 9), ("speed", 9), ("dwell", 9)):
                t_dask, result = timed(f"archive {metric} res {res}: Dask over {len(files)} day files",
                                       lambda: archive_heatmap(client, files, metric, res, start, end))
                t_db, db = timed(f"archive {metric} res {res}: the database's daily rollups",
                                 lambda: heatmap(session, metric, res, start, end))
                t_hour, _ = timed(f"archive {metric} res {res}: the database's hourly rollups",
                                  lambda: heatmap(session, metric, res, start, end, level="hour"))
                assert [(c.cell, c.value) for c in result.cells] == [(c.cell, c.value) for c in db.cells], (metric, res)
                rows.append((f"{metric}, res {res}", t_dask, t_db, t_hour))
        t_detach, removed = timed("archive detach (verify every file against the checksum, drop the partitions)",
                                  lambda: [detach_month(session, root, m, now, 7.0) for m in months])
        print(f"    {sum(removed):,} fixes detached")
    return rows, t_export, exported, size, t_detach


def stop_bench(engine, limit: int) -> tuple[float, float, int, int, int]:
    with Session(engine) as session:
        devices = [d for (d,) in session.execute(text("SELECT DISTINCT device_id FROM positions ORDER BY 1"))]
        tracks, total = [], 0
        for device in devices:
            rows = session.execute(text(
                "SELECT ts, ST_X(geom), ST_Y(geom) FROM positions WHERE device_id = :d ORDER BY ts LIMIT :n"),
                {"d": device, "n": limit - total}).all()
            tracks.append(([r[0] for r in rows], np.array([r[1] for r in rows]), np.array([r[2] for r in rows])))
            total += len(rows)
            if total >= limit:
                break
    print(f"  {total:,} fixes of {len(tracks)} devices")

    def ours():
        found = []
        for ts, lon, lat in tracks:
            t = np.array([(v - ts[0]).total_seconds() for v in ts])
            found.append([(ts[s.first], ts[s.last]) for s in detect_stops_lonlat(t, lon, lat, 150, 900)])
        return found

    def theirs():
        return [movingpandas_stops(ts, lon, lat, 150, 900) for ts, lon, lat in tracks]

    t_ours, ours_found = timed("stops: ours (detect_stops_lonlat, MovingPandas' measure)", ours)
    t_mp, mp_found = timed("stops: MovingPandas (Trajectory + TrajectoryStopDetector)", theirs)
    tolerance = timedelta(seconds=INTERVAL_S * 1.01)

    def matched(mine, other):
        return sum(1 for a in mine if any(abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance for b in other))

    same = sum(matched(a, b) for a, b in zip(ours_found, mp_found))
    n_ours, n_mp = sum(map(len, ours_found)), sum(map(len, mp_found))
    devices = sum(1 for a, b in zip(ours_found, mp_found) if same_stops(a, b, INTERVAL_S))
    print(f"  stops found: ours {n_ours}, MovingPandas {n_mp}; ours with a MovingPandas stop within one fix: {same};"
          f" devices whose stops all match: {devices} of {len(tracks)}")
    return t_ours, t_mp, n_ours, n_mp, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--stop-fixes", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    per_device = int(args.days * 86_400 / INTERVAL_S)
    devices = max(1, round(args.fixes / per_device))
    this_month = datetime.now(UTC).date().replace(day=1)
    first = (this_month - timedelta(days=1)).replace(day=1)
    first = (first - timedelta(days=1)).replace(day=1)  # two months back: closed, archivable
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    end = start + timedelta(days=args.days)
    archive_root = Path(tempfile.mkdtemp(prefix="chekara_bench_archive_"))
    with scratch_database("chekara_bench_analytics") as database:
        engine = make_engine(get_settings(), database)
        with Session(engine) as session:
            seed_reference_data(session, get_settings().geodata_dir)
            session.commit()
            for month in months_between(month_of(start), month_of(end - timedelta(seconds=1))):
                create_month_partition(session, month)
            session.commit()
            trucks = make_trucks(session, devices, start, args.days)
        print(f"{devices} trucks on the seeded corridors, {args.days} days, a fix every {INTERVAL_S:.0f} s "
              f"(~{devices * per_device:,} fixes)")
        with engine.begin() as conn:
            for statement in DROP_INDEXES:
                conn.execute(text(statement))
        started = time.perf_counter()
        loaded = sum(copy_day(engine, trucks, day, start) for day in range(args.days - 1))
        load_s = time.perf_counter() - started
        print(f"loaded {loaded:,} fixes of days 1..{args.days - 1} by binary COPY without indexes: {load_s:.1f} s")
        with engine.begin() as conn:
            t_index, _ = timed("indexing positions (unique, trip+ts, GiST, h3)",
                               lambda: [conn.execute(text(s)) for s in CREATE_INDEXES])
            conn.execute(text("ANALYZE positions"))
        with Session(engine) as session:
            t_rebuild, report = timed("chekara analytics rebuild (the same function; hourly and daily levels)",
                                      lambda: rebuild_rollups(session))
            print(f"    {report.fixes / t_rebuild:,.0f} fixes/s")
        last_day = copy_day(engine, trucks, args.days - 1, start)
        with Session(engine) as session:
            t_update, report = timed(f"incremental update of the last day ({last_day:,} fixes, indexes in place)",
                                     lambda: update_rollups(session))
            assert report.fixes == last_day
            print(f"    {last_day / t_update:,.0f} fixes/s")
            totals = session.execute(text(
                "SELECT count(*), sum(fixes), sum(dwell_ms), sum(speed_kmh_sum) FROM h3_cell_hours")).one()
            trips_rows = session.scalar(text("SELECT count(*) FROM h3_cell_hour_trips"))
            rebuild_rollups(session)
            again = session.execute(text(
                "SELECT count(*), sum(fixes), sum(dwell_ms), sum(speed_kmh_sum) FROM h3_cell_hours")).one()
            assert tuple(totals) == tuple(again), (totals, again)
            print(f"  rollups after the update equal a rebuild: {totals[0]:,} cell-hours, {trips_rows:,} cell-hour trips,"
                  f" {totals[1]:,} fixes")
            daily_rows = {t: session.scalar(text(f"SELECT count(*) FROM {t}"))
                          for t in ("h3_cell_days", "h3_cell_day_trips", "h3_cell_day_trip_counts")}
            print("  daily level: " + ", ".join(f"{n:,} rows in {t}" for t, n in daily_rows.items()))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
            total = conn.scalar(text("SELECT count(*) FROM positions"))
        print(f"\n(a) heatmaps, rollups vs GROUP BY over {total:,} raw positions (median of {args.repeat})")
        rows = heatmap_bench(engine, start, end, args.repeat, f"{args.days} days")
        rows += heatmap_bench(engine, end - timedelta(days=1), end, args.repeat, "1 day")
        print(f"\n(a2) every heatmap from the daily level vs the hourly level (median of {args.repeat})")
        daily = daily_bench(engine, start, end, args.repeat, f"{args.days} days")
        daily += daily_bench(engine, end - timedelta(days=1), end, args.repeat, "1 day")
        print(f"\n(b) stop detection on {args.stop_fixes:,} fixes (150 m, 15 min)")
        t_ours, t_mp, n_ours, n_mp, same = stop_bench(engine, args.stop_fixes)
        print("\n(c) the archive")
        archive_rows, t_export, exported, size, t_detach = archive_bench(engine, start, end, archive_root)
        engine.dispose()
    shutil.rmtree(archive_root, ignore_errors=True)

    print("\nsummary")
    print("| heatmap | rollups | raw GROUP BY | raw / rollups |\n|---|---|---|---|")
    for label, t_roll, t_raw in rows:
        print(f"| {label} | {t_roll * 1000:,.0f} ms | {t_raw * 1000:,.0f} ms | {t_raw / t_roll:,.1f} |")
    print(f"| stops on {args.stop_fixes:,} fixes | ours {t_ours:.2f} s | MovingPandas {t_mp:.2f} s |"
          f" MovingPandas / ours {t_mp / t_ours:,.1f} (stops: ours {n_ours}, MovingPandas {n_mp}, {same} the same) |")
    print("\n| heatmap | daily level | hourly level | hourly / daily |\n|---|---|---|---|")
    for label, t_day, t_hour in daily:
        print(f"| {label} | {t_day * 1000:,.0f} ms | {t_hour * 1000:,.0f} ms | {t_hour / t_day:,.1f} |")
    print(f"\narchive: export {exported:,} fixes {t_export:.1f} s ({exported / t_export:,.0f} fixes/s, {size / 1e6:,.0f} MB);"
          f" detach (verify + drop) {t_detach:.1f} s")
    raw = {label: t_raw for label, _, t_raw in rows}
    print(f"| {args.days}-day heatmap | Dask, 2 workers, archive | database, daily level | database, hourly level |"
          " database, raw GROUP BY (a) | Dask / daily | Dask / raw |\n|---|---|---|---|---|---|---|")
    for label, t_dask, t_db, t_hour in archive_rows:
        t_raw = raw.get(f"{args.days} days, {label}")
        raw_cells = (f"{t_raw * 1000:,.0f} ms", f"{t_dask / t_raw:,.2f}") if t_raw else ("", "")
        print(f"| {label} | {t_dask * 1000:,.0f} ms | {t_db * 1000:,.0f} ms | {t_hour * 1000:,.0f} ms | {raw_cells[0]} |"
              f" {t_dask / t_db:,.1f} | {raw_cells[1]} |")


if __name__ == "__main__":
    main()

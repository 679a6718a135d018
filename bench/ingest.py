"""Ingest benchmark: the full position pipeline against a raw binary COPY, in one process.

    .venv/bin/python bench/ingest.py [--fixes 200000] [--trips 50] [--batch 5000] [--latency-samples 30]

(a) raw COPY: the same rows, already computed, copied into a table shaped and
    indexed like `positions` (GiST on geom, btree on device+time, trip+time, h3);
(b) the pipeline: decode → validate → dedupe → enrich → detect → persist → publish,
    one transaction per batch, on trips in transit along the seeded corridors.
Prints positions/s of each and the ratio; then the p50/p99 time from a fix's
arrival at a running server to its alert being readable through the API.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile, scratch_database, start_server, stop_server  # noqa: E402
from chekara.config import get_settings  # noqa: E402
from chekara.db.engine import make_engine  # noqa: E402
from chekara.db.models import Corridor  # noqa: E402
from chekara.domain.roles import Actor  # noqa: E402
from chekara.ingest.batch import IngestContext  # noqa: E402
from chekara.ingest.enrich import h3_cell  # noqa: E402
from chekara.ingest.persist import positions_ewkb  # noqa: E402
from chekara.ingest.pipeline import ingest  # noqa: E402
from chekara.services.devices import register_device  # noqa: E402
from chekara.services.seed import seed_reference_data  # noqa: E402
from chekara.services.tokens import create_token  # noqa: E402
from chekara.services.trips import TripDeviceDraft, TripDraft, create_trip  # noqa: E402
from tests.tracks import TrackBuilder  # noqa: E402

BENCH = Actor("bench", "admin")


def make_trips(session: Session, count: int, start: datetime, prefix: str, owner: str | None = None) -> list[tuple[int, TrackBuilder]]:
    corridors = list(session.query(Corridor).order_by(Corridor.code))
    trips = []
    for i in range(count):
        corridor = corridors[i % len(corridors)]
        device_id = f"{prefix}-{i}"
        register_device(session, device_id, "tracker", "", owner, BENCH)
        trip = create_trip(session, TripDraft(
            declaration_number=f"{prefix}-{i}", vehicle_plates=["01123ABC"],
            devices=[TripDeviceDraft(device_id, "vehicle")], origin=corridor.origin.code,
            destination=corridor.destination.code, corridor=corridor.code,
            planned_departure=start - timedelta(hours=1), deadline=start + timedelta(days=30),
        ), BENCH)
        from geoalchemy2.shape import to_shape

        coords = [list(c) for c in to_shape(corridor.geom).coords]
        trips.append((trip.id, TrackBuilder(coords, start, device_id, interval_s=15)))
    session.commit()
    return trips


def fixes_for(trips: list[tuple[int, TrackBuilder]], total: int) -> list[dict]:
    """Round-robin over the trips so every batch holds many trips, in time order per device."""
    per_trip = total // len(trips)
    for _, track in trips:
        track.drive(minutes=per_trip * track.interval_s / 60, speed_kmh=45)
    fixes = []
    for i in range(per_trip):
        for _, track in trips:
            if i < len(track.fixes):
                fixes.append(track.fixes[i])
    return fixes


def raw_copy_rate(engine, fixes: list[dict], device_pks: dict[str, int]) -> float:
    """Rows computed beforehand; only COPY into an indexed copy of positions is timed."""
    import numpy as np

    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_positions"))
        conn.execute(text("CREATE TABLE bench_positions (LIKE positions INCLUDING DEFAULTS INCLUDING INDEXES)"))
    received = datetime.now(UTC)
    geoms = positions_ewkb(np.array([f["lon"] for f in fixes]), np.array([f["lat"] for f in fixes]))
    rows = [
        (device_pks[f["device_id"]], None, datetime.fromisoformat(f["ts"]), received, g, f["speed_kmh"], None, None,
         None, None, h3_cell(f["lat"], f["lon"]), None, None, None, False)
        for f, g in zip(fixes, geoms)
    ]
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.driver_connection.cursor() as cursor:
            from chekara.ingest.persist import COPY_TYPES

            copy_sql = "COPY bench_positions (device_id, trip_id, ts, received_at, geom, speed_kmh, heading_deg, accuracy_m, altitude_m, battery_pct, h3_r9, corridor_distance_m, stop_zone_id, checkpoint_id, anomaly) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(copy_sql) as copy:
                copy.set_types(COPY_TYPES)
                for row in rows:
                    copy.write_row(row)
        raw.driver_connection.commit()
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    return len(rows) / elapsed


def pipeline_rate(engine, fixes: list[dict], batch_size: int) -> tuple[float, int]:
    settings = get_settings()
    alerts = 0
    started = time.perf_counter()
    with Session(engine) as session:
        for offset in range(0, len(fixes), batch_size):
            ctx = IngestContext(session=session, actor=BENCH, now=datetime.now(UTC), thresholds=settings.detection_thresholds())
            result = ingest(fixes[offset : offset + batch_size], ctx)
            session.commit()
            alerts += result.alerts_raised
            assert result.accepted == len(fixes[offset : offset + batch_size]), result.rejected[:3]
    return len(fixes) / (time.perf_counter() - started), alerts


def alert_latency(database: str, samples: int) -> list[float]:
    """Post a batch whose last fix completes a route deviation; time until GET /alerts shows it."""
    engine = make_engine(get_settings(), database)
    with Session(engine) as session:
        token = create_token(session, get_settings(), "bench-device", "device", BENCH).token
        reader = create_token(session, get_settings(), "bench-operator", "operator", BENCH).token
        session.commit()
        trips = make_trips(session, samples, datetime.now(UTC) - timedelta(hours=1), "LAT", owner="bench-device")
    engine.dispose()
    port = 18000 + os.getpid() % 1000
    server = start_server(database, port, Path(__file__).resolve().parents[1] / "var" / "bench" / f"ingest-server-{port}.log",
                          {"CHEKARA_SWEEP_INTERVAL_S": "0"})
    url = f"http://127.0.0.1:{port}"
    try:
        latencies = []
        with httpx.Client(base_url=url, timeout=10) as client:
            for trip_id, track in trips:
                track.drive(5).drive(2, offset_m=3000)
                client.post("/api/v1/positions", json=track.fixes[:-1], headers={"Authorization": f"Bearer {token}"})
                started = time.perf_counter()
                client.post("/api/v1/positions", json=track.fixes[-1:], headers={"Authorization": f"Bearer {token}"})
                while not client.get("/api/v1/alerts", params={"trip_id": trip_id, "type": "route_deviation"},
                                     headers={"Authorization": f"Bearer {reader}"}).json():
                    if time.perf_counter() - started > 10:
                        raise RuntimeError(f"no alert for trip {trip_id}")
                latencies.append((time.perf_counter() - started) * 1000)
        return latencies
    finally:
        stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixes", type=int, default=200_000)
    parser.add_argument("--trips", type=int, default=50)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--latency-samples", type=int, default=30)
    args = parser.parse_args()

    with scratch_database() as database:
        engine = make_engine(get_settings(), database)
        with Session(engine) as session:
            seed_reference_data(session, get_settings().geodata_dir)
            session.commit()
            start = datetime.now(UTC) - timedelta(days=6)
            trips = make_trips(session, args.trips, start, "BENCH")
            device_pks = {d: i for d, i in session.execute(text("SELECT device_id, id FROM devices"))}
        fixes = fixes_for(trips, args.fixes)
        print(f"{len(fixes):,} fixes for {len(trips)} trips in transit, batches of {args.batch:,}")
        copy_rate = raw_copy_rate(engine, fixes, device_pks)
        print(f"(a) raw binary COPY into an indexed table: {copy_rate:,.0f} positions/s")
        rate, alerts = pipeline_rate(engine, fixes, args.batch)
        print(f"(b) full pipeline:                       {rate:,.0f} positions/s ({alerts} alerts raised)")
        print(f"    pipeline / raw COPY:                 {rate / copy_rate:.2f}")
        engine.dispose()
        latencies = alert_latency(database, args.latency_samples)
        print(f"fix arrival -> alert readable via GET /api/v1/alerts, {len(latencies)} samples: "
              f"p50 {percentile(latencies, 50):.0f} ms, p99 {percentile(latencies, 99):.0f} ms")


if __name__ == "__main__":
    main()

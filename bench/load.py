"""Load benchmark: the traffic shape of a national deployment, against a real server.

    .venv/bin/python bench/load.py [--convoys 2000] [--clients 32] [--seconds 60] [--workers 2]
                                   [--batch-seconds 20] [--job-seconds 8] [--json FILE]

On a scratch database of the embedded cluster (or CHEKARA_DATABASE_URL's server):
N convoys in transit on the seeded corridors (a truck tracker and an escort phone
each, bench/fleet.py), a server started with `chekara serve --workers W`, then
(a) OsmAnd, one fix per request, C keep-alive clients at once, for T seconds:
    fixes/s acknowledged, p50/p99 time to acknowledge;
(b) JSON batches of 1,000 fixes, each fix for a different trip: fixes/s, and the
    ratio against a raw binary COPY of the same rows (1,000 rows per transaction)
    into an indexed positions-shaped table, measured in the same run;
(c) GET /api/v1/live/convoys p50/p95 with N convoys, while (a) runs;
(d) fix -> alert readable through GET /api/v1/alerts, p99, while (a) runs (1 % of
    the convoys are driven off their corridor; an alert's raised_at is the time stamp
    of the fix that completed the deviation, which the client stamps when sending it);
(e) after the run, every acknowledged fix is in `positions`, and no request failed;
(f) OsmAnd throughput while each periodic job (sweep, rollup update, exchange
    delivery) runs back to back in a process of its own, against a window without it.
Prints one table (docs/PERFORMANCE.md shows it), with the machine's speed at the start and the
end of the run (a fixed Python loop, bench.common.python_yardstick; a database round trip,
bench.common.database_round_trip_us) beside the raw COPY rate:
this shared virtual machine's speed drifts by tens of per cent within an hour, so runs are
compared through them. Timings are never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import uvloop
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (  # noqa: E402
    connections_per_process, cpu_seconds, database_round_trip_us, percentile, postgres_processes, process_tree, python_yardstick, scratch_database, start_server,
    stop_server,
)
from bench.fleet import Fleet, build_fleet  # noqa: E402
from bench.keepalive import KeepAlive, OneAtATime  # noqa: E402
from chekara.config import get_settings  # noqa: E402
from chekara.db.engine import make_engine  # noqa: E402
from chekara.ingest.enrich import h3_cell  # noqa: E402
from chekara.ingest.persist import COPY_TYPES, positions_ewkb  # noqa: E402
from chekara.services.seed import seed_reference_data  # noqa: E402

KNOTS = 1.852
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Tally:
    """What one phase saw: acknowledged fixes, failures, latencies in ms."""

    acknowledged: int = 0
    failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    #: When each acknowledgement came (time.monotonic()), for the rate window by window.
    acknowledged_at: list[float] = field(default_factory=list)
    started: float = 0.0

    def fail(self, why: str) -> None:
        self.failed += 1
        self.failures[why] = self.failures.get(why, 0) + 1

    @property
    def rate(self) -> float:
        return self.acknowledged / self.seconds if self.seconds else 0.0

    def rates_by_window(self, window_s: float = 10.0) -> list[float]:
        """Acknowledgements a second in each whole window of the phase: a stall shows as a dip."""
        counts = [0] * int(self.seconds // window_s)
        for at in self.acknowledged_at:
            k = int((at - self.started) // window_s)
            if k < len(counts):
                counts[k] += 1
        return [n / window_s for n in counts]


class Clock:
    """Per-device time stamps: the wall clock, strictly increasing per device (ms)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def mark(self, device: str, ms: int) -> None:
        self._last[device] = ms

    def stamp(self, device: str) -> int:
        ms = max(int(time.time() * 1000), self._last.get(device, 0) + 1)
        self._last[device] = ms
        return ms


# -- the server ----------------------------------------------------------------------


#: One client address and a few devices stand for a whole country's trackers here.
UNLIMITED_OSMAND = {"CHEKARA_OSMAND_RATE_LIMIT_PER_CLIENT_PER_MIN": "100000000",
                    "CHEKARA_OSMAND_RATE_LIMIT_PER_DEVICE_PER_MIN": "100000000"}


# -- (a) OsmAnd, one fix per request ------------------------------------------------------


async def osmand_clients(port: int, fleet: Fleet, clock: Clock, clients: int, seconds: float) -> Tally:
    tally = Tally()
    convoys = fleet.convoys
    cursor = iter(range(10**12))

    async def client() -> None:
        conn = await OneAtATime.open("127.0.0.1", port)
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                convoy = convoys[next(cursor) % len(convoys)]
                ms = clock.stamp(convoy.escort_osmand_id)
                lon, lat, _ = convoy.position(ms / 1000)
                request = (f"GET /osmand?id={convoy.escort_osmand_id}&lat={lat}&lon={lon}&timestamp={ms}"
                           f"&speed={60 / KNOTS:.1f}&bearing=90&batt=80 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
                started = time.perf_counter()
                try:
                    status, body = await conn.request(request.encode())
                except OSError as exc:
                    tally.fail(type(exc).__name__)
                    conn.close()
                    conn = await OneAtATime.open("127.0.0.1", port)
                    continue
                if status == 200:
                    tally.acknowledged += 1
                    tally.acknowledged_at.append(time.monotonic())
                    tally.latencies_ms.append((time.perf_counter() - started) * 1000)
                else:
                    tally.fail(f"HTTP {status}: {body[:120].decode(errors='replace')}")
        finally:
            conn.close()

    started = tally.started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    tally.seconds = time.monotonic() - started
    return tally


# -- (c) the live map, (d) alerts ---------------------------------------------------------


async def poll_live(port: int, token: str, stop: asyncio.Event, convoys: int) -> Tally:
    tally = Tally()
    conn = await KeepAlive.open("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        started = time.perf_counter()
        status, body = await conn.request("GET", "/api/v1/live/convoys", headers=headers)
        if status != 200:
            tally.fail(f"HTTP {status}")
        else:
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            tally.acknowledged = len(orjson.loads(body)["features"])
        await asyncio.sleep(0.25)
    conn.close()
    return tally


async def poll_alerts(port: int, token: str, stop: asyncio.Event, deviating: set[int]) -> Tally:
    """Every 50 ms: route deviations of the deviating convoys; delay = first seen - raised_at."""
    tally = Tally()
    seen: set[int] = set()
    conn = await KeepAlive.open("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}"}
    while not stop.is_set():
        status, body = await conn.request("GET", "/api/v1/alerts?type=route_deviation&limit=1000", headers=headers)
        now = time.time()
        if status != 200:
            tally.fail(f"HTTP {status}")
        else:
            for alert in orjson.loads(body):
                if alert["id"] not in seen and alert["trip_id"] in deviating:
                    seen.add(alert["id"])
                    raised = datetime.fromisoformat(alert["raised_at"]).timestamp()
                    tally.latencies_ms.append((now - raised) * 1000)
        await asyncio.sleep(0.05)
    conn.close()
    tally.acknowledged = len(seen)
    return tally


async def drive_off(port: int, fleet: Fleet, clock: Clock, seconds: float) -> None:
    """Set the deviating convoys off their corridor so each deviation completes during (a).

    A deviation needs >= 3 fixes outside and >= 60 s since the first: each convoy's first outside
    fix is sent now, stamped d - 60 s (a fix its phone stored while out of coverage) for a d spread
    over the phase, so the live fix that completes it comes d seconds into the phase."""
    rng = random.Random(11)
    conn = await KeepAlive.open("127.0.0.1", port)
    start = time.time()
    for convoy in fleet.deviating:
        # At least 45 s after its last fix of history: a 1.5 km sideways jump in less would be
        # (rightly) taken for a GPS anomaly.
        outside_from = max(start + rng.uniform(5, max(5.0, seconds - 5)) - 60, fleet.history_end + 45)
        convoy.deviates_at = outside_from - 1.0
        ms = int(outside_from * 1000)
        clock.mark(convoy.escort_osmand_id, ms)
        lon, lat, _ = convoy.position(ms / 1000)
        status, body = await conn.request("GET", f"/osmand?id={convoy.escort_osmand_id}&lat={lat}&lon={lon}&timestamp={ms}")
        if status != 200:
            raise RuntimeError(f"could not set convoy {convoy.trip_id} off its corridor: {status} {body[:200]!r}")
    conn.close()


async def phase_a(port: int, fleet: Fleet, clock: Clock, args) -> tuple[Tally, Tally, Tally]:
    await drive_off(port, fleet, clock, args.seconds)
    stop = asyncio.Event()
    live = asyncio.create_task(poll_live(port, fleet.operator_token, stop, len(fleet.convoys)))
    alerts = asyncio.create_task(poll_alerts(port, fleet.operator_token, stop, {c.trip_id for c in fleet.deviating}))
    osmand = await osmand_clients(port, fleet, clock, args.clients, args.seconds)
    await asyncio.sleep(1.0)  # the last deviations' alerts
    stop.set()
    return osmand, await live, await alerts


# -- (b) JSON batches, each fix for a different trip --------------------------------------


async def phase_b(port: int, fleet: Fleet, clock: Clock, batch: int, seconds: float,
                  placement=None) -> tuple[Tally, list[dict], list[int]]:
    """The batches, what was sent, and how many of the clients' connections each server process holds
    (placement(client ports), if given: which process works on which client is the kernel's choice)."""
    tally = Tally()
    sent: list[dict] = []
    size = min(batch, len(fleet.convoys))
    slices = [fleet.convoys[i:i + size] for i in range(0, len(fleet.convoys) - size + 1, size)][:4]
    headers = {"Authorization": f"Bearer {fleet.integration_token}", "Content-Type": "application/json"}
    conns = [await KeepAlive.open("127.0.0.1", port) for _ in slices]
    placed = placement({c.local_port for c in conns}) if placement else []

    async def client(convoys, conn) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            fixes = []
            for convoy in convoys:
                ms = clock.stamp(convoy.tracker_id)
                lon, lat, _ = convoy.position(ms / 1000)
                fixes.append({"device_id": convoy.tracker_id, "ts": ms, "lat": lat, "lon": lon, "speed_kmh": 60.0})
            started = time.perf_counter()
            status, body = await conn.request("POST", "/api/v1/positions", orjson.dumps(fixes), headers)
            if status != 200:
                tally.fail(f"HTTP {status}: {body[:120].decode(errors='replace')}")
                continue
            answer = orjson.loads(body)
            tally.acknowledged += answer["accepted"]
            if answer["rejected"] or answer["duplicates"]:
                tally.fail(f"rejected {answer['rejected'][:1]} duplicates {answer['duplicates']}")
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            sent.extend(fixes)
        conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client(s, c) for s, c in zip(slices, conns)))
    tally.seconds = time.monotonic() - started
    return tally, sent, placed


async def shared_parts_per_process(port: int, token: str, processes: int) -> dict[int, dict[str, int]]:
    """Each server process's counts of shared parts (GET /api/v1/ingest/stats), by its pid: a new
    connection a request until every process has answered (which one answers is the kernel's choice)."""
    seen: dict[int, dict[str, int]] = {}
    for _ in range(20 * processes):
        conn = await KeepAlive.open("127.0.0.1", port)
        try:
            status, body = await conn.request("GET", "/api/v1/ingest/stats", headers={"Authorization": f"Bearer {token}"})
        finally:
            conn.close()
        if status == 200:
            stats = orjson.loads(body)
            seen[stats["process"]] = {k: stats[k] for k in ("parts_offered", "parts_done_by_peers", "parts_done_for_peers")}
        if len(seen) == processes:
            break
    return seen


def raw_copy_rate(engine, fixes: list[dict], batch: int) -> float:
    """The same rows, computed beforehand, COPYed 1,000 to a transaction into an indexed copy of positions."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_positions"))
        conn.execute(text("CREATE TABLE bench_positions (LIKE positions INCLUDING DEFAULTS INCLUDING INDEXES)"))
        pks = dict(conn.execute(text("SELECT device_id, id FROM devices")).all())
    received = datetime.now(UTC)
    geoms = positions_ewkb(np.array([f["lon"] for f in fixes]), np.array([f["lat"] for f in fixes]))
    rows = [
        (pks[f["device_id"]], None, datetime.fromtimestamp(f["ts"] / 1000, UTC), received, g, f["speed_kmh"], None,
         None, None, None, h3_cell(f["lat"], f["lon"]), None, None, None, False)
        for f, g in zip(fixes, geoms)
    ]
    copy_sql = (
        "COPY bench_positions (device_id, trip_id, ts, received_at, geom, speed_kmh, heading_deg, accuracy_m,"
        " altitude_m, battery_pct, h3_r9, corridor_distance_m, stop_zone_id, checkpoint_id, anomaly) FROM STDIN (FORMAT BINARY)"
    )
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        started = time.perf_counter()
        for offset in range(0, len(rows), batch):
            with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
                copy.set_types(COPY_TYPES)
                for row in rows[offset:offset + batch]:
                    copy.write_row(row)
            driver.commit()
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    return len(rows) / elapsed if elapsed else 0.0


# -- (f) periodic jobs beside ingest ------------------------------------------------------


def _job_runner(database: str, job: str):
    """A function running one pass of the periodic job in this process, against the server's database."""
    from chekara.services.analytics.rollups import update_rollups
    from chekara.services.exchange.delivery import deliver_due
    from chekara.services.sweeper import sweep

    settings = get_settings()
    engine = make_engine(settings, database)

    def once() -> None:
        with Session(engine) as session:
            if job == "sweep":
                sweep(session, datetime.now(UTC), settings.detection_thresholds())
                session.commit()
            elif job == "rollup update":
                update_rollups(session)
            else:
                import httpx

                with httpx.Client() as client:
                    deliver_due(session, settings, client)
    return once, engine


def _job_loop(database: str, job: str, started, stop, passes) -> None:
    """In a process of its own, as a deployment runs it (the elected server process, or cron): one
    periodic job back to back until stop is set. A thread of this process would share the load
    client's GIL, and the figure would measure the client starved, not the server."""
    once, engine = _job_runner(database, job)
    started.set()
    while not stop.is_set():
        once()
        with passes.get_lock():
            passes.value += 1
    engine.dispose()


async def phase_f(port: int, database: str, fleet: Fleet, clock: Clock, args) -> dict[str, Tally]:
    """OsmAnd traffic in a window alone, then with each job running back to back (passes in tally.failures)."""
    figures: dict[str, Tally] = {}
    processes = multiprocessing.get_context("spawn")
    for job in ("none", "sweep", "rollup update", "exchange delivery"):
        started, stop, passes = processes.Event(), processes.Event(), processes.Value("i", 0)
        worker = None
        if job != "none":
            worker = processes.Process(target=_job_loop, args=(database, job, started, stop, passes), daemon=True)
            worker.start()
            await asyncio.to_thread(started.wait, 60)
        tally = await osmand_clients(port, fleet, clock, args.clients, args.job_seconds)
        stop.set()
        if worker is not None:
            await asyncio.to_thread(worker.join, 120)
        tally.failures["passes"] = passes.value
        figures[job] = tally
    return figures


# -- a full database ---------------------------------------------------------------------------


def preload_history(engine, fleet: Fleet, rows: int, days: float = 30.0) -> float:
    """`rows` fixes of the fleet's trackers over the past `days`, by binary COPY, then rolled up, so
    (f) runs the periodic jobs against a table of a deployment's size; seconds it took."""
    from chekara.services.analytics.rollups import update_rollups

    started = time.perf_counter()
    with engine.connect() as conn:
        pks = dict(conn.execute(text("SELECT device_id, id FROM devices")).all())
    trackers = [(pks[c.tracker_id], c) for c in fleet.convoys]
    per_device = max(1, rows // len(trackers))
    step_s = days * 86_400 / per_device
    oldest = time.time() - days * 86_400 - 600  # ends before the fleet's own history
    received = datetime.now(UTC)
    copy_sql = (
        "COPY positions (device_id, ts, received_at, geom, speed_kmh, h3_r9, anomaly) FROM STDIN (FORMAT BINARY)"
    )
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        with driver.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.set_types(["int4", "timestamptz", "timestamptz", "bytea", "float8", "int8", "bool"])
            for i in range(per_device):
                t = oldest + i * step_s
                points = [c.position(t) for _, c in trackers]
                geoms = positions_ewkb(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
                stamp = datetime.fromtimestamp(t, UTC)
                for (pk, _), (lon, lat, _), geom in zip(trackers, points, geoms):
                    copy.write_row((pk, stamp, received, geom, 60.0, h3_cell(lat, lon), False))
                if i % 50 == 0:
                    print(f"\r  preload: {(i + 1) * len(trackers):,} of {per_device * len(trackers):,} fixes", end="", flush=True)
        driver.commit()
    finally:
        raw.close()
    print(f"\r  preload: {per_device * len(trackers):,} fixes over {days:g} days; rolling them up ...", flush=True)
    with Session(engine) as session:
        update_rollups(session)
    return time.perf_counter() - started


# -- the run --------------------------------------------------------------------------------


def _register_partner(engine, receiver_port: int) -> None:
    """A partner customs whose webhook is a local receiver, so exchange delivery has real work."""
    from bench.fleet import SETUP_ACTOR
    from chekara.domain.exchange import EVENT_TYPES
    from chekara.services.exchange.partners import put_webhook, register_partner

    with Session(engine) as session:
        partner, _ = register_partner(session, get_settings(), "LOAD-KZ", "Kazakhstan customs (load bench)", "KZ",
                                      SETUP_ACTOR)
        put_webhook(session, partner, f"http://127.0.0.1:{receiver_port}/events", list(EVENT_TYPES), None, SETUP_ACTOR)
        session.commit()


def _start_receiver() -> int:
    """A webhook receiver on a free loopback port that answers 200 to everything."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Ok(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def run(args) -> dict:
    settings = get_settings()
    port = args.port or 18_500 + os.getpid() % 1000
    yardstick_at_start = python_yardstick()
    with scratch_database("chekara_load") as database:
        engine = make_engine(settings, database)
        round_trip_at_start = database_round_trip_us(engine)
        with Session(engine) as session:
            seed_reference_data(session, settings.geodata_dir)
            session.commit()
        with_partner = True
        try:  # before the fleet, so its trips' events are due to the partner
            _register_partner(engine, _start_receiver())
        except Exception as exc:  # noqa: BLE001 - the exchange is optional to the bench
            print(f"  (no partner webhook: {exc})")
            with_partner = False
        started = time.monotonic()
        fleet = build_fleet(engine, args.convoys, deviating=max(1, args.convoys // 100),
                            progress=lambda n: print(f"\r  fleet: {n:,} of {args.convoys:,} convoys", end="", flush=True))
        print(f"\r  fleet: {args.convoys:,} convoys in transit ({fleet.history_fixes:,} fixes of history) "
              f"in {time.monotonic() - started:.0f} s")
        if args.preload:
            took = preload_history(engine, fleet, args.preload)
            print(f"  preload done in {took:.0f} s")
        server = start_server(database, port, ROOT / "var" / "bench" / f"load-server-{port}.log", UNLIMITED_OSMAND,
                              workers=args.workers)
        print(f"  server: {args.workers} worker(s) on port {port}")
        clock = Clock()
        try:
            print(f"  (a)+(c)+(d): OsmAnd, {args.clients} clients, {args.seconds:g} s ...")
            # PostgreSQL backends a worker opens during the phase count from zero: list them again after.
            server_pids, database_before = process_tree(server.pid), {p: cpu_seconds([p]) for p in postgres_processes()}
            server_before, client_before = cpu_seconds(server_pids), time.process_time()
            osmand, live, alerts = asyncio.run(phase_a(port, fleet, clock, args))
            server_s, client_s = cpu_seconds(server_pids) - server_before, time.process_time() - client_before
            database_s = sum(cpu_seconds([p]) - database_before.get(p, 0.0) for p in postgres_processes())
            cpu_per_fix_ms = [1000 * s / max(osmand.acknowledged, 1) for s in (server_s, database_s, client_s)]
            print(f"  (b): JSON batches of {args.batch:,}, {args.batch_seconds:g} s ...")
            def placement(client_ports: set[int]) -> list[int]:
                return connections_per_process(process_tree(server.pid)[1:], port, client_ports)

            batches, sent, b_placed = asyncio.run(
                phase_b(port, fleet, clock, args.batch, args.batch_seconds, placement))
            # (a)'s one-fix groups are never shared: the counts so far are (b)'s.
            b_shared = asyncio.run(shared_parts_per_process(port, fleet.admin_token, args.workers))
            jobs = {}
            if args.job_seconds > 0:
                print(f"  (f): OsmAnd beside each periodic job, {args.job_seconds:g} s each ...")
                jobs = asyncio.run(phase_f(port, database, fleet, clock, args))
        finally:
            stop_server(server)
        acknowledged = (args.preload // len(fleet.convoys) * len(fleet.convoys) + fleet.history_fixes
                        + len(fleet.deviating) + osmand.acknowledged) + batches.acknowledged + sum(
            t.acknowledged for t in jobs.values())
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM positions")).scalar_one()
        copy_rate = raw_copy_rate(engine, sent, args.batch) if sent else 0.0
        round_trip_at_end = database_round_trip_us(engine)
        engine.dispose()
    yardstick_at_end = python_yardstick()
    return {
        "convoys": args.convoys, "workers": args.workers, "clients": args.clients, "preload": args.preload,
        "a_fixes_per_s": osmand.rate, "a_p50_ms": percentile(osmand.latencies_ms, 50),
        "a_p99_ms": percentile(osmand.latencies_ms, 99), "a_acknowledged": osmand.acknowledged,
        "a_cpu_ms_per_fix": dict(zip(("server", "postgresql", "load_client"), cpu_per_fix_ms)),
        "a_fixes_per_s_by_10s": osmand.rates_by_window(10.0),
        "b_fixes_per_s": batches.rate, "b_raw_copy_per_s": copy_rate,
        "b_ratio": batches.rate / copy_rate if copy_rate else 0.0, "b_acknowledged": batches.acknowledged,
        "b_p50_ms": percentile(batches.latencies_ms, 50),
        "b_connections_per_process": b_placed,
        "b_shared_parts_per_process": [b_shared[pid] for pid in sorted(b_shared)],
        "c_p50_ms": percentile(live.latencies_ms, 50), "c_p95_ms": percentile(live.latencies_ms, 95),
        "c_convoys_seen": live.acknowledged, "c_requests": len(live.latencies_ms),
        "d_alerts": alerts.acknowledged, "d_expected": len(fleet.deviating),
        "d_p50_ms": percentile(alerts.latencies_ms, 50), "d_p99_ms": percentile(alerts.latencies_ms, 99),
        "e_history": fleet.history_fixes, "e_expected": acknowledged, "e_stored": stored,
        "failed": osmand.failed + batches.failed + live.failed + alerts.failed + sum(t.failed for t in jobs.values()),
        "failures": {**osmand.failures, **batches.failures, **live.failures, **alerts.failures},
        "jobs": {name: {"fixes_per_s": t.rate, "passes": t.failures.pop("passes"), "failed": t.failed}
                 for name, t in jobs.items()},
        "with_partner": with_partner,
        "machine_python_msteps_per_s": {"start": yardstick_at_start, "end": yardstick_at_end},
        "machine_round_trip_us": {"start": round_trip_at_start, "end": round_trip_at_end},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--convoys", type=int, default=2_000, help="convoys in transit (N)")
    parser.add_argument("--clients", type=int, default=32, help="OsmAnd keep-alive clients at once (C)")
    parser.add_argument("--seconds", type=float, default=60, help="length of phase (a), seconds (T)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    parser.add_argument("--batch", type=int, default=1_000, help="fixes per JSON batch in (b)")
    parser.add_argument("--batch-seconds", type=float, default=20, help="length of phase (b), seconds")
    parser.add_argument("--job-seconds", type=float, default=8, help="each window of (f), seconds (0: skip)")
    parser.add_argument("--preload", type=int, default=0,
                        help="fixes of history copied in (and rolled up) first, so (f) runs on a full database")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    # The load client shares the machine's cores with the server it measures: uvloop (installed
    # with uvicorn) spends about half of asyncio's CPU per request.
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    figures = run(args)
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    lost = figures["e_expected"] - figures["e_stored"]
    sys.exit(0 if lost == 0 and figures["failed"] == 0 else 1)


def print_table(f: dict) -> None:
    rows = [
        ("(a) OsmAnd, one fix per request", f"{f['a_fixes_per_s']:,.0f} fixes/s; ack p50 {f['a_p50_ms']:.0f} ms, p99 {f['a_p99_ms']:.0f} ms"),
        ("(a) fixes/s in each 10 s", " ".join(f"{r:,.0f}" for r in f["a_fixes_per_s_by_10s"]) or "-"),
        ("(a) CPU per fix (all processes of each)", ", ".join(f"{who} {ms:.2f} ms" for who, ms in f["a_cpu_ms_per_fix"].items())),
        ("(b) JSON batches, 1 fix per trip", f"{f['b_fixes_per_s']:,.0f} fixes/s; raw COPY {f['b_raw_copy_per_s']:,.0f} rows/s; ratio {f['b_ratio']:.2f}; "
         f"clients' connections per server process {f['b_connections_per_process']}; "
         f"parts offered / done by the other / done for the other, per process "
         f"{[(p['parts_offered'], p['parts_done_by_peers'], p['parts_done_for_peers']) for p in f['b_shared_parts_per_process']]}"),
        ("(c) live convoys, during (a)", f"p50 {f['c_p50_ms']:.0f} ms, p95 {f['c_p95_ms']:.0f} ms ({f['c_convoys_seen']:,} convoys, {f['c_requests']} requests)"),
        ("(d) fix -> alert readable, during (a)", f"p50 {f['d_p50_ms']:.0f} ms, p99 {f['d_p99_ms']:.0f} ms ({f['d_alerts']} of {f['d_expected']} deviations)"),
        ("(e) acknowledged vs stored", f"{f['e_expected']:,} acknowledged, {f['e_stored']:,} in positions; {f['failed']} failed requests"),
    ]
    for job, figure in f["jobs"].items():
        base = f["jobs"].get("none", {}).get("fixes_per_s") or 1
        rows.append((f"(f) OsmAnd beside: {job}", f"{figure['fixes_per_s']:,.0f} fixes/s ({figure['fixes_per_s'] / base:.2f} of alone; {figure['passes']} passes)"))
    machine = f["machine_python_msteps_per_s"]
    rows.append(("machine: Python yardstick, raw COPY", f"{machine['start']:.1f} M steps/s at the start, {machine['end']:.1f} at the end; "
                 f"raw COPY {f['b_raw_copy_per_s']:,.0f} rows/s"))
    trip = f["machine_round_trip_us"]
    rows.append(("machine: database round trip", f"SELECT 1 in {trip['start']:.0f} us at the start, {trip['end']:.0f} us at the end"))
    width = max(len(r[0]) for r in rows)
    print(f"\nN = {f['convoys']:,} convoys, {f['workers']} server process(es), {f['clients']} OsmAnd clients, "
          f"{f['preload']:,} fixes preloaded")
    print(f"| {'what':<{width}} | measured |")
    print(f"|{'-' * (width + 2)}|----------|")
    for what, figure in rows:
        print(f"| {what:<{width}} | {figure} |")
    for why, n in f["failures"].items():
        print(f"  failure x{n}: {why}")


if __name__ == "__main__":
    main()

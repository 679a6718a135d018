"""Shared by the benchmarks: a scratch database, seeded, on the embedded cluster or CHEKARA_DATABASE_URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

from sqlalchemy import create_engine, text

from chekara.config import get_settings
from chekara.db import embedded
from chekara.db.migrate import upgrade_to_head


@contextmanager
def scratch_database(prefix: str = "chekara_bench") -> Iterator[str]:
    settings = get_settings()
    if settings.uses_embedded_database:
        embedded.up(settings)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(settings.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade_to_head(database=name)
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def start_server(database: str, port: int, log: Path, env: dict[str, str] | None = None,
                 workers: int = 1) -> subprocess.Popen:
    """`chekara serve` on the scratch database, returned once /healthz answers 200 and every worker listens.

    Each worker listens on a socket of its own (api/listening.py): clients that connected while
    only the first one was up would all stay on it, and the benchmark would measure one process."""
    env = dict(os.environ, CHEKARA_DATABASE_URL=get_settings().sqlalchemy_url(database), **(env or {}))
    log.parent.mkdir(parents=True, exist_ok=True)
    chekara = str(Path(sys.executable).with_name("chekara"))
    process = subprocess.Popen(
        [chekara, "serve", "--port", str(port), "--workers", str(workers)], env=env,
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start; see {log}")
        try:
            if (httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
                    and len(listening_sockets(port)) == workers):
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError(f"the server did not answer within 60 s; see {log}")


#: TCP states as /proc/net/tcp writes them.
TCP_ESTABLISHED, TCP_LISTEN = "01", "0A"


def tcp_sockets(port: int, state: str) -> dict[int, set[int]]:
    """TCP sockets with this local port in this state: socket inode -> pids holding it (from /proc, as `ss -tnp` reads it)."""
    inodes: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
                    inodes.add(int(fields[9]))
    holders: dict[int, set[int]] = {inode: set() for inode in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:[") and int(target[8:-1]) in holders:
                    holders[int(target[8:-1])].add(int(pid))
        except OSError:  # a process that ended meanwhile
            continue
    return holders


def listening_sockets(port: int) -> dict[int, set[int]]:
    """Listening sockets on the port: inode -> pids holding it."""
    return tcp_sockets(port, TCP_LISTEN)


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM (a graceful stop), then the whole process group if it lingers."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# -- CPU time, to say where a phase's time went ------------------------------------------


def process_tree(pid: int) -> list[int]:
    """pid and every process under it (a multi-worker server's workers)."""
    tree = [pid]
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return tree
    for tid in threads:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            tree += process_tree(int(child))
    return tree


def postgres_processes() -> list[int]:
    """Every PostgreSQL server process on the machine (run the benchmark on a quiet one)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if Path(f"/proc/{entry}/comm").read_text().strip() == "postgres":
                    found.append(int(entry))
            except OSError:
                continue
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (gone ones count 0)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


#: Steps of the yardstick's loop per measurement (~0.2 s on this machine).
YARDSTICK_STEPS = 2_000_000


def python_yardstick(repeats: int = 5) -> float:
    """How fast this machine runs plain Python now: millions of steps a second of a fixed loop, the median of `repeats`.

    The project's machine is a shared virtual one whose speed drifts with its neighbours' load (not as
    stolen time: the vCPU itself runs slower): the same loop measured 9.5 to 16 M steps/s within one
    minute, and a benchmark's CPU per fix moves with it. A run's figures are compared with another
    run's through this and the raw COPY rate, both measured in the same run, not by their absolute
    values alone."""
    rates = []
    for _ in range(repeats):
        started = time.process_time()
        total = 0
        for step in range(YARDSTICK_STEPS):
            total += step * 2 % 7
        elapsed = time.process_time() - started
        rates.append(YARDSTICK_STEPS / elapsed / 1e6 if elapsed > 0 else 0.0)
    return percentile(rates, 50)


#: Round trips of one database yardstick measurement.
ROUND_TRIPS = 1_000


def database_round_trip_us(engine, repeats: int = 5) -> float:
    """How long one statement's round trip to PostgreSQL takes now: microseconds of wall time for a prepared
    `SELECT 1` over the engine's connection, the median of `repeats` runs of ROUND_TRIPS.

    The Python yardstick does not see everything that drifts on this machine: when a benchmark's CPU per
    fix doubled, the load client's included, the Python loop had slowed by a fifth; what had slowed most
    was waking a process that waits (a `SELECT 1` took ~210 us, ~115 us of it the client's CPU and ~65 us
    the backend's, where a pipelined one costs ~45 us). Every fix crosses such waits: the client's
    request, the server's threads, the group's statements."""
    raw = engine.raw_connection()  # one transaction: BEGIN once, then a round trip a statement
    try:
        timings = []
        with raw.driver_connection.cursor() as cursor:
            for _ in range(repeats):
                started = time.perf_counter()
                for _ in range(ROUND_TRIPS):
                    cursor.execute("SELECT 1", prepare=True)
                timings.append((time.perf_counter() - started) / ROUND_TRIPS * 1e6)
    finally:
        raw.close()  # rolled back by the pool
    return percentile(timings, 50)


def connections_per_process(pids: list[int], server_port: int, client_ports: set[int],
                            accepted_within_s: float = 5.0) -> list[int]:
    """How many of these client connections (by their local ports) each server process listening on the
    port holds, fewest first.

    The kernel hands each connection to one process of the port's SO_REUSEPORT group by a hash of its
    addresses, and a process works through its own requests: with two JSON-batch clients and two
    processes, both connections land on one process half of the time, and that process does all the
    work while the other idles (4,000 against 8,600 fixes/s measured, the same code minutes apart).

    A connection the client has just opened waits in the listening socket's queue until a process
    accepts it, and is nobody's until then: read again (up to `accepted_within_s`) until all are held."""
    deadline = time.monotonic() + accepted_within_s
    while True:
        counts = _connections_held(pids, server_port, client_ports)
        if sum(counts) == len(client_ports) or time.monotonic() > deadline:
            return counts
        time.sleep(0.01)


def _connections_held(pids: list[int], server_port: int, client_ports: set[int]) -> list[int]:
    counts = []
    for pid in pids:
        try:
            held = psutil.Process(pid).net_connections(kind="tcp")
        except psutil.Error:
            continue
        if not any(c.status == psutil.CONN_LISTEN and c.laddr.port == server_port for c in held):
            continue  # not one of the processes serving the port
        counts.append(sum(1 for c in held if c.laddr and c.laddr.port == server_port and c.raddr
                          and c.raddr.port in client_ports))
    return sorted(counts)
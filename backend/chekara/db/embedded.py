"""The embedded PostgreSQL + PostGIS cluster under var/pg.

With no CHEKARA_DATABASE_URL the project runs its own cluster: initdb once,
then pg_ctl start/stop. It listens on a unix socket in var/pg/run and on a
loopback port. initdb and postgres refuse to run as root, so as root both run
as the `postgres` system user, which then owns var/pg.

Every operation is idempotent: `up` on a running cluster does nothing, and a
pid file left by a killed server is removed before starting. Two `up`s at
once (the demo beside the tests, two test processes) take turns on a lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from chekara.config import Settings

SERVER_USER = "postgres"


class EmbeddedDatabaseError(RuntimeError):
    """The embedded cluster could not be set up, started or stopped."""


@dataclass(frozen=True)
class ClusterStatus:
    initialised: bool
    running: bool
    pid: int | None
    port: int
    socket_dir: Path
    data_dir: Path

    def describe(self) -> str:
        if not self.initialised:
            return f"embedded cluster not initialised ({self.data_dir})"
        if not self.running:
            return f"embedded cluster stopped ({self.data_dir})"
        return (
            f"embedded cluster running: pid {self.pid}, port 127.0.0.1:{self.port}, "
            f"socket {self.socket_dir}, data {self.data_dir}"
        )


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _run(args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool, as `postgres` when we are root."""
    if _running_as_root():
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    result = subprocess.run(args, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise EmbeddedDatabaseError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result


def _tool(settings: Settings, name: str) -> str:
    path = settings.pg_bin / name
    if not path.exists():
        raise EmbeddedDatabaseError(
            f"{path} not found: install PostgreSQL 15 and PostGIS "
            "(apt-get install postgresql-15 postgresql-15-postgis-3), or run `make install`"
        )
    return str(path)


def _give_to_server_user(path: Path) -> None:
    """As root, hand a folder (and everything in it) to the postgres user."""
    if not _running_as_root():
        return
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError as exc:
        raise EmbeddedDatabaseError("no `postgres` system user: install postgresql-15") from exc
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _pid_from_file(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    try:
        first_line = pid_file.read_text().splitlines()[0]
        return int(first_line.strip())
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_postgres_process(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"postgres" in cmdline


def status(settings: Settings) -> ClusterStatus:
    data_dir = settings.pg_data_dir
    initialised = (data_dir / "PG_VERSION").exists()
    pid = _pid_from_file(data_dir) if initialised else None
    running = pid is not None and _process_alive(pid) and _is_postgres_process(pid)
    return ClusterStatus(
        initialised=initialised,
        running=running,
        pid=pid if running else None,
        port=settings.pg_port,
        socket_dir=settings.pg_socket_dir,
        data_dir=data_dir,
    )


#: Where the cluster goes when the checkout itself is out of the postgres user's reach.
FALLBACK_ROOT = Path("/var/lib/chekara")
#: Unix socket paths are limited to 107 bytes; keep ours well inside that.
MAX_SOCKET_DIR_CHARS = 80


def _server_user_can_reach(folder: Path) -> bool:
    if not _running_as_root():
        return True
    return subprocess.run(["runuser", "-u", SERVER_USER, "--", "test", "-x", str(folder)]).returncode == 0


def _place_cluster(settings: Settings) -> None:
    """Make var/pg a link to FALLBACK_ROOT when postgres cannot reach the checkout.

    As root, a checkout under a private folder (or with a very long path) is
    out of reach of the postgres user or of the socket length limit.
    """
    link = settings.var_dir / "pg"
    if link.exists() or link.is_symlink():
        return
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    socket_dir = link / "run"
    if _server_user_can_reach(settings.var_dir) and len(str(socket_dir)) <= MAX_SOCKET_DIR_CHARS:
        link.mkdir()
        return
    target = FALLBACK_ROOT / hashlib.sha1(str(link).encode()).hexdigest()[:12]
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(FALLBACK_ROOT, 0o755)
    link.symlink_to(target, target_is_directory=True)


def _initdb(settings: Settings) -> None:
    _place_cluster(settings)
    settings.pg_dir.mkdir(parents=True, exist_ok=True)
    settings.pg_data_dir.mkdir(exist_ok=True)
    settings.pg_socket_dir.mkdir(exist_ok=True)
    _give_to_server_user(settings.pg_dir)
    os.chmod(settings.pg_data_dir, 0o700)
    _run(
        [
            _tool(settings, "initdb"),
            "-D", str(settings.pg_data_dir),
            "-U", "postgres",
            "-A", "trust",  # loopback and socket only; see _start
            "-E", "UTF8",
            "--locale=C.UTF-8",
        ]
    )


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _start(settings: Settings) -> None:
    if _port_taken(settings.pg_port):
        raise EmbeddedDatabaseError(
            f"port 127.0.0.1:{settings.pg_port} is taken by another program; "
            "set CHEKARA_PG_PORT to a free port"
        )
    settings.pg_socket_dir.mkdir(parents=True, exist_ok=True)
    settings.pg_log_file.touch(exist_ok=True)
    _give_to_server_user(settings.pg_socket_dir)
    _give_to_server_user(settings.pg_log_file)
    server_options = " ".join(
        [
            f"-p {settings.pg_port}",
            f"-k {settings.pg_socket_dir}",
            "-c listen_addresses=127.0.0.1",
            # A development cluster on a small machine: durability per
            # transaction stays on, the rest is sized for 2 cores.
            "-c max_connections=200",
            "-c shared_buffers=256MB",
            "-c max_wal_size=2GB",
        ]
    )
    _run(
        [
            _tool(settings, "pg_ctl"),
            "-D", str(settings.pg_data_dir),
            "-l", str(settings.pg_log_file),
            "-w", "-t", "60",
            "-o", server_options,
            "start",
        ]
    )


def _remove_stale_pid_file(settings: Settings) -> None:
    pid_file = settings.pg_data_dir / "postmaster.pid"
    if pid_file.exists() and not status(settings).running:
        pid_file.unlink()


def _ensure_database(settings: Settings) -> None:
    psql = _tool(settings, "psql") if (settings.pg_bin / "psql").exists() else shutil.which("psql")
    if psql is None:
        raise EmbeddedDatabaseError("psql not found: install postgresql-client-15")
    base = [psql, "-h", str(settings.pg_socket_dir), "-p", str(settings.pg_port), "-U", "postgres", "-XAtq"]
    exists = _run([*base, "-d", "postgres", "-c",
                   f"SELECT 1 FROM pg_database WHERE datname = '{settings.pg_database}'"]).stdout.strip()
    if exists != "1":
        _run([*base, "-d", "postgres", "-c", f'CREATE DATABASE "{settings.pg_database}"'])


#: After a crash (the server's main process killed), PostgreSQL refuses to start while what is left of
#: the old server is still there: its other processes hold the shared memory until they notice and exit,
#: and the killed process itself, until it is reaped, still owns the socket's lock file.
REFUSED_BESIDE_OLD_SERVER = ("pre-existing shared memory block", "already exists")
#: How long a start refused for that is tried again, seconds.
OLD_SERVER_GONE_WAIT_S = 30.0


def _start_once_old_server_gone(settings: Settings) -> None:
    """Start the cluster; after a crash, wait (up to OLD_SERVER_GONE_WAIT_S) for the old server to be gone."""
    deadline = time.monotonic() + OLD_SERVER_GONE_WAIT_S
    while True:
        log_from = settings.pg_log_file.stat().st_size if settings.pg_log_file.exists() else 0
        try:
            _start(settings)
            return
        except EmbeddedDatabaseError:
            with settings.pg_log_file.open("rb") as log:
                log.seek(log_from)
                said = log.read().decode(errors="replace")
            refused_beside_old_server = any(reason in said for reason in REFUSED_BESIDE_OLD_SERVER)
            if not refused_beside_old_server or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextlib.contextmanager
def _one_at_a_time(settings: Settings):
    """Hold var/pg-up.lock: two `up`s at once (the demo and the tests, or two test workers) would both
    find the cluster stopped and both start it, and the second start fails on the first's lock file."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    with (settings.var_dir / "pg-up.lock").open("a") as lock:  # closing the file releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def up(settings: Settings) -> ClusterStatus:
    """Initialise (once) and start the cluster; create the app database. Safe to call from several processes at once."""
    if not settings.uses_embedded_database:
        raise EmbeddedDatabaseError("CHEKARA_DATABASE_URL is set: the embedded cluster is not used")
    with _one_at_a_time(settings):
        return _up(settings)


def _up(settings: Settings) -> ClusterStatus:
    current = status(settings)
    if not current.initialised:
        _initdb(settings)
    if not status(settings).running:
        _remove_stale_pid_file(settings)
        _start_once_old_server_gone(settings)
    _wait_until_accepting(settings)
    _ensure_database(settings)
    return status(settings)


def _wait_until_accepting(settings: Settings, timeout_s: float = 30.0) -> None:
    pg_isready = _tool(settings, "pg_isready")
    deadline = time.monotonic() + timeout_s
    while True:
        result = subprocess.run(
            [pg_isready, "-h", str(settings.pg_socket_dir), "-p", str(settings.pg_port), "-q"],
        )
        if result.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise EmbeddedDatabaseError(f"the cluster did not accept connections; see {settings.pg_log_file}")
        time.sleep(0.2)


def down(settings: Settings) -> ClusterStatus:
    """Stop the cluster (fast shutdown: open sessions are rolled back)."""
    current = status(settings)
    if current.running:
        _run([_tool(settings, "pg_ctl"), "-D", str(settings.pg_data_dir), "-m", "fast", "-w", "stop"])
    else:
        _remove_stale_pid_file(settings)
    return status(settings)

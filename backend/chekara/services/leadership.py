"""Jobs that run once per deployment, whatever the number of server processes.

The sweep (with the rollup update) and the exchange delivery run in a thread
of every server process, but only the process holding the job's PostgreSQL
session advisory lock does the work. The lock lives on a dedicated connection:
when its process dies (or the database restarts) the lock goes with the
connection, and another process takes the job over at its next tick.
"""

from __future__ import annotations

import logging
import os

import psycopg
from sqlalchemy.engine import make_url

from chekara.config import Settings

log = logging.getLogger("chekara.leadership")

#: First key of the two-key advisory locks that elect a job's leader.
LEADER_LOCK_NAMESPACE = 0x6C64  # "ld"
#: Second keys, one per job.
JOB_KEYS = {"sweep": 1, "exchange-delivery": 2}


def _conninfo(settings: Settings) -> str:
    url = make_url(settings.sqlalchemy_url()).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class Leadership:
    """leadership.held() -> True in exactly one process of the deployment at a time (per job)."""

    def __init__(self, settings: Settings, job: str) -> None:
        self.settings = settings
        self.job = job
        self._key = JOB_KEYS[job]
        self._conn: psycopg.Connection | None = None
        self._leader = False

    def held(self) -> bool:
        """Whether this process leads the job now; tries to become the leader if nobody is."""
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(_conninfo(self.settings), autocommit=True,
                                             application_name=f"chekara-leader-{self.job}-{os.getpid()}")
                self._leader = False
            if self._leader:
                self._conn.execute("SELECT 1")  # still connected, so still holding the lock
                return True
            self._leader = bool(self._conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (LEADER_LOCK_NAMESPACE, self._key)
            ).fetchone()[0])
            if self._leader:
                log.info("process %d leads the %s job", os.getpid(), self.job)
            return self._leader
        except psycopg.Error as exc:
            log.warning("%s leadership lost with its connection (%s)", self.job, exc)
            self.release()
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
        self._conn, self._leader = None, False

"""The server's background sweeper: every CHEKARA_SWEEP_INTERVAL_S, the clock-driven checks.

Every server process runs the loop; only the elected one sweeps (services/leadership.py).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from chekara.config import Settings
from chekara.db.engine import session_factory
from chekara.ingest.shared_parts import clear_stale
from chekara.services.analytics.rollups import update_rollups
from chekara.services.archive.partitions import ensure_partitions
from chekara.services.leadership import Leadership
from chekara.services.sweeper import sweep

log = logging.getLogger("chekara.sweeper")


class SweepLoop:
    def __init__(self, settings: Settings) -> None:
        self.interval_s = settings.sweep_interval_s
        self.thresholds = settings.detection_thresholds()
        self.leadership = Leadership(settings, "sweep")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chekara-sweeper", daemon=True)

    def start(self) -> None:
        if self.interval_s > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.leadership.release()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            if not self.leadership.held():
                continue
            try:
                with session_factory()() as session:
                    sweep(session, datetime.now(UTC), self.thresholds)
                    session.commit()
            except Exception:  # noqa: BLE001 - a failed sweep must not stop the next one
                log.exception("sweep failed")
            try:
                with session_factory()() as session:
                    ensure_partitions(session, datetime.now(UTC))  # positions' coming months; commits itself
            except Exception:  # noqa: BLE001 - the default partition takes fixes meanwhile
                log.exception("creating positions partitions failed")
            try:
                with session_factory()() as session:
                    update_rollups(session)  # the heatmaps' hourly H3 rollups; commits itself
            except Exception:  # noqa: BLE001 - nor a failed rollup update
                log.exception("analytics rollup update failed")
            try:
                with session_factory()() as session:
                    clear_stale(session)  # parts of large groups whose server process stopped
                    session.commit()
            except Exception:  # noqa: BLE001 - the next offer clears them too
                log.exception("clearing stale shared parts failed")

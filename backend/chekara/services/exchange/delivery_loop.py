"""The server's delivery thread: a delivery pass every CHEKARA_EXCHANGE_DELIVERY_INTERVAL_S seconds.

Every server process runs one; only the elected one delivers (services/leadership.py),
and the webhook row locks keep two deliverers (a CLI `chekara exchange deliver` beside
the server) from posting an event twice at the same time (services.exchange.delivery).
"""

from __future__ import annotations

import logging
import threading

import httpx

from chekara.config import Settings
from chekara.db.engine import session_factory
from chekara.services.exchange.delivery import deliver_due
from chekara.services.leadership import Leadership

log = logging.getLogger("chekara.exchange")


class DeliveryLoop:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.interval_s = settings.exchange_delivery_interval_s
        self.leadership = Leadership(settings, "exchange-delivery")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chekara-exchange-delivery", daemon=True)

    def start(self) -> None:
        if self.interval_s > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.settings.exchange_timeout_s + 5)
        self.leadership.release()

    def _run(self) -> None:
        with httpx.Client(follow_redirects=False) as client:
            while not self._stop.wait(self.interval_s):
                if not self.leadership.held():
                    continue
                try:
                    with session_factory()() as session:
                        deliver_due(session, self.settings, client)
                except Exception:  # noqa: BLE001 - a failed pass must not stop the next one
                    log.exception("exchange delivery pass failed")

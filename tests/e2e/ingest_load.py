"""A tracker that keeps posting: small batches from a thread, every answer kept, for outage and shutdown tests."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, text


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer at all (connection refused or cut)
    retry_after: str | None
    stamps: list[datetime]
    accepted: int
    sent_at: float  # time.monotonic()
    answered_at: float


class BatchPoster(threading.Thread):
    """Posts batches of fixes for one registered device to POST /api/v1/positions until stopped.

    Every fix has its own timestamp (one second apart, starting a day ago), so
    a stored fix is found again by (device, ts). A day, not an hour: every batch
    uses up its seconds, answered or not, and fixes that reach a minute past now
    are refused as from the future (an hour ran out after ~18 batches of 200).
    """

    def __init__(self, url: str, token: str, device_id: str, batch_size: int = 5, pause_s: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.device_id = url, token, device_id
        self.batch_size, self.pause_s = batch_size, pause_s
        self.answers: list[Answer] = []
        self.stop_event = threading.Event()
        self._start_ts = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
        self._sent = 0

    def _next_batch(self) -> tuple[list[datetime], list[dict]]:
        stamps = [self._start_ts + timedelta(seconds=self._sent + i) for i in range(self.batch_size)]
        self._sent += self.batch_size
        fixes = [
            {"device_id": self.device_id, "ts": ts.isoformat(), "lat": 42.87 + 1e-5 * (ts.second + 1),
             "lon": 74.59, "speed_kmh": 40}
            for ts in stamps
        ]
        return stamps, fixes

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=60) as client:
            while not self.stop_event.is_set():
                stamps, fixes = self._next_batch()
                sent_at = time.monotonic()
                try:
                    response = client.post(f"{self.url}/api/v1/positions", json=fixes, headers=headers)
                except httpx.HTTPError:
                    self.answers.append(Answer(None, None, stamps, 0, sent_at, time.monotonic()))
                else:
                    accepted = response.json()["accepted"] if response.status_code == 200 else 0
                    self.answers.append(Answer(response.status_code, response.headers.get("retry-after"), stamps,
                                               accepted, sent_at, time.monotonic()))
                self.stop_event.wait(self.pause_s)

    def stop(self) -> None:
        self.stop_event.set()
        self.join(timeout=90)

    def ok_count(self) -> int:
        return sum(1 for a in list(self.answers) if a.status == 200)

    def acknowledged(self) -> set[datetime]:
        """The timestamps of every fix the server answered 200 for."""
        return {ts for a in self.answers if a.status == 200 for ts in a.stamps}


def stored_stamps(engine: Engine, device_id: str) -> set[datetime]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT p.ts FROM positions p JOIN devices d ON d.id = p.device_id WHERE d.device_id = :device"),
            {"device": device_id},
        )
        return {ts.astimezone(UTC) for (ts,) in rows}

"""Requests per client per minute for the public endpoints, counted in this process.

A sliding window of one minute per client address. Counted in memory: with
several server processes each counts its own share (a shared counter in the
database or a proxy's limiter would be the next step).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from chekara.config import get_settings
from chekara.errors import ChekaraError

WINDOW_S = 60.0


class TooManyRequests(ChekaraError):
    status_code = 429
    code = "rate_limited"


class SlidingWindowLimiter:
    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - WINDOW_S:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # forget idle clients rather than grow without bound
                for key in [k for k, v in self._hits.items() if not v]:
                    del self._hits[key]
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


limiter = SlidingWindowLimiter()


class PublicAccess:
    """Marks a route as open to anyone, and limits each client (by address) per minute."""

    def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        limit = get_settings().public_rate_limit_per_min
        if not limiter.allow(client, limit):
            raise TooManyRequests(f"more than {limit} requests a minute from this address; wait a minute", field=None)


public_access = PublicAccess()

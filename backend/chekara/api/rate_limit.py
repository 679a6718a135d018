"""Requests per client per minute, and who the client is.

Counted with the `limits` library: a sliding-window counter in memory, that is two integers per key
(this minute's and the last one's hits, weighted by how much of the last minute is still in the
window). A key expires two minutes after its last hit, and expired keys are dropped every
EXPIRY_EVERY_S, so memory holds only the clients seen in the last two minutes or so, whatever the limit.

Counted per process: with several server processes, each counts its own share, so a client gets up
to the limit times the number of processes (a shared storage, e.g. Redis, would be the next step).

    from chekara.api.rate_limit import TooManyRequests, client_address, limiter

    if not limiter.hit(f"osmand-client:{client_address(request)}", 600):
        raise TooManyRequests("more than 600 requests a minute from this address; wait a minute")
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable
from functools import lru_cache

from fastapi import Request
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from chekara.config import get_settings
from chekara.errors import ChekaraError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TooManyRequests(ChekaraError):
    """429 with Retry-After (api/errors.py)."""

    status_code = 429
    code = "rate_limited"


@lru_cache(maxsize=4096)
def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is still the IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress | None, proxies: Iterable[IPNetwork]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(request: Request) -> str:
    """The address of whoever sent the request.

    The connection's peer, unless the peer is a trusted proxy (CHEKARA_TRUSTED_PROXIES): then the
    rightmost address in X-Forwarded-For that is not a trusted proxy. Every proxy appends the address
    it received the request from, so that one was written by a proxy of ours; anything to its left was
    written by the client itself and proves nothing. From any other peer the header is ignored.
    """
    peer = request.client.host if request.client else "unknown"
    proxies = get_settings().trusted_proxies
    if not _trusted(_address(peer), proxies):
        return peer
    client = peer
    hops = [hop for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not an address: no proxy of ours wrote it; the last proxy seen is the client
        client = str(address)
        if not _trusted(address, proxies):
            break
    return client


@lru_cache(maxsize=256)
def _per_minute(limit: int) -> RateLimitItem:
    return RateLimitItemPerMinute(limit)


#: How often expired keys are dropped from memory, seconds.
EXPIRY_EVERY_S = 10.0


class _MemoryStorage(MemoryStorage):
    """limits' in-memory storage, its expired keys dropped every EXPIRY_EVERY_S by whichever hit comes.

    The library's own schedule starts a timer thread 10 ms ahead whenever the last one has finished,
    i.e. a thread per hit under steady traffic, and each start waits for the new thread to take the
    GIL: at one fix per request that was a fifth of the event loop's time (py-spy,
    docs/PERFORMANCE.md). A key read after its expiry is dropped on the spot either way (`get`).

    Only the sliding-window counters are kept (no moving windows: no `events`)."""

    def __init__(self) -> None:
        super().__init__()
        self.timer.cancel()  # the library's first timer: this schedule replaces it
        self._next_expiry = time.monotonic() + EXPIRY_EVERY_S

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the library's private schedule
        now = time.monotonic()
        if now >= self._next_expiry:
            self._next_expiry = now + EXPIRY_EVERY_S
            self._MemoryStorage__expire_events()

    def _MemoryStorage__expire_events(self) -> None:  # replaces the library's private expiry
        """Drop the expired counters. Hits come from several threads (the routes' thread pool), and a
        hit that reads an expired key drops it at once (`get`): the library's loop listed the keys,
        then read each one's expiry, and raised KeyError for a key another thread had dropped in
        between (a 500 for the request whose hit ran the expiry). `get` drops an expired key as a hit does."""
        now = time.time()
        for key in [key for key, expires_at in list(self.expirations.items()) if expires_at <= now]:
            self.get(key)


class Limiter:
    """Hits per key in a sliding minute. Keys are free-form: prefix them with what is limited
    ("public:<address>", "osmand-device:<id>") so different limits never share a bucket."""

    def __init__(self) -> None:
        self._storage = _MemoryStorage()
        self._window = SlidingWindowCounterRateLimiter(self._storage)

    def hit(self, key: str, limit_per_min: int) -> bool:
        """Count one request for `key`; False (and not counted) when it already had `limit_per_min`
        in the last minute."""
        return self._window.hit(_per_minute(limit_per_min), key)

    def reset(self) -> None:
        """Forget every count (tests)."""
        self._storage.reset()


#: One limiter per process, shared by every rate-limited route.
limiter = Limiter()


class PublicAccess:
    """Marks a route as open to anyone, and limits each client (by address) per minute."""

    def __call__(self, request: Request) -> None:
        limit = get_settings().public_rate_limit_per_min
        if not limiter.hit(f"public:{client_address(request)}", limit):
            raise TooManyRequests(f"more than {limit} requests a minute from this address; wait a minute", field=None)


public_access = PublicAccess()

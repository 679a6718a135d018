"""Who the client is behind proxies, and the per-key limiter."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from chekara.api.rate_limit import Limiter, client_address
from chekara.config import Settings, get_settings


def _request(peer: str, *forwarded_for: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded_for]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 40000)})


@pytest.fixture
def trusted(monkeypatch):
    def trust(value: str) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", Settings(trusted_proxies=value).trusted_proxies)

    return trust


def test_without_trusted_proxies_the_peer_is_the_client(trusted):
    trusted("")
    assert client_address(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_an_untrusted_peers_forwarded_for_is_ignored(trusted):
    trusted("10.0.0.0/8")
    assert client_address(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client(trusted):
    trusted("10.0.0.5, 10.1.0.0/16")
    assert client_address(_request("10.0.0.5", "203.0.113.1")) == "203.0.113.1"
    # The client wrote the left part itself; two proxies of ours appended the rest.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 203.0.113.1, 10.1.2.3")) == "203.0.113.1"
    assert client_address(_request("10.0.0.5", "1.2.3.4", "203.0.113.1")) == "203.0.113.1"  # two header lines
    assert client_address(_request("10.0.0.5")) == "10.0.0.5"  # no header: the proxy itself
    assert client_address(_request("10.0.0.5", "not-an-ip, 10.1.2.3")) == "10.1.2.3"
    assert client_address(_request("::ffff:10.0.0.5", "203.0.113.9")) == "203.0.113.9"


def test_each_key_has_its_own_minute():
    limiter = Limiter()
    assert [limiter.hit("public:a", 3) for _ in range(4)] == [True, True, True, False]
    assert limiter.hit("public:b", 3)
    assert limiter.hit("osmand-device:a", 3)  # another key, another bucket
    limiter.reset()
    assert limiter.hit("public:a", 3)


def test_memory_holds_only_recent_keys_and_no_thread_is_started_per_hit(monkeypatch):
    import threading
    import time

    import limits.storage.memory

    from chekara.api import rate_limit

    limiter = Limiter()
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread))
    for i in range(2_000):
        assert limiter.hit(f"osmand-device:{i}", 120)
    assert started == []  # the library's own schedule starts a timer thread whenever the last one is done
    monkeypatch.undo()
    assert len(limiter._storage.storage) == 2_000

    later, later_mono = time.time() + 3 * 60, time.monotonic() + rate_limit.EXPIRY_EVERY_S + 1
    monkeypatch.setattr(limits.storage.memory.time, "time", lambda: later)
    monkeypatch.setattr(rate_limit.time, "monotonic", lambda: later_mono)
    assert limiter.hit("osmand-device:new", 120)  # this hit runs the due expiry
    assert set(limiter._storage.storage) <= {k for k in limiter._storage.storage if "new" in k}


class _ListedThenDropped(dict):
    """A counter's expiries as a second thread changes them: the listing still names `gone`, which a
    hit in that thread (reading it after its expiry) has just dropped."""

    def __init__(self, expirations: dict[str, float], gone: str) -> None:
        super().__init__(expirations)
        self.gone = gone

    def keys(self):
        return [*super().keys(), self.gone]

    def items(self):
        return [*super().items(), (self.gone, 0.0)]


def test_the_expiry_survives_a_key_another_thread_dropped_meanwhile():
    limiter = Limiter()
    for i in range(3):
        assert limiter.hit(f"public:{i}", 10)
    storage = limiter._storage
    storage.expirations = _ListedThenDropped({**storage.expirations, "LIMITER/old": 0.0}, gone="LIMITER/gone")
    storage.storage["LIMITER/old"] = 5
    storage._MemoryStorage__expire_events()  # the library's own loop raised KeyError: 'LIMITER/gone'
    assert "LIMITER/old" not in storage.storage and "LIMITER/old" not in storage.expirations
    assert len(storage.storage) == 3  # the live counters stay


def test_the_librarys_first_timer_is_cancelled():
    """Its thread would run the expiry beside the hits' own (the two raced over the same keys)."""
    # cancel() sets it at once; a timer left to run sets it only after its 10 ms and the run.
    assert Limiter()._storage.timer.finished.is_set()

"""The detector states this process last wrote, kept in memory with the version of the row that holds them.

Every ingest group reads its trips' detector states (~3 kB of JSON each) under lock and parses them:
for a batch of 1,000 trips that was ~30 ms of the ingest thread's CPU (psycopg receiving the text,
orjson building ~200 objects a state), about a fifth of the thread's work. The trips a process
writes are, most of the time, the ones it reads next: a device's connection stays on one process.

What makes a kept state safe to use is the row version: a state is kept with the `xmin` of the
trip row its UPDATE wrote (RETURNING), and the locking read sends the versions it holds and gets the
state's text only where the row's xmin is another. Any other writer (the other server processes,
the sweeper, an officer's change through the ORM) writes a new row version, so a new xmin, and the
state is read from the row. A transaction that rolls back leaves its row versions invisible, so what
it kept is never matched.

A state is taken out of memory when it is read and kept again only when it is written: the
detectors treat state as immutable, but if any step changed a kept object in place and its
transaction then failed, nothing stale would be left behind to match the unchanged row.

Transaction ids wrap around after 2^32 transactions; a kept state older than MAX_AGE_S is dropped,
far inside that (a million transactions an hour is ~300 a second), and the trips of convoys that
arrived go with it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Kept states older than this are dropped (seconds).
MAX_AGE_S = 3600.0


@dataclass(frozen=True)
class Kept:
    """A trip's detector state as this process wrote it, and the version (xmin, as text) of the row holding it."""

    version: str
    state: dict[str, Any]
    at: float  # time.monotonic() when written


class WrittenStates:
    """At most `capacity` trips' states, the least recently written dropped first (0: none kept)."""

    def __init__(self, capacity: int, max_age_s: float = MAX_AGE_S) -> None:
        self.capacity = capacity
        self.max_age_s = max_age_s
        self._kept: OrderedDict[int, Kept] = OrderedDict()
        #: The trip each device last reported for: which kept states a batch of devices may use.
        self._trip_of_device: dict[int, int] = {}
        # The sweeper writes trips from its own thread, beside the ingest thread.
        self._lock = threading.Lock()
        self.used = 0  # states taken from memory, matched by their row
        self.read = 0  # states read from the row

    def take_for(self, device_pks: Iterable[int], now: float | None = None) -> dict[int, Kept]:
        """The kept states of the trips these devices last reported for, by trip id, taken out of memory."""
        now = time.monotonic() if now is None else now
        taken: dict[int, Kept] = {}
        with self._lock:
            for pk in device_pks:
                trip_id = self._trip_of_device.get(pk)
                if trip_id is None or trip_id in taken:
                    continue
                kept = self._kept.pop(trip_id, None)
                if kept is not None and now - kept.at <= self.max_age_s:
                    taken[trip_id] = kept
        return taken

    def keep(self, written: Iterable[tuple[int, str, dict[str, Any], Iterable[int]]], now: float | None = None) -> None:
        """Keep the states just written: (trip id, the row's version, the state, the trip's device pks) each."""
        if self.capacity <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:  # once for a group's trips: a call per trip cost 4.6 ms per 1,000, this 1.6
            for trip_id, version, state, device_pks in written:
                self._kept.pop(trip_id, None)
                self._kept[trip_id] = Kept(version, state, now)
                for pk in device_pks:
                    self._trip_of_device[pk] = trip_id
            while self._kept and (len(self._kept) > self.capacity
                                  or now - next(iter(self._kept.values())).at > self.max_age_s):
                self._kept.popitem(last=False)
            if len(self._trip_of_device) > 4 * self.capacity:  # devices of trips long gone
                self._trip_of_device = {pk: t for pk, t in self._trip_of_device.items() if t in self._kept}

    def count(self, used: int, read: int) -> None:
        with self._lock:
            self.used += used
            self.read += read

    def __len__(self) -> int:
        return len(self._kept)


_this_process: WrittenStates | None = None


def this_process() -> WrittenStates:
    """The process's kept states (CHEKARA_INGEST_KEPT_STATES trips at most)."""
    global _this_process
    if _this_process is None:
        from chekara.config import get_settings

        _this_process = WrittenStates(get_settings().ingest_kept_states)
    return _this_process

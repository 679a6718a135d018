"""The two detector contracts.

A detector is a small stateless object: everything it remembers lives in a
plain JSON-serialisable dict that the caller stores between batches (the
pipeline keeps one per trip and detector type). Methods never mutate the
state they receive; they return a new one with the events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from .events import Event
from .fix import EnrichedFix
from .thresholds import DetectionThresholds

State = dict[str, Any]


class FixDetector(Protocol):
    type: str

    def initial_state(self) -> State: ...

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]: ...


class ClockDetector(Protocol):
    type: str

    def initial_state(self) -> State: ...

    def on_clock(
        self, state: State, now: datetime, thresholds: DetectionThresholds, **context: Any
    ) -> tuple[State, list[Event]]: ...

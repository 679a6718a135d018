"""Overdue: the trip is past its delivery deadline and has not arrived.

Clock-driven: on_clock(state, now, thresholds, deadline=..., arrived=...)
raises once when now > deadline (strictly: exactly at the deadline is on
time) and the trip has not arrived. Evidence: deadline_ts, overdue_s.

It resolves:
- on arrival: on_arrival(state, arrived_ts), or on_clock with arrived=True
  (and arrived_ts=... when known; otherwise `now` is taken as the arrival
  time). Evidence: deadline_ts, arrived_ts, overdue_s (arrival - deadline);
- when the deadline is extended past now (a granted extension), with
  reason "deadline_extended"; a new alert is raised if the new deadline is
  missed too.
One open alert per trip (key None). No deadline (None) means nothing to check.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


class OverdueDetector:
    type = "overdue"

    def initial_state(self) -> State:
        return {"open_deadline_ts": None}

    def on_clock(
        self, state: State, now: datetime, thresholds: DetectionThresholds, *,
        deadline: datetime | None = None, arrived: bool = False, arrived_ts: datetime | None = None,
        **context: Any,
    ) -> tuple[State, list[Event]]:
        if arrived:
            return self.on_arrival(state, arrived_ts or now, thresholds)
        open_deadline = state["open_deadline_ts"]
        if open_deadline is not None:
            if deadline is not None and now <= deadline:
                return {**state, "open_deadline_ts": None}, [AlertResolved(self.type, now, {
                    "deadline_ts": open_deadline, "new_deadline_ts": to_iso(deadline),
                    "overdue_s": seconds_between(open_deadline, now), "reason": "deadline_extended"})]
            return state, []
        if deadline is None or now <= deadline:
            return state, []
        return {**state, "open_deadline_ts": to_iso(deadline)}, [AlertRaised(self.type, now, {
            "deadline_ts": to_iso(deadline), "overdue_s": seconds_between(deadline, now)})]

    def on_arrival(
        self, state: State, arrived_ts: datetime, thresholds: DetectionThresholds,
    ) -> tuple[State, list[Event]]:
        open_deadline = state["open_deadline_ts"]
        if open_deadline is None:
            return state, []
        return {**state, "open_deadline_ts": None}, [AlertResolved(self.type, arrived_ts, {
            "deadline_ts": open_deadline, "arrived_ts": to_iso(arrived_ts),
            "overdue_s": seconds_between(open_deadline, arrived_ts), "reason": "arrived"})]

"""Signal lost: a device of a trip in transit has gone quiet.

Clock-driven: on_clock(state, now, thresholds, in_transit=...) raises for each
device whose last fix is >= signal_lost_s (600 s: "≥") before now, when the
trip is in transit. The threshold is the configured 600 s; "two missed
reporting periods" is the EAEU seal rule, not this one.

What a device can show: the 10 minutes assume a device that reports at least
once a minute. A tracker that reports every 120 or 300 s is silent for that
long between any two fixes, and a coverage hole (a gorge, a tunnel: 2-8
min, its fixes uploaded when it is back) on top of that passes 10 minutes
without anything being lost. So a device's limit is signal_lost_s plus the
part of its reporting interval beyond a minute:
600 + max(0, interval - 60) s (660 s at 120 s, 840 s at 300 s), the
interval being the median of its last few gaps shorter than signal_lost_s
(unknown until it has sent two fixes: then 600 s).

Per device (key = device id): a truck tracker that goes quiet while the
escort's phone still reports is exactly the case to see. One open alert per
gap: on_clock does not raise again for a device already lost. The device's
next fix (on_fix) resolves it with gap_s (from the last fix before the gap to
the fix that ended it), last_fix_ts and resumed_ts.

The alert's ts is `now`, the moment the silence was noticed; evidence says
since when (last_fix_ts) and where (lon / lat of the last fix). A device that
has never sent a fix is unknown here and cannot be lost. Leaving transit does
not resolve an open alert; it only stops new ones (closing a trip closes its
alerts). The pipeline passes only accepted (non-anomalous) fixes here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .base import State
from .events import AlertRaised, AlertResolved, Event
from .fix import EnrichedFix
from .thresholds import DetectionThresholds
from .timestamps import seconds_between, to_iso


#: Gaps remembered per device to know its reporting interval.
_GAPS_KEPT = 5


def silence_limit_s(device: dict[str, Any], th: DetectionThresholds) -> float:
    """How long this device may be silent before it is lost, seconds (see the module doc)."""
    gaps = sorted(device.get("gaps", []))
    if not gaps:
        return th.signal_lost_s
    interval_s = gaps[len(gaps) // 2]
    return th.signal_lost_s + max(0.0, interval_s - th.signal_lost_prompt_interval_s)


class SignalLostDetector:
    type = "signal_lost"

    def initial_state(self) -> State:
        return {"devices": {}}

    def on_fix(self, state: State, fix: EnrichedFix, thresholds: DetectionThresholds) -> tuple[State, list[Event]]:
        device = state["devices"].get(fix.device_id)
        gaps = list(device.get("gaps", [])) if device is not None else []
        if device is not None:
            gap_s = seconds_between(device["last_fix_ts"], fix.ts)
            if 0 < gap_s < thresholds.signal_lost_s:
                gaps = [*gaps, gap_s][-_GAPS_KEPT:]
        events: list[Event] = []
        if device is not None and device["lost"]:
            events.append(AlertResolved(self.type, fix.ts, {
                "device_id": fix.device_id, "role": fix.role,
                "gap_s": gap_s,
                "last_fix_ts": device["last_fix_ts"], "resumed_ts": to_iso(fix.ts),
            }, key=fix.device_id))
        new_device = {"role": fix.role, "last_fix_ts": to_iso(fix.ts), "lon": fix.lon, "lat": fix.lat, "lost": False,
                      "gaps": gaps}
        return {**state, "devices": {**state["devices"], fix.device_id: new_device}}, events

    def on_clock(
        self, state: State, now: datetime, thresholds: DetectionThresholds, *, in_transit: bool = False,
        **context: Any,
    ) -> tuple[State, list[Event]]:
        if not in_transit:
            return state, []
        devices = dict(state["devices"])
        events: list[Event] = []
        for device_id, device in sorted(state["devices"].items()):
            silent_s = seconds_between(device["last_fix_ts"], now)
            limit_s = silence_limit_s(device, thresholds)
            if device["lost"] or silent_s < limit_s:
                continue
            devices[device_id] = {**device, "lost": True}
            events.append(AlertRaised(self.type, now, {
                "device_id": device_id, "role": device["role"], "silent_s": silent_s, "limit_s": limit_s,
                "last_fix_ts": device["last_fix_ts"], "lon": device["lon"], "lat": device["lat"],
            }, key=device_id))
        return {**state, "devices": devices}, events

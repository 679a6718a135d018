"""The run's clock: scenario seconds as instants, and which of them have come.

Scenario second 0 is ``epoch``; the scenario's end falls ``live_s`` after
the run starts, so its first ``history_s`` are already past when the run
begins. An item is due when its instant has come (the platform refuses
fixes more than 5 min in the future, so nothing is sent early).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from chekara.domain.bishkek_time import BISHKEK

WallClock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SimClock:
    epoch: datetime
    wall: WallClock = field(default=utc_now, compare=False)

    @classmethod
    def starting_now(cls, history_s: float, wall: WallClock = utc_now) -> "SimClock":
        """A clock whose scenario second history_s is now (whole seconds, as device clocks report)."""
        start = wall().replace(microsecond=0) + timedelta(seconds=1)
        return cls(start - timedelta(seconds=history_s), wall)

    def instant(self, t_s: float) -> datetime:
        return self.epoch + timedelta(seconds=t_s)

    def iso(self, t_s: float) -> str:
        return self.instant(t_s).isoformat()

    def bishkek_iso(self, t_s: float) -> str:
        """The instant written in Bishkek time (+06:00): its date is the Bishkek date."""
        return self.instant(t_s).astimezone(BISHKEK).isoformat()

    def bishkek_date(self, t_s: float) -> date:
        return self.instant(t_s).astimezone(BISHKEK).date()

    def now_s(self) -> float:
        return (self.wall() - self.epoch).total_seconds()

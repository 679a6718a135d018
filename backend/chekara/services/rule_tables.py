"""The configurable tables of checkpoint operations, read from files named in the settings.

The tariff (CHEKARA_TARIFF_FILE) and the axle limits (CHEKARA_AXLE_LIMITS_FILE)
are small CSV files kept in the repository (backend/chekara/data/). They are
read on first use and again whenever the file changes, so an administrator
can replace a table without restarting the server. A malformed file is an
error at the first request that needs it, naming the line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chekara.config import Settings
from chekara.domain.customs_payments import Tariff, parse_tariff_csv
from chekara.domain.weights import AxleLimits, parse_axle_limits_csv


@lru_cache(maxsize=8)
def _tariff(path: Path, mtime_ns: int) -> Tariff:
    return parse_tariff_csv(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=8)
def _axle_limits(path: Path, mtime_ns: int) -> AxleLimits:
    return parse_axle_limits_csv(path.read_text(encoding="utf-8"))


def tariff(settings: Settings) -> Tariff:
    path = settings.tariff_file
    return _tariff(path, path.stat().st_mtime_ns)


def axle_limits(settings: Settings) -> AxleLimits:
    path = settings.axle_limits_file
    return _axle_limits(path, path.stat().st_mtime_ns)

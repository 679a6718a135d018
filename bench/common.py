"""Shared by the benchmarks: a scratch database, seeded, on the embedded cluster or CHEKARA_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from collections.abc import Iterator

from sqlalchemy import create_engine, text

from chekara.config import get_settings
from chekara.db import embedded
from chekara.db.migrate import upgrade_to_head


@contextmanager
def scratch_database(prefix: str = "chekara_bench") -> Iterator[str]:
    settings = get_settings()
    if settings.uses_embedded_database:
        embedded.up(settings)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(settings.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade_to_head(database=name)
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

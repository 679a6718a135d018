"""The JSON Schemas of the exchange, kept in chekara/exchange_schemas/ and served as they are."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from chekara.domain.exchange import EVENT_TYPES
from chekara.errors import NotFound

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "exchange_schemas"
NOTICE_SCHEMA = "pre_arrival_notice"
#: Every schema served: one per event type, and the inbound notice.
SCHEMA_NAMES: tuple[str, ...] = (*EVENT_TYPES, NOTICE_SCHEMA)


def schema_text(name: str) -> str:
    if name not in SCHEMA_NAMES:
        raise NotFound(f"no schema {name!r}; the schemas are {', '.join(SCHEMA_NAMES)}", field="name")
    return (SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8")


@lru_cache
def schema(name: str) -> dict[str, Any]:
    return json.loads(schema_text(name))

"""The call center's reference texts in knowledge/: inquiry topics with their SLA, and ready answers."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from chekara.config import PROJECT_ROOT
from chekara.domain.callcenter.answers import Answer, parse_answer
from chekara.domain.callcenter.working_time import WorkingCalendar, calendar_from

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"


@dataclass(frozen=True)
class Topic:
    key: str
    sla_working_hours: float
    names: dict[str, str]


@dataclass(frozen=True)
class Knowledge:
    topics: dict[str, Topic]
    calendar: WorkingCalendar
    answers: tuple[Answer, ...]


def load_knowledge(folder: Path) -> Knowledge:
    config = tomllib.loads((folder / "topics.toml").read_text(encoding="utf-8"))
    topics = {
        key: Topic(key, float(t["sla_working_hours"]), {lang: t[f"name_{lang}"] for lang in ("ru", "ky", "en")})
        for key, t in config["topics"].items()
    }
    cal = config.get("calendar", {})
    calendar = calendar_from(
        cal.get("extra_holidays", []), cal.get("opens", "09:00"), cal.get("closes", "18:00"), cal.get("country", "KG"),
    )
    answers = tuple(
        parse_answer(path.parent.name, path.stem, path.read_text(encoding="utf-8"))
        for path in sorted((folder / "answers").glob("*/*.md"))
    )
    return Knowledge(topics, calendar, answers)


@lru_cache
def knowledge() -> Knowledge:
    return load_knowledge(KNOWLEDGE_DIR)

"""The ruleset in force: CHEKARA_RISK_RULES_FILE (default backend/chekara/data/risk_rules.toml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chekara.config import get_settings
from chekara.domain.risk import Ruleset, parse_ruleset

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "risk_rules.toml"


def load_ruleset(path: Path) -> Ruleset:
    """Parse and validate; files the ruleset names (the value reference) are read beside it."""
    return parse_ruleset(path.read_text(encoding="utf-8"), lambda name: (path.parent / name).read_text(encoding="utf-8"))


@lru_cache
def ruleset() -> Ruleset:
    return load_ruleset(get_settings().risk_rules_file or DEFAULT_RULES_FILE)

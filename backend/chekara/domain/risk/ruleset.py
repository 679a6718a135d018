"""The ruleset: weights, parameters and channel thresholds from one TOML file, validated at start."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from chekara.domain.risk.rules import RULES

CHANNELS = ("green", "blue", "yellow", "red")
#: Parameters each rule needs besides its weight.
REQUIRED_PARAMS = {
    "weight_discrepancy": ("tolerance_pct",),
    "goods_weight_mismatch": ("tare_min_kg", "tare_max_kg"),
    "repeat_offender": ("days",),
    "value_per_kg": ("reference",),
}


class RulesetError(ValueError):
    pass


@dataclass(frozen=True)
class RandomSelection:
    rate: float
    seed: str
    channel: str


@dataclass(frozen=True)
class Ruleset:
    version: str
    #: Minimum score for each channel above green, e.g. {"blue": 10, "yellow": 25, "red": 50}.
    thresholds: dict[str, float]
    #: rule name -> (weight, parameters)
    rules: dict[str, tuple[float, dict[str, Any]]]
    random: RandomSelection

    def channel_for_score(self, score: float) -> str:
        channel = "green"
        for name in ("blue", "yellow", "red"):
            if score >= self.thresholds[name]:
                channel = name
        return channel


def parse_reference_csv(text: str) -> dict[str, Decimal]:
    """hs_chapter,min_kgs_per_kg rows -> {"08": Decimal("25")}."""
    table = {}
    for row in csv.DictReader(io.StringIO(text)):
        chapter = row["hs_chapter"].strip().zfill(2)
        try:
            table[chapter] = Decimal(row["min_kgs_per_kg"].strip())
        except (InvalidOperation, KeyError) as exc:
            raise RulesetError(f"reference table: bad row {row}") from exc
    return table


def parse_ruleset(toml_text: str, read_file) -> Ruleset:
    """Validate the ruleset file; read_file(name) -> text resolves referenced data files."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesetError(f"not valid TOML: {exc}") from exc
    version = str(data.get("version") or "")
    if not version:
        raise RulesetError("version is required")
    thresholds = data.get("channels", {})
    if set(thresholds) != {"blue", "yellow", "red"}:
        raise RulesetError("[channels] needs exactly blue, yellow and red score thresholds")
    if not 0 <= thresholds["blue"] <= thresholds["yellow"] <= thresholds["red"]:
        raise RulesetError("[channels] thresholds must rise: 0 <= blue <= yellow <= red")
    rules: dict[str, tuple[float, dict[str, Any]]] = {}
    for name, table in data.get("rules", {}).items():
        if name not in RULES:
            raise RulesetError(f"unknown rule {name!r}; known: {', '.join(sorted(RULES))}")
        params = dict(table)
        weight = params.pop("weight", None)
        if not isinstance(weight, (int, float)) or weight < 0:
            raise RulesetError(f"rules.{name}.weight must be a number >= 0")
        for required in REQUIRED_PARAMS.get(name, ()):
            if required not in params:
                raise RulesetError(f"rules.{name}.{required} is required")
        if name == "value_per_kg":
            params["reference_kgs_per_kg"] = parse_reference_csv(read_file(params["reference"]))
        rules[name] = (float(weight), params)
    random = data.get("random", {})
    try:
        selection = RandomSelection(float(random["rate"]), str(random["seed"]), str(random.get("channel", "red")))
    except (KeyError, TypeError, ValueError) as exc:
        raise RulesetError("[random] needs rate (0..1) and seed") from exc
    if not 0 <= selection.rate <= 1:
        raise RulesetError("random.rate must be between 0 and 1")
    if selection.channel not in CHANNELS:
        raise RulesetError(f"random.channel must be one of {', '.join(CHANNELS)}")
    return Ruleset(version, {k: float(v) for k, v in thresholds.items()}, rules, selection)

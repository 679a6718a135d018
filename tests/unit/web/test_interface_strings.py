"""The interface dictionaries: every key the pages use exists, and the languages agree."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

CHEKARA = Path(__file__).resolve().parents[3] / "backend" / "chekara"
WEB = CHEKARA / "web"
RISK_RULES = set(tomllib.loads((CHEKARA / "data" / "risk_rules.toml").read_text(encoding="utf-8"))["rules"]) | {"random_selection"}
STATIC = WEB / "static"
LANGUAGES = ("en", "ru", "ky")
#: Keys built at run time from a value ("alert_type." + type): their families are checked below.
DYNAMIC_FAMILIES = {
    "alert_type": {"route_deviation", "unauthorized_stop", "signal_lost", "overdue", "gps_anomaly", "convoy_separation",
                   "low_battery", "undeclared_vehicle", "exit_without_release", "plate_mismatch", "transit_not_closed"},
    "alert_status": {"open", "acknowledged", "resolved"},
    "step": {"arrived", "documents_checked", "weighed", "inspected", "released", "exited"},
    "channel": {"green", "blue", "yellow", "red"},
    "role": {"admin", "operator", "supervisor", "planner", "officer", "callcenter", "device"},
    "border_kind": {"eaeu", "external", "inland"},
    "trip_status": {"planned", "in_transit", "arrived", "cancelled"},
    "risk_rule": RISK_RULES,
    "inquiry_status": {"new", "in_progress", "answered", "closed"},
    "inquiry_channel": {"phone", "web", "walk_in"},
    "sla": {"open", "overdue", "met", "missed"},
    "language": {"ru", "ky", "en"},
    "public_status": {"registered", "in_transit", "at_checkpoint", "released", "closed"},
    "border_country": {"KZ", "CN", "UZ", "TJ"},
}


def dictionary(lang: str) -> dict[str, str]:
    return json.loads((STATIC / f"i18n-{lang}.json").read_text(encoding="utf-8"))


def used_keys() -> set[str]:
    keys: set[str] = set()
    for template in (WEB / "templates").glob("*.html"):
        keys |= set(re.findall(r'data-i18n(?:-\w+)?="([\w.-]+)"', template.read_text(encoding="utf-8")))
    for script in STATIC.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        keys |= set(re.findall(r'C\.t\("([\w.]+)"[,)]', text))
        keys |= set(re.findall(r'(?:figure|label)\("([\w.]+)"', text))
        keys |= set(re.findall(r'\["(trip\.[\w]+)",', text))
    keys |= {f"title.{t.stem}" for t in (WEB / "templates").glob("*.html") if t.stem != "base"}
    keys |= set(re.findall(r'"(nav\.\w+)"', (WEB / "pages.py").read_text(encoding="utf-8")))
    return keys


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_key_the_pages_use_is_in_english_and_russian():
    used = used_keys()
    assert len(used) > 150
    for lang in ("en", "ru"):
        missing = sorted(used - set(dictionary(lang)))
        assert missing == [], f"{lang} lacks {missing}"


def test_english_and_russian_have_the_same_keys_and_kyrgyz_no_others():
    en, ru, ky = (set(dictionary(lang)) for lang in LANGUAGES)
    assert en == ru
    assert ky <= en, sorted(ky - en)
    assert len(ky) > 0.9 * len(en)


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_translations_keep_the_placeholders(lang):
    en = dictionary("en")
    for key, text in dictionary(lang).items():
        assert placeholders(text) == placeholders(en[key]), key


@pytest.mark.parametrize("family", sorted(DYNAMIC_FAMILIES))
def test_every_value_shown_through_a_family_key_has_a_string(family):
    en = dictionary("en")
    assert sorted(v for v in DYNAMIC_FAMILIES[family] if f"{family}.{v}" not in en) == []

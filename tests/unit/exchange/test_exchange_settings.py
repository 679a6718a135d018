"""The exchange's settings: documented defaults, CHEKARA_EXCHANGE_* overrides, nonsense refused at start."""

from __future__ import annotations

import doctest
from decimal import Decimal

import pytest
from pydantic import ValidationError

from chekara.config import Settings
from chekara.domain.exchange import backoff, envelope, event_types, notice_checks, signing


def test_the_defaults_are_those_of_docs_exchange_md(monkeypatch):
    monkeypatch.delenv("CHEKARA_EXCHANGE_DELIVERY_INTERVAL_S", raising=False)  # tests/conftest.py turns delivery off
    s = Settings()
    assert (s.exchange_backoff_base_s, s.exchange_backoff_cap_s, s.exchange_max_attempts) == (5.0, 900.0, 12)
    assert s.exchange_weight_tolerance_pct == Decimal("5") and s.exchange_arrival_window_min == 180.0
    assert s.exchange_delivery_interval_s == 2.0 and s.exchange_timeout_s == 10.0 and s.exchange_batch_size == 100


def test_environment_variables_override(monkeypatch):
    monkeypatch.setenv("CHEKARA_EXCHANGE_BACKOFF_BASE_S", "0.2")
    monkeypatch.setenv("CHEKARA_EXCHANGE_WEIGHT_TOLERANCE_PCT", "2.5")
    s = Settings()
    assert s.exchange_backoff_base_s == 0.2 and s.exchange_weight_tolerance_pct == Decimal("2.5")


@pytest.mark.parametrize("over", [
    {"exchange_backoff_base_s": 10, "exchange_backoff_cap_s": 5},
    {"exchange_max_attempts": 0},
    {"exchange_weight_tolerance_pct": 0},
    {"exchange_arrival_window_min": -1},
])
def test_nonsense_is_refused(over):
    with pytest.raises(ValidationError):
        Settings(**over)


@pytest.mark.parametrize("module", [backoff, envelope, event_types, notice_checks, signing])
def test_the_examples_in_the_docstrings_hold(module):
    assert doctest.testmod(module).failed == 0

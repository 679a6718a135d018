"""Test settings shared by every suite (set before chekara reads its settings)."""

from __future__ import annotations

import os

os.environ.setdefault("CHEKARA_ENV", "test")
os.environ.setdefault("CHEKARA_SECRET_KEY", "test-secret-" + "x" * 32)
# Tests run the clock-driven sweep themselves, at the times they choose.
os.environ.setdefault("CHEKARA_SWEEP_INTERVAL_S", "0")
# Nor does a server deliver to partners' webhooks unless a test starts one that does.
os.environ.setdefault("CHEKARA_EXCHANGE_DELIVERY_INTERVAL_S", "0")

# Database fixtures (test_database, engine, seeded, db_session) live in tests/database.py.
pytest_plugins = ["tests.database"]

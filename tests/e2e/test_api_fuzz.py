"""Schemathesis over every operation of a real server: no server error, every answer as documented (issue 15).

A database of its own, seeded with what the deep paths need (a trip with fixes
and an alert, a declaration, a crossing, an inquiry, a partner with a
webhook), whose ids and codes Schemathesis draws from dictionaries half of the
time. Two passes: an admin token over every operation, then the partner's
token over the operations only a partner may call. Bounded: a few examples per
operation and a time budget. The `st` command runs as a subprocess, as a
developer would run it. A deeper run: FUZZ_TIME_S=900 FUZZ_SEED=7 pytest tests/e2e/test_api_fuzz.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from chekara.config import get_settings
from chekara.db.engine import make_engine
from chekara.domain.roles import Actor
from chekara.services.exchange.partners import register_partner
from chekara.services.tokens import create_token
from tests.database import create_scratch_database, drop_scratch_database, seed_database
from tests.e2e.api_calls import caller, convoy_with_an_alert
from tests.e2e.conftest import free_port, server_env, start_server
from tests.integration.checkpoint_ops_helpers import declaration, read

ST_BIN = str(Path(sys.executable).with_name("st"))
#: The admin pass's budget, seconds (fuzzing repeats until it is spent); the partner pass gets a fifth of it.
TIME_BUDGET_S = int(os.environ.get("FUZZ_TIME_S", "60"))  # FUZZ_TIME_S=600 for a longer hunt
SEED = os.environ.get("FUZZ_SEED", "15")
MAX_EXAMPLES = 10
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PARTNER = "FUZZ-KZ"
#: Never answers: an event stream lasts as long as its client (tests/e2e/test_tracking_e2e.py covers it).
EXCLUDED = ["/api/v1/stream"]
#: What only a partner may call (an admin's notice is refused: it must come from a partner).
PARTNER_OPERATIONS = "^/api/v1/exchange/(events|inbound)$"


@pytest.fixture(scope="module")
def fuzz_database() -> Iterator[str]:
    name = create_scratch_database("chekara_fuzz")
    yield name
    drop_scratch_database(name)


def _tokens(database: str) -> dict[str, str]:
    engine = seed_database(make_engine(get_settings(), database))
    actor, settings = Actor("fuzz", "admin"), get_settings()
    with Session(engine) as session:
        tokens = {role: create_token(session, settings, f"fuzz-{role}", role, actor).token for role in ("admin", "device")}
        tokens["partner"] = register_partner(session, settings, PARTNER, "Kazakhstan customs (fuzz)", "KZ", actor)[1].token
        session.commit()
    engine.dispose()
    return tokens


def _seed_deep_paths(url: str, tokens: dict[str, str]) -> dict[str, list]:
    """What the deep paths need, made through the API; returns the dictionaries of known ids."""
    call = caller(url, tokens, "admin")
    trip, alert = convoy_with_an_alert(call, "FUZZ-TRK-1", "fuzz-device", "FUZZ-T-1")
    call("POST", "/api/v1/declarations", json=declaration("FUZZ-D-1", vehicle_plate="01 777 FZZ"))
    crossing = call("POST", "/api/v1/plate-reads", json=read("01 777 FZZ"))["crossing"]
    inquiry = call("POST", "/api/v1/inquiries", json={
        "channel": "phone", "caller_name": "Fuzz", "caller_phone": "0555 123 456", "language": "ru",
        "topic": "queue_wait", "text": "Какая очередь на Ак-Жол?", "checkpoint": "ak-jol", "plate": "01 777 FZZ",
    })
    call("PUT", f"/api/v1/exchange/partners/{PARTNER}/webhook", json={"url": "http://127.0.0.1:9/fuzz-webhook"})
    return {
        "trip_ids": [trip["id"]], "alert_ids": [alert["id"]], "crossing_ids": [crossing["id"]],
        "inquiry_ids": [inquiry["id"]], "numbers": ["FUZZ-D-1", "FUZZ-T-1"],
        "codes": ["TORUGART", "AK-JOL", "BISHKEK-OSH", PARTNER], "currencies": ["USD", "EUR"],
        "devices": ["FUZZ-TRK-1"],
    }


def _config(dictionaries: dict[str, list]) -> str:
    """schemathesis.toml: known ids and codes drawn half of the time in the parameters that take them."""
    bindings = {
        "path.trip_id": "trip_ids", "query.trip_id": "trip_ids", "path.alert_id": "alert_ids",
        "path.crossing_id": "crossing_ids", "path.inquiry_id": "inquiry_ids", "path.number": "numbers",
        "query.declaration": "numbers", "body.declaration_number": "numbers", "path.code": "codes",
        "query.checkpoint": "codes", "body.checkpoint": "codes", "query.corridor": "codes",
        "query.partner": "codes", "path.currency": "currencies", "query.device_id": "devices",
    }
    lines = []
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(values)}", ""]
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()]
    return "\n".join(lines) + "\n"


def _schemathesis(url: str, token: str, config: Path, time_s: int, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        ST_BIN, "--config-file", str(config), "run", f"{url}/openapi.json", "-H", f"Authorization: Bearer {token}",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing", "--max-examples", str(MAX_EXAMPLES),
        "--max-time", str(time_s), "--seed", SEED, "--request-timeout", "30",
        # One worker: with two, Hypothesis's ast.parse in two threads at once sometimes fails inside
        # CPython 3.11 ("AST constructor recursion depth mismatch") and the run ends on the tool's own error.
        "--workers", "1",
        "--generation-database", "none", "--no-color", *selection,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=time_s + 300, cwd=config.parent)


def test_schemathesis_finds_nothing(fuzz_database, tmp_path):
    tokens = _tokens(fuzz_database)
    server, url = start_server(server_env(fuzz_database), free_port(), tmp_path / "server.log")
    try:
        config = tmp_path / "schemathesis.toml"
        config.write_text(_config(_seed_deep_paths(url, tokens)))
        runs = {
            "admin": _schemathesis(url, tokens["admin"], config, TIME_BUDGET_S,
                                   *[arg for path in EXCLUDED for arg in ("--exclude-path", path)]),
            "partner": _schemathesis(url, tokens["partner"], config, max(TIME_BUDGET_S // 5, 10),
                                     "--include-path-regex", PARTNER_OPERATIONS),
        }
    finally:
        server.terminate()
        server.wait(timeout=60)
    for name, run in runs.items():
        (tmp_path / f"st-{name}.log").write_text(run.stdout + run.stderr)
        assert run.returncode == 0, (
            f"schemathesis ({name} pass) found problems; full output in {tmp_path}/st-{name}.log:\n{run.stdout[-6000:]}"
        )

"""bench/load.py cannot rot: a small run (50 convoys, a few seconds a phase) from start to table.

Only what must hold at any size is asserted: every acknowledged fix is stored, no request failed
(the script exits 0 only then), and the table has every row. Its speed is never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.e2e.conftest import PROJECT_ROOT

pytestmark = pytest.mark.e2e


def test_the_load_bench_runs_and_loses_nothing(tmp_path):
    figures_file = tmp_path / "load.json"
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--convoys", "50", "--clients", "8", "--seconds", "4",
         "--batch-seconds", "2", "--job-seconds", "1", "--workers", "2", "--json", str(figures_file)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
        # (b)'s 50-fix batches are shared only from 20 fixes: the shared parts' counts below have parts to count.
        env=dict(os.environ, CHEKARA_INGEST_SHARE_FROM_FIXES="20"),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    for row in ("(a) OsmAnd", "(a) fixes/s in each 10 s", "(b) JSON batches", "(c) live convoys", "(d) fix -> alert", "(e) acknowledged",
                "(f) OsmAnd beside: sweep", "(f) OsmAnd beside: rollup update", "(f) OsmAnd beside: exchange delivery",
                "machine: Python yardstick", "machine: database round trip"):
        assert row in run.stdout
    figures = json.loads(figures_file.read_text())
    assert figures["failed"] == 0
    assert figures["e_stored"] == figures["e_expected"] > figures["e_history"] == 50 * 8
    assert figures["a_acknowledged"] > 0 and figures["b_acknowledged"] > 0 and figures["c_convoys_seen"] == 50
    assert figures["a_fixes_per_s_by_10s"] == []  # a 4-s phase has no whole 10-s window
    assert figures["machine_python_msteps_per_s"]["start"] > 0 and figures["machine_python_msteps_per_s"]["end"] > 0
    assert figures["machine_round_trip_us"]["start"] > 0 and figures["machine_round_trip_us"]["end"] > 0
    # Every (b) connection is held by one of the two server processes.
    assert len(figures["b_connections_per_process"]) == 2 and sum(figures["b_connections_per_process"]) == 1
    # Each process's counts of shared parts were read; what one offered and the other did agree.
    shared = figures["b_shared_parts_per_process"]
    assert len(shared) == 2
    assert sum(p["parts_done_by_peers"] for p in shared) == sum(p["parts_done_for_peers"] for p in shared)

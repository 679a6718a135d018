"""Regenerate docs/DETECTION.md's evaluation tables: a standard and a hard simulator run, each on its own server.

    .venv/bin/python bench/detection_report.py [--profile standard|hard ...] [--seed 7] [--trips 24]
                                               [--duration 2h] [--speed 40] [--no-write]

For each profile: a scratch database (seeded), `chekara serve` on it with the
default sweep interval (30 s), then the same run as

    chekara simulate --seed 7 --trips 24 --duration 2h --speed 40 --profile PROFILE --evaluate

and its scores and alert delays are written into docs/DETECTION.md between
the markers <!-- detection-report:PROFILE --> and <!-- /detection-report:PROFILE -->
(with the command, the date and the run's size). The tables are never
edited by hand: rerun this after changing a detector or the simulator.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from bench.common import scratch_database, start_server, stop_server  # noqa: E402
from chekara.cli.simulate import parse_duration  # noqa: E402
from chekara.config import get_settings  # noqa: E402
from chekara.db.engine import make_engine  # noqa: E402
from chekara.domain.roles import Actor  # noqa: E402
from chekara.services.seed import seed_reference_data  # noqa: E402
from chekara.services.tokens import create_token  # noqa: E402
from chekara.sim.client import Credentials  # noqa: E402
from chekara.sim.evaluation import delay_table, markdown_table  # noqa: E402
from chekara.sim.plate_reads import read_table  # noqa: E402
from chekara.sim.run import run_simulation  # noqa: E402
from chekara.sim.spec import ScenarioSpec  # noqa: E402

DOC = ROOT / "docs" / "DETECTION.md"
PORT = 8791


def run_profile(profile: str, seed: int, trips: int, duration: str, speed: float, out: Path) -> str:
    """One run on a fresh server; its section of DETECTION.md (Markdown)."""
    settings = get_settings()
    with scratch_database("chekara_detection") as database:
        engine = make_engine(settings, database)
        with Session(engine) as session:
            seed_reference_data(session, settings.geodata_dir)
            tokens = {role: create_token(session, settings, f"sim-report-{role}", role,
                                         Actor("detection-report", "admin")).token
                      for role in ("operator", "officer", "device")}
            session.commit()
        engine.dispose()
        credentials = Credentials(tokens["operator"], tokens["officer"], tokens["device"],
                                  device_owner="sim-report-device")
        server = start_server(database, PORT, out / f"server-{profile}.log", env={"CHEKARA_SWEEP_INTERVAL_S": "30"})
        try:
            spec = ScenarioSpec.from_duration(parse_duration(duration), speed, seed=seed, convoys=trips,
                                              sweep_interval_s=30.0, profile=profile)
            last = [0.0]

            def progress(status) -> None:
                if status.now_s - last[0] >= 600 or status.phase == "live" and status.now_s - last[0] >= 30:
                    last[0] = status.now_s
                    print(f"  {profile}: {status.phase} {status.now_s / 60:.0f} of {status.end_s / 60:.0f} min, "
                          f"{status.fixes_sent:,} of {status.fixes_total:,} fixes", flush=True)

            result = run_simulation(f"http://127.0.0.1:{PORT}", credentials, spec, out, evaluate=True,
                                    on_progress=progress)
        finally:
            stop_server(server)
    scenario, status = result.scenario, result.report.status
    command = (f"chekara simulate --seed {seed} --trips {trips} --duration {duration} --speed {speed:g}"
               f"{' --profile hard' if profile == 'hard' else ''} --evaluate")
    kinds: dict[str, int] = {}
    for anomaly in scenario.anomalies:
        kinds[anomaly.kind.value] = kinds.get(anomaly.kind.value, 0) + 1
    return "\n".join([
        "```", command, "```", "",
        f"Run {datetime.now(UTC):%Y-%m-%d} by `bench/detection_report.py` (a fresh server, sweep every 30 s): "
        f"{len(scenario.convoys)} convoys, {status.fixes_sent:,} fixes ({status.accepted:,} accepted, "
        f"{status.rejected} refused), {status.actions_done} checkpoint and paperwork actions "
        f"({status.failed_actions} failed); {len(scenario.anomalies)} anomalies injected ("
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(kinds.items())) + ").",
        "", markdown_table(result.evaluation), "Alert delays: from the moment the anomaly crosses its threshold "
        "to the alert's `raised_at`, seconds (see *Alert delays* below).", "", delay_table(result.evaluation),
        "Camera reads: the vehicle the platform matched each one to (see *Plates the format cannot take back* "
        "below).", "", read_table(result.evaluation.reads),
    ])


def write_section(text: str, profile: str, section: str) -> str:
    start, end = f"<!-- detection-report:{profile} -->", f"<!-- /detection-report:{profile} -->"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        raise SystemExit(f"docs/DETECTION.md has no {start} ... {end} markers")
    return pattern.sub(lambda _: f"{start}\n{section}\n{end}", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", choices=("standard", "hard"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trips", type=int, default=24)
    parser.add_argument("--duration", default="2h")
    parser.add_argument("--speed", type=float, default=40.0)
    parser.add_argument("--no-write", action="store_true", help="print the sections instead of writing the doc")
    args = parser.parse_args()
    out = get_settings().var_dir / "sim" / "report"
    for profile in args.profile or ["standard", "hard"]:
        print(f"{profile} run ...", flush=True)
        section = run_profile(profile, args.seed, args.trips, args.duration, args.speed, out)
        print(section)
        if not args.no_write:
            DOC.write_text(write_section(DOC.read_text(encoding="utf-8"), profile, section), encoding="utf-8")
            print(f"written into {DOC}")


if __name__ == "__main__":
    main()

"""`chekara simulate`, and the traffic `chekara demo` runs beside its server.

The simulator itself is chekara.sim; this module is its command line: the
options, the tokens, Ctrl-C, the progress display and the tables.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
import typer
from rich.console import Console

from chekara.config import get_settings

console = Console()

#: The demo's traffic: convoys on the road at once, the past they bring, how long it plays.
DEMO_CONVOYS = 40
DEMO_HISTORY_S = 30 * 60
DEMO_LIVE_S = 8 * 3600
#: Deviations and stops alerted on during the catch-up: the first alerts show within seconds of the start.
DEMO_EARLY_ALERTS = 2
#: One seed for every demo (the same day on the border); the run tag keeps its trucks apart from earlier runs'.
DEMO_SEED = 1
#: The demo's server must answer within this long, seconds.
SERVER_START_TIMEOUT_S = 60
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """'90m', '2h', '45s', '3600' (seconds) -> seconds."""
    match = _DURATION.match(text.lower())
    if not match:
        raise typer.BadParameter(f"{text!r} is not a duration (e.g. 90m, 2h, 45s)")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


def parse_rates(items: list[str]):
    """--rate route_deviation=0.3 (repeatable) -> AnomalyRates."""
    from dataclasses import fields, replace

    from chekara.sim.spec import AnomalyRates

    names = {f.name for f in fields(AnomalyRates)}
    values: dict[str, float] = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in names or not value:
            raise typer.BadParameter(f"--rate takes NAME=SHARE with NAME one of: {', '.join(sorted(names))}")
        values[name] = float(value)
    try:
        return replace(AnomalyRates(), **values)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _interrupt(signum, frame) -> None:
    """SIGTERM as Ctrl-C: the cleanup in `finally` runs (Python's default for SIGTERM is to die at once)."""
    raise KeyboardInterrupt


@contextmanager
def _signal_handlers(handlers: dict[int, Callable]):
    """These handlers while the block runs, the previous ones after; none outside the main thread
    (where Python cannot set them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def _graceful_stop(stop: threading.Event):
    """The first Ctrl-C (or SIGTERM) asks the run to stop (it then cleans up); a second one interrupts at once."""

    def ask(signum, frame):
        console.print("\n[yellow]stopping: cancelling the run's trips (Ctrl-C again to quit at once)[/yellow]")
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)

    with _signal_handlers({signal.SIGINT: ask, signal.SIGTERM: ask}):
        yield


def _sigterm_as_ctrl_c():
    """The demo's server runs in a session of its own, out of reach of the signals sent to the demo:
    a `kill` of the demo (or a service manager's stop) must end it as Ctrl-C does, or the server is
    left serving on the port."""
    return _signal_handlers({signal.SIGTERM: _interrupt})


def _report(result, show_table: bool) -> None:
    from chekara.sim.display import evaluation_table

    report = result.report
    s = report.status
    console.print(f"run {result.run_id}: {len(result.scenario.convoys)} convoys, {s.trips} trips, "
                  f"{s.fixes_sent} fixes sent ({s.accepted} accepted, {s.rejected} refused), "
                  f"{s.actions_done} actions, {s.failed_actions} failed; "
                  f"{len(result.scenario.anomalies)} anomalies injected")
    for line in report.errors[:10]:
        console.print(f"  [red]{line}[/red]")
    if result.cancelled_trips:
        console.print(f"{result.cancelled_trips} unfinished trips cancelled")
    console.print(f"ground truth: {result.directory / 'truth.json'}")
    if show_table and result.evaluation is not None:
        console.print(evaluation_table(result.evaluation))
        reads = result.evaluation.reads
        if reads is not None:
            console.print(f"camera reads: {reads.wrong_matches} matched to a wrong vehicle, "
                          f"{len(reads.unmatched)} of known vehicles matched to none")
        console.print(f"details (every miss and false alarm): {result.directory / 'evaluation.json'}")


def simulate(
    url: str = typer.Option(None, "--url", help="the platform (default http://127.0.0.1:CHEKARA_PORT, 8000)"),
    token: str = typer.Option(None, "--token", envvar="CHEKARA_SIM_TOKEN",
                              help="an admin token; without one, tokens are made in the local database"),
    seed: int = typer.Option(1, "--seed", help="the same seed, the same convoys and anomalies"),
    trips: int = typer.Option(12, "--trips", min=1, max=2000, help="convoys on the road at once"),
    duration: str = typer.Option("1h", "--duration", help="simulated time the run covers (90m, 2h, 3600)"),
    speed: float = typer.Option(60.0, "--speed", min=1.0,
                                help="time acceleration: the run takes duration/speed; the rest is caught up at once"),
    evaluate: bool = typer.Option(False, "--evaluate", help="afterwards, score the platform's alerts against the truth"),
    rate: list[str] = typer.Option([], "--rate", help="NAME=SHARE of convoys given an anomaly (repeatable)"),
    sweep_interval: float = typer.Option(None, "--sweep-interval",
                                         help="the server's CHEKARA_SWEEP_INTERVAL_S (default: this environment's)"),
    out: Path = typer.Option(None, "--out", help="where runs are written (default var/sim)"),
    cleanup: bool = typer.Option(True, "--cleanup/--no-cleanup", help="cancel the run's unfinished trips at the end"),
    profile: str = typer.Option("standard", "--profile",
                                help="traffic: standard (plain cases) or hard (wandering road, sparse and noisy "
                                     "trackers, coverage holes, anomalies near their thresholds)"),
) -> None:
    """Drive convoys, checkpoints and their anomalies through the platform's API; --evaluate scores detection."""
    from chekara.sim.client import ApiError, Credentials, PlatformUnreachable
    from chekara.sim.credentials import local_credentials
    from chekara.sim.display import ProgressDisplay
    from chekara.sim.run import run_simulation
    from chekara.sim.spec import ScenarioSpec

    settings = get_settings()
    url = url or f"http://127.0.0.1:{settings.port}"
    interval = settings.sweep_interval_s if sweep_interval is None else sweep_interval
    from chekara.sim.profile import PROFILES

    if profile not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}", param_hint="--profile")
    spec = ScenarioSpec.from_duration(parse_duration(duration), speed, seed=seed, convoys=trips,
                                      rates=parse_rates(rate), sweep_interval_s=interval, profile=profile)
    if evaluate and interval <= 0:
        console.print("[yellow]the sweep interval is 0: the server never sweeps, so signal loss and overdue "
                      "arrivals cannot be raised (pass --sweep-interval if the server's differs)[/yellow]")
    stop = threading.Event()
    credentials = nullcontext(Credentials.admin(token)) if token else local_credentials()
    console.print(f"simulating {trips} convoys ({profile} traffic) for {duration} of scenario time at {url}: "
                  f"{spec.history_s / 60:.0f} min caught up at once, then {spec.live_s:.0f} s live")
    try:
        with credentials as creds, _graceful_stop(stop), ProgressDisplay(console, spec.history_s) as display:
            result = run_simulation(url, creds, spec, out or settings.var_dir / "sim", evaluate=evaluate,
                                    on_progress=display.update, stop=stop, cleanup=cleanup)
    except (ApiError, PlatformUnreachable) as exc:
        console.print(f"[red]the platform at {url} did not play along:[/red] {exc}")
        if isinstance(exc, ApiError) and exc.status == 401:
            console.print("the tokens were made in this environment's database: is the server at --url using it, "
                          "with the same CHEKARA_SECRET_KEY? Or pass an admin token with --token.")
        raise typer.Exit(1) from exc
    _report(result, evaluate)
    if result.report.stopped_early:
        raise typer.Exit(130)


# ---- the demo's traffic --------------------------------------------------------------------------


def _wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start (exit {process.returncode}); see {log}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {SERVER_START_TIMEOUT_S} s; see {log}")


def _already_serving(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def serve_with_traffic(tokens: dict[str, str], host: str, port: int, convoys: int = DEMO_CONVOYS) -> None:
    """The demo: the server in a child process, the simulator in this one; Ctrl-C stops both.

    The server runs in its own session so the terminal's Ctrl-C reaches only
    this process: the simulator first cancels its trips through the server,
    then the server is stopped. SIGTERM does what Ctrl-C does.
    """
    settings = get_settings()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if _already_serving(url):
        console.print(f"[red]a server already answers at {url}[/red]: stop it, or run the demo with --port")
        raise typer.Exit(1)
    log = settings.var_dir / "log" / "demo-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    chekara = str(Path(sys.executable).with_name("chekara"))
    with _sigterm_as_ctrl_c():
        process = subprocess.Popen([chekara, "serve", "--host", host, "--port", str(port)], stdout=log.open("a"),
                                   stderr=subprocess.STDOUT, start_new_session=True, env=dict(os.environ))
        _traffic_until_stopped(process, url, log, tokens, convoys)


def _traffic_until_stopped(process: subprocess.Popen, url: str, log: Path, tokens: dict[str, str], convoys: int) -> None:
    """The simulator against the demo's server `process`; the server is stopped however this ends."""
    from chekara.sim.client import ChekaraApi, Credentials
    from chekara.sim.display import ProgressDisplay
    from chekara.sim.run import cancel_active_trips, run_simulation
    from chekara.sim.spec import ScenarioSpec

    settings = get_settings()
    stop = threading.Event()
    try:
        _wait_for_server(url, process, log)
        console.print(f"server up (log: {log}); starting {convoys} convoys")
        credentials = Credentials(tokens["operator"], tokens["officer"], tokens["device"], device_owner="demo-device")
        api = ChekaraApi(url, credentials)
        try:
            left = cancel_active_trips(api, None, "left by an earlier simulation")
        finally:
            api.close()
        if left:
            console.print(f"cancelled {left} trips an earlier simulation left on the road")
        spec = ScenarioSpec(seed=DEMO_SEED, convoys=convoys, history_s=DEMO_HISTORY_S, live_s=DEMO_LIVE_S,
                            sweep_interval_s=settings.sweep_interval_s, tick_s=2.0, mid_route_share=0.9,
                            early_alerts=DEMO_EARLY_ALERTS)
        with _graceful_stop(stop), ProgressDisplay(console, spec.history_s) as display:
            result = run_simulation(url, credentials, spec, settings.var_dir / "sim", on_progress=display.update,
                                    stop=stop)
        _report(result, show_table=False)
        if not stop.is_set():
            console.print("the simulated day is over; the server keeps running (Ctrl-C stops it)")
            try:
                while process.poll() is None:
                    time.sleep(1.0)
            except KeyboardInterrupt:
                pass
    finally:
        _stop_server(process)
        console.print("server stopped")

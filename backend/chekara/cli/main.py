"""The `chekara` command: database, reference data, tokens, audit, server."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from chekara.cli import analytics, archive, basemap, db, exchange
from chekara.config import get_settings
from chekara.db.engine import session_factory
from chekara.domain.roles import ROLES, Actor

app = typer.Typer(help="Chekara: the customs situation center.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.add_typer(analytics.app, name="analytics")
app.add_typer(archive.app, name="archive")
app.add_typer(exchange.app, name="exchange")
app.add_typer(basemap.app, name="basemap")
token_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
import_app = typer.Typer(help="Import recorded tracks through the position pipeline.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
console = Console()

#: The partner customs `chekara demo` registers, so its partner token works.
DEMO_PARTNER = "DEMO-KZ"


#: Changes made from the command line are audited as this actor.
CLI_ACTOR = Actor(name="cli", role="admin")


@app.command()
def seed() -> None:
    """Load checkpoints, corridors (geodata/) and the seed exchange rates. Idempotent."""
    from chekara.services.seed import seed_reference_data

    db.ensure_database_up()
    settings = get_settings()
    with session_factory()() as session, console.status("seeding reference data") as spinner:
        outcomes = seed_reference_data(session, settings.geodata_dir, progress=lambda m: spinner.update(m))
        session.commit()
    for key in sorted(outcomes):
        console.print(f"{key}: {outcomes[key]}")


@token_app.command("create")
def token_create(
    name: str = typer.Option(..., "--name", help="who holds the token (a person, a device, a service)"),
    role: str = typer.Option(..., "--role", help=f"one of: {', '.join(ROLES)}"),
) -> None:
    """Issue a token; it is printed once, as the last word of the output."""
    from chekara.errors import ChekaraError
    from chekara.services.tokens import create_token

    db.ensure_database_up()
    with session_factory()() as session:
        try:
            issued = create_token(session, get_settings(), name, role, CLI_ACTOR)
        except ChekaraError as exc:
            console.print(f"[red]error:[/red] {exc.field}: {exc.message}")
            raise typer.Exit(2) from exc
        session.commit()
    print(f"token for {issued.user_name} ({issued.role}): {issued.token}")


@token_app.command("list")
def token_list() -> None:
    """List tokens (their first characters only)."""
    from chekara.services.tokens import list_tokens

    db.ensure_database_up()
    with session_factory()() as session:
        for t in list_tokens(session):
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            console.print(f"{t.id:>4}  {t.prefix}…  {t.user.name:<24} {t.user.role:<11} {state}")


@token_app.command("revoke")
def token_revoke(token_id: int = typer.Argument(..., help="the id shown by `chekara token list`")) -> None:
    """Revoke a token at once."""
    from chekara.errors import ChekaraError
    from chekara.services.tokens import revoke_token

    db.ensure_database_up()
    with session_factory()() as session:
        try:
            revoke_token(session, token_id, CLI_ACTOR)
        except ChekaraError as exc:
            console.print(f"[red]error:[/red] {exc.message}")
            raise typer.Exit(2) from exc
        session.commit()
    console.print(f"token {token_id} revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 0 when it holds, 1 naming the first broken entry."""
    from chekara.services import audit

    db.ensure_database_up()
    with session_factory()() as session:
        total = audit.count(session)
        broken = audit.verify(session)
    if broken is not None:
        console.print(f"[red]audit chain broken at entry {broken.entry_id}[/red]: {broken.reason}")
        raise typer.Exit(1)
    console.print(f"audit chain holds: {total} entries verified")


@app.command()
def demo(
    host: str = typer.Option(None, "--host", help="address to listen on (default CHEKARA_HOST, 127.0.0.1)"),
    port: int = typer.Option(None, "--port", help="port (default CHEKARA_PORT, 8000)"),
    traffic: bool = typer.Option(True, "--traffic/--no-traffic", help="run the simulator beside the server"),
    convoys: int = typer.Option(40, "--convoys", min=1, max=500, help="simulated convoys on the road at once"),
) -> None:
    """Everything `make demo` does after installing: database, schema, seed, demo tokens, server and traffic."""
    from chekara.db.migrate import upgrade_to_head
    from chekara.domain.roles import ROLES
    from chekara.services.seed import seed_reference_data
    from chekara.services.exchange.partners import list_partners, register_partner
    from chekara.services.tokens import create_token, revoke_tokens_of

    settings = get_settings()
    db.ensure_database_up()
    console.print("[bold]1/4[/bold] database up")
    upgrade_to_head()
    console.print("[bold]2/4[/bold] schema migrated")
    with session_factory()() as session:
        outcomes = seed_reference_data(session, settings.geodata_dir)
        session.commit()
        console.print("[bold]3/4[/bold] reference data: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
        tokens = {}
        for role in ROLES:
            # A partner's token belongs to a registered partner customs (docs/EXCHANGE.md).
            name = DEMO_PARTNER if role == "partner" else f"demo-{role}"
            revoke_tokens_of(session, name, CLI_ACTOR)  # a new demo run, new tokens
            if role == "partner" and name not in {p.code for p in list_partners(session)}:
                _, issued = register_partner(session, settings, name, "Kazakhstan customs (demo)", "KZ", CLI_ACTOR)
                tokens[role] = issued.token
                continue
            tokens[role] = create_token(session, settings, name, role, CLI_ACTOR).token
        session.commit()
    url = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"[bold]4/4[/bold] serving Chekara at [link={url}]{url}[/link]  (API docs: {url}/docs)")
    console.print("Demo tokens (sign in on the page, or send 'Authorization: Bearer <token>'):")
    for role, token in tokens.items():
        print(f"  {role:<11} {token}")
    console.print("Ctrl-C stops the server; the database keeps running (`chekara db down` stops it).")
    if not traffic:
        serve(host=host, port=port, workers=None, access_log=True)
        return
    from chekara.cli.simulate import serve_with_traffic  # the simulator's convoys (docs/DETECTION.md)

    serve_with_traffic(tokens, host or settings.host, port or settings.port, convoys)


def _import_fixes(fixes, total: int | None, batch_size: int) -> None:
    """Feed raw fixes to the pipeline in batches, one transaction each, with a progress bar."""
    from datetime import UTC, datetime, timedelta
    from itertools import islice

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from chekara.ingest.batch import IngestContext
    from chekara.ingest.pipeline import ingest

    settings = get_settings()
    db.ensure_database_up()
    accepted = duplicates = 0
    rejected: list[str] = []
    iterator = iter(fixes)
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress, session_factory()() as session:
        task = progress.add_task("fixes", total=total)
        offset = 0
        while chunk := list(islice(iterator, batch_size)):
            ctx = IngestContext(
                session=session, actor=CLI_ACTOR, now=datetime.now(UTC),
                thresholds=settings.detection_thresholds(), max_age=timedelta(days=3650),
            )
            result = ingest(chunk, ctx)
            session.commit()
            accepted += result.accepted
            duplicates += result.duplicates
            rejected += [f"fix {offset + r.index}: {r.field} {r.reason}" for r in result.rejected]
            offset += len(chunk)
            progress.update(task, advance=len(chunk))
    console.print(f"accepted {accepted}, duplicates {duplicates}, rejected {len(rejected)}")
    for line in rejected[:20]:
        console.print(f"  {line}")
    if len(rejected) > 20:
        console.print(f"  … and {len(rejected) - 20} more")


@import_app.command("gpx")
def import_gpx(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .gpx file with a track"),
    device: str = typer.Option(..., "--device", help="the registered device the track belongs to"),
    batch_size: int = typer.Option(5_000, "--batch-size", min=1, max=10_000),
) -> None:
    """Import a GPX track for one device."""
    from chekara.ingest.track_files import TrackFileError, gpx_fixes

    try:
        fixes = gpx_fixes(file.read_text(encoding="utf-8"), device)
    except TrackFileError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _import_fixes(fixes, len(fixes), batch_size)


@import_app.command("csv")
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="a .csv file with a header row"),
    device: str = typer.Option(None, "--device", help="the device, when the file has no device_id column"),
    batch_size: int = typer.Option(5_000, "--batch-size", min=1, max=10_000),
) -> None:
    """Import fixes from CSV (columns: device_id, ts, lat, lon, speed_kmh, heading_deg, …)."""
    from chekara.ingest.track_files import TrackFileError, csv_fixes

    text = file.read_text(encoding="utf-8")
    try:
        rows = list(csv_fixes(text, device))
    except TrackFileError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    _import_fixes(rows, len(rows), batch_size)


from chekara.cli.simulate import simulate  # noqa: E402 - the simulator's command lives with its helpers

app.command("simulate")(simulate)


@app.command("sweep")
def sweep_once() -> None:
    """Run the clock-driven checks (signal lost, overdue) once, now. The server does this on its own."""
    from datetime import UTC, datetime

    from chekara.services.sweeper import sweep

    db.ensure_database_up()
    with session_factory()() as session:
        swept = sweep(session, datetime.now(UTC), get_settings().detection_thresholds())
        session.commit()
    console.print(f"swept {swept} active trips")


@app.command()
def serve(
    host: str = typer.Option(None, "--host", help="address to listen on (default CHEKARA_HOST, 127.0.0.1)"),
    port: int = typer.Option(None, "--port", help="port (default CHEKARA_PORT, 8000)"),
    workers: int = typer.Option(None, "--workers", min=1, max=64,
                                help="server processes behind the one port (default CHEKARA_WORKERS, else one per CPU core)"),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="log every request line"),
) -> None:
    """Run the web application with uvicorn, in one or several processes."""
    import logging
    import os
    import signal
    import sys

    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    from chekara.api.listening import WorkerSocket, port_socket

    settings = get_settings()
    db.ensure_database_up()
    config = uvicorn.Config(
        "chekara.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers or min(os.cpu_count() or 1, 64),  # 64: what --workers and CHEKARA_WORKERS allow
        proxy_headers=False,  # the client address comes from CHEKARA_TRUSTED_PROXIES only (api/rate_limit.py)
        log_level="info",
        access_log=access_log,
        timeout_graceful_shutdown=30,
    )
    # The workers read it: how many processes share large groups of fixes (api/ingest_queue.py).
    os.environ["CHEKARA_WORKERS"] = str(config.workers)
    if config.workers == 1:
        # uvicorn stops gracefully on SIGTERM, then raises the signal again to end the process: with
        # this handler in place the end is exit code 0, as service managers expect of a clean stop.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    # Each worker listens on a socket of its own in the port's SO_REUSEPORT group (api/listening.py).
    try:
        reserved = port_socket(config.host, config.port)
    except OSError as exc:
        console.print(f"[red]cannot listen on {config.host}:{config.port}[/red]: {exc}")
        sys.exit(STARTUP_FAILURE)
    bound_port = reserved.getsockname()[1]
    logging.getLogger("uvicorn.error").info("Uvicorn running on http://%s:%d with %d processes (Press CTRL+C to quit)",
                                            config.host, bound_port, config.workers)
    Multiprocess(config, sockets=[WorkerSocket(config.host, bound_port)]).run()
    reserved.close()


if __name__ == "__main__":
    app()

"""The chekara command as a user runs it, against a scratch database."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from chekara.config import get_settings
from tests.database import create_scratch_database, database_url, drop_scratch_database
from tests.e2e.conftest import CHEKARA_BIN, free_port, start_server

def _all_commands() -> list[list[str]]:
    """Every command and group of the `chekara` program, walked from the typer app itself."""
    import click
    import typer

    from chekara.cli.main import app

    found: list[list[str]] = []

    def walk(command, path: list[str]) -> None:
        found.append(path)
        if hasattr(command, "list_commands"):  # a group (typer carries its own click)
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _all_commands()


def run(args, env=None, check=True):
    result = subprocess.run([CHEKARA_BIN, *args], env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"chekara {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def test_the_walk_finds_every_group():
    names = {" ".join(c) for c in COMMANDS}
    assert {"db up", "token create", "audit verify", "import gpx", "analytics rebuild", "exchange deliver", "simulate"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "chekara")
def test_every_command_has_help(command):
    result = run([*command, "--help"])
    assert "Usage:" in result.stdout


@pytest.fixture
def scratch_env():
    name = create_scratch_database("chekara_cli")
    env = dict(os.environ, CHEKARA_DATABASE_URL=database_url(name), COLUMNS="200")
    yield env, name
    drop_scratch_database(name)


def test_token_create_prints_the_token_last_and_it_works(scratch_env, live_server):
    env, _ = scratch_env
    out = run(["token", "create", "--name", "desk-7", "--role", "officer"], env=env).stdout
    token = out.split()[-1]
    assert token.startswith("chk_")
    listed = run(["token", "list"], env=env).stdout
    assert "desk-7" in listed and token not in listed
    bad = run(["token", "create", "--name", "x", "--role", "pilot"], env=env, check=False)
    assert bad.returncode != 0 and "role" in bad.stdout


def test_audit_verify_catches_a_tampered_row(scratch_env):
    env, name = scratch_env
    for i in range(3):
        run(["token", "create", "--name", f"user-{i}", "--role", "operator"], env=env)
    assert "audit chain holds" in run(["audit", "verify"], env=env).stdout

    engine = create_engine(get_settings().sqlalchemy_url(name))
    with engine.begin() as conn:
        target = conn.execute(text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2")).scalar_one()
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = :id"), {"id": target})
    engine.dispose()
    result = run(["audit", "verify"], env=env, check=False)
    assert result.returncode == 1
    assert f"entry {target}" in result.stdout


def test_seed_is_idempotent_from_the_command_line(scratch_env):
    env, _ = scratch_env
    first = run(["seed"], env=env).stdout
    assert "checkpoints created" in first
    second = run(["seed"], env=env).stdout
    assert "created" not in second and "updated" not in second and "checkpoints unchanged" in second


def _private_cluster_env(tmp_path, port: int) -> dict[str, str]:
    env = dict(os.environ, CHEKARA_VAR_DIR=str(tmp_path / "var"), CHEKARA_PG_PORT=str(port))
    env.pop("CHEKARA_DATABASE_URL", None)
    return env


def test_embedded_cluster_up_twice_stale_pid_and_down(tmp_path):
    """A private cluster in a folder postgres cannot reach: up, up again, killed, up, down."""
    env = _private_cluster_env(tmp_path, free_port())
    try:
        assert "running" in run(["db", "up"], env=env).stdout
        assert "running" in run(["db", "up"], env=env).stdout
        status = run(["db", "status"], env=env).stdout
        pid = int(status.split("pid ")[1].split(",")[0])
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        assert run(["db", "status"], env=env, check=False).returncode == 1
        assert "running" in run(["db", "up"], env=env).stdout
        run(["db", "migrate"], env=env)
    finally:
        assert "stopped" in run(["db", "down"], env=env).stdout
    assert run(["db", "status"], env=env, check=False).returncode == 1


def test_two_ups_at_once_start_one_cluster(tmp_path):
    """`make demo` beside `make test`, or two test processes: both `db up`s find no cluster; one sets it up and
    starts it, the other waits for it and finds it running (unserialised, the second initdb or start fails)."""
    env = _private_cluster_env(tmp_path, free_port())
    try:
        ups = [subprocess.Popen([CHEKARA_BIN, "db", "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True) for _ in range(2)]
        outs = [up.communicate(timeout=120)[0] for up in ups]
        assert [up.returncode for up in ups] == [0, 0], outs
        assert all("running" in out for out in outs), outs
    finally:
        run(["db", "down"], env=env)


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(child) for child in f.read().split()]


def _up_waits_until_released(env: dict[str, str], release) -> None:
    """`db up` keeps trying while the old server's remains stand in its way, and succeeds once release() clears them."""
    starting = subprocess.Popen([CHEKARA_BIN, "db", "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    time.sleep(3)
    assert starting.poll() is None, starting.communicate()[0]  # refused meanwhile: it waits, it does not fail
    release()
    out, _ = starting.communicate(timeout=60)
    assert starting.returncode == 0 and "running" in out, out


def test_up_after_a_crash_waits_for_the_old_processes_to_let_go_of_the_shared_memory(tmp_path):
    """A killed server's other processes hold its shared memory until they notice and exit; PostgreSQL refuses
    to start beside them. One of them is held stopped here: `db up` must wait for it, not fail."""
    env = _private_cluster_env(tmp_path, free_port())
    held: list[int] = []
    try:
        run(["db", "up"], env=env)
        pid = int(run(["db", "status"], env=env).stdout.split("pid ")[1].split(",")[0])
        held.append(_children(pid)[0])
        os.kill(held[0], signal.SIGSTOP)
        os.kill(pid, signal.SIGKILL)
        _up_waits_until_released(env, lambda: os.kill(held.pop(), signal.SIGCONT))  # it sees its parent gone, exits
    finally:
        for child in held:
            os.kill(child, signal.SIGCONT)
        run(["db", "down"], env=env, check=False)


def test_up_after_a_crash_waits_while_the_socket_lock_names_a_process_still_there(tmp_path):
    """Until a killed server is reaped, its pid is taken, and PostgreSQL will not take the socket's lock file from
    it. A live stand-in's pid in the lock file here: `db up` must wait for it to go, not fail."""
    port = free_port()
    env = _private_cluster_env(tmp_path, port)
    # the server's own user: PostgreSQL takes a lock from another user's process as stale (no rival postmaster)
    stand_in = subprocess.Popen(["sleep", "120"], user="postgres" if os.geteuid() == 0 else None)

    def reap_stand_in() -> None:
        stand_in.kill()
        stand_in.wait()

    try:
        status = run(["db", "up"], env=env).stdout
        socket_dir = Path("".join(status.split("socket")[1].split(",")[0].split()))
        run(["db", "down"], env=env)
        (socket_dir / f".s.PGSQL.{port}.lock").write_text(f"{stand_in.pid}\n")
        _up_waits_until_released(env, reap_stand_in)
    finally:
        reap_stand_in()
        run(["db", "down"], env=env, check=False)


def test_with_a_database_url_no_cluster_is_started(scratch_env, tmp_path):
    env, _ = scratch_env
    env = dict(env, CHEKARA_VAR_DIR=str(tmp_path / "var"))
    out = run(["db", "up"], env=env).stdout
    assert "not starting one" in out and "database reachable" in out
    assert not (tmp_path / "var" / "pg").exists()


def test_serve_answers_on_the_given_port(scratch_env):
    env, _ = scratch_env
    port = free_port()
    process, _ = start_server(env, port)  # returns once /healthz answers 200 there, or raises
    process.terminate()
    process.wait(timeout=10)

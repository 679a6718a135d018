"""Backup and restore of the database in use with PostgreSQL's own tools (Debian's PostgreSQL 15).

A backup is `pg_dump --format=custom` of the database in use (the embedded
cluster's, or CHEKARA_DATABASE_URL's): one consistent snapshot, taken while
the server keeps running.

A restore turns the dump back into SQL (`pg_restore --file=-`) and runs it
with psql in a single transaction: a restore that fails half-way changes
nothing. It goes into an empty database. With `force`, the same transaction
first drops the public schema with everything in it, as `chekara db reset`
does: not TRUNCATE or DELETE, which the append-only audit log's trigger
refuses (it does not refuse dropping the table), and not DROP DATABASE, which
needs the CREATEDB right a managed server may not grant, and cannot be part
of the restore's transaction: a restore that failed after it would leave the
data gone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from chekara.config import Settings
from chekara.db.engine import make_engine


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


#: Tables in the database's own schemas, PostGIS's spatial_ref_sys included (pg_dump saves its added rows).
_TABLES = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
#: The same, without the tables an extension brings: what makes a database "hold data".
_OWN_TABLES = _TABLES + """
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
"""
_OTHER_SESSIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


def _tool(settings: Settings, name: str) -> str:
    path = settings.pg_bin / name
    if not path.exists():
        raise BackupError(f"{path} not found: install postgresql-15 (or set CHEKARA_PG_BIN)")
    return str(path)


def _connection(settings: Settings) -> tuple[str, dict[str, str]]:
    """The database in use as a libpq URI, and an environment with its password (kept off the command line)."""
    url = make_url(settings.sqlalchemy_url())
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    env["PGOPTIONS"] = "-c client_min_messages=warning"  # no NOTICE per object dropped or created
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _scalar(settings: Settings, query: str) -> int:
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def database_name(settings: Settings) -> str:
    return make_url(settings.sqlalchemy_url()).database or ""


def table_count(settings: Settings) -> int:
    """How many tables a backup of the database in use saves (its progress total)."""
    return _scalar(settings, _TABLES)


def entry_count(settings: Settings, file: Path) -> int:
    """How many entries (tables, data, indexes, constraints…) a dump holds (a restore's progress total)."""
    listing = subprocess.run([_tool(settings, "pg_restore"), "--list", str(file)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"{file} is not a backup made by `chekara db backup`: {listing.stderr.strip()}")
    return sum(1 for line in listing.stdout.splitlines() if line.strip() and not line.startswith(";"))


def backup(settings: Settings, file: Path, on_table: Callable[[str], None] = lambda _: None) -> None:
    """pg_dump the database in use to `file`; `on_table(name)` as each table's rows are saved.

    Written to FILE.partial and renamed at the end: a failed backup never leaves a file that looks whole.
    """
    uri, env = _connection(settings)
    partial = file.with_name(file.name + ".partial")
    command = [_tool(settings, "pg_dump"), "--format=custom", "--verbose", f"--file={partial}", f"--dbname={uri}"]
    dumping = re.compile(r'dumping contents of table "(.+)"')
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    messages = _follow(process, dumping, on_table)
    if process.wait() != 0:
        partial.unlink(missing_ok=True)
        raise BackupError("pg_dump failed:\n" + messages)
    partial.replace(file)


def check_target(settings: Settings, force: bool) -> None:
    """Refuse a database that other sessions use (a running server), and one that holds tables unless `force`."""
    others = _scalar(settings, _OTHER_SESSIONS)
    if others:
        raise BackupError(
            f"{others} other session(s) use database {database_name(settings)!r} (a running server?): stop them first"
        )
    tables = _scalar(settings, _OWN_TABLES)
    if tables and not force:
        raise BackupError(
            f"database {database_name(settings)!r} is not empty: it holds {tables} tables. Restore into an "
            "empty database, or pass --force to replace everything in it with the backup"
        )


def restore(settings: Settings, file: Path, force: bool = False, on_entry: Callable[[str], None] = lambda _: None) -> None:
    """Restore `file` into the database in use, in one transaction; `on_entry(name)` as each entry is restored.

    Refuses what `check_target` refuses; with `force`, everything in the public schema is replaced.
    """
    check_target(settings, force)
    uri, env = _connection(settings)
    empty_first = ["-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public"] if force else []
    as_sql = subprocess.Popen(
        [_tool(settings, "pg_restore"), "--verbose", "--no-owner", "--no-privileges", "--file=-", str(file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    with tempfile.TemporaryFile() as psql_errors:
        psql = subprocess.Popen(
            [_tool(settings, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", f"--dbname={uri}",
             *empty_first, "-f", "-", "-c", "ANALYZE"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=env,
        )
        # Relayed, not piped: psql commits when its input ends, so it must not see the end of a script
        # that pg_restore gave up on half-way.
        relay = threading.Thread(target=_relay, args=(as_sql, psql))
        relay.start()
        restoring = re.compile(r"pg_restore: (?:creating|processing data for|executing) (.+)")
        messages = _follow(as_sql, restoring, on_entry)
        restore_failed = as_sql.wait() != 0
        relay.join()
        if restore_failed:
            psql.kill()  # its connection drops, the server rolls the transaction back
        _close(psql.stdin)  # the end of the script: psql commits
        psql_failed = psql.wait() != 0
        psql_errors.seek(0)
        database_said = _tail(psql_errors.read().decode(errors="replace"))
    # The database's word first: when psql stopped on an error, pg_restore was only stopped after it.
    if psql_failed and database_said:
        raise BackupError("the restore failed and changed nothing:\n" + database_said)
    if restore_failed or psql_failed:
        raise BackupError("pg_restore failed; the database is unchanged:\n" + messages)


def _relay(source: subprocess.Popen, sink: subprocess.Popen) -> None:
    """Copy pg_restore's SQL to psql; when psql stops early (its error), stop pg_restore too."""
    try:
        shutil.copyfileobj(source.stdout, sink.stdin, 1 << 20)
    except OSError:  # psql has gone: a broken pipe
        source.kill()


def _close(pipe) -> None:
    try:
        pipe.close()
    except OSError:
        pass  # psql has gone already; its exit status says why


def _follow(process: subprocess.Popen, pattern: re.Pattern[str], on_match: Callable[[str], None]) -> str:
    """Read a tool's --verbose lines as they come, reporting progress; returns its last lines for errors."""
    assert process.stderr is not None
    lines: list[str] = []
    for raw in process.stderr:
        line = raw.decode(errors="replace")
        if match := pattern.search(line):
            on_match(match.group(1))
        lines = [*lines[-19:], line.rstrip()]
    return _tail("\n".join(lines))


def _tail(messages: str, count: int = 20) -> str:
    return "\n".join(messages.strip().splitlines()[-count:])

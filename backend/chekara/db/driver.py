"""The session's own psycopg connection, for the statements the ingest pipeline runs for every group.

SQLAlchemy's execution of a text() statement (its result metadata, its event hooks) costs about
0.15 ms of CPU above psycopg's own; for one fix per HTTP request, each group of requests runs half
a dozen such statements, and that was a third of the group's fixed cost (cProfile, docs/PERFORMANCE.md).
These statements go to psycopg directly, on the session's connection: the same transaction, so
everything else (the ORM, the commit) is unchanged. Parameters are psycopg's: %(name)s.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import psycopg
from psycopg.pq import ExecStatus
from sqlalchemy.orm import Session


def driver_connection(session: Session) -> psycopg.Connection:
    """The psycopg connection under the session's current transaction (started if none is)."""
    return session.connection().connection.driver_connection


def execute(session: Session, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """Run one statement in the session's transaction; its rows as tuples (none for a statement without).

    The session's pending ORM changes are flushed first, as its own execute() would (autoflush):
    the statement sees them, and they are not written after it."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    with driver_connection(session).cursor() as cursor:
        cursor.execute(sql, params)
        # The result's status, not cursor.description: that builds a Column object per column.
        returned_rows = cursor.pgresult is not None and cursor.pgresult.status == ExecStatus.TUPLES_OK
        return cursor.fetchall() if returned_rows else []


def array_literal(values: Iterable[int | str | datetime]) -> str:
    """A PostgreSQL array literal ('{1,2,3}') to CAST in SQL (CAST(%(ids)s AS int[])).

    psycopg dumps a Python list element by element in Python: for the thousand ids and time stamps
    of a batch that was ~9 ms a list (cProfile); one string is one parameter. Every element is
    quoted and escaped, so any text (a device id with quotes, commas, braces or backslashes) stays
    one element; time stamps go in ISO 8601 with their offset."""
    return "{" + ",".join(_element(v) for v in values) + "}"


def _element(value: int | str | datetime) -> str:
    if isinstance(value, bool):
        raise TypeError("no booleans in an array literal")
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

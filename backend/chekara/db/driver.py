"""The session's own psycopg connection, for the statements the ingest pipeline runs for every group.

SQLAlchemy's execution of a text() statement (its result metadata, its event hooks) costs about
0.15 ms of CPU above psycopg's own; for one fix per HTTP request, each group of requests runs half
a dozen such statements, and that was a third of the group's fixed cost (cProfile, docs/PERFORMANCE.md).
These statements go to psycopg directly, on the session's connection: the same transaction, so
everything else (the ORM, the commit) is unchanged. Parameters are psycopg's: %(name)s.
"""

from __future__ import annotations

from typing import Any

import psycopg
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
        return cursor.fetchall() if cursor.description is not None else []

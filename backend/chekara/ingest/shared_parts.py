"""The table through which server processes share a large group's parts (`ingest_parts`, migration 0015).

The origin, the process that took the requests, offers all parts but one (`offer`: committed, then
announced by NOTIFY to the other processes) and runs the one it kept. A peer that hears of the
offer locks one part with SKIP LOCKED (`take_for_peer`), runs it through the pipeline in the same
transaction and writes its results beside it (`record_results`): the part's fixes and its results
commit together, or neither does. The origin then collects what its peers did and runs what nobody
took (`settle`), and waits for the parts its peers still hold (`wait_for_peers`). Its requests are answered only after
all of their parts have committed: an answer still means "committed".

A peer that fails rolls back; the part is free again and its origin runs it. An origin that dies
leaves its parts behind: nobody was answered for them, their senders will send again (duplicates
are idempotent), and the next offer or periodic sweep deletes whatever is older than `STALE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from chekara.db import driver
from chekara.services.events import publish
from chekara.services.trips import ACTIVE_STATUSES

#: The event that wakes the other processes (internal: never sent to the pages' streams).
PARTS_OFFERED = "ingest.parts_offered"
#: Parts left this long were their origin's, which stopped before it collected them.
STALE = "10 minutes"
#: The application name of every server process's ingest connection, followed by the process's name.
INGEST_APPLICATION_PREFIX = "chekara-ingest-"


def busy_peers(session: Session) -> int:
    """How many other server processes' ingest connections are in a transaction now.

    Offering parts to processes that are all busy with their own requests only adds the offer's
    cost: measured with one batch client on each of two processes, sharing regardless was ~10 %
    slower than not sharing (docs/PERFORMANCE.md, seventh round)."""
    rows = driver.execute(
        session,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND starts_with(application_name, %(prefix)s) AND state <> 'idle'",
        {"prefix": INGEST_APPLICATION_PREFIX},
    )
    return rows[0][0]


def trips_of(session: Session, devices: set[str]) -> dict[str, int]:
    """Device id → the active trip it is on (the lowest, were it on two), for the devices named."""
    rows = driver.execute(
        session,
        "SELECT d.device_id, min(td.trip_id) FROM devices d JOIN trip_devices td ON td.device_id = d.id"
        " JOIN trips t ON t.id = td.trip_id WHERE d.device_id = ANY(%(devices)s)"
        " AND t.status = ANY(%(active)s) GROUP BY d.device_id",
        {"devices": list(devices), "active": list(ACTIVE_STATUSES)},
    )
    return dict(rows)


def clear_stale(session: Session) -> int:
    """Delete the parts older than STALE (their origins stopped before collecting them); how many.

    Run by every offer and by the periodic sweep: a stale part holds fixes and its sender's name."""
    rows = driver.execute(session, "DELETE FROM ingest_parts WHERE offered_at < now() - CAST(%(stale)s AS interval)"
                                   " RETURNING id", {"stale": STALE})
    return len(rows)


def offer(session: Session, origin: str, payloads: list[bytes]) -> list[int]:
    """Write the parts and announce them (at commit); their ids, in order."""
    clear_stale(session)
    rows = driver.execute(
        session,
        "INSERT INTO ingest_parts (origin, payload) SELECT %(origin)s, p FROM unnest(%(payloads)b::bytea[]) AS p"
        " RETURNING id",
        {"origin": origin, "payloads": payloads},
    )
    publish(session, PARTS_OFFERED, {"origin": origin, "parts": len(payloads)})
    return sorted(row[0] for row in rows)


def take_for_peer(session: Session, origin: str, failed_here: list[int]) -> tuple[int, bytes] | None:
    """Lock a part another process offered and nobody holds, and that did not fail here before:
    (id, payload), or None."""
    rows = driver.execute(
        session,
        "SELECT id, payload FROM ingest_parts WHERE results IS NULL AND origin <> %(origin)s"
        " AND id <> ALL(%(failed)s::bigint[]) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        {"origin": origin, "failed": failed_here},
    )
    return (rows[0][0], bytes(rows[0][1])) if rows else None


def record_results(session: Session, part_id: int, results: bytes) -> None:
    """Beside the part, in the transaction that ran it: they commit together."""
    driver.execute(session, "UPDATE ingest_parts SET results = %(results)b WHERE id = %(id)s",
                   {"results": results, "id": part_id})


@dataclass
class Settled:
    """What one look at the origin's own parts found (their rows are removed as they are read)."""

    #: Parts peers finished: id → their results.
    done: dict[int, bytes]
    #: A part nobody took, now locked by the origin (to run in the same transaction): (id, payload).
    untaken: tuple[int, bytes] | None


def settle(session: Session, ids: list[int]) -> Settled:
    """Of the origin's parts `ids`: the ones peers finished, and one nobody holds, locked; all of them
    deleted (the transaction's commit removes them). One untaken part at a time: the peers go on
    taking the others meanwhile, so the work splits by who is free, part by part."""
    finished = driver.execute(
        session, "DELETE FROM ingest_parts WHERE id = ANY(%(ids)s) AND results IS NOT NULL RETURNING id, results",
        {"ids": ids})
    untaken = driver.execute(
        session,
        "DELETE FROM ingest_parts WHERE id = (SELECT id FROM ingest_parts WHERE id = ANY(%(ids)s) AND results IS NULL"
        " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, payload",
        {"ids": ids})
    return Settled({part_id: bytes(results) for part_id, results in finished},
                   (untaken[0][0], bytes(untaken[0][1])) if untaken else None)


def withdraw(session: Session, ids: list[int]) -> None:
    """Remove the origin's parts `ids` that nobody holds."""
    driver.execute(session, "DELETE FROM ingest_parts WHERE id IN (SELECT id FROM ingest_parts"
                            " WHERE id = ANY(%(ids)s) FOR UPDATE SKIP LOCKED)", {"ids": ids})


def wait_for_peers(session: Session, ids: list[int], timeout_s: float) -> list[int]:
    """Block until no peer holds any of the parts `ids` (their transactions committed or rolled back);
    the ids that still exist. The caller ends the transaction at once (it holds their locks).

    A peer stalled inside its transaction must not stall this process's own requests for good:
    after `timeout_s` PostgreSQL gives up the wait (LockNotAvailable)."""
    driver.execute(session, "SELECT set_config('lock_timeout', %(ms)s, true)", {"ms": f"{int(timeout_s * 1000)}ms"})
    rows = driver.execute(session, "SELECT id FROM ingest_parts WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE",
                          {"ids": ids})
    return [row[0] for row in rows]

"""Export a closed month of positions to the archive, verify it, and only then detach it from the database.

Rules, each refused with the field and reason (chekara.errors):

- only a *closed* month (no fix for it can be accepted any more: chekara.domain.archive.months)
  is exported or detached;
- detach needs a verified export: the ledger (``archive_months``) says exported, the database still
  holds exactly the exported fixes (count and id sum: a fix added or removed since means export
  again), and every file read back gives the digest of the rows the database gave at export;
- a detached month is not exported again (its fixes are gone from the database).

Detaching drops the month's partition (or deletes its fixes from the default partition, where a
month without a partition of its own lives). The rollups keep the month: heatmaps over it still
answer from them, and `chekara analytics rebuild` keeps detached months' rollup rows.

Late fixes: ingest refuses fixes older than CHEKARA_MAX_FIX_AGE_DAYS, and a month is closed only
after that horizon, so no fix can reach an exported or detached month through ingest. A fix
written around ingest (SQL, a restore) into an exported month makes detach refuse (the counts
differ); into a detached month, it lands in the default partition, is kept, and `chekara archive
status` reports it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from chekara.db import driver
from chekara.db.models import ArchiveMonth
from chekara.domain.archive.months import (
    closed_after,
    is_closed,
    month_bounds,
    month_days,
    month_label,
    partition_month,
    partition_name,
    retention_allows,
)
from chekara.errors import Conflict
from chekara.services.archive import geoparquet as gp
from chekara.services.archive.partitions import DEFAULT_PARTITION, month_partitions

Progress = Callable[[int, int], None]  # (days done, days in all)
DETACH_LOCK_TIMEOUT = "10s"


@dataclass(frozen=True)
class MonthReport:
    month: date
    fixes: int
    files: int
    folder: Path
    content_sha256: str


@dataclass(frozen=True)
class MonthStatus:
    month: date
    #: "in database", "exported" or "detached".
    status: str
    fixes_in_database: int
    fixes_archived: int | None
    #: Whether the retention setting says the month may leave the database.
    due: bool


def _refuse_open(month: date, now: datetime, max_fix_age_days: float) -> None:
    if not is_closed(month, now, max_fix_age_days):
        raise Conflict(
            f"{month_label(month)} is not closed: fixes for it are accepted until "
            f"{closed_after(month, max_fix_age_days).isoformat()} (CHEKARA_MAX_FIX_AGE_DAYS + 1 day)", field="month")


def _database_counts(session: Session, month: date) -> tuple[int, Decimal]:
    start, end = month_bounds(month)
    count, id_sum = session.execute(
        text("SELECT count(*), COALESCE(sum(id), 0) FROM positions WHERE ts >= :start AND ts < :end"),
        {"start": start, "end": end}).one()
    return int(count), Decimal(id_sum)


def export_month(session: Session, root: Path, month: date, now: datetime, max_fix_age_days: float,
                 progress: Progress | None = None) -> MonthReport:
    """Write the month's fixes to GeoParquet (one file a day) and verify them; records the export (commits)."""
    _refuse_open(month, now, max_fix_age_days)
    ledger = session.get(ArchiveMonth, month)
    if ledger is not None and ledger.status == "detached":
        raise Conflict(f"{month_label(month)} is already archived and detached", field="month")
    # The month is closed, so ingest writes nothing to it meanwhile; the counts taken now are checked
    # against the rows read, and again (with writers locked out) by detach.
    fixes, id_sum = _database_counts(session, month)
    folder = gp.month_folder(root, month)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    connection = driver.driver_connection(session)
    days = month_days(month)
    written: list[gp.DayFile] = []
    for i, day in enumerate(days):
        table = gp.read_day(connection, day)
        digest = gp.content_digest(table)
        if table.num_rows:
            name = f"{day.isoformat()}.parquet"
            sha = gp.write_day(table, partial / name)
            if gp.content_digest(gp.read_file(partial / name)) != digest:
                raise Conflict(f"the file written for {day} does not read back as the database's rows", field="month")
            written.append(gp.DayFile(day, name, table.num_rows, sha, digest))
        else:
            written.append(gp.DayFile(day, None, 0, None, digest))
        if progress:
            progress(i + 1, len(days))
    if sum(d.rows for d in written) != fixes:
        raise Conflict(f"read {sum(d.rows for d in written)} fixes for {month_label(month)} but counted {fixes}",
                       field="month")
    digest = gp.month_digest([d.content_sha256 for d in written])
    gp.write_manifest(partial, month, written, digest)
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    ledger = session.get(ArchiveMonth, month) or ArchiveMonth(month=month)
    ledger.status, ledger.fixes, ledger.id_sum, ledger.content_sha256 = "exported", fixes, id_sum, digest
    ledger.folder, ledger.exported_at, ledger.detached_at = str(folder.relative_to(root)), now, None
    session.add(ledger)
    session.commit()
    return MonthReport(month, fixes, sum(1 for d in written if d.file), folder, digest)


def verify_export(root: Path, ledger: ArchiveMonth, progress: Progress | None = None) -> list[str]:
    """What is wrong with a month's files against its ledger row (empty: verified)."""
    folder = root / ledger.folder
    manifest = gp.read_manifest(folder)
    if manifest is None:
        return [f"no manifest in {folder}"]
    problems = []
    if manifest["content_sha256"] != ledger.content_sha256:
        problems.append("the manifest's checksum is not the one recorded at export")
    if manifest["rows"] != ledger.fixes:
        problems.append(f"the manifest counts {manifest['rows']} fixes, the export {ledger.fixes}")
    digests = []
    for i, day in enumerate(manifest["days"]):
        if day["file"] is None:
            digests.append(day["content_sha256"])
        else:
            path = folder / day["file"]
            if not path.is_file():
                problems.append(f"{day['file']} is missing")
                digests.append("")
            else:
                table = gp.read_file(path)
                digest = gp.content_digest(table)
                if table.num_rows != day["rows"]:
                    problems.append(f"{day['file']} holds {table.num_rows} fixes, the manifest {day['rows']}")
                if digest != day["content_sha256"]:
                    problems.append(f"{day['file']}: checksum mismatch (its rows are not the ones exported)")
                digests.append(digest)
        if progress:
            progress(i + 1, len(manifest["days"]))
    if not problems and gp.month_digest(digests) != ledger.content_sha256:
        problems.append("the days' checksums do not make the month's")
    return problems


def detach_month(session: Session, root: Path, month: date, now: datetime, max_fix_age_days: float,
                 progress: Progress | None = None) -> int:
    """Remove a verified, exported month's fixes from the database; returns how many (commits)."""
    _refuse_open(month, now, max_fix_age_days)
    ledger = session.get(ArchiveMonth, month)
    if ledger is None:
        raise Conflict(f"{month_label(month)} has not been exported: run chekara archive export --month "
                       f"{month_label(month)} first", field="month")
    if ledger.status == "detached":
        raise Conflict(f"{month_label(month)} is already detached", field="month")
    # The files first, with no lock held: reading a month back takes a while.
    problems = verify_export(root, ledger, progress)
    if problems:
        raise Conflict(f"{month_label(month)}'s archive does not verify: {'; '.join(problems)}", field="month")
    name = partition_name(month)
    own_partition = name in month_partitions(session)
    try:
        # Writers are held off the month's own tables only (the rest of positions keeps taking fixes);
        # detaching needs a moment of ACCESS EXCLUSIVE on positions: wait for it at most DETACH_LOCK_TIMEOUT.
        session.execute(text(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'"))
        session.execute(text(f"LOCK TABLE {name if own_partition else DEFAULT_PARTITION} IN SHARE ROW EXCLUSIVE MODE"))
        fixes, id_sum = _database_counts(session, month)
        if (fixes, id_sum) != (ledger.fixes, Decimal(ledger.id_sum)):
            raise Conflict(f"{month_label(month)} changed since its export ({fixes} fixes now, {ledger.fixes} exported):"
                           " export it again", field="month")
        if own_partition:
            session.execute(text(f"ALTER TABLE positions DETACH PARTITION {name}"))
            session.execute(text(f"DROP TABLE {name}"))
    except OperationalError as exc:
        session.rollback()
        raise Conflict(f"positions stayed busy for {DETACH_LOCK_TIMEOUT}; try again", field="month") from exc
    start, end = month_bounds(month)
    # A month without its own partition lives in the default one.
    session.execute(text(f"DELETE FROM {DEFAULT_PARTITION} WHERE ts >= :start AND ts < :end"),
                    {"start": start, "end": end})
    ledger.status, ledger.detached_at = "detached", now
    session.commit()
    return fixes


def detached_months(session: Session) -> list[ArchiveMonth]:
    return list(session.scalars(select(ArchiveMonth).where(ArchiveMonth.status == "detached").order_by(ArchiveMonth.month)))


def _fixes_by_month(session: Session) -> dict[date, int]:
    """Fixes per month: a month partition's planner estimate (counting billions of rows is not a status
    query; -1 before its first ANALYZE), the default partition's months counted exactly (it is small)."""
    out: dict[date, int] = {}
    for name, estimate in session.execute(text(
            "SELECT c.relname, c.reltuples::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = 'positions'::regclass")):
        month = partition_month(name)
        if month is not None and estimate != 0:
            out[month] = int(estimate)
    for month, count in session.execute(text(
            f"SELECT date_trunc('month', ts AT TIME ZONE 'UTC')::date, count(*) FROM {DEFAULT_PARTITION} GROUP BY 1")):
        out[month] = out.get(month, 0) + int(count)
    return out


def archive_status(session: Session, now: datetime, retention_months: int) -> list[MonthStatus]:
    """Every month with fixes in the database (estimated per partition) or in the archive, oldest first."""
    in_db = _fixes_by_month(session)
    ledgers = {m.month: m for m in session.scalars(select(ArchiveMonth))}
    out = []
    for month in sorted(in_db.keys() | ledgers.keys()):
        ledger = ledgers.get(month)
        out.append(MonthStatus(month, ledger.status if ledger else "in database", in_db.get(month, 0),
                               ledger.fixes if ledger else None, retention_allows(month, now, retention_months)))
    return out


def due_months(session: Session, now: datetime, retention_months: int, max_fix_age_days: float) -> list[date]:
    """Exported months the retention setting lets leave the database (closed ones only)."""
    return [s.month for s in archive_status(session, now, retention_months)
            if s.status == "exported" and s.due and is_closed(s.month, now, max_fix_age_days)]


def utc_now() -> datetime:
    return datetime.now(UTC)

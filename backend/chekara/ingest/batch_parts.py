"""A large group of submissions cut into parts by trip, and the parts' results put back together
(pure: no I/O). The server processes share the parts through the database (ingest/shared_parts.py).

Which server process takes a request is the kernel's choice (api/listening.py), and a process works
only on its own requests: a few integrations posting batches of a thousand fixes can all land on
one process while the other idles (bench/load.py's (b): 4,000 fixes/s with both clients on one
process, 8,600 with one on each). So a process that gathers a large group cuts it into parts,
keeps one and offers the others to its peers; what nobody takes, it does itself.

A part holds whole trips: every fix of the devices on one active trip (the truck's tracker and the
escort's phone) stays in one part, in its order, so the trip's fixes still go through one
transaction in time order, interleaved across its devices as the detectors expect (cut by device
alone, an hour of a store-and-forward upload ran the escort's fixes in one transaction and the
truck's in another, and convoy separation saw the truck far from where the escort had got to: the
simulator's false alarms). A device on no active trip is its own key. Only Chekara's JSON fixes
travel (they are plain JSON); anything with a decoder of its own (an OsmAnd request) or without a
valid device id stays in the part the process keeps.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from chekara.domain.roles import Actor
from chekara.ingest.batch import IngestResult, Submission
from chekara.ingest.decode import device_key
from chekara.ingest.fixes import Rejection


@dataclass(frozen=True)
class Piece:
    """The fixes of one submission that went into one part."""

    #: The submission's place in the group.
    submission: int
    #: Each fix's index in that submission (the answer names rejected fixes by it).
    indices: tuple[int, ...]
    #: The fixes themselves, with the submission's sender and decoder.
    fixes: Submission


#: A part of a group: the pieces of its submissions that one transaction takes.
Part = list[Piece]


@dataclass(frozen=True)
class PieceResult:
    """What one piece came to, its rejections named by their index in the whole submission."""

    submission: int
    accepted: int
    duplicates: int
    rejected: list[Rejection]
    alerts_raised: int


def device_of(item: Any) -> str | None:
    """The device id a raw JSON fix names, read as the decoder reads it; None if it names none."""
    return device_key(item.get("device_id")) if isinstance(item, dict) else None


def devices_named(submissions: list[Submission]) -> set[str]:
    """The devices the fixes that may travel name (to look up their trips)."""
    return {device for s in submissions if s.decode is None for item in s.raw if (device := device_of(item))}


def _place(device: str, trip_of: Mapping[str, int], parts: int) -> int:
    trip = trip_of.get(device)
    key = f"trip {trip}" if trip is not None else f"device {device}"
    # crc32, not hash(): stable, whatever the process.
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % parts


def cut(submissions: list[Submission], parts: int, trip_of: Mapping[str, int]) -> list[Part]:
    """The group cut into at most `parts` parts by trip (`trip_of`: device id → its active trip),
    or by device where a device is on none; the first part holds what cannot travel.

    Empty parts are left out, so one trip's thousand fixes stay one part."""
    buckets: list[dict[int, tuple[list[int], list[Any]]]] = [{} for _ in range(parts)]
    for s, submission in enumerate(submissions):
        travels = submission.decode is None
        for i, item in enumerate(submission.raw):
            device = device_of(item) if travels else None
            place = 0 if device is None else _place(device, trip_of, parts)
            indices, raw = buckets[place].setdefault(s, ([], []))
            indices.append(i)
            raw.append(item)
    return [
        [Piece(s, tuple(indices), Submission(raw, submissions[s].actor, submissions[s].decode))
         for s, (indices, raw) in bucket.items()]
        for bucket in buckets if bucket
    ]


def submissions_of(part: Part) -> list[Submission]:
    return [piece.fixes for piece in part]


def results_of(part: Part, results: list[IngestResult]) -> list[PieceResult]:
    """The pipeline's results for a part's submissions (in order), with the original indices.

    Every result of one run carries the run's alerts: the first piece keeps them, so they add up once."""
    return [
        PieceResult(
            submission=piece.submission, accepted=result.accepted, duplicates=result.duplicates,
            rejected=[Rejection(piece.indices[r.index], r.field, r.reason, piece.submission) for r in result.rejected],
            alerts_raised=result.alerts_raised if n == 0 else 0,
        )
        for n, (piece, result) in enumerate(zip(part, results, strict=True))
    ]


def merge(count: int, pieces: Iterable[PieceResult]) -> list[IngestResult]:
    """One result per submission of the group (`count` of them) from all of its parts' pieces."""
    accepted, duplicates = [0] * count, [0] * count
    rejected: list[list[Rejection]] = [[] for _ in range(count)]
    alerts_raised = 0
    for piece in pieces:
        accepted[piece.submission] += piece.accepted
        duplicates[piece.submission] += piece.duplicates
        rejected[piece.submission].extend(piece.rejected)
        alerts_raised += piece.alerts_raised  # each part counts its own transaction's alerts once
    return [IngestResult(accepted[i], duplicates[i], rejected[i], alerts_raised) for i in range(count)]


# -- the forms they travel in --------------------------------------------------------------------

def encode_part(part: Part) -> bytes:
    """A part as the JSON it came in. The standard library's json, not orjson: a request's body
    was read by it, and only it gives back exactly what it read (NaN, integers past 64 bits)."""
    if any(piece.fixes.decode is not None for piece in part):
        raise ValueError("only JSON fixes travel between processes")
    return json.dumps([
        {"submission": piece.submission, "indices": piece.indices,
         "actor": [piece.fixes.actor.name, piece.fixes.actor.role], "fixes": piece.fixes.raw}
        for piece in part
    ], separators=(",", ":")).encode()


def decode_part(payload: bytes) -> Part:
    return [
        Piece(item["submission"], tuple(item["indices"]), Submission(item["fixes"], Actor(*item["actor"])))
        for item in json.loads(payload)
    ]


def encode_results(pieces: list[PieceResult]) -> bytes:
    return orjson.dumps([
        [p.submission, p.accepted, p.duplicates, p.alerts_raised, [[r.index, r.field, r.reason] for r in p.rejected]]
        for p in pieces
    ])


def decode_results(payload: bytes) -> list[PieceResult]:
    return [
        PieceResult(s, accepted, duplicates, [Rejection(index, field, reason, s) for index, field, reason in rejected],
                    alerts_raised)
        for s, accepted, duplicates, alerts_raised, rejected in orjson.loads(payload)
    ]

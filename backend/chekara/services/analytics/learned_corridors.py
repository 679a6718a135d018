"""Learned corridors: the route completed trips between two checkpoints really took.

The learning itself is chekara.domain.analytics.corridor_learning; here the
trips are chosen (status arrived, from origin to destination, optionally
departed in a window, the most recent ``max_trips``), their fixes read
(GPS anomalies left out), the result compared with the drawn corridor, and,
when the planner accepts it, saved through services.corridors.save_corridor
like any upload (validated, segmented, audited).

The comparison is the share of the learning trips' fixes outside each line's
band (distance > the drawn corridor's half-width): a drawn corridor that
convoys do not follow shows a high share for the drawn line and a low one
for the learned line. The Hausdorff distance says how far apart the two
lines get at worst.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString
from sqlalchemy import select
from sqlalchemy.orm import Session

from chekara.db.models import Corridor, Position, Trip
from chekara.domain.analytics.corridor_learning import (
    DEFAULT_MIN_SHARE,
    LearnedCorridor,
    TripTrack,
    learn_corridor,
    share_outside,
)
from chekara.domain.analytics.h3_cells import centre_lonlat
from chekara.domain.geometry import metric_transformer, to_lonlat, to_metric
from chekara.domain.roles import Actor
from chekara.errors import InvalidInput, NotFound
from chekara.services.checkpoints import get_checkpoint
from chekara.services.corridors import CorridorDraft, get_corridor, save_corridor

DEFAULT_MAX_TRIPS = 200
MIN_TRIPS = 1


@dataclass(frozen=True)
class CorridorComparison:
    corridor_code: str
    half_width_m: float
    #: Share of the learning trips' fixes farther than half_width_m from the drawn line.
    drawn_outside_share: float | None
    #: The same against the learned line (same half-width).
    learned_outside_share: float | None
    #: Largest distance between the two lines, metres.
    hausdorff_m: float
    drawn_length_m: float


@dataclass(frozen=True)
class CorridorLearning:
    origin: str
    destination: str
    min_share: float
    trip_ids: list[int]
    fixes: int
    learned: LearnedCorridor
    line: LineString  # lon/lat
    length_m: float
    comparison: CorridorComparison | None


@dataclass(frozen=True)
class Acceptance:
    """How to save the learned line: as which corridor code, name and half-width (None: the compared corridor's)."""

    code: str | None = None
    name: str | None = None
    half_width_m: float | None = None


def _completed_trips(session: Session, origin_id: int, destination_id: int, since: datetime | None,
                     until: datetime | None, max_trips: int) -> list[int]:
    query = select(Trip.id).where(
        Trip.status == "arrived", Trip.origin_id == origin_id, Trip.destination_id == destination_id
    )
    if since is not None:
        query = query.where(Trip.departed_at >= since)
    if until is not None:
        query = query.where(Trip.departed_at < until)
    return list(session.scalars(query.order_by(Trip.arrived_at.desc(), Trip.id.desc()).limit(max_trips)))


def _tracks(session: Session, trip_ids: list[int]) -> list[TripTrack]:
    rows = session.execute(
        select(Position.trip_id, Position.h3_r9, Position.geom.ST_X(), Position.geom.ST_Y())
        .where(Position.trip_id.in_(trip_ids), Position.anomaly.is_(False))
        .order_by(Position.trip_id, Position.ts, Position.device_id)
    ).all()
    if not rows:
        return []
    trip = np.array([r[0] for r in rows])
    cells = np.array([r[1] for r in rows], dtype=np.int64)
    x, y = metric_transformer().transform(np.array([r[2] for r in rows]), np.array([r[3] for r in rows]))
    x, y = np.asarray(x), np.asarray(y)
    bounds = np.flatnonzero(np.diff(trip)) + 1
    return [
        TripTrack(int(trip[s]), cells[s:e], x[s:e], y[s:e])
        for s, e in zip(np.concatenate(([0], bounds)), np.concatenate((bounds, [len(rows)])))
    ]


def _metric_centre(cell: int) -> tuple[float, float]:
    lon, lat = centre_lonlat(cell)
    x, y = metric_transformer().transform(lon, lat)
    return float(x), float(y)


def _default_corridor(session: Session, trip_ids: list[int], origin_id: int, destination_id: int) -> Corridor | None:
    """The corridor most of the trips were sent along, else the one drawn between the two checkpoints."""
    counts = session.execute(
        select(Trip.corridor_id).where(Trip.id.in_(trip_ids))
    ).scalars().all()
    if counts:
        most = max(set(counts), key=lambda c: (counts.count(c), -c))
        return session.get(Corridor, most)
    return session.scalar(select(Corridor).where(Corridor.origin_id == origin_id,
                                                 Corridor.destination_id == destination_id).order_by(Corridor.id))


def learn(
    session: Session, origin: str, destination: str, min_share: float = DEFAULT_MIN_SHARE,
    since: datetime | None = None, until: datetime | None = None, max_trips: int = DEFAULT_MAX_TRIPS,
    corridor: str | None = None,
) -> CorridorLearning:
    if not 0 < min_share <= 1:
        raise InvalidInput("min_share must be in (0, 1]", field="min_share")
    origin_cp = get_checkpoint(session, origin, field="origin")
    destination_cp = get_checkpoint(session, destination, field="destination")
    if origin_cp.id == destination_cp.id:
        raise InvalidInput("origin and destination must differ", field="destination")
    trip_ids = _completed_trips(session, origin_cp.id, destination_cp.id, since, until, max_trips)
    tracks = [t for t in _tracks(session, trip_ids) if len(t.cells) >= 2] if trip_ids else []
    if len(tracks) < MIN_TRIPS:
        raise NotFound(f"no completed trip from {origin_cp.code} to {destination_cp.code} with fixes", field="origin")
    origin_xy = _metric_centre_of_point(to_shape(origin_cp.point))
    destination_xy = _metric_centre_of_point(to_shape(destination_cp.point))
    learned = learn_corridor(tracks, origin_xy, destination_xy, _metric_centre, min_share)
    if learned is None:
        raise NotFound(f"no H3 cell is used by {min_share:.0%} of the {len(tracks)} trips", field="min_share")
    # Rounded to 1e-7° (~1 cm) as GeoJSON shows it, so the line answered is the line a planner accepts.
    line = LineString(np.round(np.asarray(to_lonlat(learned.line_m).coords), 7))
    drawn = get_corridor(session, corridor, field_name="corridor") if corridor else _default_corridor(
        session, [t.trip_id for t in tracks], origin_cp.id, destination_cp.id)
    comparison = None
    if drawn is not None:
        x = np.concatenate([t.x_m for t in tracks])
        y = np.concatenate([t.y_m for t in tracks])
        drawn_m = to_metric(to_shape(drawn.geom))
        comparison = CorridorComparison(
            corridor_code=drawn.code, half_width_m=drawn.half_width_m,
            drawn_outside_share=share_outside(drawn_m, x, y, drawn.half_width_m),
            learned_outside_share=share_outside(learned.line_m, x, y, drawn.half_width_m),
            hausdorff_m=float(shapely.hausdorff_distance(drawn_m, learned.line_m)),
            drawn_length_m=float(drawn_m.length),
        )
    return CorridorLearning(
        origin=origin_cp.code, destination=destination_cp.code, min_share=min_share,
        trip_ids=sorted(t.trip_id for t in tracks), fixes=int(sum(len(t.cells) for t in tracks)),
        learned=learned, line=line, length_m=float(learned.line_m.length), comparison=comparison,
    )


def _metric_centre_of_point(point) -> tuple[float, float]:
    x, y = metric_transformer().transform(point.x, point.y)
    return float(x), float(y)


def accept(session: Session, learning: CorridorLearning, acceptance: Acceptance, actor: Actor) -> tuple[Corridor, str]:
    """Save the learned line as a corridor (replacing the compared one by default; stop zones kept). The caller commits."""
    compared = learning.comparison
    code = (acceptance.code or (compared.corridor_code if compared else None))
    if code is None:
        raise InvalidInput("accept.code is required when there is no drawn corridor to replace", field="accept.code")
    existing = session.scalar(select(Corridor).where(Corridor.code == code.upper()))
    name = acceptance.name or (existing.name if existing else f"{learning.origin} – {learning.destination} (learned)")
    half_width_m = acceptance.half_width_m or (existing.half_width_m if existing else 500.0)
    source = (
        f"learned {datetime.now(UTC):%Y-%m-%d} from {len(learning.trip_ids)} completed trips "
        f"{learning.origin} → {learning.destination}: H3 res-9 cells used by ≥ {learning.min_share:.0%} of them"
    )
    draft = CorridorDraft(
        code=code.upper(), name=name, line=learning.line, half_width_m=half_width_m,
        origin=learning.origin, destination=learning.destination, stop_zones=None, source=source,
    )
    return save_corridor(session, draft, actor, mode="upsert")

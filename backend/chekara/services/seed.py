"""Loading the reference data in geodata/ and the seed exchange rates.

Idempotent: a second run finds everything equal and writes nothing, not
even an audit entry.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from chekara.domain.corridors import line_from_geojson, stop_zone_polygon
from chekara.domain.opening_hours import check_opening_hours
from chekara.domain.roles import Actor
from chekara.services import rates
from chekara.services.checkpoints import CheckpointRecord, upsert_checkpoint
from chekara.services.corridors import CorridorDraft, StopZoneDraft, save_corridor

SEED_ACTOR = Actor(name="seed", role="system")

Progress = Callable[[str], None]


def _features(path: Path) -> list[dict[str, Any]]:
    collection = json.loads(path.read_text(encoding="utf-8"))
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    return collection["features"]


def read_checkpoints(path: Path) -> list[CheckpointRecord]:
    records = []
    for feature in _features(path):
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"][:2]
        records.append(
            CheckpointRecord(
                code=p["code"],
                name_en=p["name_en"],
                name_ru=p["name_ru"],
                name_ky=p["name_ky"],
                country=p.get("country"),
                border_kind=p["border_kind"],
                mode=p.get("mode", "road"),
                lanes=int(p.get("lanes", 2)),
                has_weighbridge=bool(p.get("has_weighbridge", False)),
                neighbour_post=p.get("neighbour_post"),
                lon=float(lon),
                lat=float(lat),
                geofence_radius_m=float(p.get("geofence_radius_m", 1000)),
                opening_hours=check_opening_hours(p.get("opening_hours", "24/7")),
                coord_source=p.get("coord_source", ""),
                coord_accuracy=p.get("coord_accuracy", "approximate"),
            )
        )
    return records


def read_corridors(path: Path) -> list[CorridorDraft]:
    features = _features(path)
    zones_by_corridor: dict[str, list[StopZoneDraft]] = {}
    for feature in features:
        p = feature["properties"]
        if p.get("kind") != "stop_zone":
            continue
        polygon = stop_zone_polygon(feature["geometry"], p.get("radius_m"), f"stop zone {p['name']}")
        zones_by_corridor.setdefault(p["corridor"], []).append(StopZoneDraft(p["name"], p["zone_kind"], polygon))
    drafts = []
    for feature in features:
        p = feature["properties"]
        if p.get("kind") != "corridor":
            continue
        via = p.get("via") or []
        source = p.get("source", "")
        drafts.append(
            CorridorDraft(
                code=p["code"],
                name=p["name"],
                line=line_from_geojson(feature["geometry"]),
                half_width_m=float(p.get("half_width_m", 500)),
                origin=p["origin"],
                destination=p["destination"],
                stop_zones=zones_by_corridor.get(p["code"], []),
                source=f"{source} (via {', '.join(via)})" if via else source,
            )
        )
    return drafts


def seed_reference_data(session: Session, geodata_dir: Path, progress: Progress = lambda _: None) -> Counter:
    """Checkpoints, corridors and seed rates; returns counts of created/updated/unchanged."""
    outcomes: Counter = Counter()
    for record in read_checkpoints(geodata_dir / "checkpoints.geojson"):
        outcome = upsert_checkpoint(session, record, SEED_ACTOR)
        outcomes[f"checkpoints {outcome}"] += 1
        progress(f"checkpoint {record.code}: {outcome}")
    session.flush()
    for draft in read_corridors(geodata_dir / "corridors.geojson"):
        _, outcome = save_corridor(session, draft, SEED_ACTOR, mode="upsert")
        outcomes[f"corridors {outcome}"] += 1
        progress(f"corridor {draft.code}: {outcome}")
    for currency, value in rates.SEED_RATES.items():
        _, outcome = rates.set_rate(session, currency, value, rates.SEED_RATES_DATE, SEED_ACTOR)
        outcomes[f"rates {outcome}"] += 1
        progress(f"rate {currency}: {outcome}")

    return outcomes



"""The region Chekara works in: Kyrgyzstan and a band along its border.

The outline is Natural Earth's (geodata/kyrgyzstan.geojson, about 1 km
accurate); the band forgives that and lets corridors reach the posts on the
line itself.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from chekara.config import get_settings
from chekara.domain.geometry import buffer_m

#: Width of the band around the outline that still counts as the region, metres.
BORDER_BAND_M = 20_000.0


def load_outline(path: Path) -> BaseGeometry:
    collection = json.loads(path.read_text(encoding="utf-8"))
    return shape(collection["features"][0]["geometry"])


@lru_cache
def working_region() -> BaseGeometry:
    outline = load_outline(get_settings().geodata_dir / "kyrgyzstan.geojson")
    return buffer_m(outline, BORDER_BAND_M)

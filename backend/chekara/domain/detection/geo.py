"""Point-to-point distances for the detectors (pure Python, per fix).

Haversine on a sphere is within 0.5 % of the ellipsoid, far inside GPS noise
at the 150 m / 2 km thresholds, and needs no pyproj per fix (see
chekara.domain.geometry for the projected, shapely-based helpers).
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points in degrees.

    >>> round(haversine_m(74.0, 42.0, 74.0, 43.0))
    111195
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))

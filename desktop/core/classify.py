"""Classification of units against the sectors: sector, distance to the line, flags."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from desktop.core.geodesy import Projection
from desktop.core.sectors import SectorResult

DEFAULT_BUFFER_KM = 5.0


@dataclass(frozen=True, eq=False)
class Classification:
    sector: np.ndarray       # int16 index into SectorResult.sectors; -1 = in no sector
    distance_km: np.ndarray  # geodesic km to the line (extensions included)
    near_line: np.ndarray    # bool: within the buffer
    wrong_side: np.ndarray   # bool: the unit's side differs from its sector's owner
    buffer_km: float

    def counts(self, n_sectors: int) -> np.ndarray:
        inside = self.sector[self.sector >= 0]
        return np.bincount(inside, minlength=n_sectors)[:n_sectors]


def owner_codes(result: SectorResult, sides: tuple[str, ...]) -> np.ndarray:
    """Per sector, the index of its owner in `sides` (-1 if the owner is not a side)."""
    return np.array([sides.index(s.owner) if s.owner in sides else -1 for s in result.sectors],
                    dtype=np.int8)


def sector_of(x: np.ndarray, y: np.ndarray, result: SectorResult) -> np.ndarray:
    """Index of the sector containing each point; a point on a shared edge goes to the
    first sector whose closure holds it; -1 outside every sector."""
    sector = np.full(len(x), -1, dtype=np.int16)
    for i, s in enumerate(result.sectors):
        todo = np.flatnonzero(sector < 0)
        if not len(todo):
            break
        shapely.prepare(s.polygon)
        hit = shapely.intersects_xy(s.polygon, x[todo], y[todo])
        sector[todo[hit]] = i
    return sector


def distance_to_polyline_km(x: np.ndarray, y: np.ndarray, poly: np.ndarray,
                            projection: Projection) -> np.ndarray:
    """Geodesic km from each point to a plane polyline (analysis projection).

    The planar distance is divided by the mean transverse-Mercator scale along the path to
    the nearest point, which keeps the error far below 0.2 % across a large AO.
    """
    best = np.full(len(x), np.inf)
    near_x = np.zeros(len(x))
    for (ax, ay), (bx, by) in zip(poly[:-1], poly[1:]):
        dx, dy = bx - ax, by - ay
        l2 = dx * dx + dy * dy
        t = np.zeros(len(x)) if l2 == 0 else np.clip(((x - ax) * dx + (y - ay) * dy) / l2, 0.0, 1.0)
        cx = ax + t * dx
        d2 = (x - cx) ** 2 + (y - (ay + t * dy)) ** 2
        better = d2 < best
        best[better] = d2[better]
        near_x[better] = cx[better]
    k = _mean_scale(x, near_x, projection)
    return np.sqrt(best) / k / 1000.0


def _mean_scale(x1: np.ndarray, x2: np.ndarray, projection: Projection) -> np.ndarray:
    """Mean point scale of the analysis TM along a straight path between eastings x1, x2:
    k = 1 + x^2/2R^2 averages to the scale at the quadratic mean easting."""
    return projection.scale_factor(np.sqrt((x1 * x1 + x1 * x2 + x2 * x2) / 3.0), projection.origin[1])


def classify(x: np.ndarray, y: np.ndarray, side_codes: np.ndarray, result: SectorResult,
             owners: np.ndarray, buffer_km: float, projection: Projection) -> Classification:
    """Full classification of points given in the analysis plane."""
    sector = sector_of(x, y, result)
    distance = (distance_to_polyline_km(x, y, result.effective_xy, projection)
                if len(result.line_xy) else np.full(len(x), np.nan))
    near = distance <= buffer_km
    owner_of_unit = np.where(sector >= 0, owners[np.maximum(sector, 0)] if len(owners) else -1, -1)
    wrong = (sector >= 0) & (side_codes >= 0) & (owner_of_unit >= 0) & (owner_of_unit != side_codes) \
        & (distance > 0.0)
    return Classification(sector, distance, near, wrong, buffer_km)

"""What live reports are measured against: one line, its sectors and the buffer.

`AlertGeometry` answers, for a handful of positions at a time (a batch of reports), what the
sectors panel answers for the whole table: the sector, its owner and the geodesic distance
to the effective line (extensions included), by the same pieces and the same scale
correction as `desktop.core.classify` (there a grid index pays off; for a few hundred
positions every piece is simply tried). It also predicts when a unit moving at its course
and speed reaches the line: along the geodesic that starts at its position with its course
as initial azimuth, at constant speed (DESIGN.md's motion model for aircraft).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from desktop.core import _distance
from desktop.core.classify import distance_pieces, owner_codes, sector_of
from desktop.core.geodesy import GEOD, Projection
from desktop.core.line import DeconflictionLine
from desktop.core.plane_geometry import segment_crossings
from desktop.core.sectors import AreaOfOperations, SectorResult, compute_sectors

MIN_SPEED_MS = 0.5          # slower than this a unit is standing: no time to line
PATH_STEP_M = 2_000.0       # predicted path pieces; a 2 km geodesic piece is straight to a few cm
MAX_PATH_STEPS = 256
_PAIRS_AT_ONCE = 200_000    # (path piece, line piece) pairs tested in one numpy pass


@dataclass(frozen=True, eq=False)
class Measures:
    """Per position: sector index (-1 outside every sector), the owner's index in `sides`
    (-1: no sector or an owner that is not a side) and the distance to the line in km."""

    sector: np.ndarray
    owner: np.ndarray
    km: np.ndarray


@dataclass(frozen=True, eq=False)
class AlertGeometry:
    """The line alerts are measured against, with the AO, the sides and the buffer."""

    ao: AreaOfOperations
    line: DeconflictionLine
    sides: tuple[str, ...]
    buffer_km: float
    projection: Projection
    sectors: SectorResult = field(init=False)
    owners: np.ndarray = field(init=False)
    _pieces: _distance.Pieces = field(init=False, repr=False)

    def __post_init__(self) -> None:
        result = compute_sectors(self.ao, self.line, self.sides[:2], self.projection)
        object.__setattr__(self, "sectors", result)
        object.__setattr__(self, "owners", owner_codes(result, self.sides))
        object.__setattr__(self, "_pieces", distance_pieces(result))

    @classmethod
    def of(cls, doc, line: DeconflictionLine | None = None, buffer_km: float | None = None) -> "AlertGeometry":
        """For a Document: its AO, sides and analysis projection; its line unless given."""
        return cls(doc.ao, line if line is not None else doc.line, tuple(doc.sides),
                   float(buffer_km if buffer_km is not None else doc.buffer_km), doc.analysis_projection)

    def same_as(self, other: "AlertGeometry | None") -> bool:
        return (other is not None and other.ao is self.ao and other.line == self.line
                and other.sides == self.sides and other.buffer_km == self.buffer_km)

    def sector_id(self, index: int) -> str | None:
        return self.sectors.sectors[index].id if index >= 0 else None

    def owner_name(self, code: int) -> str | None:
        return self.sides[code] if 0 <= code < len(self.sides) else None

    def measure(self, lon, lat) -> Measures:
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        x, y = self.projection.forward(lon, lat)
        x, y = np.atleast_1d(x), np.atleast_1d(y)
        sector = sector_of(x, y, self.sectors) if self.sectors.sectors else np.full(len(x), -1, np.int16)
        owner = np.append(self.owners, -1).astype(np.int8)[sector]
        return Measures(sector, owner, self._km(x, y))

    def _km(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _distance.measure_points(x, y, self._pieces, self.projection)

    def time_to_line(self, lon, lat, course_deg, speed_ms, horizon_s: float) -> np.ndarray:
        """Seconds until each unit's predicted path first meets the effective line; NaN when
        it does not within `horizon_s`, or the unit has no usable course and speed."""
        lon, lat = np.atleast_1d(np.asarray(lon, float)), np.atleast_1d(np.asarray(lat, float))
        course, speed = np.atleast_1d(np.asarray(course_deg, float)), np.atleast_1d(np.asarray(speed_ms, float))
        out = np.full(len(lon), np.nan)
        moving = np.flatnonzero(np.isfinite(course) & np.isfinite(speed) & (speed >= MIN_SPEED_MS)
                                & np.isfinite(lon) & np.isfinite(lat))
        if not len(moving) or self._pieces.m == 0 or horizon_s <= 0:
            return out
        reach = speed[moving] * horizon_s
        steps = int(min(MAX_PATH_STEPS, max(1, math.ceil(float(reach.max()) / PATH_STEP_M))))
        frac = np.linspace(0.0, 1.0, steps + 1)
        n = len(moving)
        dist = np.outer(reach, frac)
        plon, plat, _ = GEOD.fwd(np.repeat(lon[moving], steps + 1), np.repeat(lat[moving], steps + 1),
                                 np.repeat(course[moving], steps + 1), dist.ravel())
        px, py = self.projection.forward(plon, plat)
        px, py = px.reshape(n, steps + 1), py.reshape(n, steps + 1)
        along = np.empty(n)   # in path pieces: index of the piece + fraction
        chunk = max(1, _PAIRS_AT_ONCE // (steps * self._pieces.m))
        for i in range(0, n, chunk):
            along[i:i + chunk] = _first_crossing(px[i:i + chunk], py[i:i + chunk], self._pieces.pts)
        hit = np.isfinite(along)
        out[moving[hit]] = along[hit] / steps * horizon_s
        return out


def _first_crossing(px: np.ndarray, py: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Per path (rows of points), the position of its first meeting with the polyline `line`
    in units of path pieces (piece index + fraction), NaN if none."""
    n, k, m = px.shape[0], px.shape[1] - 1, len(line) - 1
    path = np.repeat(np.arange(n * k), m)                  # every (path piece, line piece) pair
    edge = np.tile(np.arange(m), n * k)
    ax, ay = px[:, :-1].ravel()[path], py[:, :-1].ravel()[path]
    dx, dy = np.diff(px, axis=1).ravel()[path], np.diff(py, axis=1).ravel()[path]
    qx, qy = line[:-1, 0][edge], line[:-1, 1][edge]
    fx, fy = np.diff(line[:, 0])[edge], np.diff(line[:, 1])[edge]
    which, s = segment_crossings(ax, ay, dx, dy, qx, qy, fx, fy)
    first = np.full(n, np.inf)
    piece = path[which]
    np.minimum.at(first, piece // k, piece % k + s)
    return np.where(np.isfinite(first), first, np.nan)

"""Sectors: the parts of the AO that the deconfliction line cuts off.

Rules (DESIGN.md): edges are geodesics; a line whose ends lie inside the AO is extended
along its first and last segments (geodesically) to the AO boundary; a line that still
cannot split the AO is reported, not guessed. All of it happens in the analysis plane.

`compute_sectors` runs on every mouse move of a drag, so what does not change during a
drag (the AO in the plane, the extensions while the end segments stay put) is cached.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely
from shapely.ops import split, substring

from desktop.core.geodesy import GEOD, Projection, densify_geodesic, geodesic_area_km2
from desktop.core.line import DeconflictionLine

LEFT, RIGHT = "left", "right"
_PROBE_M = 1.0  # offset of the side probes from the line, in plane metres
# Longest straight piece of the AO and the line in the analysis plane. A chord of length L
# at easting x of a transverse Mercator departs from its geodesic by about x L^2 / 8 R^2:
# under 1 m for 20 km pieces anywhere within 750 km of the AO's central meridian, well
# inside the 10 m rule, with four times fewer pieces to test than 5 km ones.
ANALYSIS_STEP_M = 20_000.0
_CACHE_SIZE = 16


@dataclass(frozen=True)
class AreaOfOperations:
    """The AO: one WGS84 ring (n x 2 lon/lat), edges are geodesics."""

    ring: np.ndarray
    name: str = "AO"

    def __post_init__(self) -> None:
        r = np.array(self.ring, dtype=float).reshape(-1, 2)
        if len(r) > 1 and np.array_equal(r[0], r[-1]):
            r = r[:-1]
        r.setflags(write=False)
        object.__setattr__(self, "ring", r)

    __hash__ = None  # type: ignore[assignment]

    @property
    def centre(self) -> tuple[float, float]:
        """Centre of the lon/lat bounding box: where the default projections are centred."""
        lon, lat = self.ring[:, 0], self.ring[:, 1]
        return float((lon.min() + lon.max()) / 2), float((lat.min() + lat.max()) / 2)

    def densified(self) -> tuple[np.ndarray, np.ndarray]:
        """Closed ring, densified along its geodesic edges."""
        return densify_geodesic(self.ring[:, 0], self.ring[:, 1], closed=True)

    def polygon(self, projection: Projection) -> shapely.Polygon:
        x, y = projection.forward(*self.densified())
        return shapely.Polygon(np.column_stack([x, y]))

    def area_km2(self) -> float:
        return geodesic_area_km2(*self.densified())


@dataclass(frozen=True, eq=False)
class Sector:
    id: str
    name: str
    owner: str
    side: str                   # LEFT or RIGHT of the line's direction of travel
    polygon: shapely.Polygon    # analysis plane
    area_km2: float

    def lonlat_polygon(self, projection: Projection) -> shapely.Polygon:
        return shapely.transform(self.polygon, lambda xy: np.column_stack(projection.inverse(xy[:, 0], xy[:, 1])))


@dataclass(frozen=True, eq=False)
class SectorResult:
    """Everything derived from (AO, line, owners) in the analysis plane."""

    sectors: tuple[Sector, ...]
    line_xy: np.ndarray                  # densified agreed line, k x 2
    extension_start_xy: np.ndarray       # from the AO boundary to vertex 0 (empty if none)
    extension_end_xy: np.ndarray         # from the last vertex to the AO boundary (empty if none)
    error: str | None = None
    vertex_index: np.ndarray | None = None  # where the line's vertices are in line_xy

    @cached_property
    def effective_xy(self) -> np.ndarray:
        """The line as it separates sectors: extensions included, as one polyline."""
        parts = [p for p in (self.extension_start_xy[:-1], self.line_xy, self.extension_end_xy[1:]) if len(p)]
        out = np.concatenate(parts)
        out.setflags(write=False)
        return out

    @property
    def owners(self) -> list[str]:
        return [s.owner for s in self.sectors]


class _Cache(dict):
    """Small memo that drops everything when full (a drag touches a handful of keys)."""

    def put(self, key, value):
        if len(self) >= _CACHE_SIZE:
            self.clear()
        self[key] = value
        return value


_AO_PLANE = _Cache()
_EXTENSIONS = _Cache()


def _ao_polygon(ao: AreaOfOperations, proj: Projection) -> shapely.Polygon:
    """The AO in the analysis plane, prepared. Keyed by identity; the entry keeps `ao` and
    `proj` alive so their ids cannot be reused while it exists."""
    hit = _AO_PLANE.get((id(ao), id(proj)))
    if hit is None:
        lon, lat = densify_geodesic(ao.ring[:, 0], ao.ring[:, 1], closed=True, step_m=ANALYSIS_STEP_M)
        poly = shapely.Polygon(np.column_stack(proj.forward(lon, lat)))
        shapely.prepare(poly)
        hit = _AO_PLANE.put((id(ao), id(proj)), (ao, proj, poly))
    return hit[2]


def line_plane_xy(line: DeconflictionLine, proj: Projection) -> np.ndarray:
    """The line densified along its geodesics (pieces <= ANALYSIS_STEP_M) in the plane.

    Every point depends only on its own segment's end vertices, so a segment that did not
    move gives bit-identical points (the incremental classification relies on it)."""
    return _line_plane(line, proj)[0]


def _line_plane(line: DeconflictionLine, proj: Projection) -> tuple[np.ndarray, np.ndarray]:
    """line_plane_xy and the indices of the vertices in it."""
    lon, lat = line.lon, line.lat
    az, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    az, dist = np.atleast_1d(az), np.atleast_1d(dist)
    pieces = np.maximum(np.ceil(dist / ANALYSIS_STEP_M), 1).astype(np.intp)
    seg = np.repeat(np.arange(len(dist)), pieces)
    j = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    inner = j > 0
    plon, plat = lon[seg].copy(), lat[seg].copy()
    s = seg[inner]
    plon[inner], plat[inner], _ = GEOD.fwd(lon[s], lat[s], az[s], j[inner] * dist[s] / pieces[s])
    x, y = proj.forward(np.append(plon, lon[-1]), np.append(plat, lat[-1]))
    return np.column_stack([x, y]), np.append(np.flatnonzero(j == 0), len(seg))


def _extension(ao: AreaOfOperations, proj: Projection, tip: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """Geodesic continuation beyond `tip` (away from `prev`) up to the AO boundary.

    Returns plane points from `tip` to just past the boundary, or an empty array when the
    tip is not inside the AO or the continuation never leaves it."""
    key = (id(ao), id(proj), float(tip[0]), float(tip[1]), float(prev[0]), float(prev[1]))
    hit = _EXTENSIONS.get(key)
    if hit is None:
        ext = _compute_extension(_ao_polygon(ao, proj), proj, tip, prev)
        ext.setflags(write=False)  # shared by every result with these end segments
        hit = _EXTENSIONS.put(key, (ao, proj, ext))
    return hit[2]


def _compute_extension(ao_poly: shapely.Polygon, proj: Projection, tip: np.ndarray, prev: np.ndarray) -> np.ndarray:
    tx, ty = proj.forward(tip[0], tip[1])
    if not shapely.contains_xy(ao_poly, float(tx), float(ty)):
        return np.empty((0, 2))
    _, az_tip_to_prev, _ = GEOD.inv(prev[0], prev[1], tip[0], tip[1])
    minx, miny, maxx, maxy = ao_poly.bounds
    reach = 1.5 * float(np.hypot(maxx - minx, maxy - miny))
    dists = np.arange(0.0, reach + ANALYSIS_STEP_M, ANALYSIS_STEP_M)
    n = len(dists)
    lon, lat, _ = GEOD.fwd(np.full(n, tip[0]), np.full(n, tip[1]), np.full(n, az_tip_to_prev + 180.0), dists)
    x, y = proj.forward(lon, lat)
    ray = shapely.LineString(np.column_stack([x, y]))
    hit = ray.intersection(ao_poly.exterior)
    if hit.is_empty:
        return np.empty((0, 2))
    along = min(ray.project(p) for p in getattr(hit, "geoms", [hit]))
    # Overshoot by a metre so the split sees a clean crossing of the boundary.
    cut = np.asarray(substring(ray, 0.0, along + 1.0).coords)
    cut[0] = (float(tx), float(ty))  # the tip itself, as the line has it
    return cut


def compute_sectors(ao: AreaOfOperations, line: DeconflictionLine, owners: tuple[str, str],
                    projection: Projection) -> SectorResult:
    """Cut the AO with the (extended) line. `owners` = (left owner, right owner)."""
    ao_poly = _ao_polygon(ao, projection)
    line_xy, vertex_index = _line_plane(line, projection)
    v = line.vertices
    ext_start = _extension(ao, projection, v[0], v[1])[::-1]
    ext_end = _extension(ao, projection, v[-1], v[-2])
    empty = SectorResult((), line_xy, ext_start, ext_end, vertex_index=vertex_index)
    effective = shapely.LineString(empty.effective_xy)
    parts = [g for g in split(ao_poly, effective).geoms if g.area > 1.0]
    if len(parts) < 2:
        why = ("the line does not reach across the AO" if ao_poly.intersects(effective)
               else "the line lies outside the AO")
        return SectorResult((), line_xy, ext_start, ext_end, f"cannot split the AO: {why}", vertex_index)
    return SectorResult(_label_parts(parts, empty.effective_xy, owners, projection), line_xy, ext_start, ext_end,
                        None, vertex_index)


def _label_parts(parts: list[shapely.Polygon], effective: np.ndarray, owners: tuple[str, str],
                 projection: Projection) -> tuple[Sector, ...]:
    """Give each part its side (probing just left/right of every line piece), an order
    along the line, an id and a name."""
    a, b = effective[:-1], effective[1:]
    d = b - a
    length = np.hypot(d[:, 0], d[:, 1])
    keep = length > 0
    a, d, length = a[keep], d[keep], length[keep]
    mid = a + d / 2
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / length[:, None]  # points left
    left_probe = mid + _PROBE_M * normal
    right_probe = mid - _PROBE_M * normal
    labelled = []
    for part in parts:
        shapely.prepare(part)
        hits_l = np.flatnonzero(shapely.contains_xy(part, left_probe[:, 0], left_probe[:, 1]))
        hits_r = np.flatnonzero(shapely.contains_xy(part, right_probe[:, 0], right_probe[:, 1]))
        side = LEFT if len(hits_l) >= len(hits_r) else RIGHT
        hits = hits_l if side == LEFT else hits_r
        first = int(hits[0]) if len(hits) else len(mid)
        labelled.append((0 if side == LEFT else 1, first, side, part))
    labelled.sort(key=lambda t: (t[0], t[1]))
    per_owner: dict[str, int] = {}
    for _, _, side, _ in labelled:
        owner = owners[0] if side == LEFT else owners[1]
        per_owner[owner] = per_owner.get(owner, 0) + 1
    seen: dict[str, int] = {}
    sectors = []
    for i, (_, _, side, part) in enumerate(labelled):
        owner = owners[0] if side == LEFT else owners[1]
        seen[owner] = seen.get(owner, 0) + 1
        name = owner if per_owner[owner] == 1 else f"{owner} {seen[owner]}"
        ring = np.asarray(part.exterior.coords)
        area = geodesic_area_km2(*projection.inverse(ring[:, 0], ring[:, 1]))
        for hole in part.interiors:
            h = np.asarray(hole.coords)
            area -= geodesic_area_km2(*projection.inverse(h[:, 0], h[:, 1]))
        sectors.append(Sector(f"S{i + 1}", name, owner, side, part, area))
    return tuple(sectors)

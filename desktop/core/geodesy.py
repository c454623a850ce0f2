"""WGS84 geodesy and map projections.

Everything is stored as WGS84 lon/lat. Answers (sectors, distances, areas) are computed in
an *analysis* projection, a transverse Mercator centred on the AO, whatever the display
CRS is. Geodesic edges are densified so that straight pieces in that plane stay well
within 10 m of the geodesic they stand for.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from pyproj import CRS, Geod, Transformer

from desktop.core.parallel import MIN_ROWS, over_rows

GEOD = Geod(ellps="WGS84")
WGS84_A = 6378137.0
# Longest straight piece of a densified geodesic. In a transverse Mercator centred on the
# AO a 5 km chord departs from its geodesic by far less than a metre.
DENSIFY_STEP_M = 5000.0


def densify_geodesic(lon: np.ndarray, lat: np.ndarray, *, closed: bool = False,
                     step_m: float = DENSIFY_STEP_M, with_segments: bool = False):
    """Insert points along each geodesic edge so no piece is longer than `step_m`.

    Returns new lon/lat arrays that start with the first vertex and contain every
    original vertex. With `closed`, the edge from the last vertex back to the first is
    densified as well and the ring is returned closed (first point repeated). With
    `with_segments`, also the edge each point starts (the last point: the last edge), for
    picking a segment by its drawn points.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    if closed and (lon[0] != lon[-1] or lat[0] != lat[-1]):
        lon = np.append(lon, lon[0])
        lat = np.append(lat, lat[0])
    out_lon = [lon[:1]]
    out_lat = [lat[:1]]
    seg = [np.zeros(1, dtype=np.intp)]
    _, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    last = len(lon) - 2
    for i, d in enumerate(np.atleast_1d(dist)):
        n = int(math.ceil(d / step_m)) - 1
        if n > 0:
            pts = np.asarray(GEOD.npts(lon[i], lat[i], lon[i + 1], lat[i + 1], n))
            out_lon.append(pts[:, 0])
            out_lat.append(pts[:, 1])
            seg.append(np.full(n, i, dtype=np.intp))
        out_lon.append(lon[i + 1:i + 2])
        out_lat.append(lat[i + 1:i + 2])
        seg.append(np.array([min(i + 1, last)], dtype=np.intp))
    if with_segments:
        return np.concatenate(out_lon), np.concatenate(out_lat), np.concatenate(seg)
    return np.concatenate(out_lon), np.concatenate(out_lat)


def geodesic_area_km2(lon: np.ndarray, lat: np.ndarray) -> float:
    """Geodesic area of a ring whose vertices are already densified."""
    area, _ = GEOD.polygon_area_perimeter(np.asarray(lon), np.asarray(lat))
    return abs(area) / 1e6


def geodesic_distance_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    _, _, d = GEOD.inv(np.asarray(lon1, float), np.asarray(lat1, float),
                       np.asarray(lon2, float), np.asarray(lat2, float))
    return np.asarray(d) / 1000.0


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the UTM zone (WGS84) that contains lon/lat."""
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return (32600 if lat >= 0 else 32700) + zone


def _transformed(transformer: Transformer, a, b) -> tuple[np.ndarray, np.ndarray]:
    """`transformer` applied to the columns a, b; a million points split over the cores
    (PROJ releases the GIL, and pyproj gives each thread its own transformer)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.ndim != 1 or a.shape != b.shape or len(a) < MIN_ROWS:
        x, y = transformer.transform(a, b)
        return np.asarray(x), np.asarray(y)
    x, y = a.copy(), b.copy()
    over_rows(len(x), lambda rows: transformer.transform(x[rows], y[rows], inplace=True))
    return x, y


@lru_cache(maxsize=16)
def _analysis_projection(lon: float, lat: float) -> "Projection":
    tmerc = f"+proj=tmerc +lat_0={lat:.9f} +lon_0={lon:.9f} +k=1 +x_0=0 +y_0=0 +ellps=WGS84"
    return Projection(CRS.from_proj4(f"{tmerc} +units=m +no_defs"), (lon, lat),
                      (f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step {tmerc}",
                       f"+proj=pipeline +step +inv {tmerc} +step +proj=unitconvert +xy_in=rad +xy_out=deg"))


@dataclass(frozen=True)
class Projection:
    """A projected CRS with a false origin subtracted.

    Map coordinates are metres relative to `origin` (a lon/lat), which keeps numbers small
    enough for Qt's float32 paths and SVG export.
    """

    crs: CRS
    origin: tuple[float, float]
    # PROJ's pipelines to and from lon/lat when known (the analysis projection's): made in
    # 0.1 ms, where from_crs searches PROJ's database (10 ms, and again in every thread).
    pipelines: tuple[str, str] | None = field(default=None, compare=False, repr=False)

    # Transformers are built on first use (~2.5 ms each): the CRS menu lists projections
    # that are never used.
    @cached_property
    def _fwd(self) -> Transformer:
        if self.pipelines:
            return Transformer.from_pipeline(self.pipelines[0])
        return Transformer.from_crs("EPSG:4326", self.plane_crs, always_xy=True)

    @cached_property
    def _inv(self) -> Transformer:
        if self.pipelines:
            return Transformer.from_pipeline(self.pipelines[1])
        return Transformer.from_crs(self.plane_crs, "EPSG:4326", always_xy=True)

    @cached_property
    def plane_crs(self) -> CRS:
        """The CRS of the map's metres: `crs` itself, or for a geographic CRS (EPSG:4326)
        its lon/lat drawn as a plate carrée (equidistant cylindrical) in metres, which is
        how a map "in degrees" looks and keeps the map's metric scale and tolerances."""
        if not self.crs.is_geographic:
            return self.crs
        from pyproj.crs import ProjectedCRS
        from pyproj.crs.coordinate_operation import EquidistantCylindricalConversion
        return ProjectedCRS(conversion=EquidistantCylindricalConversion(), geodetic_crs=self.crs)

    @classmethod
    def for_crs(cls, crs: str | int | CRS, origin: tuple[float, float]) -> "Projection":
        return cls(CRS.from_user_input(crs), (float(origin[0]), float(origin[1])))

    @classmethod
    def utm_for(cls, lon: float, lat: float) -> "Projection":
        """UTM zone of (lon, lat), origin at that point: the default display CRS."""
        return cls.for_crs(utm_epsg(lon, lat), (lon, lat))

    @classmethod
    def analysis_for(cls, lon: float, lat: float) -> "Projection":
        """Transverse Mercator centred on (lon, lat), scale 1 on its central meridian. One
        object per centre (kept): a document, its imports and its undo steps share it and
        the transformers it has made."""
        return _analysis_projection(float(lon), float(lat))

    @cached_property
    def _offset(self) -> tuple[float, float]:
        x, y = self._fwd.transform(self.origin[0], self.origin[1])
        return float(x), float(y)

    @property
    def name(self) -> str:
        return self.crs.name

    @property
    def label(self) -> str:
        """Short name for the status bar, e.g. 'EPSG:32637' or the CRS name."""
        epsg = self.crs.to_epsg()
        return f"EPSG:{epsg}" if epsg else self.crs.name

    def forward(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = _transformed(self._fwd, lon, lat)
        ox, oy = self._offset
        return x - ox, y - oy

    def inverse(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        ox, oy = self._offset
        return _transformed(self._inv, np.asarray(x, float) + ox, np.asarray(y, float) + oy)

    def scale_factor(self, x: np.ndarray, lat_deg: float) -> np.ndarray:
        """Point scale of an analysis (k=1) transverse Mercator at easting `x`.

        Second-order series k = 1 + x^2 / (2 R^2) (+ x^4 / 24 R^4); R is the Gaussian radius
        at `lat_deg`. Used to turn planar distances into geodesic ones.
        """
        phi = math.radians(lat_deg)
        e2 = 0.00669437999014
        r2 = WGS84_A**2 * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 2
        q = np.asarray(x) ** 2 / r2
        return 1.0 + q / 2.0 + q * q / 24.0

"""Tile pyramids as plain values: a CRS, the top-left origin and one `TileLevel` per zoom.

Rows count from the top (the XYZ and GeoPackage convention); MBTiles' TMS rows are turned
around by its reader. A tile's pixels are addressed by fractions (u, v) in 0..1 across and
down, so a 512-pixel tile and a 256-pixel one at the same level are drawn the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer

WEB_MERCATOR_HALF = 20037508.342789244  # metres from the origin to the edge of EPSG:3857
WEB_MERCATOR_MAX_LAT = 85.0511287798066


@dataclass(frozen=True)
class TileLevel:
    zoom: int
    matrix_width: int        # tiles across
    matrix_height: int       # tiles down
    tile_width: int          # pixels of one tile (as the file declares; images may differ)
    tile_height: int
    pixel_x: float           # CRS units per pixel
    pixel_y: float

    @property
    def span_x(self) -> float:
        """CRS units across one tile."""
        return self.tile_width * self.pixel_x

    @property
    def span_y(self) -> float:
        return self.tile_height * self.pixel_y


@dataclass(frozen=True)
class TileMatrixSet:
    """`crs_text`: the CRS as the file names it (EPSG code or WKT); `origin`: (x, y) of the
    top-left corner of tile (0, 0); `bounds`: (x0, y0, x1, y1) where the file has data, in
    the same CRS; `levels` finest last."""

    crs_text: str
    origin: tuple[float, float]
    levels: tuple[TileLevel, ...]
    bounds: tuple[float, float, float, float]

    @property
    def crs(self) -> CRS:
        return _crs(self.crs_text)

    def level(self, zoom: int) -> TileLevel:
        for lv in self.levels:
            if lv.zoom == zoom:
                return lv
        raise KeyError(zoom)

    def tile_to_crs(self, level: TileLevel, col, row, u, v) -> tuple[np.ndarray, np.ndarray]:
        """CRS coordinates of the fractions (u, v) of tile (col, row) (arrays broadcast)."""
        ox, oy = self.origin
        x = ox + (np.asarray(col, float) + np.asarray(u, float)) * level.span_x
        y = oy - (np.asarray(row, float) + np.asarray(v, float)) * level.span_y
        return x, y

    def tile_bounds(self, level: TileLevel, col: int, row: int) -> tuple[float, float, float, float]:
        ox, oy = self.origin
        return (ox + col * level.span_x, oy - (row + 1) * level.span_y,
                ox + (col + 1) * level.span_x, oy - row * level.span_y)

    def to_lonlat(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """CRS -> WGS84 lon/lat (NaN where the CRS has no answer)."""
        if self.crs_text == "EPSG:3857":  # exact and several times faster than PROJ
            lon = np.degrees(np.asarray(x, float) / 6378137.0)
            lat = np.degrees(2.0 * np.arctan(np.exp(np.asarray(y, float) / 6378137.0)) - math.pi / 2)
            return lon, lat
        with np.errstate(all="ignore"):
            lon, lat = _to_wgs84(self.crs_text).transform(np.asarray(x, float), np.asarray(y, float))
        return _finite(lon), _finite(lat)

    def from_lonlat(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 lon/lat -> CRS (NaN off the CRS's domain; Web Mercator stops at ±85.05°)."""
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        if self.crs_text == "EPSG:3857":
            with np.errstate(all="ignore"):
                ok = np.abs(lat) <= WEB_MERCATOR_MAX_LAT
                x = np.where(ok, np.radians(lon) * 6378137.0, np.nan)
                y = np.where(ok, 6378137.0 * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)), np.nan)
            return x, y
        with np.errstate(all="ignore"):
            x, y = _from_wgs84(self.crs_text).transform(lon, lat)
        return _finite(x), _finite(y)


def _finite(a) -> np.ndarray:
    a = np.array(a, dtype=float)
    a[~np.isfinite(a) | (np.abs(a) > 1e15)] = np.nan  # PROJ's "no answer" is inf or 1e30
    return a


@lru_cache(maxsize=16)
def _crs(text: str) -> CRS:
    return CRS.from_user_input(text)


@lru_cache(maxsize=16)
def _to_wgs84(text: str) -> Transformer:
    return Transformer.from_crs(_crs(text), "EPSG:4326", always_xy=True)


@lru_cache(maxsize=16)
def _from_wgs84(text: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", _crs(text), always_xy=True)


def web_mercator_level(zoom: int, tile_px: int = 256) -> TileLevel:
    """Level `zoom` of the Google/OSM/MBTiles pyramid: 2^zoom tiles a side."""
    n = 1 << zoom
    pixel = 2 * WEB_MERCATOR_HALF / (tile_px * n)
    return TileLevel(zoom, n, n, tile_px, tile_px, pixel, pixel)


def web_mercator_set(zooms, bounds_lonlat=None, tile_px: int = 256) -> TileMatrixSet:
    """The Web Mercator pyramid with the given zoom levels, its data limited to
    `bounds_lonlat` (lon0, lat0, lon1, lat1) when given."""
    world = (-WEB_MERCATOR_HALF, -WEB_MERCATOR_HALF, WEB_MERCATOR_HALF, WEB_MERCATOR_HALF)
    levels = tuple(web_mercator_level(z, tile_px) for z in sorted(set(zooms)))
    ms = TileMatrixSet("EPSG:3857", (-WEB_MERCATOR_HALF, WEB_MERCATOR_HALF), levels, world)
    if bounds_lonlat is None:
        return ms
    lon0, lat0, lon1, lat1 = bounds_lonlat
    lat0, lat1 = (max(min(v, WEB_MERCATOR_MAX_LAT), -WEB_MERCATOR_MAX_LAT) for v in (lat0, lat1))
    x, y = ms.from_lonlat([lon0, lon1], [lat0, lat1])
    box = (max(float(x[0]), world[0]), max(float(y[0]), world[1]), min(float(x[1]), world[2]), min(float(y[1]), world[3]))
    if not (np.isfinite(box).all() and box[0] < box[2] and box[1] < box[3]):
        return ms
    return TileMatrixSet(ms.crs_text, ms.origin, levels, box)

"""The MGRS/UTM grid of a rendering: lines, 100 km square letters and edge labels. Pure.

The grid is drawn per grid zone: each zone's lines are generated in its own UTM
coordinates (so they are exact multiples of the interval there), projected to the display
CRS and clipped to the zone's lon/lat rectangle, so a view across a zone boundary shows both
zones' grids meeting at the boundary meridian, as on a printed map. The zones follow MGRS,
Norway (32V spans 3-12°E) and Svalbard (31X, 33X, 35X, 37X are 9° or 12° wide; 32X, 34X
and 36X do not exist) included; beyond 80°S..84°N (UPS) there is no grid.

Building the lines costs pyproj and shapely calls, so `build_grid` makes them for a region
larger than the view and `MgrsGridCache` keeps it while a pan stays inside; `frame` then only
maps them to device pixels and finds the edge labels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

from desktop.core.map_settings import MapSettings

INTERVALS = (1_000, 10_000, 100_000)   # metres, finest first
MIN_SPACING_PX = 48.0    # screen pixels between two grid lines, at least
SAMPLES = 48             # points along one grid line across the built region
_COLUMN_SETS = ("STUVWXYZ", "ABCDEFGH", "JKLMNPQR")   # by zone % 3
_ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV"
_BANDS = "CDEFGHJKLMNPQRSTUVWX"                      # 8° from 80°S; X is 12° (72..84°N)


@dataclass(frozen=True)
class ZoneArea:
    """Part of a UTM zone in one hemisphere, a lon/lat rectangle, where that zone's grid is
    drawn."""
    zone: int
    lon0: float
    lat0: float
    lon1: float
    lat1: float

    @property
    def north(self) -> bool:
        return self.lat0 >= 0.0

    @property
    def epsg(self) -> int:
        return (32600 if self.north else 32700) + self.zone


def zone_areas(box) -> list[ZoneArea]:
    """The zone areas meeting the lon/lat box (lon0, lat0, lon1, lat1), with the Norway and
    Svalbard exceptions, split at the equator and at the band rows where zones change."""
    lon0, lat0, lon1, lat1 = box
    out = []
    rows = ((-80.0, 0.0), (0.0, 56.0), (56.0, 64.0), (64.0, 72.0), (72.0, 84.0))
    for r0, r1 in rows:
        if r1 <= lat0 or r0 >= lat1:
            continue
        for zone in range(1, 61):
            z0, z1 = -180.0 + 6.0 * (zone - 1), -180.0 + 6.0 * zone
            if r0 == 56.0 and zone in (31, 32):
                z0, z1 = (0.0, 3.0) if zone == 31 else (3.0, 12.0)
            elif r0 == 72.0 and 31 <= zone <= 37:
                if zone % 2 == 0:
                    continue
                z0, z1 = {31: (0.0, 9.0), 33: (9.0, 21.0), 35: (21.0, 33.0), 37: (33.0, 42.0)}[zone]
            if z1 <= lon0 or z0 >= lon1:
                continue
            out.append(ZoneArea(zone, z0, r0, z1, r1))
    return out


def square_letters(zone: int, easting, northing) -> np.ndarray:
    """The 100 km square letters (e.g. 'EV') of UTM points in `zone` (WGS84, AA scheme)."""
    col = np.asarray(np.floor(np.asarray(easting, float) / 100_000.0), int) - 1
    row = np.asarray(np.floor(np.asarray(northing, float) / 100_000.0), int) + (5 if zone % 2 == 0 else 0)
    cols, rows = _COLUMN_SETS[zone % 3], _ROW_LETTERS
    return np.array([cols[c] + rows[r % 20] if 0 <= c < 8 else "" for c, r in zip(np.atleast_1d(col), np.atleast_1d(row))],
                    dtype=object)


def band_letter(lat: float) -> str:
    return _BANDS[min(int((lat + 80.0) // 8.0), len(_BANDS) - 1)]


@lru_cache(maxsize=32)
def _utm(epsg: int) -> tuple[Transformer, Transformer]:
    return (Transformer.from_crs(epsg, "EPSG:4326", always_xy=True),
            Transformer.from_crs("EPSG:4326", epsg, always_xy=True))


def choose_interval(settings: MapSettings, min_spacing_px: float = MIN_SPACING_PX) -> int | None:
    """The finest interval whose lines stand at least `min_spacing_px` screen pixels apart;
    None when even 100 km lines would crowd (then only zone boundaries are drawn)."""
    px_per_m = 1.0 / settings.ground_metres_per_pixel()  # device pixels per ground metre
    for interval in INTERVALS:
        if interval * px_per_m >= min_spacing_px * settings.pixel_ratio:
            return interval
    return None


@dataclass(frozen=True)
class GridLines:
    """Grid lines in display coordinates for `region` (display extent), all zones together.

    Polyline i of `x`, `y` is ``[offsets[i]:offsets[i+1]]``; `axis[i]` is 'E' (a line of
    constant easting) or 'N'; `value[i]` its easting or northing in metres; `zone[i]`.
    `zone_x/zone_y/zone_offsets`: boundaries of the zone areas, the same way. `squares`: (letters,
    zone, shapely polygon in display coordinates) of each 100 km square in the region."""
    interval: int | None
    region: tuple[float, float, float, float]
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    axis: np.ndarray
    value: np.ndarray
    zone: np.ndarray
    zone_x: np.ndarray
    zone_y: np.ndarray
    zone_offsets: np.ndarray
    squares: tuple
    gzd: tuple            # (label e.g. '37S', display x, y of the area's centre)
    shapes: tuple = ()    # (grid lines, zone rings) as shapely arrays, for clipping per frame

    def __post_init__(self) -> None:
        if not self.shapes:
            object.__setattr__(self, "shapes", (_lines_of(self.x, self.y, self.offsets),
                                                _lines_of(self.zone_x, self.zone_y, self.zone_offsets)))


def _lines_of(x, y, offsets) -> np.ndarray:
    if len(x) < 2:
        return np.empty(0, dtype=object)
    return shapely.linestrings(np.column_stack([x, y]), indices=np.repeat(np.arange(len(offsets) - 1),
                                                                          np.diff(offsets)))


def _clip_to_area(area: ZoneArea, lon: np.ndarray, lat: np.ndarray, owner: np.ndarray):
    """Cut polylines (lon/lat points, `owner` = polyline index) to the area's rectangle."""
    lines = shapely.linestrings(np.column_stack([lon, lat]), indices=owner)
    clipped = shapely.clip_by_rect(lines, area.lon0, area.lat0, area.lon1, area.lat1)
    parts, src = shapely.get_parts(clipped, return_index=True)
    keep = shapely.get_type_id(parts) == 1
    parts, src = parts[keep], src[keep]
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    return coords, idx, src


def build_grid(settings: MapSettings, region, interval: int | None) -> GridLines:
    """Grid lines (and squares) of every zone area meeting `region` (a display extent)."""
    proj = settings.projection
    rs = MapSettings(proj, region, (64, 64))
    box = rs.lonlat_box(samples=32)
    xs, ys, offs, axes, values, zones, squares = [], [], [0], [], [], [], []
    if box is None:
        return _empty(interval, region)
    box = (box[0], max(box[1], -80.0), box[2], min(box[3], 84.0))
    areas, rects = [], []
    for area in (zone_areas(box) if box[1] < box[3] else []):
        a0, b0 = max(area.lon0, box[0]), max(area.lat0, box[1])
        a1, b1 = min(area.lon1, box[2]), min(area.lat1, box[3])
        if a0 < a1 and b0 < b1:
            areas.append(area)
            rects.append((a0, b0, a1, b1))
    if not areas:
        return _empty(interval, region)
    # every area's rectangle (cut to the region) as a ring, projected in one call
    r = np.asarray(rects)
    t = np.linspace(0.0, 1.0, SAMPLES)
    a0, b0, a1, b1 = (r[:, i:i + 1] for i in range(4))
    ring_lon = np.hstack([a0 + t * (a1 - a0), np.repeat(a1, SAMPLES, 1), a1 - t * (a1 - a0), np.repeat(a0, SAMPLES, 1)])
    ring_lat = np.hstack([np.repeat(b0, SAMPLES, 1), b0 + t * (b1 - b0), np.repeat(b1, SAMPLES, 1), b1 - t * (b1 - b0)])
    with np.errstate(all="ignore"):
        rx, ry = proj.forward(np.hstack([ring_lon, (r[:, [0]] + r[:, [2]]) / 2]),
                              np.hstack([ring_lat, (r[:, [1]] + r[:, [3]]) / 2]))
    zx, zy = rx[:, :-1].ravel(), ry[:, :-1].ravel()
    zone_offsets = np.arange(len(areas) + 1) * (rx.shape[1] - 1)
    gzd = [(f"{a.zone}{band_letter((rc[1] + rc[3]) / 2)}", float(cx), float(cy))
           for a, rc, cx, cy in zip(areas, rects, rx[:, -1], ry[:, -1])]
    for area, ring_lon, ring_lat in zip(areas if interval is not None else [], ring_lon, ring_lat):
        inv, fwd = _utm(area.epsg)
        with np.errstate(all="ignore"):
            ue, un = fwd.transform(ring_lon, ring_lat)
        if not (np.isfinite(ue).all() and np.isfinite(un).all()):
            continue
        e0, e1, n0, n1 = ue.min(), ue.max(), un.min(), un.max()
        ke = np.arange(math.ceil(e0 / interval), math.floor(e1 / interval) + 1) * interval
        kn = np.arange(math.ceil(n0 / interval), math.floor(n1 / interval) + 1) * interval
        if len(ke) + len(kn) > 400:
            continue  # a region this large at this interval is a caller's mistake
        s = np.linspace(0.0, 1.0, SAMPLES)
        pe = np.concatenate([np.repeat(ke, SAMPLES), np.tile(e0 + s * (e1 - e0), len(kn))])
        pn = np.concatenate([np.tile(n0 + s * (n1 - n0), len(ke)), np.repeat(kn, SAMPLES)])
        owner = np.repeat(np.arange(len(ke) + len(kn)), SAMPLES)
        lon, lat = inv.transform(pe, pn)
        coords, idx, src = _clip_to_area(area, lon, lat, owner)
        if len(coords):
            with np.errstate(all="ignore"):
                dx, dy = proj.forward(coords[:, 0], coords[:, 1])
            # straight in the display (its own zone): 2 points a line, not SAMPLES
            shown = shapely.simplify(shapely.linestrings(np.column_stack([dx, dy]), indices=idx),
                                     0.05 * settings.map_units_per_pixel[0])
            coords, idx = shapely.get_coordinates(shown, return_index=True)
            dx, dy = coords[:, 0], coords[:, 1]
            counts = np.bincount(idx, minlength=len(shown))
            xs.append(dx)
            ys.append(dy)
            offs.extend((offs[-1] + np.cumsum(counts)).tolist())
            line_value = np.concatenate([ke, kn])[src]
            axes.append(np.where(src < len(ke), "E", "N"))
            values.append(line_value)
            zones.append(np.full(len(src), area.zone))
        squares += _squares(area, proj, (e0, n0, e1, n1), inv)
    if not xs:
        return replace(_empty(interval, region), zone_x=zx, zone_y=zy, zone_offsets=zone_offsets, shapes=(),
                       squares=tuple(squares), gzd=tuple(gzd))
    return GridLines(interval, tuple(region), np.concatenate(xs), np.concatenate(ys), np.asarray(offs, np.int64),
                     np.concatenate(axes), np.concatenate(values), np.concatenate(zones),
                     zx, zy, zone_offsets, tuple(squares), tuple(gzd))


def _empty(interval, region) -> GridLines:
    e, none = np.empty(0), np.zeros(1, np.int64)
    return GridLines(interval, tuple(region), e, e, none, np.empty(0, "<U1"), e, np.empty(0, int), e, e, none, (), ())


def _clipped(lines: np.ndarray, view, settings: MapSettings) -> tuple[np.ndarray, np.ndarray]:
    """Polylines (shapely, display) cut to `view`, in device pixels, NaN between parts."""
    if not len(lines):
        return np.empty(0), np.empty(0)
    parts = shapely.get_parts(shapely.clip_by_rect(lines, *view))
    parts = parts[shapely.get_type_id(parts) == 1]
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    px, py = settings.to_device(coords[:, 0], coords[:, 1])
    breaks = np.flatnonzero(np.diff(idx)) + 1
    return np.insert(px, breaks, np.nan), np.insert(py, breaks, np.nan)


def _squares(area: ZoneArea, proj, utm_box, inv: Transformer) -> list:
    """(letters, zone, display polygon) of the 100 km squares of `area` inside `utm_box`,
    built with one pyproj call and vectorised shapely."""
    e0, n0, e1, n1 = utm_box
    ie = np.arange(math.floor(e0 / 1e5), math.floor(e1 / 1e5) + 1)
    jn = np.arange(math.floor(n0 / 1e5), math.floor(n1 / 1e5) + 1)
    if len(ie) * len(jn) > 2000:
        return []
    gi, gj = (g.ravel() for g in np.meshgrid(ie, jn))
    letters = square_letters(area.zone, (gi + 0.5) * 1e5, (gj + 0.5) * 1e5)
    ok = letters != ""
    gi, gj, letters = gi[ok], gj[ok], letters[ok]
    if not len(gi):
        return []
    k = 8
    t = np.linspace(0.0, 1.0, k, endpoint=False)
    ring_u = np.concatenate([t, np.ones(k), 1 - t, np.zeros(k), [0.0]])
    ring_v = np.concatenate([np.zeros(k), t, np.ones(k), 1 - t, [0.0]])
    lon, lat = inv.transform(((gi[:, None] + ring_u) * 1e5).ravel(), ((gj[:, None] + ring_v) * 1e5).ravel())
    rings = shapely.polygons(shapely.linearrings(np.column_stack([lon, lat]),
                                                 indices=np.repeat(np.arange(len(gi)), len(ring_u))))
    cut = shapely.clip_by_rect(rings, area.lon0, area.lat0, area.lon1, area.lat1)
    keep = ~shapely.is_empty(cut) & (shapely.area(cut) > 0)
    cut, letters = cut[keep], letters[keep]
    if not len(cut):
        return []
    coords = shapely.get_coordinates(cut)
    with np.errstate(all="ignore"):
        dx, dy = proj.forward(coords[:, 0], coords[:, 1])
    shown = shapely.set_coordinates(cut.copy(), np.column_stack([dx, dy]))
    return [(str(letter), area.zone, poly) for letter, poly in zip(letters, shown)]


@dataclass(frozen=True)
class GridFrame:
    """What to paint, in device pixels: `lines_x/lines_y` and `zones_x/zones_y` are
    polylines with NaN between them; labels are (text, x, y); edge labels say where a line
    meets an edge: (text, side 'top'|'bottom'|'left'|'right', x, y)."""
    interval: int | None
    lines_x: np.ndarray
    lines_y: np.ndarray
    zones_x: np.ndarray
    zones_y: np.ndarray
    squares: tuple
    edge_labels: tuple
    gzd: tuple

    @property
    def description(self) -> str:
        """For a caption: 'MGRS 1 km' or 'MGRS zones'."""
        if self.interval is None:
            return "MGRS grid zones"
        return f"MGRS {self.interval // 1000} km"


def line_label(value: float, interval: int | None) -> str:
    """The figures printed at a grid line: kilometres within the 100 km square ('23') for
    1 and 10 km lines, whole kilometres ('400k') for 100 km lines."""
    km = int(round(value / 1000.0))
    return f"{km}k" if interval == 100_000 else f"{km % 100:02d}"


def frame(lines: GridLines, settings: MapSettings) -> GridFrame:
    """The grid of `lines` as drawn on `settings`' output."""
    w, h = settings.size
    px, py = settings.to_device(lines.x, lines.y)
    edges = _edge_labels(lines, px, py, w, h)
    # only what is on the output (plus a pixel): Qt strokes long lines far off it slowly
    x0, y0, x1, y1 = settings.extent
    gx, gy = settings.map_units_per_pixel
    view = (x0 - 2 * gx, y0 - 2 * gy, x1 + 2 * gx, y1 + 2 * gy)
    lx, ly = _clipped(lines.shapes[0], view, settings)
    zx, zy = _clipped(lines.shapes[1], view, settings)
    squares = []
    if lines.squares:
        polys = np.array([sq[2] for sq in lines.squares], dtype=object)
        x0, y0, x1, y1 = settings.extent
        near = shapely.intersects(polys, shapely.box(x0, y0, x1, y1))
        parts = shapely.clip_by_rect(polys[near], x0, y0, x1, y1)
        spots = shapely.point_on_surface(parts)  # inside the visible part, even a sliver
        ok = ~shapely.is_empty(parts) & (shapely.area(parts) > 0)
        sx, sy = settings.to_device(shapely.get_x(spots), shapely.get_y(spots))
        names = [sq[0] for sq, n in zip(lines.squares, near) if n]
        squares = [(names[i], float(sx[i]), float(sy[i])) for i in np.flatnonzero(ok)]
    gx, gy = settings.to_device([g[1] for g in lines.gzd], [g[2] for g in lines.gzd])
    gzd = tuple((g[0], float(a), float(b)) for g, a, b in zip(lines.gzd, gx, gy))
    return GridFrame(lines.interval, lx, ly, zx, zy, tuple(squares), tuple(edges), gzd)


def _edge_labels(lines: GridLines, px: np.ndarray, py: np.ndarray, w: int, h: int) -> list:
    """Where each line crosses the output's edges: E lines at top and bottom, N lines at
    left and right (one label per line and edge)."""
    if len(px) < 2:
        return []
    owner = np.repeat(np.arange(len(lines.axis)), np.diff(lines.offsets))
    same = owner[:-1] == owner[1:]
    out = []
    for side, coord, level, along, extent, axis in (("top", py, 0.0, px, w, "E"), ("bottom", py, float(h), px, w, "E"),
                                                    ("left", px, 0.0, py, h, "N"), ("right", px, float(w), py, h, "N")):
        a, b = coord[:-1] - level, coord[1:] - level
        with np.errstate(invalid="ignore", divide="ignore"):
            hit = same & (a * b <= 0) & (a != b)
            t = np.where(hit, a / (a - b), 0.0)
        pos = along[:-1] + t * (along[1:] - along[:-1])
        hit &= (pos >= 0) & (pos <= extent) & (lines.axis[owner[:-1]] == axis)
        seen = set()
        for i in np.flatnonzero(hit):
            line = int(owner[i])
            if line in seen:
                continue
            seen.add(line)
            x, y = (float(pos[i]), level) if axis == "E" else (level, float(pos[i]))
            out.append((line_label(float(lines.value[line]), lines.interval), side, x, y))
    return out


class MgrsGridCache:
    """The last built grid lines, reused while the view stays in their region at the same
    interval and projection; `frame(settings)` is what a painter calls each paint."""

    def __init__(self, min_spacing_px: float = MIN_SPACING_PX, margin: float = 0.5) -> None:
        self.min_spacing_px = min_spacing_px
        self.margin = margin
        self._lines: GridLines | None = None
        self._key = None

    def lines(self, settings: MapSettings) -> GridLines:
        interval = choose_interval(settings, self.min_spacing_px)
        key = (settings.projection, interval)
        x0, y0, x1, y1 = settings.extent
        g = self._lines
        if g is None or self._key != key or not (g.region[0] <= x0 and g.region[1] <= y0 and
                                                 g.region[2] >= x1 and g.region[3] >= y1):
            mx, my = (x1 - x0) * self.margin, (y1 - y0) * self.margin
            g = self._lines = build_grid(settings, (x0 - mx, y0 - my, x1 + mx, y1 + my), interval)
            self._key = key
        return g

    def frame(self, settings: MapSettings) -> GridFrame:
        return frame(self.lines(settings), settings)


def mgrs_grid(settings: MapSettings, min_spacing_px: float = MIN_SPACING_PX) -> GridFrame:
    """The MGRS grid of one rendering (no cache)."""
    return MgrsGridCache(min_spacing_px).frame(settings)

"""Offline basemap drawn under everything else: land and water, rivers, borders and towns,
from `desktop.core.basemap` (four layers that share one `BasemapSource`).

The data follow the view: after a pan or zoom (debounced, so panning stays fluid) the
source picks a resolution for the extent, cuts the world layers to a lon/lat box around it
(half an extent of margin each side, so small pans need no rebuild) and projects each with
one pyproj call. Missing or bad data leave the map without a basemap; they never raise
into the GUI.
"""
from __future__ import annotations

import logging
import time

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core import basemap as bm
from desktop.core.geodesy import Projection
from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import draw_label, label_font, map_transform, pen, polylines_path, scaled

log = logging.getLogger(__name__)

SEA = QtGui.QColor("#c6dcec")
LAND = QtGui.QColor("#efece3")
COAST_PEN = pen((0x8f, 0xa7, 0xb8), 0.8)
RIVER_PEN = pen((0x3f, 0x83, 0xc9), 1.8)
BORDER_PEN = pen((0x8a, 0x8a, 0x8a), 1.3, style=QtCore.Qt.PenStyle.DashLine)
TOWN = QtGui.QColor("#3c3c3c")
TOWN_PEN = pen((255, 255, 255), 0.8)
# Night mode (MapSettings.night): dark land and water, light towns; rivers and borders keep
# their kind. Pages keep the day colours.
DAY = {"sea": SEA, "land": LAND, "coast": COAST_PEN, "river": RIVER_PEN, "border": BORDER_PEN, "town": TOWN,
       "town_pen": TOWN_PEN}
NIGHT = {"sea": QtGui.QColor("#1d2b38"), "land": QtGui.QColor("#2a2b2d"), "coast": pen((0x45, 0x59, 0x6a), 0.8),
         "river": pen((0x3a, 0x6e, 0xa8), 1.8),
         "border": pen((0x7a, 0x7a, 0x7a), 1.3, style=QtCore.Qt.PenStyle.DashLine),
         "town": QtGui.QColor("#c8c8c8"), "town_pen": pen((0, 0, 0), 0.8)}


def palette(settings: MapSettings) -> dict:
    """The basemap's colours for `settings`: the day's, or night mode's."""
    return NIGHT if settings.night else DAY

MARGIN = 0.5          # of the extent, each side, cut and drawn beyond it
RIVERS_MAX_SPAN_KM = 3000.0  # the data has no river ranks: wider views would be all rivers
MAX_LABELS = 40
RESERVED_KM = 5.0
TOWN_LABEL_PT = 8.0
DEBOUNCE_MS = 120


def box_span_km(box) -> float:
    lon0, lat0, lon1, lat1 = box
    coslat = max(np.cos(np.radians((lat0 + lat1) / 2.0)), 0.05)
    return max((lon1 - lon0) * 111.32 * coslat, (lat1 - lat0) * 110.57)


def _covers(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


class BasemapSource:
    """The basemap cut and projected for the extent last prepared; its layers paint parts."""

    def __init__(self, debounce_ms: int = DEBOUNCE_MS) -> None:
        self.layers: list[MapLayer] = []
        self.error: str | None = None           # last data error, shown by whoever wants to
        self.timings: dict[str, float] = {}     # ms of the last rebuild, for status/benchmarks
        self.resolution: str | None = None
        self.sea: QtCore.QRectF | None = None   # the drawn area: the sea is what land leaves
        self.coast: dict[int, QtGui.QPainterPath] = {}
        self.rivers = self.borders = QtGui.QPainterPath()
        self.towns = (np.empty(0), np.empty(0), np.empty(0, dtype=object), np.empty(0))  # x, y, name, population
        self.town_span_km = 0.0
        self._snap_lines: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._detail = None
        self._drawn: tuple | None = None     # (projection, extent the paths cover)
        self._pending: MapSettings | None = None
        self._prepared: MapSettings | None = None
        self._timer = QtCore.QTimer()
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._on_timer)

    # -- its layers -----------------------------------------------------------------------
    def join(self, layer: MapLayer) -> None:
        self.layers.append(layer)

    def leave(self, layer: MapLayer) -> None:
        if layer in self.layers:
            self.layers.remove(layer)
        if not self.layers:
            self._timer.stop()

    @property
    def rebuild_pending(self) -> bool:
        """True while a rebuild for the current extent is still to come (debounced)."""
        return self._timer.isActive()

    def view_changed(self, settings: MapSettings) -> None:
        self._pending = settings
        self._timer.start()  # restart: rebuild once the view stops moving

    def _on_timer(self) -> None:
        if self._pending is not None:
            self.prepare(self._pending)

    def projection_changed(self) -> None:
        """Another display CRS: nothing is drawn until the next build (scheduled by the
        view change that follows, or an export's prepare)."""
        self._clear()
        self._prepared = None
        for layer in self.layers:
            layer.changed()

    def prepare(self, settings: MapSettings) -> None:
        """Bring the basemap up to date with `settings` now (once: its four layers ask)."""
        self._timer.stop()
        if settings == self._prepared:
            return
        self._prepared = settings
        try:
            self._refresh(settings)
        except Exception as exc:  # noqa: BLE001 - a basemap failure must never take the map down
            log.warning("basemap disabled: %s", exc)
            self.error = str(exc)
            self._clear()
        for layer in self.layers:
            layer.changed()
            if layer.scene is not None:
                layer.scene.relayout_labels()

    def snap_polylines(self, kind: str) -> list[np.ndarray]:
        """Drawn rivers or borders (display coordinates) for the line tool's snapping."""
        if kind not in self._snap_lines:
            return []
        x, y, offsets = self._snap_lines[kind]
        xy = np.column_stack([x, y])
        return [xy[a:b] for a, b in zip(offsets[:-1], offsets[1:])]

    # -- building ---------------------------------------------------------------------------
    def _refresh(self, settings: MapSettings) -> None:
        t0 = time.perf_counter()
        proj = settings.projection
        x0, y0, x1, y1 = settings.extent
        view_box = bm.view_lonlat_box(proj, x0, x1, y0, y1)
        if view_box is None:
            self._clear()
            return
        span_km = box_span_km(view_box)
        detail = (bm.resolution_for(span_km), span_km <= RIVERS_MAX_SPAN_KM)
        drawn = self._drawn
        if (drawn is None or drawn[0] != proj or detail != self._detail or not _covers(drawn[1], settings.extent)
                or drawn[1][2] - drawn[1][0] > 16.0 * (x1 - x0)):  # zoomed far in: cut again, smaller
            clip_box = bm.view_lonlat_box(proj, x0, x1, y0, y1, margin=MARGIN)
            self._build(proj, clip_box, detail, settings.extent)
            self.timings["build_ms"] = (time.perf_counter() - t0) * 1000.0
        t1 = time.perf_counter()
        self._update_towns(proj, view_box, span_km)
        self.timings["towns_ms"] = (time.perf_counter() - t1) * 1000.0

    def _build(self, proj: Projection, clip_box, detail: tuple[str, bool], extent) -> None:
        res, with_rivers = detail
        kinds = bm.KINDS if with_rivers else tuple(k for k in bm.KINDS if k != "rivers")
        layers = {kind: bm.load_layer(kind, res).clip(clip_box) for kind in kinds}
        # The drawn area is the extent grown by MARGIN; clip_box is the lon/lat box around
        # it, so the paths cover all of it. The sea is what land polygons leave uncovered.
        x0, y0, x1, y1 = extent
        mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
        covered = (x0 - mx, y0 - my, x1 + mx, y1 + my)
        coast = layers["coast"]
        x, y = _project(proj, coast.lonlat)
        self.coast = {}
        for level in np.unique(coast.level):
            gather, offsets = _gather(coast, np.flatnonzero(coast.level == level))
            self.coast[int(level)] = polylines_path(x[gather], y[gather], offsets)
        self._snap_lines = {}
        paths = {}
        for kind in ("rivers", "borders"):
            data = layers.get(kind)
            if data is None:
                paths[kind] = QtGui.QPainterPath()
                continue
            x, y = _project(proj, data.lonlat)
            paths[kind] = polylines_path(x, y, data.offsets)
            self._snap_lines["river" if kind == "rivers" else "border"] = (x, y, data.offsets)
        self.rivers, self.borders = paths["rivers"], paths["borders"]
        self.sea = QtCore.QRectF(covered[0], covered[1], covered[2] - covered[0], covered[3] - covered[1])
        self.resolution = res
        self._detail = detail
        self._drawn = (proj, covered)
        self.error = None

    def _update_towns(self, proj: Projection, view_box, span_km: float) -> None:
        try:
            towns = bm.towns_in(view_box, _min_population(span_km))
        except bm.BasemapDataError as exc:
            log.warning("no towns: %s", exc)
            towns = None
        if towns is None or not len(towns):
            self.towns = (np.empty(0), np.empty(0), np.empty(0, dtype=object), np.empty(0))
            return
        x, y = proj.forward(towns.lon, towns.lat)
        places = self.layers[0].document.places if self.layers and self.layers[0].scene is not None else ()
        ok = np.isfinite(x) & np.isfinite(y) & ~_near_places(towns.lon, towns.lat, places)
        self.towns = (np.asarray(x)[ok], np.asarray(y)[ok], towns.name[ok], towns.population[ok])
        self.town_span_km = span_km

    def _clear(self) -> None:
        self.sea = None
        self.coast = {}
        self.rivers = self.borders = QtGui.QPainterPath()
        self.towns = (np.empty(0), np.empty(0), np.empty(0, dtype=object), np.empty(0))
        self._drawn = None
        self._snap_lines = {}


def _near_places(lon: np.ndarray, lat: np.ndarray, places) -> np.ndarray:
    """Towns within ~5 km of a scenario place (often the same town, spelt otherwise): the
    place layer labels it."""
    near = np.zeros(len(lon), dtype=bool)
    for p in places:
        dx = (lon - p.lon) * np.cos(np.radians(p.lat))
        near |= np.hypot(dx, lat - p.lat) * 111.0 < RESERVED_KM
    return near


def _min_population(span_km: float) -> int:
    if span_km < 700:
        return 0
    if span_km < 2000:
        return 50_000
    if span_km < 6000:
        return 250_000
    return 1_000_000


def _project(proj: Projection, lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(lonlat) == 0:
        return np.empty(0), np.empty(0)
    with np.errstate(all="ignore"):
        x, y = proj.forward(lonlat[:, 0], lonlat[:, 1])
    x, y = np.asarray(x, float), np.asarray(y, float)
    bad = ~(np.isfinite(x) & np.isfinite(y)) | (np.abs(x) > 1e8) | (np.abs(y) > 1e8)
    if bad.any():  # the path breaks the line at non-finite points
        x[bad] = np.nan
        y[bad] = np.nan
    return x, y


def _gather(data: bm.BasemapLayerData, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point indices of polylines `idx` (to index already projected x, y) and their offsets."""
    lengths = data.lengths[idx]
    offsets = np.zeros(len(idx) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.repeat(data.offsets[idx] - offsets[:-1], lengths) + np.arange(offsets[-1]), offsets


# -- the layers --------------------------------------------------------------------------------
class _BasemapPart(MapLayer):
    group = "Basemap"
    cacheable = True

    def __init__(self, source: BasemapSource) -> None:
        super().__init__()
        self.source = source

    def attach(self, scene) -> None:
        super().attach(scene)
        self.source.join(self)

    def close(self) -> None:
        self.source.leave(self)
        super().close()

    def view_changed(self, settings: MapSettings) -> None:
        self.source.view_changed(settings)

    def prepare(self, settings: MapSettings) -> None:
        self.source.prepare(settings)

    def projection_changed(self) -> None:
        self.source.projection_changed()


class LandLayer(_BasemapPart):
    """Sea, land and lakes (GSHHG levels: odd land, even water, drawn in level order)."""

    id, title, z = "basemap.land", "Land and water", -100.0

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if self.source.sea is None:
            return
        c = palette(settings)
        painter.setTransform(map_transform(settings), True)
        painter.fillRect(self.source.sea, c["sea"])
        painter.setPen(scaled(c["coast"], settings.pixel_ratio))
        for level in sorted(self.source.coast):
            painter.setBrush(c["land"] if level in bm.LAND_LEVELS else c["sea"])
            painter.drawPath(self.source.coast[level])

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect, SEA)
        painter.fillRect(QtCore.QRectF(rect.left(), rect.top(), rect.width() * 0.6, rect.height()), LAND)


class _Lines(_BasemapPart):
    pen: QtGui.QPen
    kind = ""

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        painter.setTransform(map_transform(settings), True)
        painter.setPen(scaled(palette(settings)[self.kind], settings.pixel_ratio))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawPath(self.source.rivers if self.kind == "river" else self.source.borders)

    def snap_polylines(self) -> dict[str, list[np.ndarray]]:
        return {self.kind: self.source.snap_polylines(self.kind)}

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(self.pen)
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))


class RiversLayer(_Lines):
    id, title, z, pen, kind = "basemap.rivers", "Rivers", -95.0, RIVER_PEN, "river"


class BordersLayer(_Lines):
    id, title, z, pen, kind = "basemap.borders", "Borders", -94.0, BORDER_PEN, "border"


class TownsLayer(_BasemapPart):
    """Towns (GeoNames): labels thinned in the shared registry, after places, markup and
    grid labels; unlabelled dots help at regional scale, on a continent they only clutter."""

    id, title, z = "basemap.towns", "Towns", -92.0
    label_rank = 30

    def __init__(self, source: BasemapSource) -> None:
        super().__init__(source)
        self.labelled = np.empty(0, dtype=np.int64)   # indices into source.towns

    def layout_labels(self, settings: MapSettings, registry) -> None:
        x, y, names, _ = self.source.towns
        self.labelled = registry.thin(*registry.to_screen(x, y), names, MAX_LABELS) if len(x) else \
            np.empty(0, dtype=np.int64)
        self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        x, y, names, population = self.source.towns
        labelled = self.labelled[self.labelled < len(x)]
        dots = np.arange(len(x)) if self.source.town_span_km < 2500 else labelled
        if not len(dots):
            return
        r, c = settings.pixel_ratio, palette(settings)
        dx, dy = settings.to_device(x, y)
        painter.setPen(scaled(c["town_pen"], r))
        painter.setBrush(c["town"])
        for i in dots.tolist():
            radius = (7.0 if population[i] >= 100_000 else 5.0) * r / 2
            painter.drawEllipse(QtCore.QPointF(dx[i], dy[i]), radius, radius)
        font = label_font(TOWN_LABEL_PT, r)
        for i in labelled.tolist():
            draw_label(painter, font, str(names[i]), dx[i], dy[i], ANCHORS[0], c["town"], r)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setBrush(TOWN)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.drawEllipse(QtCore.QPointF(rect.left() + 4, rect.center().y()), 2.5, 2.5)
        painter.setPen(TOWN)
        painter.drawText(rect.adjusted(9, 0, 0, 0), int(QtCore.Qt.AlignmentFlag.AlignVCenter), "Aa")


def basemap_layers(context) -> list[MapLayer]:
    """The `map_layer` contribution: the four parts of the built-in basemap."""
    source = BasemapSource()
    return [LandLayer(source), RiversLayer(source), BordersLayer(source), TownsLayer(source)]

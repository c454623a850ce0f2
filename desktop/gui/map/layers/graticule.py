"""Latitude/longitude graticule with edge labels, drawn as projected curves.

Meridians and parallels are densified in lon/lat and projected with one pyproj call, so
they curve correctly in any display CRS. The interval follows the zoom (30 deg down to
1'); lines are rebuilt after a pan or zoom (debounced), labels are found along the
output's edges at every paint (cheap: a crossing search on the cached curves) and
reserved in the shared label registry once the view rests.
"""
from __future__ import annotations

import logging
import math

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core import basemap as bm
from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import label_box
from desktop.gui.map.layers.painting import draw_label, label_font, map_transform, pen, polylines_path, scaled

log = logging.getLogger(__name__)

LINE_PEN = pen((120, 120, 120, 110), 1.0)
LABEL = QtGui.QColor("#505050")
LABEL_FILL = QtGui.QColor(255, 255, 255, 150)
# (lines, label text, label fill) by day and in night mode (MapSettings.night).
INK = {False: (LINE_PEN, LABEL, LABEL_FILL),
       True: (pen((170, 170, 170, 90), 1.0), QtGui.QColor("#c0c0c0"), QtGui.QColor(20, 20, 20, 150))}
LABEL_PT = 7.5
DEBOUNCE_MS = 80

# degrees: 30, 20, 10, 5, 2, 1, 30', 15', 10', 5', 2', 1'
INTERVALS = (30.0, 20.0, 10.0, 5.0, 2.0, 1.0, 30 / 60, 15 / 60, 10 / 60, 5 / 60, 2 / 60, 1 / 60)
SAMPLES = 96  # points per meridian/parallel: smooth curves at any zoom


def choose_interval(span_deg: float, max_lines: int = 7) -> float:
    """Finest interval from INTERVALS that puts at most `max_lines` lines across `span_deg`."""
    fitting = [s for s in INTERVALS if span_deg / s <= max_lines]
    return min(fitting) if fitting else INTERVALS[0]


def format_coord(value: float, step: float, axis: str) -> str:
    """'36°N', '38°30'E', '0°'. `axis` is 'lat' or 'lon'; minutes only when `step` < 1 deg."""
    if axis == "lon":
        value = (value + 180.0) % 360.0 - 180.0
        if math.isclose(value, -180.0):
            value = 180.0
    minutes = int(round(abs(value) * 60.0))
    deg, minute = divmod(minutes, 60)
    hemi = "" if minutes == 0 or (axis == "lon" and deg == 180 and minute == 0) else \
        ("N" if value > 0 else "S") if axis == "lat" else ("E" if value > 0 else "W")
    if step >= 1.0 or minute == 0:
        return f"{deg}°{hemi}"
    return f"{deg}°{minute:02d}'{hemi}"


def _contains(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def _first_crossing(a: np.ndarray, b: np.ndarray, level: float, lo: float, hi: float) -> float | None:
    """Along the curve (a, b), the `b` of the first point where `a` == level and lo <= b <= hi."""
    s = a - level
    ok = np.isfinite(s[:-1]) & np.isfinite(s[1:]) & (s[:-1] * s[1:] <= 0) & (s[:-1] != s[1:])
    for i in np.flatnonzero(ok):
        t = s[i] / (s[i] - s[i + 1])
        v = b[i] + t * (b[i + 1] - b[i])
        if lo <= v <= hi:
            return float(v)
    return None


class GraticuleLayer(MapLayer):
    """The lat/lon grid. `show_labels`: the edge labels (an export may leave them out)."""

    id, title, group, z = "graticule", "Lat/lon graticule", "Grids", -93.0
    cacheable = True
    label_rank = 20

    def __init__(self, *, max_lines: int = 7, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__()
        self.max_lines = max_lines
        self.show_labels = True
        self.interval: float | None = None
        self.path = QtGui.QPainterPath()
        self._built: tuple | None = None   # (projection, lon/lat box the curves cover)
        self._curves: list[tuple[str, float, np.ndarray, np.ndarray]] = []  # axis, value, x, y
        self._pending: MapSettings | None = None
        self._timer = self.debounce(debounce_ms, self._on_timer)

    def description(self, settings: MapSettings) -> str:
        """What the graticule shows for `settings`: 'lat/lon 10'' (the page's caption)."""
        self.prepare(settings)
        step = self.interval
        if step is None:
            return "lat/lon"
        return f"lat/lon {step:g}°" if step >= 1.0 else f"lat/lon {round(step * 60):d}'"

    @property
    def rebuild_pending(self) -> bool:
        return self._timer.active

    def view_changed(self, settings: MapSettings) -> None:
        self._pending = settings
        self._timer.start()

    def _on_timer(self) -> None:
        if self._pending is not None:
            self.prepare(self._pending)

    def projection_changed(self) -> None:
        self._built = None
        self.path = QtGui.QPainterPath()
        self._curves = []
        self.changed()

    def prepare(self, settings: MapSettings) -> None:
        """Rebuild the lines for `settings` if needed."""
        self._timer.stop()
        try:
            if self._rebuild_if_needed(settings):
                self.changed()
        except Exception as exc:  # noqa: BLE001 - a graticule failure must not take the map down
            log.warning("graticule disabled: %s", exc)
            self.path = QtGui.QPainterPath()
            self._curves = []
            self._built = None
            self.changed()

    def _rebuild_if_needed(self, settings: MapSettings) -> bool:
        proj = settings.projection
        x0, y0, x1, y1 = settings.extent
        view_box = bm.view_lonlat_box(proj, x0, x1, y0, y1)
        if view_box is None:
            self.path, self._curves, self._built = QtGui.QPainterPath(), [], None
            return True
        lon0, lat0, lon1, lat1 = view_box
        span = max(lat1 - lat0, (lon1 - lon0) * max(math.cos(math.radians((lat0 + lat1) / 2)), 0.05))
        step = choose_interval(span, self.max_lines)
        if self._built is not None and self._built[0] == proj and step == self.interval \
                and _contains(self._built[1], view_box):
            return False
        box = bm.view_lonlat_box(proj, x0, x1, y0, y1, margin=0.5)
        lon0, lat0, lon1, lat1 = box
        lat0, lat1 = max(lat0, -89.0), min(lat1, 89.0)
        lons = np.arange(math.ceil(lon0 / step - 1e-9), math.floor(lon1 / step + 1e-9) + 1) * step
        lats = np.arange(math.ceil(lat0 / step - 1e-9), math.floor(lat1 / step + 1e-9) + 1) * step
        if len(lons) + len(lats) > 400:  # cannot happen with sane intervals; guard anyway
            raise ValueError(f"graticule would have {len(lons) + len(lats)} lines")
        t = np.linspace(0.0, 1.0, SAMPLES)
        mer_lon = np.repeat(lons, SAMPLES)
        mer_lat = np.tile(lat0 + t * (lat1 - lat0), len(lons))
        par_lon = np.tile(lon0 + t * (lon1 - lon0), len(lats))
        par_lat = np.repeat(lats, SAMPLES)
        with np.errstate(all="ignore"):
            x, y = proj.forward(np.concatenate([mer_lon, par_lon]), np.concatenate([mer_lat, par_lat]))
        x, y = np.asarray(x, float), np.asarray(y, float)
        bad = ~(np.isfinite(x) & np.isfinite(y)) | (np.abs(x) > 1e8) | (np.abs(y) > 1e8)
        x[bad] = np.nan
        y[bad] = np.nan
        n = len(lons) + len(lats)
        self.path = polylines_path(x, y, np.arange(n + 1) * SAMPLES)
        values = [("lon", v) for v in lons] + [("lat", v) for v in lats]
        self._curves = [(axis, float(v), x[i * SAMPLES:(i + 1) * SAMPLES], y[i * SAMPLES:(i + 1) * SAMPLES])
                        for i, (axis, v) in enumerate(values)]
        self.interval = step
        self._built = (proj, box)
        return True

    def labels(self, settings: MapSettings) -> list[tuple[str, float, float, tuple]]:
        """(text, x, y, anchor) of the edge labels for `settings`: meridians on the bottom
        edge, parallels on the left one (display coordinates)."""
        if not self.show_labels:
            return []
        px, py = (abs(v) * settings.pixel_ratio for v in settings.map_units_per_pixel)  # a screen pixel
        xmin, ymin, xmax, ymax = settings.extent
        inset = 3 + self._edge_band_px()  # inside the MGRS grid's figures when it is shown
        placed = []
        for axis, value, x, y in self._curves:
            text = format_coord(value, self.interval or 1.0, axis)
            if axis == "lon":
                level = ymin + inset * py
                at = _first_crossing(y, x, level, xmin + 45 * px, xmax - 20 * px)
                if at is not None:
                    placed.append((text, at, level, (0.5, 1.0)))
            else:
                level = xmin + inset * px
                at = _first_crossing(x, y, level, ymin + 20 * py, ymax - 10 * py)
                if at is not None:
                    placed.append((text, level, at, (0.0, 0.5)))
        return placed

    def _edge_band_px(self) -> float:
        others = self.scene.drawing_order() if self.scene is not None else []
        return max((layer.edge_band_px for layer in others if layer is not self), default=0.0)

    def layout_labels(self, settings: MapSettings, registry) -> None:
        placed = self.labels(settings)
        if placed:
            sx, sy = registry.to_screen([p[1] for p in placed], [p[2] for p in placed])
            registry.reserve([label_box(a, b, text, anchor) for (text, _, _, anchor), a, b in zip(placed, sx, sy)])

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        line_pen, text, fill = INK[settings.night]
        painter.save()
        painter.setTransform(map_transform(settings), True)
        painter.setPen(scaled(line_pen, r))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)
        painter.restore()
        placed = self.labels(settings)
        if placed:
            font = label_font(LABEL_PT, r)
            dx, dy = settings.to_device([p[1] for p in placed], [p[2] for p in placed])
            for (label, _, _, anchor), x, y in zip(placed, dx.tolist(), dy.tolist()):
                draw_label(painter, font, label, x, y, anchor, text, r, fill=fill)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(QtGui.QColor(120, 120, 120), 1))
        for f in (0.33, 0.66):
            painter.drawLine(QtCore.QPointF(rect.left() + f * rect.width(), rect.top()),
                             QtCore.QPointF(rect.left() + f * rect.width(), rect.bottom()))
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))


def graticule_layer(context) -> GraticuleLayer:
    """The `map_layer` contribution."""
    return GraticuleLayer()

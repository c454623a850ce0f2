"""Latitude/longitude graticule with edge labels, drawn as projected curves.

Meridians and parallels are densified in lon/lat and projected with one pyproj call, so
they curve correctly in any display CRS. The interval follows the zoom (30 deg down to
1'); lines are rebuilt on a debounced range change, labels are moved along the view
edges at once (cheap: a crossing search on the cached curves).
"""
from __future__ import annotations

import logging
import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core import basemap as bm
from desktop.core.geodesy import Projection
from desktop.gui.basemap_layer import InertPathItem, add_to_plot, polylines_path, view_rect

log = logging.getLogger(__name__)

Z_LINES = -93.0   # over the basemap's land, water and borders, under towns and the document
Z_LABELS = -88.0

LINE = QtGui.QColor(120, 120, 120, 110)
LABEL = QtGui.QColor("#505050")
# (lines, label text, label fill) by day and in night mode (desktop.gui.theme).
INK = {False: (LINE, LABEL, (255, 255, 255, 150)),
       True: (QtGui.QColor(170, 170, 170, 90), QtGui.QColor("#c0c0c0"), (20, 20, 20, 150))}

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


class GraticuleLayer(QtCore.QObject):
    """Graticule of one plot. Call `set_projection` when the display CRS changes."""

    def __init__(self, plot_item: pg.PlotItem, projection: Projection, *, debounce_ms: int = 80,
                 max_lines: int = 7, parent: QtCore.QObject | None = None):
        super().__init__(parent if parent is not None else plot_item)  # dies with the plot
        self.plot_item = plot_item
        self.projection = projection
        self.max_lines = max_lines
        self.interval: float | None = None
        self._built_box = None
        self._curves: list[tuple[str, float, np.ndarray, np.ndarray]] = []  # axis, value, x, y
        self._visible = True
        self._night = False
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.refresh)
        self.lines = InertPathItem(pg.mkPen(LINE, width=1.0))
        add_to_plot(plot_item, self.lines, Z_LINES)
        self.labels: list[pg.TextItem] = []
        self._font = QtGui.QFont()
        self._font.setPointSizeF(7.5)
        plot_item.getViewBox().sigRangeChanged.connect(self._on_range_changed)
        self._timer.start()

    @property
    def items(self) -> list[QtWidgets.QGraphicsItem]:
        return [self.lines, *self.labels]

    @property
    def rebuild_pending(self) -> bool:
        """True while a rebuild for the current view is still to come (debounced)."""
        return self._timer.isActive()

    def set_projection(self, projection: Projection) -> None:
        self.projection = projection
        self._built_box = None
        self.refresh()

    def set_visible(self, visible: bool) -> None:
        self._visible = bool(visible)
        self.lines.setVisible(self._visible)
        for label in self.labels:
            label.setVisible(False)
        if self._visible:
            self._built_box = None
            self.refresh()

    def remove(self) -> None:
        self._timer.stop()
        try:
            self.plot_item.getViewBox().sigRangeChanged.disconnect(self._on_range_changed)
        except (RuntimeError, TypeError):
            pass
        for item in self.items:
            self.plot_item.removeItem(item)
        self.labels.clear()

    def refresh(self) -> None:
        """Rebuild the lines for the current view if needed, then place the labels."""
        self._timer.stop()
        if not self._visible:
            return
        rect = view_rect(self.plot_item)
        if rect is None:
            return
        try:
            self._rebuild_if_needed(rect)
            self._place_labels(rect)
        except Exception as exc:  # noqa: BLE001 - a graticule failure must not take the map down
            log.warning("graticule disabled: %s", exc)
            self.lines.setPath(QtGui.QPainterPath())
            self._curves = []
            self._built_box = None
            self._show_labels([])

    # ------------------------------------------------------------------ internals
    def _on_range_changed(self, *_args) -> None:
        self._timer.start()
        if self._visible and self._curves:
            rect = view_rect(self.plot_item)
            if rect is not None:
                self._place_labels(rect)  # keep labels on the edges while panning

    def _rebuild_if_needed(self, rect: QtCore.QRectF) -> None:
        proj = self.projection
        args = (proj, rect.left(), rect.right(), rect.top(), rect.bottom())
        view_box = bm.view_lonlat_box(*args)
        if view_box is None:
            self.lines.setPath(QtGui.QPainterPath())
            self._curves = []
            return
        lon0, lat0, lon1, lat1 = view_box
        span = max(lat1 - lat0, (lon1 - lon0) * max(math.cos(math.radians((lat0 + lat1) / 2)), 0.05))
        step = choose_interval(span, self.max_lines)
        if self._built_box is not None and step == self.interval and _contains(self._built_box, view_box):
            return
        box = bm.view_lonlat_box(*args, margin=0.5)
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
        offsets = np.arange(n + 1) * SAMPLES
        self.lines.setPath(polylines_path(x, y, offsets))
        values = [("lon", v) for v in lons] + [("lat", v) for v in lats]
        self._curves = [(axis, float(v), x[i * SAMPLES:(i + 1) * SAMPLES], y[i * SAMPLES:(i + 1) * SAMPLES])
                        for i, (axis, v) in enumerate(values)]
        self.interval = step
        self._built_box = box

    def _place_labels(self, rect: QtCore.QRectF) -> None:
        vb = self.plot_item.getViewBox()
        px, py = (abs(v) for v in vb.viewPixelSize())
        xmin, xmax, ymin, ymax = rect.left(), rect.right(), rect.top(), rect.bottom()
        placed = []
        for axis, value, x, y in self._curves:
            text = format_coord(value, self.interval or 1.0, axis)
            if axis == "lon":  # meridian: label on the bottom edge
                level = ymin + 3 * py
                at = _first_crossing(y, x, level, xmin + 45 * px, xmax - 20 * px)
                if at is not None:
                    placed.append((text, at, level, (0.5, 1.0)))
            else:  # parallel: label on the left edge
                level = xmin + 3 * px
                at = _first_crossing(x, y, level, ymin + 20 * py, ymax - 10 * py)
                if at is not None:
                    placed.append((text, level, at, (0.0, 0.5)))
        self._show_labels(placed)

    def set_night(self, on: bool) -> None:
        """Night colours (desktop.gui.theme) or the day's."""
        self._night = bool(on)
        line, text, fill = INK[self._night]
        self.lines.setPen(pg.mkPen(line, width=1.0))
        for label in self.labels:
            label.setColor(text)
            label.fill = pg.mkBrush(*fill)
            label.update()

    def _show_labels(self, placed) -> None:
        while len(self.labels) < len(placed):
            _, text, fill = INK[self._night]
            label = pg.TextItem(color=text, fill=pg.mkBrush(*fill))
            label.setFont(self._font)
            add_to_plot(self.plot_item, label, Z_LABELS)
            self.labels.append(label)
        for i, label in enumerate(self.labels):
            if i < len(placed):
                text, x, y, anchor = placed[i]
                label.setText(text)
                label.setAnchor(anchor)
                label.setPos(x, y)
                label.setVisible(self._visible)
            else:
                label.setVisible(False)

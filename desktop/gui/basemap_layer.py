"""Offline basemap drawn under everything else on the map: sea, land, lakes, rivers,
borders and towns, from `desktop.core.basemap`.

The data shown follow the view: on a range change (debounced, so panning stays fluid) the
layer picks a resolution for the visible extent, cuts the world layers to a lon/lat box
around the view (half a view of margin each side, so small pans need no rebuild) and
projects each layer with one pyproj call. Missing or bad data leave the map without a
basemap; they never raise into the GUI.
"""
from __future__ import annotations

import logging
import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core import basemap as bm
from desktop.core.geodesy import Projection
from desktop.gui import labels

log = logging.getLogger(__name__)

# Z values: all negative so the document's layers (Z >= 0) stay on top.
Z_SEA = -100.0
Z_COAST = -99.0          # + 0.1 x GSHHG level: lakes over land, islands over lakes
Z_RIVERS = -95.0
Z_BORDERS = -94.0
Z_TOWNS = -92.0
Z_TOWN_LABELS = -91.0

SEA = QtGui.QColor("#c6dcec")
LAND = QtGui.QColor("#efece3")
COAST_PEN = QtGui.QColor("#8fa7b8")
RIVER = QtGui.QColor("#3f83c9")
BORDER = QtGui.QColor("#8a8a8a")
TOWN = QtGui.QColor("#3c3c3c")
# Night mode (desktop.gui.theme): dark land and water, light towns; rivers and borders keep
# their kind. Exports always draw the day colours above.
DAY = {"sea": SEA, "land": LAND, "coast": COAST_PEN, "river": RIVER, "border": BORDER, "town": TOWN}
NIGHT = {"sea": QtGui.QColor("#1d2b38"), "land": QtGui.QColor("#2a2b2d"), "coast": QtGui.QColor("#45596a"),
         "river": QtGui.QColor("#3a6ea8"), "border": QtGui.QColor("#7a7a7a"), "town": QtGui.QColor("#c8c8c8")}

MARGIN = 0.5          # of the view size, each side, cut and drawn beyond the view
RIVERS_MAX_SPAN_KM = 3000.0  # the data has no river ranks: wider views would be all rivers
MAX_LABELS = 40
RESERVED_KM = 5.0


class InertPathItem(QtWidgets.QGraphicsPathItem):
    """A path item the mouse ignores.

    pyqtgraph asks every item under the cursor for its shape() on each mouse move; for a
    QGraphicsPathItem that strokes the whole (huge) path, so the shape is empty here. Qt
    derives a pen-stroked item's bounding rect from shape(), so that is kept separately
    (the pens are cosmetic: a pixel or two, nothing in map units).
    """

    def __init__(self, pen: QtGui.QPen | None = None, brush: QtGui.QBrush | None = None):
        super().__init__()
        self._rect = QtCore.QRectF()
        self.setPen(pen if pen is not None else QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.setBrush(brush if brush is not None else QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        self.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def setPath(self, path: QtGui.QPainterPath) -> None:
        self.prepareGeometryChange()
        self._rect = path.controlPointRect()
        super().setPath(path)

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def shape(self) -> QtGui.QPainterPath:
        return QtGui.QPainterPath()


def polylines_path(x: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> QtGui.QPainterPath:
    """One QPainterPath of many polylines, built in one go (no per-polyline Python)."""
    if len(x) == 0:
        return QtGui.QPainterPath()
    connect = np.ones(len(x), dtype=np.int32)
    connect[np.asarray(offsets[1:]) - 1] = 0  # last vertex of a polyline: no link onward
    return pg.arrayToQPath(np.asarray(x, float), np.asarray(y, float), connect=connect)


def add_to_plot(plot_item: pg.PlotItem, item: QtWidgets.QGraphicsItem, z: float) -> None:
    plot_item.addItem(item, ignoreBounds=True)  # the basemap must not drive auto-range
    item.setZValue(z)  # after addItem: ViewBox.addItem raises Z values below its own


def view_rect(plot_item: pg.PlotItem) -> QtCore.QRectF | None:
    """The view's range in map units; None if empty or the plot is gone."""
    try:
        vb = plot_item.getViewBox()
        r = vb.viewRect() if vb is not None else None
    except RuntimeError:  # the C++ side was deleted with its window
        return None
    if r is None:
        return None
    vals = (r.left(), r.right(), r.top(), r.bottom())
    if not all(np.isfinite(vals)) or r.width() <= 0 or r.height() <= 0:
        return None
    return r


def box_span_km(box) -> float:
    lon0, lat0, lon1, lat1 = box
    coslat = max(np.cos(np.radians((lat0 + lat1) / 2.0)), 0.05)
    return max((lon1 - lon0) * 111.32 * coslat, (lat1 - lat0) * 110.57)


class BasemapLayer(QtCore.QObject):
    """The basemap of one plot. Call `set_projection` when the display CRS changes."""

    def __init__(self, plot_item: pg.PlotItem, projection: Projection, *, debounce_ms: int = 120,
                 parent: QtCore.QObject | None = None):
        super().__init__(parent if parent is not None else plot_item)  # dies with the plot
        self.plot_item = plot_item
        self.projection = projection
        self.error: str | None = None           # last data error, shown by whoever wants to
        self.timings: dict[str, float] = {}     # ms of the last rebuild, for status/benchmarks
        self.resolution: str | None = None
        self._detail = None
        self._snap_lines: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.reserved: tuple = ()
        self._drawn_rect: QtCore.QRectF | None = None  # map area the current paths cover
        self._visible = True
        self.colours = DAY
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.refresh)

        self.sea = QtWidgets.QGraphicsRectItem()
        self.sea.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.sea.setBrush(QtGui.QBrush(SEA))
        self.sea.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.coast: dict[int, InertPathItem] = {}
        self.rivers = InertPathItem(pg.mkPen(RIVER, width=1.8))
        border_pen = pg.mkPen(BORDER, width=1.3, style=QtCore.Qt.PenStyle.DashLine)
        self.borders = InertPathItem(border_pen)
        self.town_dots = pg.ScatterPlotItem(pxMode=True, pen=pg.mkPen("w", width=0.8),
                                            brush=pg.mkBrush(TOWN), symbol="o", size=6)
        self.town_labels: list[pg.TextItem] = []
        self._label_font = QtGui.QFont()
        self._label_font.setPointSizeF(8.0)
        for item, z in ((self.sea, Z_SEA), (self.rivers, Z_RIVERS), (self.borders, Z_BORDERS),
                        (self.town_dots, Z_TOWNS)):
            add_to_plot(plot_item, item, z)
        self.sea.setVisible(False)  # until the first build: no blue screen if data fail
        plot_item.getViewBox().sigRangeChanged.connect(self._schedule)
        self._timer.start()  # first build after the window shows: never block start-up

    # ------------------------------------------------------------------ public API
    @property
    def items(self) -> list[QtWidgets.QGraphicsItem]:
        return [self.sea, *self.coast.values(), self.rivers, self.borders, self.town_dots,
                *self.town_labels]

    @property
    def rebuild_pending(self) -> bool:
        """True while a rebuild for the current view is still to come (debounced)."""
        return self._timer.isActive()

    def set_projection(self, projection: Projection) -> None:
        """Re-project everything for a new display CRS (rebuilds now)."""
        self.projection = projection
        self._drawn_rect = None
        self.refresh()

    def set_visible(self, visible: bool) -> None:
        self._visible = bool(visible)
        for item in self.items:
            item.setVisible(self._visible)
        if self._visible:
            self._drawn_rect = None
            self.refresh()

    def set_night(self, on: bool) -> None:
        """Night colours (desktop.gui.theme) or the day's, on the items drawn and to come."""
        c = self.colours = NIGHT if on else DAY
        self.sea.setBrush(QtGui.QBrush(c["sea"]))
        for level, item in self.coast.items():
            item.setPen(pg.mkPen(c["coast"], width=0.8))
            item.setBrush(QtGui.QBrush(c["land"] if level in bm.LAND_LEVELS else c["sea"]))
        self.rivers.setPen(pg.mkPen(c["river"], width=1.8))
        self.borders.setPen(pg.mkPen(c["border"], width=1.3, style=QtCore.Qt.PenStyle.DashLine))
        self.town_dots.setBrush(pg.mkBrush(c["town"]))
        self.town_dots.setPen(pg.mkPen("k" if on else "w", width=0.8))
        for label in self.town_labels:
            label.setColor(c["town"])

    def remove(self) -> None:
        """Take every item off the plot and stop listening to it."""
        self._timer.stop()
        try:
            self.plot_item.getViewBox().sigRangeChanged.disconnect(self._schedule)
        except (RuntimeError, TypeError):
            pass
        for item in self.items:
            self.plot_item.removeItem(item)
        self.coast.clear()
        self.town_labels.clear()

    def refresh(self) -> None:
        """Bring the basemap up to date with the view now (the debounce timer calls this)."""
        self._timer.stop()
        if not self._visible:
            return
        rect = view_rect(self.plot_item)
        if rect is None:
            return
        try:
            self._refresh(rect)
        except Exception as exc:  # noqa: BLE001 - a basemap failure must never take the map down
            log.warning("basemap disabled: %s", exc)
            self.error = str(exc)
            self._clear()

    # ------------------------------------------------------------------ internals
    def snap_polylines(self) -> dict[str, list[np.ndarray]]:
        """Drawn rivers and borders (display coordinates) for the line tool's snapping."""
        out = {}
        for kind, name in (("rivers", "river"), ("borders", "border")):
            if kind in self._snap_lines:
                x, y, offsets = self._snap_lines[kind]
                xy = np.column_stack([x, y])
                out[name] = [xy[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
        return out

    def _schedule(self, *_args) -> None:
        self._timer.start()  # restart: rebuild once the view stops moving

    def _refresh(self, rect: QtCore.QRectF) -> None:
        t0 = time.perf_counter()
        proj = self.projection
        xmin, xmax, ymin, ymax = rect.left(), rect.right(), rect.top(), rect.bottom()
        view_box = bm.view_lonlat_box(proj, xmin, xmax, ymin, ymax)
        if view_box is None:
            self._clear()
            return
        span_km = box_span_km(view_box)
        detail = (bm.resolution_for(span_km), span_km <= RIVERS_MAX_SPAN_KM)
        drawn = self._drawn_rect
        if (drawn is None or detail != self._detail or not drawn.contains(rect)
                or drawn.width() > 16.0 * rect.width()):  # zoomed far in: cut again, smaller
            clip_box = bm.view_lonlat_box(proj, xmin, xmax, ymin, ymax, margin=MARGIN)
            self._build(clip_box, detail, rect)
            self.timings["build_ms"] = (time.perf_counter() - t0) * 1000.0
        t1 = time.perf_counter()
        self._update_towns(view_box, span_km, rect)
        self.timings["towns_ms"] = (time.perf_counter() - t1) * 1000.0

    def _build(self, clip_box, detail: tuple[str, bool], rect: QtCore.QRectF) -> None:
        proj = self.projection
        res, with_rivers = detail
        kinds = bm.KINDS if with_rivers else tuple(k for k in bm.KINDS if k != "rivers")
        layers = {kind: bm.load_layer(kind, res).clip(clip_box) for kind in kinds}
        # The drawn area is the view grown by MARGIN; clip_box is the lon/lat box around
        # it, so the paths cover all of it. The sea is what land polygons leave uncovered.
        mx, my = rect.width() * MARGIN, rect.height() * MARGIN
        drawn = QtCore.QRectF(rect.left() - mx, rect.top() - my, rect.width() + 2 * mx,
                              rect.height() + 2 * my)
        self.sea.setRect(drawn)
        self.sea.setVisible(True)
        coast = layers["coast"]
        x, y = _project(proj, coast.lonlat)
        seen = set()
        for level in np.unique(coast.level):
            gather, offsets = _gather(coast, np.flatnonzero(coast.level == level))
            self._coast_item(int(level)).setPath(polylines_path(x[gather], y[gather], offsets))
            seen.add(int(level))
        for level, item in self.coast.items():
            if level not in seen:
                item.setPath(QtGui.QPainterPath())
        self._snap_lines = {}
        for kind, item in (("rivers", self.rivers), ("borders", self.borders)):
            data = layers.get(kind)
            if data is None:
                item.setPath(QtGui.QPainterPath())
                continue
            x, y = _project(proj, data.lonlat)
            item.setPath(polylines_path(x, y, data.offsets))
            self._snap_lines[kind] = (x, y, data.offsets)
        self.resolution = res
        self._detail = detail
        self._drawn_rect = drawn
        self.error = None

    def _coast_item(self, level: int) -> InertPathItem:
        item = self.coast.get(level)
        if item is None:
            land = level in bm.LAND_LEVELS
            c = self.colours
            item = InertPathItem(pg.mkPen(c["coast"], width=0.8), QtGui.QBrush(c["land"] if land else c["sea"]))
            add_to_plot(self.plot_item, item, Z_COAST + 0.1 * level)
            item.setVisible(self._visible)
            self.coast[level] = item
        return item

    def _update_towns(self, view_box, span_km: float, rect: QtCore.QRectF) -> None:
        try:
            towns = bm.towns_in(view_box, _min_population(span_km))
        except bm.BasemapDataError as exc:
            log.warning("no towns: %s", exc)
            towns = None
        if towns is None or not len(towns):
            self.town_dots.setData([], [])
            self._show_labels([], [], [])
            return
        x, y = self.projection.forward(towns.lon, towns.lat)
        ok = np.isfinite(x) & np.isfinite(y) & ~self._near_reserved(towns.lon, towns.lat)
        x, y, names, pop = x[ok], y[ok], towns.name[ok], towns.population[ok]
        px, py = self.plot_item.getViewBox().viewPixelSize()
        if not px or not py:
            return
        sx, sy = labels.to_pixels(x, y, px, py, rect)
        taken = None
        if self.reserved:
            rx, ry = self.projection.forward([p.lon for p in self.reserved], [p.lat for p in self.reserved])
            rsx, rsy = labels.to_pixels(rx, ry, px, py, rect)
            taken = labels.place_labels(rsx, rsy, [p.name for p in self.reserved])[1]
        keep = labels.thin_labels(sx, sy, names, rect.width() / abs(px), rect.height() / abs(py), taken,
                                  MAX_LABELS)
        # unlabelled dots help at regional scale; on a continent they only clutter
        dots = np.arange(len(x)) if span_km < 2500 else keep
        self.town_dots.setData(x=x[dots], y=y[dots], size=np.where(pop[dots] >= 100_000, 7.0, 5.0))
        self._show_labels(x[keep], y[keep], names[keep])

    def set_reserved_places(self, places) -> None:
        """Scenario places (name, lon, lat) labelled by the map itself: towns at the same
        spot are not drawn again, and town labels keep clear of theirs."""
        self.reserved = tuple(places)
        self.refresh()

    def _near_reserved(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Towns within ~5 km of a reserved place (often the same town, spelt otherwise)."""
        near = np.zeros(len(lon), dtype=bool)
        for p in self.reserved:
            dx = (lon - p.lon) * np.cos(np.radians(p.lat))
            near |= np.hypot(dx, lat - p.lat) * 111.0 < RESERVED_KM
        return near

    def _show_labels(self, x, y, names) -> None:
        while len(self.town_labels) < len(names):
            label = pg.TextItem(color=self.colours["town"], anchor=(0.0, 1.0))
            label.setFont(self._label_font)
            add_to_plot(self.plot_item, label, Z_TOWN_LABELS)
            self.town_labels.append(label)
        for i, label in enumerate(self.town_labels):
            if i < len(names):
                label.setText(str(names[i]))
                label.setPos(float(x[i]), float(y[i]))
                label.setVisible(self._visible)
            else:
                label.setVisible(False)

    def _clear(self) -> None:
        self.sea.setVisible(False)
        for item in (*self.coast.values(), self.rivers, self.borders):
            item.setPath(QtGui.QPainterPath())
        self.town_dots.setData([], [])
        self._show_labels([], [], [])
        self._drawn_rect = None
        self._snap_lines = {}


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
    if bad.any():  # arrayToQPath breaks the line at non-finite points
        x[bad] = np.nan
        y[bad] = np.nan
    return x, y


def _gather(data: bm.BasemapLayerData, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point indices of polylines `idx` (to index already projected x, y) and their offsets."""
    lengths = data.lengths[idx]
    offsets = np.zeros(len(idx) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.repeat(data.offsets[idx] - offsets[:-1], lengths) + np.arange(offsets[-1]), offsets

"""The map part of an export: a throwaway, never-shown MapView rendered into a painter.

The map's pens, symbols and labels are sized in screen pixels. The export builds its own
MapView at the map frame's size in *logical* pixels (device pixels / scale, scale =
dpi / 96) and renders its scene scaled up by `scale`, so a 300-dpi page looks like the
screen, only sharper. Three things ignore a painter's scale and are fixed up on the
throwaway view only (the user's map is never touched):
- cosmetic pens (every map pen): widths are multiplied by `scale`;
- pyqtgraph scatter items in pixel mode (places, towns): put in export mode, which draws
  vector symbols at `resolutionScale`;
- the unit layer's `SymbolItem`s (pre-rendered pixmaps at device size): hidden and
  replaced by `VectorSymbols`, which draws the same symbol, size, pen and brush as one
  vector path per item (crisp in PDF/SVG, one draw call for thousands of units).
Text items get pixel-sized fonts so the page does not depend on the screen's dpi. Items
that draw themselves in device pixels (markup) are told the scale (`set_export_scale`).
"""
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.document import Document
from desktop.core.events import Signal
from desktop.core.geodesy import Projection
from desktop.core.selection import Selection
from desktop.gui.map_view import MapView
from desktop.gui.unit_items import SymbolItem

AO_PADDING = 0.04  # of the AO's size, each side, for extent "ao"


class VectorSymbols(QtWidgets.QGraphicsItem):
    """Draws what a `SymbolItem` shows, as vector paths at `scale` times its pixel size."""

    def __init__(self, source: SymbolItem, scale: float) -> None:
        super().__init__()
        self.source = source
        self.scale = scale
        # SymbolItem keeps (symbol, size px, pen, brush) privately; reading it keeps the
        # export in step with whatever style the unit layer gives its markers.
        self.symbol, self.size, pen, self.brush = source._style  # noqa: SLF001
        self.pen = scaled_pen(pen, scale)
        self.setZValue(source.zValue())

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return self.source.boundingRect()

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        x, y = self.source.getData()
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return
        t = p.transform()
        dx = t.m11() * x[ok] + t.m21() * y[ok] + t.dx()
        dy = t.m12() * x[ok] + t.m22() * y[ok] + t.dy()
        shape = symbol_polygon(self.symbol, self.size * self.scale)
        p.save()
        p.resetTransform()
        p.setPen(self.pen)
        p.setBrush(self.brush)
        p.drawPath(tiled_path(shape, dx, dy))
        p.restore()


def symbol_polygon(symbol: str, size: float) -> np.ndarray:
    """Closed outline (k x 2) of a pyqtgraph symbol (name or QPainterPath) `size` wide,
    centred on 0, y down."""
    path = Symbols[symbol] if isinstance(symbol, str) else symbol
    polys = path.toSubpathPolygons(QtGui.QTransform.fromScale(size, size))
    pts = np.array([(q.x(), q.y()) for q in polys[0]], dtype=float)
    if not np.allclose(pts[0], pts[-1]):
        pts = np.vstack([pts, pts[:1]])
    return pts


def tiled_path(shape: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> QtGui.QPainterPath:
    """One path: `shape` translated to every (dx, dy), built with numpy (no Python loop).
    Winding fill so overlapping symbols do not punch holes in each other."""
    k = len(shape)
    xs = (dx[:, None] + shape[None, :, 0]).ravel()
    ys = (dy[:, None] + shape[None, :, 1]).ravel()
    connect = np.ones((len(dx), k), dtype=bool)
    connect[:, -1] = False
    path = pg.arrayToQPath(xs, ys, connect.ravel())
    path.setFillRule(QtCore.Qt.FillRule.WindingFill)
    return path


def scaled_pen(pen: QtGui.QPen, scale: float) -> QtGui.QPen:
    out = QtGui.QPen(pen)
    if out.isCosmetic():
        out.setWidthF(max(out.widthF(), 1.0) * scale)  # width 0 is a 1-pixel hairline
    return out


class OffscreenMap:
    """A MapView of `document` sized `logical` pixels, never shown, showing `rect`.

    Use as a context manager (`offscreen_map`): on exit it disconnects from the document
    and is deleted, so exports leave nothing listening to the user's document."""

    def __init__(self, document: Document, logical: QtCore.QSize, scale: float,
                 projection: Projection | None = None, rect: QtCore.QRectF | None = None,
                 graticule_labels: bool = True, buffer_band: bool = True, amplifiers=None, units=None) -> None:
        self.document = document
        self.scale = scale
        self._listeners = _listeners(document)
        view = self.view = MapView(document, Selection(), cache_static=False)  # vector basemap
        if projection is not None and projection != view.projection:  # same CRS and origin: nothing to do
            view.set_projection(projection)
        view.sector_layer.set_buffer_visible(buffer_band)
        if amplifiers is not None:
            view.unit_layer.detail.set_amplifiers(amplifiers)
        if units is not None:  # what measurements and range rings say
            view.set_measure_units(units)
        view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.plot_item.layout.setContentsMargins(0, 0, 0, 0)
        view.resize(logical)
        view.show()  # WA_DontShowOnScreen: lays the view out, maps no window
        QtWidgets.QApplication.sendPostedEvents()
        vb = view.view_box
        if rect is None:
            rect = ao_rect(view)
        vb.setRange(xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()), padding=0)
        self._settle(graticule_labels)
        self._prepare_items()

    def _settle(self, graticule_labels: bool) -> None:
        """Run now what the view would do on its debounce timers."""
        view = self.view
        for layer in view._optional_layers:  # noqa: SLF001 - basemap and graticule
            layer.refresh()
            if not graticule_labels and type(layer).__name__ == "GraticuleLayer":
                for label in layer.labels:
                    label.setVisible(False)
        view._layout_place_labels()  # noqa: SLF001 - normally on a 60 ms timer
        view._label_timer.stop()  # noqa: SLF001
        # The unit layer rebuilds its level of detail for this view size (density raster
        # or markers), not the size of whatever view existed before.
        view.unit_layer.rebuild_view()

    def _prepare_items(self) -> None:
        s = self.scale
        plot = self.view.plot_item
        for item in list(self.view.scene().items()):
            if hasattr(item, "set_export_scale"):  # items that size themselves in pixels (markup)
                item.set_export_scale(s)
            elif isinstance(item, SymbolItem):
                if item.isVisible() and len(item):
                    vector = VectorSymbols(item, s)
                    plot.addItem(vector, ignoreBounds=True)
                    vector.setZValue(item.zValue())
                item.setVisible(False)
            elif isinstance(item, pg.ScatterPlotItem):
                item.setPen(scaled_pen(item.opts["pen"], s))
                item.setExportMode(True, {"antialias": True, "resolutionScale": s})
            elif isinstance(item, pg.PlotCurveItem):
                if item.opts["pen"] is not None:
                    item.setPen(scaled_pen(item.opts["pen"], s))
                # Antialiased whatever pyqtgraph's global option says (the GUI sets it, the
                # CLI does not): the same page from both.
                item.setExportMode(True, {"antialias": True})
            elif isinstance(item, QtWidgets.QAbstractGraphicsShapeItem):
                item.setPen(scaled_pen(item.pen(), s))
            elif isinstance(item, pg.TextItem):
                font = QtGui.QFont(item.textItem.font())
                if font.pointSizeF() > 0:
                    font.setPixelSize(max(1, round(font.pointSizeF() * 96.0 / 72.0)))
                    item.setFont(font)

    # -- geometry ---------------------------------------------------------------------------
    @property
    def view_rect(self) -> QtCore.QRectF:
        """Display coordinates shown (pyqtgraph: top() is the smallest y)."""
        return self.view.view_box.viewRect()

    @property
    def source_rect(self) -> QtCore.QRectF:
        """The ViewBox in scene (logical pixel) coordinates: what the frame shows."""
        vb = self.view.view_box
        return vb.mapRectToScene(QtCore.QRectF(0, 0, vb.width(), vb.height()))

    def render(self, painter: QtGui.QPainter, target: QtCore.QRectF) -> None:
        """Paint the map into `target` (painter coordinates), clipped to it."""
        scene = self.view.scene()
        # pyqtgraph's TextItem replaces the painter's transform on its first paint after
        # joining a scene: a throwaway paint gets that out of the way.
        scratch = QtGui.QImage(8, 8, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        p = QtGui.QPainter(scratch)
        scene.render(p, QtCore.QRectF(0, 0, 8, 8), self.source_rect)
        p.end()
        painter.save()
        painter.setClipRect(target)
        painter.fillRect(target, QtGui.QColor("white"))
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing, True)
        scene.render(painter, target, self.source_rect, QtCore.Qt.AspectRatioMode.IgnoreAspectRatio)
        painter.restore()

    def close(self) -> None:
        view = self.view
        # Whatever the view connected to the document (today analysis and units changes)
        # is disconnected, so no export leaves a listener behind.
        before = self._listeners
        for name, signal in _signals(self.document).items():
            for slot in list(signal._slots):  # noqa: SLF001
                if slot not in before.get(name, ()):
                    signal.disconnect(slot)
        for layer in view._optional_layers:  # noqa: SLF001
            layer.remove()
        view._label_timer.stop()  # noqa: SLF001
        view.unit_layer._timer.stop()  # noqa: SLF001
        view.close()
        view.deleteLater()


def _signals(document: Document) -> dict[str, Signal]:
    return {name: value for name, value in vars(document).items() if isinstance(value, Signal)}


def _listeners(document: Document) -> dict[str, list]:
    return {name: list(signal._slots) for name, signal in _signals(document).items()}  # noqa: SLF001


def ao_rect(view: MapView) -> QtCore.QRectF:
    """The AO's bounding box in display coordinates, padded a little."""
    ring = view.document.ao.densified()
    x, y = view.to_display(*ring)
    w, h = float(np.ptp(x)), float(np.ptp(y))
    return QtCore.QRectF(float(x.min()) - AO_PADDING * w, float(y.min()) - AO_PADDING * h,
                         w * (1 + 2 * AO_PADDING), h * (1 + 2 * AO_PADDING))


@contextlib.contextmanager
def offscreen_map(*args, **kwargs) -> Iterator[OffscreenMap]:
    m = OffscreenMap(*args, **kwargs)
    try:
        yield m
    finally:
        m.close()

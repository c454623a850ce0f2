"""Two lean graphics items for drawing many units fast.

`SymbolItem` draws one pre-rendered symbol at many points (like a pxMode
`ScatterPlotItem` with one style), but `setData` is pure numpy: ScatterPlotItem spends
~1.5 µs of Python per point in `setData` (style keys, atlas look-ups), too slow for rings
rebuilt on every drag step. `RasterItem` draws a numpy ARGB buffer as an image at a data
rect; the buffer is shared with the QImage, so an in-place edit plus `update()` costs no
conversion (pyqtgraph's ImageItem re-converts the whole array on every `setImage`).

Neither item takes part in picking: they have an empty shape and accept no buttons, so
mouse events pass through to the view (units are picked with `UnitLayer.unit_at`).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6 import QtCore, QtGui


class _InertItem(pg.GraphicsObject):
    def __init__(self, z: float) -> None:
        super().__init__()
        self.setZValue(z)
        self.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        self.setAcceptHoverEvents(False)

    def shape(self) -> QtGui.QPainterPath:
        return QtGui.QPainterPath()


class PixelSizedItem(_InertItem):
    """An inert item that draws in device pixels around data points (symbols, names,
    markup): its bounding rect is its data rect padded by `pad_px()` screen pixels, and an
    export tells it the page scale (`set_export_scale`) so it keeps its size on paper."""

    def __init__(self, z: float) -> None:
        super().__init__(z)
        self.export_scale = 1.0
        self.exporting = False

    def data_rect(self) -> QtCore.QRectF | None:
        raise NotImplementedError

    def pad_px(self) -> float:
        raise NotImplementedError

    def set_export_scale(self, scale: float) -> None:
        self.prepareGeometryChange()
        self.export_scale, self.exporting = scale, True
        self.update()

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802 - pyqtgraph API
        return (None, None)  # drawn in pixels: never drives auto-range

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        rect = self.data_rect()
        if rect is None:
            return QtCore.QRectF()
        px, py = self.pixelVectors()
        pad = self.pad_px() * self.export_scale
        pad_x = pad * (px.length() if px is not None else 0.0)
        pad_y = pad * (py.length() if py is not None else 0.0)
        return rect.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def viewTransformChanged(self) -> None:  # noqa: N802 - the pixel padding follows the zoom
        self.prepareGeometryChange()
        super().viewTransformChanged()


class SymbolItem(_InertItem):
    """One symbol (pyqtgraph symbol name or QPainterPath, size in px, pen, brush) drawn at
    each (x, y)."""

    def __init__(self, symbol: str, size: float, pen: QtGui.QPen, brush: QtGui.QBrush | None,
                 z: float) -> None:
        super().__init__(z)
        self._style = (symbol, size, pen, brush if brush is not None else QtGui.QBrush())
        self._dpr = 0.0
        self._pixmap = QtGui.QPixmap()
        self._frags = PrimitiveArray(QtGui.QPainter.PixmapFragment, 10)
        self.x = np.empty(0)
        self.y = np.empty(0)
        self._bounds: QtCore.QRectF | None = None  # of the finite points
        self._render(1.0)

    def set_size(self, size: float) -> None:
        """Draw the same symbol at another size (pixels)."""
        if size != self._style[1]:
            self.prepareGeometryChange()
            self._style = (self._style[0], size, *self._style[2:])
            self._render(self._dpr or 1.0)
            self.update()

    def _render(self, dpr: float) -> None:
        # The same renderer ScatterPlotItem's atlas uses, so markers look exactly as before.
        image = renderSymbol(*self._style, dpr=dpr)
        self._pixmap = QtGui.QPixmap.fromImage(image)
        self._pixmap.setDevicePixelRatio(dpr)
        self._dpr = dpr
        self._half_px = image.width() / dpr / 2.0

    def setData(self, x: np.ndarray, y: np.ndarray) -> None:  # noqa: N802 - pyqtgraph style
        self.prepareGeometryChange()
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)
        ok = np.isfinite(self.x) & np.isfinite(self.y)
        self._bounds = None
        if ok.any():
            x, y = self.x[ok], self.y[ok]
            self._bounds = QtCore.QRectF(x.min(), y.min(), x.max() - x.min(), y.max() - y.min())
        self.update()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.x, self.y

    def __len__(self) -> int:
        return len(self.x)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802 - pyqtgraph API
        b = self._bounds
        if b is None:
            return (None, None)
        return (b.left(), b.right()) if ax == 0 else (b.top(), b.bottom())

    def pixelPadding(self) -> float:  # noqa: N802
        return self._half_px

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        if self._bounds is None:
            return QtCore.QRectF()
        px, py = self.pixelVectors()
        pad_x = self._half_px * (px.length() if px is not None else 0.0)
        pad_y = self._half_px * (py.length() if py is not None else 0.0)
        return self._bounds.adjusted(-pad_x, -pad_y, pad_x, pad_y)

    def viewTransformChanged(self) -> None:  # noqa: N802 - the pixel padding changes with zoom
        self.prepareGeometryChange()
        super().viewTransformChanged()

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        if not len(self.x):
            return
        dpr = widget.devicePixelRatioF() if widget is not None else p.device().devicePixelRatioF()
        if dpr != self._dpr:
            self._render(dpr)
        # Map to device pixels ourselves and cull to the device: cost ~ points, no Python loop.
        t = p.transform()
        dx = t.m11() * self.x + t.m21() * self.y + t.dx()
        dy = t.m12() * self.x + t.m22() * self.y + t.dy()
        dev = p.device()
        w, h, pad = dev.width() / dev.devicePixelRatioF(), dev.height() / dev.devicePixelRatioF(), self._half_px
        keep = np.flatnonzero((dx > -pad) & (dx < w + pad) & (dy > -pad) & (dy < h + pad))
        if not len(keep):
            return
        self._frags.resize(len(keep))
        frags = self._frags.ndarray()
        frags[:, 0] = dx[keep]
        frags[:, 1] = dy[keep]
        frags[:, 2:6] = (0, 0, self._pixmap.width(), self._pixmap.height())
        frags[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)
        p.save()
        p.resetTransform()
        p.drawPixmapFragments(*self._frags.drawargs(), self._pixmap)
        p.restore()


class RasterItem(_InertItem):
    """A uint32 ARGB32-premultiplied buffer (rows from the rect's *bottom* up, as y grows)
    drawn over a data rect, one cell per buffer pixel, without smoothing."""

    def __init__(self, z: float) -> None:
        super().__init__(z)
        self.buffer = np.zeros((0, 0), dtype=np.uint32)
        self._image: QtGui.QImage | None = None
        self._rect = QtCore.QRectF()

    def set_buffer(self, buffer: np.ndarray, rect: QtCore.QRectF) -> None:
        """Show `buffer` (h x w uint32, C order) over `rect`; later in-place edits of the
        buffer show after `update()`."""
        self.prepareGeometryChange()
        self.buffer = buffer
        self._rect = QtCore.QRectF(rect)
        fmt = QtGui.QImage.Format.Format_ARGB32_Premultiplied
        self._image = pg.functions.ndarray_to_qimage(buffer, fmt) if buffer.size else None
        self.update()

    def clear(self) -> None:
        self.set_buffer(np.zeros((0, 0), dtype=np.uint32), QtCore.QRectF())

    def rect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):  # noqa: N802
        return (None, None)  # a view-sized cache: never drives auto-range

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802
        return QtCore.QRectF(self._rect) if self._image is not None else QtCore.QRectF()

    def paint(self, p: QtGui.QPainter, option, widget=None) -> None:
        if self._image is None:
            return
        p.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, False)
        # The view flips y, so buffer row 0 (drawn at rect.top(), the smallest y) lands at
        # the bottom of the screen, as the rasteriser laid it out.
        p.drawImage(self._rect, self._image)

"""Two lean painters for drawing many units fast, with no Python per point.

`PointSymbols` draws one pre-rendered symbol at many points: its data are numpy arrays
(`set_data` costs nothing per point), culled to the output and drawn with one
drawPixmapFragments call; with `force_vector` (PDF/SVG) the same symbols are one vector
path. `Raster` draws a numpy ARGB buffer as an image over a map rectangle; the buffer is
shared with the QImage, so an in-place edit shows at the next paint without a conversion.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.painting import (Fragments, image_of, in_device, render_symbol, scaled,
                                             symbol_polygon, tiled_path)


class PointSymbols:
    """One symbol (name in painting.SYMBOLS or a unit-size QPainterPath), `size` screen
    pixels wide, with `pen` and `brush`, at each display (x, y)."""

    def __init__(self, symbol, size: float, pen: QtGui.QPen, brush: QtGui.QBrush | None) -> None:
        self.symbol, self.size, self.pen = symbol, float(size), pen
        self.brush = brush if brush is not None else QtGui.QBrush()
        self.x = self.y = np.empty(0)
        self._pixmap: tuple[float, float, QtGui.QPixmap] | None = None  # (size, ratio, pixmap)
        self._fragments = Fragments()

    @property
    def style(self) -> tuple:
        """(symbol, size px, pen, brush): what the export legend shows."""
        return self.symbol, self.size, self.pen, self.brush

    def set_size(self, size: float) -> None:
        self.size = float(size)

    def set_data(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = np.asarray(x, dtype=float)
        self.y = np.asarray(y, dtype=float)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x, self.y

    def __len__(self) -> int:
        return len(self.x)

    def pixmap(self, ratio: float) -> QtGui.QPixmap:
        if self._pixmap is None or self._pixmap[:2] != (self.size, ratio):
            self._pixmap = (self.size, ratio, render_symbol(self.symbol, self.size, self.pen, self.brush, ratio))
        return self._pixmap[2]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not len(self.x):
            return
        r = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        keep = in_device(settings, dx, dy, self.size * r)  # NaN (no position) is never kept
        if not len(keep):
            return
        if settings.force_vector:
            painter.setPen(scaled(self.pen, r))
            painter.setBrush(self.brush)
            painter.drawPath(tiled_path(symbol_polygon(self.symbol, self.size * r), dx[keep], dy[keep]))
        else:
            self._fragments.draw(painter, self.pixmap(r), dx[keep], dy[keep])


class Raster:
    """A uint32 ARGB32-premultiplied buffer (rows from the rect's *bottom* up, as y grows)
    drawn over a map rect (x0, y0, x1, y1), one cell per buffer pixel, without smoothing."""

    def __init__(self) -> None:
        self.buffer = np.zeros((0, 0), dtype=np.uint32)
        self.rect: tuple[float, float, float, float] | None = None
        self._image: QtGui.QImage | None = None

    def set_buffer(self, buffer: np.ndarray, rect) -> None:
        """Show `buffer` (h x w uint32, C order) over `rect`; later in-place edits of the
        buffer show at the next paint."""
        self.buffer = buffer
        self.rect = tuple(float(v) for v in rect)
        self._image = image_of(buffer) if buffer.size else None

    def clear(self) -> None:
        self.set_buffer(np.zeros((0, 0), dtype=np.uint32), (0, 0, 0, 0))
        self.rect = None

    @property
    def empty(self) -> bool:
        return self._image is None

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if self._image is None:
            return
        x0, y0, x1, y1 = self.rect
        (left, right), (bottom, top) = settings.to_device([x0, x1], [y0, y1])
        painter.save()
        painter.setRenderHint(QtGui.QPainter.RenderHint.SmoothPixmapTransform, False)
        # Buffer row 0 is the lowest y, i.e. the bottom of the output: draw it flipped.
        painter.translate(float(left), float(bottom))
        painter.scale((right - left) / self._image.width(), (top - bottom) / self._image.height())
        painter.drawImage(QtCore.QPointF(0, 0), self._image)
        painter.restore()

"""Where the last place search went: a pin and its label (plain text), above everything.
The search box adds it to the window's scene; exports leave it out (it is not a plugin's
layer), and the layers panel can hide it like any other."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import draw_label, label_font

PIN = QtGui.QColor(200, 30, 120)
PIN_PX = 9.0


class SearchMarkLayer(MapLayer):
    id, title, group, z = "search", "Search result", "Operations", 60.0

    def __init__(self) -> None:
        super().__init__()
        self.result = None      # desktop.core.place_search.SearchResult

    def set_result(self, result) -> None:
        self.result = result
        self.changed()

    def clear(self) -> None:
        if self.result is not None:
            self.result = None
            self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = self.result
        if r is None:
            return
        scene = self.scene
        ratio = settings.pixel_ratio
        if r.extent is not None:  # an MGRS square: its outline
            lon0, lat0, lon1, lat1 = r.extent
            t = np.linspace(0.0, 1.0, 9)
            lon = np.concatenate([lon0 + (lon1 - lon0) * t, np.full(9, lon1), lon1 - (lon1 - lon0) * t, np.full(9, lon0)])
            lat = np.concatenate([np.full(9, lat0), lat0 + (lat1 - lat0) * t, np.full(9, lat1), lat1 - (lat1 - lat0) * t])
            px, py = settings.to_device(*scene.to_display(lon, lat))
            painter.setPen(QtGui.QPen(PIN, 2.0 * ratio))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(float(a), float(b)) for a, b in zip(px, py)]))
        px, py = settings.to_device(*scene.to_display(r.lon, r.lat))
        x, y = float(px), float(py)
        s = PIN_PX * ratio
        pin = QtGui.QPainterPath(QtCore.QPointF(x, y))
        pin.lineTo(x - s * 0.6, y - s * 1.4)
        pin.arcTo(QtCore.QRectF(x - s * 0.75, y - s * 2.4, s * 1.5, s * 1.5), 200, -220)
        pin.closeSubpath()
        painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1.2 * ratio))
        painter.setBrush(PIN)
        painter.drawPath(pin)
        painter.setBrush(QtGui.QColor("white"))
        painter.drawEllipse(QtCore.QPointF(x, y - s * 1.65), s * 0.25, s * 0.25)
        draw_label(painter, label_font(9.0, ratio, bold=True), r.label, x + s * 0.9, y - s * 1.65, (0.0, 0.5),
                   PIN, ratio, fill=QtGui.QColor(255, 255, 255, 210))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        c = rect.center()
        painter.setPen(QtGui.QPen(QtGui.QColor("white"), 1))
        painter.setBrush(PIN)
        painter.drawEllipse(QtCore.QPointF(c.x(), c.y() - 2), 4, 4)

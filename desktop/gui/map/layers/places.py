"""The scenario's places: a dot and a bold label each, every label shown (they are placed
first in the shared label registry, each where it overlaps no other)."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import draw_label, label_font

DOT_PX = 6
DOT = QtGui.QColor(30, 30, 30)
TEXT = QtGui.QColor(20, 20, 20)
NIGHT_INK = QtGui.QColor("#e6e6e6")  # dots and names in night mode (MapSettings.night)
LABEL_PT = 9


class PlacesLayer(MapLayer):
    id, title, group, z = "places", "Place labels", "Operations", 40.0
    label_rank = 0

    def attach(self, scene) -> None:
        super().attach(scene)
        self.anchors: list = []
        self.projection_changed()

    def projection_changed(self) -> None:
        places = self.document.places
        self.names = [p.name for p in places]
        self.x, self.y = (np.atleast_1d(np.asarray(a, dtype=float))
                          for a in self.scene.to_display([p.lon for p in places], [p.lat for p in places]))
        self.anchors = [ANCHORS[0]] * len(places)
        self.scene.relayout_labels()
        self.changed()

    def layout_labels(self, settings: MapSettings, registry) -> None:
        if self.names:
            self.anchors = registry.place(*registry.to_screen(self.x, self.y), self.names)
            self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.names:
            return
        r = settings.pixel_ratio
        dot, text = (NIGHT_INK, NIGHT_INK) if settings.night else (DOT, TEXT)
        dx, dy = settings.to_device(self.x, self.y)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        for x, y in zip(dx.tolist(), dy.tolist()):
            painter.drawEllipse(QtCore.QPointF(x, y), DOT_PX * r / 2, DOT_PX * r / 2)
        font = label_font(LABEL_PT, r, bold=True)
        for x, y, name, anchor in zip(dx.tolist(), dy.tolist(), self.names, self.anchors):
            draw_label(painter, font, name, x, y, anchor, text, r)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setBrush(DOT)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.drawEllipse(QtCore.QPointF(rect.left() + 4, rect.center().y()), 3, 3)
        painter.setPen(TEXT)
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        painter.drawText(rect.adjusted(9, 0, 0, 0), int(QtCore.Qt.AlignmentFlag.AlignVCenter), "Aa")


def places_layer(context) -> PlacesLayer:
    """The `map_layer` contribution."""
    return PlacesLayer()

"""The scenario's places: a dot and a bold label each, every label shown. They are placed
first in the shared label registry after the unit symbols: each label takes the first spot
round its dot that covers no symbol and no other label (further out if it must), and a dot
under a symbol is not drawn. Place names give way to symbols, never print over them."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import draw_label, label_font, label_rect

DOT_PX = 6
DOT = QtGui.QColor(30, 30, 30)
TEXT = QtGui.QColor(20, 20, 20)
NIGHT_INK = QtGui.QColor("#e6e6e6")  # dots and names in night mode (MapSettings.night)
LABEL_PT = 9
PUSH_PX = (0.0, 5.0, 12.0, 20.0, 30.0)  # how far from its dot a label may move to keep clear, screen pixels


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
        self.offsets = [(0.0, 0.0)] * len(places)     # of the anchor from the dot, screen pixels
        self.dots = np.ones(len(places), dtype=bool)  # False: a symbol covers the dot
        self.scene.relayout_labels()
        self.changed()

    def layout_labels(self, settings: MapSettings, registry) -> None:
        if not self.names:
            return
        sx, sy = registry.to_screen(self.x, self.y)
        self.dots = ~registry.covered(sx, sy)
        font = label_font(LABEL_PT, 1.0, bold=True)  # laid out in screen pixels
        spots = [(a, ((0.5 - a[0]) * 2 * push, (0.5 - a[1]) * 2 * push)) for push in PUSH_PX for a in ANCHORS]
        self.anchors, self.offsets = [], []
        for x, y, name in zip(sx.tolist(), sy.tolist(), self.names):
            rects = [label_rect(font, name, x + ox, y + oy, a, 3.0) for a, (ox, oy) in spots]
            boxes = np.array([(q.left(), q.top(), q.right(), q.bottom()) for q in rects])
            k = registry.pick(boxes)
            registry.reserve(boxes[k])
            self.anchors.append(spots[k][0])
            self.offsets.append(spots[k][1])
        self.changed()

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where each label is drawn, device pixels (with its blank margin)."""
        r = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        font = label_font(LABEL_PT, r, bold=True)
        return [label_rect(font, name, x + ox * r, y + oy * r, anchor, 3.0 * r)
                for x, y, name, anchor, (ox, oy) in zip(dx.tolist(), dy.tolist(), self.names, self.anchors,
                                                          self.offsets)]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.names:
            return
        r = settings.pixel_ratio
        dot, text = (NIGHT_INK, NIGHT_INK) if settings.night else (DOT, TEXT)
        dx, dy = settings.to_device(self.x, self.y)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        for x, y, shown in zip(dx.tolist(), dy.tolist(), self.dots.tolist()):
            if shown:
                painter.drawEllipse(QtCore.QPointF(x, y), DOT_PX * r / 2, DOT_PX * r / 2)
        font = label_font(LABEL_PT, r, bold=True)
        for x, y, name, anchor, (ox, oy) in zip(dx.tolist(), dy.tolist(), self.names, self.anchors, self.offsets):
            draw_label(painter, font, name, x + ox * r, y + oy * r, anchor, text, r)

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

"""The MGRS/UTM grid as a map layer (the lat/lon graticule is `graticule`): lines at the
interval that suits the scale, the 100 km square letters and the easting/northing figures
at the edges, drawn by `desktop.gui.grid_painter` from the same MapSettings on screen and
on the page. Off until the planner turns it on (layers panel, `export --grid mgrs`)."""
from __future__ import annotations

from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.grid_painter import EDGE_FONT_PX, GRID_COLOUR, GridPainter
from desktop.gui.map.layers.base import MapLayer

EDGE_LABEL_H_PX = EDGE_FONT_PX + 4


class MgrsGridLayer(MapLayer):
    id, title, group, z = "grid.mgrs", "MGRS grid", "Grids", -92.5
    cacheable = True
    label_rank = 20
    edge_band_px = EDGE_LABEL_H_PX

    def __init__(self) -> None:
        super().__init__()
        self.visible = False
        self.grid = GridPainter()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        self.grid.paint(painter, settings)

    def description(self, settings: MapSettings) -> str:
        """What the grid shows for `settings`: 'MGRS 1 km' (the page's caption)."""
        return self.grid.frame(settings).description

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """The edge figures are reserved: towns and names keep clear of them."""
        r = settings.pixel_ratio
        boxes = []
        for text, side, x, y in self.grid.frame(settings).edge_labels:
            w = len(text) * EDGE_FONT_PX * 0.62 + 6
            sx, sy = x / r, y / r
            if side in ("top", "bottom"):
                top = 0.0 if side == "top" else registry.height - EDGE_LABEL_H_PX
                boxes.append((sx - w / 2, top, sx + w / 2, top + EDGE_LABEL_H_PX))
            else:
                left = 0.0 if side == "left" else registry.width - w
                boxes.append((left, sy - EDGE_LABEL_H_PX / 2, left + w, sy + EDGE_LABEL_H_PX / 2))
        registry.reserve(boxes)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(GRID_COLOUR, 1))
        for f in (0.25, 0.75):
            painter.drawLine(QtCore.QPointF(rect.left() + f * rect.width(), rect.top()),
                             QtCore.QPointF(rect.left() + f * rect.width(), rect.bottom()))
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))
        font = painter.font()
        font.setPixelSize(8)
        painter.setFont(font)
        painter.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), "EV")


def mgrs_grid_layer(context) -> MgrsGridLayer:
    """The `map_layer` contribution."""
    return MgrsGridLayer()

"""Sector fills, the AO outline and the buffer band, redrawn from the document's analysis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import shapely
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.document import Analysis
from desktop.gui import style
from desktop.gui.paths import polygon_rings, rings_path

if TYPE_CHECKING:
    from desktop.gui.map_view import MapView

Z_SECTORS, Z_BUFFER, Z_AO = -10, -9, -8


class SectorLayer:
    """One filled path per sector (its owner's colour), the buffer band, the AO outline."""

    def __init__(self, view: "MapView") -> None:
        self.view = view
        self._sector_items: list[QtWidgets.QGraphicsPathItem] = []
        self.buffer_item = self._path_item(Z_BUFFER, pen=QtGui.QPen(QtCore.Qt.PenStyle.NoPen),
                                           brush=style.qcolor(style.NEAR_LINE_COLOUR, 55))
        ao_pen = QtGui.QPen(style.qcolor(style.AO_COLOUR), 2)
        ao_pen.setCosmetic(True)
        ao_pen.setStyle(QtCore.Qt.PenStyle.DashDotLine)
        self.ao_item = self._path_item(Z_AO, pen=ao_pen, brush=QtGui.QBrush(QtCore.Qt.BrushStyle.NoBrush))
        self.ao_item.setToolTip(view.document.ao.name)
        self.show_buffer = True
        self._drawn: tuple | None = None  # (sectors, buffer km, projection) last drawn

    def _path_item(self, z: float, pen: QtGui.QPen, brush) -> QtWidgets.QGraphicsPathItem:
        item = QtWidgets.QGraphicsPathItem()
        item.setPen(pen)
        item.setBrush(QtGui.QBrush(brush))
        item.setZValue(z)
        self.view.plot_item.addItem(item)
        return item

    def refresh(self, analysis: Analysis) -> None:
        doc = self.view.document
        ring = doc.ao.polygon(doc.analysis_projection)
        self.ao_item.setPath(rings_path([self.view.plane_to_display(r) for r in polygon_rings(ring)]))
        self.update_analysis(analysis)

    def update_analysis(self, analysis: Analysis) -> None:
        """Cheap enough for every drag step: a few polygons of a few hundred vertices."""
        drawn = (analysis.sectors, analysis.classification.buffer_km, self.view.projection)
        if self._drawn is not None and drawn[0] is self._drawn[0] and drawn[1] == self._drawn[1] \
                and drawn[2] is self._drawn[2]:
            return  # the same sectors again: the time cursor moved only the units
        self._drawn = drawn
        sectors = analysis.sectors.sectors
        while len(self._sector_items) < len(sectors):
            self._sector_items.append(self._path_item(Z_SECTORS, QtGui.QPen(QtCore.Qt.PenStyle.NoPen),
                                                      QtGui.QColor(0, 0, 0, 0)))
        for item in self._sector_items[len(sectors):]:
            item.setVisible(False)
        sides = self.view.document.sides
        for item, sector in zip(self._sector_items, sectors):
            rings = [self.view.plane_to_display(r) for r in polygon_rings(sector.polygon)]
            item.setPath(rings_path(rings))
            item.setBrush(style.qcolor(style.side_colour(sector.owner, sides), 50))
            item.setToolTip(f"{sector.id} {sector.name}: {sector.area_km2:,.0f} km²")
            item.setVisible(True)
        self._update_buffer(analysis)

    def _update_buffer(self, analysis: Analysis) -> None:
        eff = analysis.sectors.effective_xy
        if not self.show_buffer or len(eff) < 2:
            self.buffer_item.setPath(QtGui.QPainterPath())
            return
        # Buffer in the analysis plane (metres ≈ geodesic there), then projected for display.
        band = shapely.LineString(eff).buffer(analysis.classification.buffer_km * 1000.0, quad_segs=4)
        rings = [self.view.plane_to_display(r) for r in polygon_rings(band)]
        self.buffer_item.setPath(rings_path(rings))

    def set_buffer_visible(self, visible: bool) -> None:
        self.show_buffer = visible
        self._update_buffer(self.view.document.analysis)

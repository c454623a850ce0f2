"""Sector fills, the buffer band and the AO outline, drawn from the document's analysis
(three layers: each can be hidden, dimmed and moved on its own)."""
from __future__ import annotations

import shapely
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import map_transform, pen, polygon_rings, rings_path, scaled

SECTOR_ALPHA, BUFFER_ALPHA = 50, 55
AO_PEN = pen(style.AO_COLOUR, 2, style=QtCore.Qt.PenStyle.DashDotLine)
NIGHT_AO_PEN = pen((0xb0, 0xb0, 0xb0), 2, style=QtCore.Qt.PenStyle.DashDotLine)  # MapSettings.night


class _AnalysisLayer(MapLayer):
    group = "Operations"

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.analysis_changed, self._on_analysis_changed)
        self.links.connect(self.document.ao_changed, self._on_ao_changed)
        self._drawn: tuple | None = None
        self.rebuild()

    def _on_analysis_changed(self, analysis) -> None:
        self.rebuild()

    def _on_ao_changed(self, _ao) -> None:
        self._drawn = None
        self.rebuild()

    def projection_changed(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        """Cheap enough for every drag step: a few polygons of a few hundred vertices."""
        key = self._key(self.document.analysis) + (self.scene.projection,)
        if self._drawn is not None and len(key) == len(self._drawn) and all(a is b for a, b in zip(key, self._drawn)):
            return  # the same again: the time cursor moved only the units
        self._drawn = key
        self._build(self.document.analysis)
        self.changed()

    def _rings_path(self, geom) -> QtGui.QPainterPath:
        return rings_path([self.scene.plane_to_display(r) for r in polygon_rings(geom)])

    def _key(self, analysis) -> tuple:
        return (analysis.sectors,)

    def _build(self, analysis) -> None:
        raise NotImplementedError


class SectorsLayer(_AnalysisLayer):
    """One filled path per sector, in its owner's colour."""

    id, title, z = "sectors", "Sectors", -10.0

    def _build(self, analysis) -> None:
        sides = self.document.sides
        self.sectors = [(s, self._rings_path(s.polygon), style.qcolor(style.side_colour(s.owner, sides), SECTOR_ALPHA))
                        for s in analysis.sectors.sectors]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        _fill_hints(painter, settings)
        painter.setTransform(map_transform(settings), True)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for _, path, colour in self.sectors:
            painter.setBrush(colour)
            painter.drawPath(path)

    def sector_at(self, x: float, y: float):
        """The sector under display (x, y), or None."""
        point = QtCore.QPointF(x, y)
        return next((s for s, path, _ in self.sectors if path.contains(point)), None)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        half = QtCore.QRectF(rect.left(), rect.top(), rect.width() / 2, rect.height())
        for colour in style.SIDE_COLOURS:
            painter.fillRect(half, style.qcolor(colour, 110))
            half.translate(rect.width() / 2, 0)


class BufferLayer(_AnalysisLayer):
    """The band of the buffer distance either side of the line: a unit in it is near the line."""

    id, title, z = "buffer", "Buffer band", -9.0
    brush = style.qcolor(style.NEAR_LINE_COLOUR, BUFFER_ALPHA)

    def _key(self, analysis) -> tuple:
        return (analysis.sectors, analysis.classification.buffer_km)

    def _build(self, analysis) -> None:
        eff = analysis.sectors.effective_xy
        if len(eff) < 2:
            self.path = QtGui.QPainterPath()
            return
        # Buffered in the analysis plane (metres there are geodesic to 0.04 %), then projected.
        band = shapely.LineString(eff).buffer(analysis.classification.buffer_km * 1000.0, quad_segs=4)
        self.path = self._rings_path(band)

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        _fill_hints(painter, settings)
        painter.setTransform(map_transform(settings), True)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(self.brush)
        painter.drawPath(self.path)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect, style.qcolor(style.NEAR_LINE_COLOUR, 110))


class AoLayer(_AnalysisLayer):
    """The AO's outline, dash-dot."""

    id, title, z = "ao", "AO boundary", -8.0
    pen = AO_PEN

    def _key(self, analysis) -> tuple:
        return (self.document.ao,)

    def _build(self, analysis) -> None:
        doc = self.document
        self.path = self._rings_path(doc.ao.polygon(doc.analysis_projection))

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        painter.setTransform(map_transform(settings), True)
        painter.setPen(scaled(NIGHT_AO_PEN if settings.night else self.pen, settings.pixel_ratio))
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(self.pen)
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))


def _fill_hints(painter: QtGui.QPainter, settings: MapSettings) -> None:
    """Translucent fills that cover most of the map are filled without antialiasing on
    screen: 3.3 -> 0.45 ms a repaint at 1400 x 900, and their edges lie under the line and
    the AO outline. Exports keep it (quality before speed)."""
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, settings.force_vector)


def sector_layers(context) -> list[MapLayer]:
    """The `map_layer` contribution: sectors, buffer band, AO outline."""
    return [SectorsLayer(), BufferLayer(), AoLayer()]

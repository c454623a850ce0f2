"""The deconfliction line: the geodesic curve, its dashed extensions to the AO edge and,
while the line-edit tool is on, the vertex handles.

The layer draws and answers "which vertex or segment is here"; the line-edit tool
(desktop.gui.line_tool) turns gestures into previews and undoable commands. While the map
shows a past moment the line drawn is a revision, not the line being edited: the layer is
then locked (no handles, nothing to pick).
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.geodesy import densify_geodesic
from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import lines_path, map_transform, pen, scaled

HANDLE_PX = 11
CURVE_PEN = pen(style.LINE_COLOUR, 3)
EXTENSION_PEN = pen(style.LINE_COLOUR, 2, style=QtCore.Qt.PenStyle.DashLine)
HANDLE_PEN = pen(style.LINE_COLOUR, 1.5)
HANDLE_BRUSH = QtGui.QColor(255, 255, 255)
SELECTED_BRUSH = style.qcolor(style.SELECTION_COLOUR)
NIGHT_INK = (236, 236, 236)  # the line at night (MapSettings.night): light on the dark basemap
NIGHT_PENS = (pen(NIGHT_INK, 3), pen(NIGHT_INK, 2, style=QtCore.Qt.PenStyle.DashLine))


class LineLayer(MapLayer):
    id, title, group, z = "line", "Deconfliction line", "Operations", 20.0
    pen, extension_pen = CURVE_PEN, EXTENSION_PEN

    def __init__(self) -> None:
        super().__init__()
        self.x = self.y = np.empty(0)                   # the densified curve, display coordinates
        self.segment_of_point = np.empty(0, dtype=int)  # the line segment each curve point lies on
        self.vx = self.vy = np.empty(0)                 # the vertices
        self.curve = self.extension = QtGui.QPainterPath()
        self.selected_vertex: int | None = None
        self.editable = False   # the line-edit tool's wish
        self._drawn: tuple | None = None

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.analysis_changed, self._on_analysis_changed)
        self.links.connect(self.document.time_view_changed, self._on_time_view_changed)
        self._on_analysis_changed(self.document.analysis)

    # -- state ------------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        """The map shows a past moment: the line drawn is a revision, read-only."""
        return self.scene is not None and self.document.time_view is not None

    @property
    def handles_shown(self) -> bool:
        return self.editable and not self.locked

    def set_editable(self, editable: bool) -> None:
        self.editable = bool(editable)
        self.changed()

    def select_vertex(self, index: int | None) -> None:
        self.selected_vertex = index
        self.changed()

    def projection_changed(self) -> None:
        self._drawn = None
        self._on_analysis_changed(self.document.analysis)

    def _on_time_view_changed(self, _view) -> None:
        self.changed()  # handles come and go with the lock

    def _on_analysis_changed(self, analysis) -> None:
        drawn = (analysis.line, analysis.sectors, self.scene.projection)
        if self._drawn is not None and all(a is b for a, b in zip(drawn, self._drawn)):
            return  # the same line again: the time cursor moved only the units
        self._drawn = drawn
        line = analysis.line
        lon, lat, seg = densify_geodesic(line.lon, line.lat, with_segments=True)
        self.x, self.y = (np.asarray(a, dtype=float) for a in self.scene.to_display(lon, lat))
        self.segment_of_point = seg
        self.curve = lines_path(self.x, self.y)
        self.vx, self.vy = (np.atleast_1d(np.asarray(a, dtype=float)) for a in self.scene.to_display(line.lon, line.lat))
        if self.selected_vertex is not None and self.selected_vertex >= len(self.vx):
            self.selected_vertex = None
        parts = [p for p in (analysis.sectors.extension_start_xy, analysis.sectors.extension_end_xy) if len(p)]
        if parts:
            gap = np.full((1, 2), np.nan)
            xy = np.concatenate([np.concatenate([self.scene.plane_to_display(p), gap]) for p in parts])
            self.extension = lines_path(xy[:, 0], xy[:, 1])
        else:
            self.extension = QtGui.QPainterPath()
        self.changed()

    # -- picking ----------------------------------------------------------------------------
    def vertex_at(self, x: float, y: float, tolerance: float) -> int | None:
        """The vertex nearest display (x, y) within `tolerance` map units, if handles show."""
        if not self.handles_shown or not len(self.vx):
            return None
        d = np.hypot(self.vx - x, self.vy - y)
        i = int(np.argmin(d))
        return i if d[i] <= tolerance else None

    def segment_at(self, x: float, y: float, tolerance: float = np.inf) -> int | None:
        """The line segment whose drawn curve passes within `tolerance` of (x, y)."""
        if len(self.x) < 2:
            return None
        ax, ay, bx, by = self.x[:-1], self.y[:-1], self.x[1:], self.y[1:]
        dx, dy = bx - ax, by - ay
        l2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / l2, 0, 1)
        d2 = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2
        k = int(np.argmin(d2))
        return int(self.segment_of_point[k]) if d2[k] <= tolerance * tolerance else None

    # -- painting ---------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        curve_pen, extension_pen = NIGHT_PENS if settings.night else (self.pen, self.extension_pen)
        painter.save()
        painter.setTransform(map_transform(settings), True)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        painter.setPen(scaled(extension_pen, r))
        painter.drawPath(self.extension)
        painter.setPen(scaled(curve_pen, r))
        painter.drawPath(self.curve)
        painter.restore()
        if self.handles_shown and len(self.vx):
            dx, dy = settings.to_device(self.vx, self.vy)
            half = HANDLE_PX * r / 2
            painter.setPen(scaled(HANDLE_PEN, r))
            for i, (hx, hy) in enumerate(zip(dx.tolist(), dy.tolist())):
                painter.setBrush(SELECTED_BRUSH if i == self.selected_vertex else HANDLE_BRUSH)
                rect = QtCore.QRectF(hx - half, hy - half, 2 * half, 2 * half)
                # Vertex 0 is a circle so the direction (and so which side is "left") can be read.
                painter.drawEllipse(rect) if i == 0 else painter.drawRect(rect)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(self.pen)
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))


def line_layer(context) -> LineLayer:
    """The `map_layer` contribution."""
    return LineLayer()

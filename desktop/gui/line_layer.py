"""The deconfliction line on the map: geodesic curve, dashed extensions, vertex handles.

The layer only reports gestures (a vertex dragged, a segment double-clicked, a right
click); the line-edit tool turns them into previews and undoable commands.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from desktop.core.document import Analysis
from desktop.core.geodesy import densify_geodesic
from desktop.gui import style

if TYPE_CHECKING:
    from desktop.gui.map_view import MapView

Z_LINE, Z_HANDLES = 20, 21
HANDLE_PX = 11
_HANDLE_BRUSH = pg.mkBrush(255, 255, 255)
_SELECTED_BRUSH = pg.mkBrush(*style.SELECTION_COLOUR)


class VertexHandles(pg.ScatterPlotItem):
    """Square handles on the vertices. Emits drags and clicks with the vertex index."""

    drag_started = QtCore.Signal(int)
    dragged = QtCore.Signal(int, float, float)        # index, display x, y
    drag_finished = QtCore.Signal(int, float, float)
    clicked = QtCore.Signal(int, object, object)      # index, button, screen pos (QPointF)

    def __init__(self) -> None:
        super().__init__(pxMode=True, size=HANDLE_PX, symbol="s",
                         pen=pg.mkPen(style.LINE_COLOUR, width=1.5), brush=pg.mkBrush(255, 255, 255))
        self.setZValue(Z_HANDLES)
        self._drag_index: int | None = None
        self._drag_offset = QtCore.QPointF()
        self.editable = True

    def vertex_at(self, pos: QtCore.QPointF) -> int | None:
        """Index of the topmost handle under `pos` (item coordinates), if any."""
        hits = self.pointsAt(pos)
        return int(hits[0].index()) if len(hits) else None

    def cancel_drag(self) -> None:
        self._drag_index = None

    def mouseDragEvent(self, ev) -> None:
        if not self.editable or ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            index = self.vertex_at(ev.buttonDownPos())
            if index is None:
                ev.ignore()
                return
            self._drag_index = index
            x, y = self.getData()
            self._drag_offset = QtCore.QPointF(x[index], y[index]) - ev.buttonDownPos()
            self.drag_started.emit(index)
        if self._drag_index is None:  # cancelled with Esc, or not ours
            ev.ignore()
            return
        ev.accept()
        pos = ev.pos() + self._drag_offset
        if ev.isFinish():
            index, self._drag_index = self._drag_index, None
            self.drag_finished.emit(index, pos.x(), pos.y())
        else:
            self.dragged.emit(self._drag_index, pos.x(), pos.y())

    def mouseClickEvent(self, ev) -> None:
        index = self.vertex_at(ev.pos()) if self.editable else None
        if index is None:
            ev.ignore()
            return
        ev.accept()
        self.clicked.emit(index, ev.button(), ev.screenPos())


class SegmentCurve(pg.PlotCurveItem):
    """The densified line. Double-click and right-click report the segment under the mouse."""

    double_clicked = QtCore.Signal(int, float, float)          # segment, display x, y
    right_clicked = QtCore.Signal(int, float, float, object)   # segment, x, y, screen pos

    def __init__(self) -> None:
        pen = pg.mkPen(style.LINE_COLOUR, width=3)
        super().__init__(pen=pen, clickable=True)
        self.setClickable(True, width=10)
        self.setZValue(Z_LINE)
        self.segment_of_point = np.empty(0, dtype=int)
        self.editable = True

    def segment_at(self, x: float, y: float) -> int:
        """Original segment index of the densified piece nearest to (x, y)."""
        px, py = self.getData()
        ax, ay, bx, by = px[:-1], py[:-1], px[1:], py[1:]
        dx, dy = bx - ax, by - ay
        l2 = np.where(dx * dx + dy * dy == 0, 1.0, dx * dx + dy * dy)
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / l2, 0, 1)
        d2 = (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2
        return int(self.segment_of_point[int(np.argmin(d2))])

    def mouseClickEvent(self, ev) -> None:
        if not self.editable or not self.mouseShape().contains(ev.pos()):
            ev.ignore()
            return
        pos = ev.pos()
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and ev.double():
            ev.accept()
            self.double_clicked.emit(self.segment_at(pos.x(), pos.y()), pos.x(), pos.y())
        elif ev.button() == QtCore.Qt.MouseButton.RightButton:
            ev.accept()
            self.right_clicked.emit(self.segment_at(pos.x(), pos.y()), pos.x(), pos.y(), ev.screenPos())
        else:
            ev.ignore()


class LineLayer:
    """Draws the line shown by the document (preview included) in the display CRS."""

    def __init__(self, view: "MapView") -> None:
        self.view = view
        self.curve = SegmentCurve()
        ext_pen = pg.mkPen(style.LINE_COLOUR, width=2, style=QtCore.Qt.PenStyle.DashLine)
        self.extension = pg.PlotCurveItem(pen=ext_pen, connect="finite")
        self.extension.setZValue(Z_LINE)
        self.handles = VertexHandles()
        for item in (self.extension, self.curve, self.handles):
            view.plot_item.addItem(item)
        self.selected_vertex: int | None = None
        self.locked = False
        self._tool_editable = False
        self._drawn: tuple | None = None  # (line, sectors, projection) last drawn
        self.set_editable(False)

    def set_editable(self, editable: bool) -> None:
        """The line-edit tool's wish; a locked layer (a past revision shown) stays read-only."""
        self._tool_editable = editable
        editable = editable and not self.locked
        self.handles.editable = self.curve.editable = editable
        self.handles.setVisible(editable)

    def set_locked(self, locked: bool) -> None:
        """Locked while the map shows a past moment: the line drawn is a revision, not the
        line being edited, so it offers no handles and takes no gestures."""
        if locked and not self.locked:
            self.handles.cancel_drag()
        self.locked = locked
        self.set_editable(self._tool_editable)

    def update_analysis(self, analysis: Analysis) -> None:
        drawn = (analysis.line, analysis.sectors, self.view.projection)
        if self._drawn is not None and all(a is b for a, b in zip(drawn, self._drawn)):
            return  # the same line again: the time cursor moved only the units
        self._drawn = drawn
        line = analysis.line
        lon, lat, seg = densify_geodesic(line.lon, line.lat, with_segments=True)
        x, y = self.view.to_display(lon, lat)
        self.curve.setData(x, y)
        self.curve.segment_of_point = seg
        vx, vy = self.view.to_display(line.lon, line.lat)
        self._set_handles(vx, vy)
        parts = [p for p in (analysis.sectors.extension_start_xy, analysis.sectors.extension_end_xy) if len(p)]
        if parts:
            gap = np.full((1, 2), np.nan)
            xy = np.concatenate([np.concatenate([self.view.plane_to_display(p), gap]) for p in parts])
            self.extension.setData(xy[:, 0], xy[:, 1], connect="finite")
        else:
            self.extension.setData([], [])

    def select_vertex(self, index: int | None) -> None:
        self.selected_vertex = index
        x, y = self.handles.getData()
        self._set_handles(x, y)

    def _set_handles(self, x: np.ndarray, y: np.ndarray) -> None:
        n = len(x)
        if self.selected_vertex is not None and self.selected_vertex >= n:
            self.selected_vertex = None
        # The same brush objects every time, so pyqtgraph's symbol cache hits while dragging.
        brushes = [_HANDLE_BRUSH] * n
        if self.selected_vertex is not None:
            brushes[self.selected_vertex] = _SELECTED_BRUSH
        # Vertex 0 is marked so the direction (and so which side is "left") can be read.
        symbols = ["o"] + ["s"] * (n - 1)
        self.handles.setData(x=np.asarray(x), y=np.asarray(y), brush=brushes, symbol=symbols)

"""Line-edit map tool (built-in plugin): drag, insert and delete vertices, exact entry.

Conventions from QGIS/ATAK: press-drag a vertex to move it (Esc cancels), double-click a
segment to insert a vertex, select a vertex and press Delete (or right-click) to remove
it, right-click > Edit coordinates for DD/DMS/MGRS entry, S toggles snapping. A drag
previews live and becomes one undoable command on release. While the tool is on, the line
and its handles draw above every other layer (units, labels), so a vertex under a
cluster of symbols can be seen and grabbed; the tool sees the map's mouse events first.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core import commands
from desktop.core.line import DeconflictionLine, LineError
from desktop.core.snapping import Snap, snap_point
from desktop.gui.context import AppContext

SNAP_PX = 12
HANDLE_HIT_PX = 8        # a press this close to a vertex grabs it
CURVE_HIT_PX = 5         # a double or right click this close to the line picks its segment
RAISED = ("line", "line.symbol")  # drawn above every layer while editing (the boundary's marks stay on the line)
_E = QtCore.QEvent.Type
LEFT, RIGHT = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.RightButton


class LineEditTool(QtCore.QObject):
    snapping_changed = QtCore.Signal(bool)

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.doc = context.document
        self.view = context.map_view
        self.layer = self.view.layer("line")
        self.snapping = False
        self.active = False
        self._drag_base: DeconflictionLine | None = None
        self._drag_index: int | None = None
        self._drag_offset = (0.0, 0.0)      # vertex minus press, display units: no jump
        self._pressed: int | None = None    # vertex under a left press not yet dragged
        self._swallow = False               # a cancelled drag: its moves and release are ours
        self._last_valid: DeconflictionLine | None = None

    # -- tool protocol --------------------------------------------------------------------
    def activate(self) -> None:
        self.active = True
        self.layer.set_editable(True)
        for layer_id in RAISED:
            self.view.scene.raise_layer(layer_id, True)
        self.view.installEventFilter(self)

    def deactivate(self) -> None:
        self.cancel_drag()
        self.active = False
        self.layer.set_editable(False)
        self.layer.select_vertex(None)
        for layer_id in RAISED:
            self.view.scene.raise_layer(layer_id, False)
        self.view.removeEventFilter(self)

    def close(self) -> None:
        if self.active:
            self.deactivate()

    def set_snapping(self, on: bool) -> None:
        if on != self.snapping:
            self.snapping = on
            self.context.status(f"Snapping {'on' if on else 'off'}")
            self.snapping_changed.emit(on)

    # -- commands -------------------------------------------------------------------------
    def delete_vertex(self, index: int) -> bool:
        ok = self.context.push(commands.delete_vertex(self.doc, index))
        if ok:
            self.layer.select_vertex(None)
        return ok

    def insert_vertex(self, index: int, lon: float, lat: float) -> bool:
        return self.context.push(commands.insert_vertex(self.doc, index, lon, lat))

    def move_vertex(self, index: int, lon: float, lat: float) -> bool:
        return self.context.push(commands.move_vertex(self.doc, index, lon, lat))

    def edit_coordinates(self, index: int) -> None:
        from desktop.gui.coord_dialog import CoordinateDialog
        lon, lat = self.doc.line.vertices[index]
        dialog = CoordinateDialog(float(lon), float(lat), title=f"Vertex {index + 1}", parent=self.view)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted and dialog.position is not None:
            self.move_vertex(index, *dialog.position)

    def cancel_drag(self) -> None:
        if self._drag_index is not None:
            self._drag_index = self._drag_base = self._last_valid = None
            self._swallow = True
            self.doc.set_preview(None)
            self.context.status("Move cancelled")

    # -- menus (built separately so tests can trigger their actions) -----------------------
    def vertex_menu(self, index: int) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self.view)
        delete = menu.addAction("Delete vertex", lambda: self.delete_vertex(index))
        delete.setEnabled(len(self.doc.line) > 2)
        menu.addAction("Edit coordinates…", lambda: self.edit_coordinates(index))
        return menu

    def segment_menu(self, segment: int, x: float, y: float) -> QtWidgets.QMenu:
        lon, lat = self.view.to_lonlat(x, y)
        menu = QtWidgets.QMenu(self.view)
        menu.addAction("Insert vertex here", lambda: self.insert_vertex(segment + 1, float(lon), float(lat)))
        return menu

    # -- gestures ---------------------------------------------------------------------------
    def _on_drag_started(self, index: int) -> None:
        self._drag_index = index
        self._drag_base = self.doc.line
        self._last_valid = None
        self.layer.select_vertex(index)

    def _candidate(self, index: int, x: float, y: float) -> tuple[DeconflictionLine, Snap | None]:
        snap = self._snap(index, x, y) if self.snapping else None
        if snap is not None:
            x, y = snap.x, snap.y
        lon, lat = self.view.to_lonlat(x, y)
        return self._drag_base.moved(index, float(lon), float(lat)), snap

    def _on_dragged(self, index: int, x: float, y: float) -> None:
        if self._drag_index != index:
            return
        line, snap = self._candidate(index, x, y)
        try:
            self.doc.validate_line(line)
        except LineError as exc:
            self.context.status(f"Cannot move there: {exc}")
            return
        self._last_valid = line
        self.doc.set_preview(line)
        if snap is not None:
            self.context.status(f"Snapped to {snap.description}")

    def _on_drag_finished(self, index: int, x: float, y: float) -> None:
        if self._drag_index != index:
            return
        line, _ = self._candidate(index, x, y)
        try:
            self.doc.validate_line(line)
        except LineError:
            line = self._last_valid  # release over an invalid spot keeps the last valid one
        self._drag_index = self._drag_base = self._last_valid = None
        if line is None or line == self.doc.line:
            self.doc.set_preview(None)
            return
        lon, lat = line.vertices[index]
        if not self.move_vertex(index, float(lon), float(lat)):
            self.doc.set_preview(None)

    def _on_vertex_clicked(self, index: int, button, screen_pos) -> None:
        self.layer.select_vertex(index)
        self.view.setFocus()
        if button == RIGHT:
            self.vertex_menu(index).popup(screen_pos.toPoint())

    def _on_segment_double_clicked(self, segment: int, x: float, y: float) -> None:
        lon, lat = self.view.to_lonlat(x, y)
        if self.insert_vertex(segment + 1, float(lon), float(lat)):
            self.layer.select_vertex(segment + 1)

    def _on_segment_right_clicked(self, segment: int, x: float, y: float, screen_pos) -> None:
        self.segment_menu(segment, x, y).popup(screen_pos.toPoint())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # Identity checks only: this filter also sees the events of a view being destroyed.
        if obj is not self.view:
            return False
        t = event.type()
        if t == _E.KeyPress:
            return self._on_key(event.key())
        if t not in (_E.MouseButtonPress, _E.MouseMove, _E.MouseButtonRelease, _E.MouseButtonDblClick) \
                or not self.layer.handles_shown:
            return False
        x, y = self.view.widget_to_map(event.position())
        if t == _E.MouseButtonPress:
            return self._on_press(event.button(), x, y, event.globalPosition())
        if t == _E.MouseMove:
            return self._on_move(bool(event.buttons() & LEFT), x, y)
        if t == _E.MouseButtonRelease:
            return self._on_release(event.button(), x, y)
        return event.button() == LEFT and self._on_double_click(x, y)

    def _on_key(self, key) -> bool:
        if key == QtCore.Qt.Key.Key_Escape and self._drag_index is not None:
            self.cancel_drag()
            return True
        if key in (QtCore.Qt.Key.Key_Delete, QtCore.Qt.Key.Key_Backspace) and self.layer.selected_vertex is not None:
            self.delete_vertex(self.layer.selected_vertex)
            return True
        return False

    def _on_press(self, button, x: float, y: float, screen_pos) -> bool:
        px = self.view.pixel_size()
        vertex = self.layer.vertex_at(x, y, HANDLE_HIT_PX * px)
        if button == LEFT and vertex is not None:
            self.view.setFocus()
            self._pressed, self._swallow = vertex, False
            self._drag_offset = (self.layer.vx[vertex] - x, self.layer.vy[vertex] - y)
            return True
        if button == RIGHT:
            if vertex is not None:
                self._on_vertex_clicked(vertex, button, screen_pos)
                return True
            segment = self.layer.segment_at(x, y, CURVE_HIT_PX * px)
            if segment is not None:
                self._on_segment_right_clicked(segment, x, y, screen_pos)
                return True
        return False

    def _on_move(self, left_down: bool, x: float, y: float) -> bool:
        if not left_down or (self._pressed is None and self._drag_index is None):
            return self._swallow and left_down
        x, y = x + self._drag_offset[0], y + self._drag_offset[1]
        if self._pressed is not None:  # the first move of a press on a vertex starts the drag
            index, self._pressed = self._pressed, None
            self._on_drag_started(index)
        self._on_dragged(self._drag_index, x, y)
        return True

    def _on_release(self, button, x: float, y: float) -> bool:
        if button != LEFT:
            return False
        if self._pressed is not None:  # pressed and released on a vertex: a click
            index, self._pressed = self._pressed, None
            self._on_vertex_clicked(index, button, None)
            return True
        if self._drag_index is not None:
            self._on_drag_finished(self._drag_index, x + self._drag_offset[0], y + self._drag_offset[1])
            return True
        swallowed, self._swallow = self._swallow, False
        return swallowed

    def _on_double_click(self, x: float, y: float) -> bool:
        segment = self.layer.segment_at(x, y, CURVE_HIT_PX * self.view.pixel_size())
        if segment is None:
            return False
        self._on_segment_double_clicked(segment, x, y)
        return True

    # -- snapping -----------------------------------------------------------------------------
    def _snap(self, index: int, x: float, y: float) -> Snap | None:
        view, doc = self.view, self.doc
        tol = SNAP_PX * view.pixel_size()
        others = np.delete(self._drag_base.vertices, index, axis=0)
        ao = doc.ao.ring
        points = {
            "line vertex": np.column_stack(view.to_display(others[:, 0], others[:, 1])),
            "AO vertex": np.column_stack(view.to_display(ao[:, 0], ao[:, 1])),
        }
        names = {"line vertex": [str(k + 1 + (k >= index)) for k in range(len(others))],  # numbered as drawn
                 "AO vertex": [str(k + 1) for k in range(len(ao))], "place": [p.name for p in doc.places]}
        if doc.places:
            points["place"] = np.column_stack(view.to_display([p.lon for p in doc.places], [p.lat for p in doc.places]))
        lines = {"AO edge": [view.plane_to_display(np.asarray(doc.ao.polygon(doc.analysis_projection).exterior.coords))]}
        lines.update(view.snap_polylines())
        return snap_point(x, y, tol, points, lines, names)

"""Airspace map tools (built-in plugins): edit ACMs, and draw a polygon, a circle or a
corridor.

Edit airspace (the line's vertex gestures): click a block to select it (its handles show);
press-drag a handle to move that vertex (a circle: its centre, or the round handle due
north of it for the radius), or drag inside the block to move all of it (Esc cancels);
double-click an edge to insert a vertex there; select a vertex and press Delete (or
right-click it) to remove it; Delete with no vertex selected removes the block;
double-click inside (or right-click › Properties…) for name, kind, owner, floor/ceiling and
periods; right-click › Draft notification… for the hotline message. A drag previews live
and is one undoable command on release.

Drawing: Polygon: click the corners, double-click / Enter / right-click closes it
(Backspace removes the last corner); Circle: drag from the centre out to the radius;
Corridor: click along the centreline, double-click / Enter ends it. The properties
dialog then opens; OK adds the block (one command), Cancel adds nothing.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.air import commands
from desktop.core.air.acm import CIRCLE, CORRIDOR, CORRIDOR_KIND, POLYGON, ROZ, ACM, AcmError
from desktop.core.air.measures import NM_M
from desktop.core.geodesy import GEOD
from desktop.gui.air.acm_dialog import edit_acm_properties
from desktop.gui.air.session import session_for

HANDLE_HIT_PX = 8
EDGE_HIT_PX = 6
CLICK_PX = 4.0
DEFAULT_BLOCK_FT = (10_000.0, 25_000.0)    # a new block's floor and ceiling (the ROZ)
DEFAULT_WIDTH_NM = 5.0
LEFT, RIGHT = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.RightButton
_E = QtCore.QEvent.Type
Key = QtCore.Qt.Key


class _AirspaceTool(QtCore.QObject):
    """Shared: the map's events first, the ACM layer, commands through the context."""

    cursor = QtCore.Qt.CursorShape.CrossCursor

    def __init__(self, context) -> None:
        super().__init__()
        self.context = context
        self.doc = context.document
        self.view = context.map_view
        self.session = session_for(context)
        self.layer = self.view.layer("air.acms")
        self.active = False

    def activate(self) -> None:
        self.active = True
        self.layer.set_editable(True)
        self.view.scene.raise_layer(self.layer.id, True)
        self.view.installEventFilter(self)
        self.view.setCursor(self.cursor)

    def deactivate(self) -> None:
        self.cancel()
        self.active = False
        self.layer.set_editable(False)
        self.view.scene.raise_layer(self.layer.id, False)
        self.view.removeEventFilter(self)
        self.view.unsetCursor()

    def close(self) -> None:
        if self.active:
            self.deactivate()

    def cancel(self) -> None:
        self.layer.set_preview(None)

    def push(self, command) -> bool:
        return self.context.push(command)

    def lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self.view.to_lonlat(x, y)
        return float(lon), float(lat)

    def px(self) -> float:
        return self.view.pixel_size()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # Identity checks only: this filter also sees the events of a view being destroyed.
        if obj is not self.view:
            return False
        t = event.type()
        if t == _E.KeyPress:
            return self.on_key(event.key())
        if t not in (_E.MouseButtonPress, _E.MouseMove, _E.MouseButtonRelease, _E.MouseButtonDblClick):
            return False
        x, y = self.view.widget_to_map(event.position())
        if t == _E.MouseButtonPress:
            self.view.setFocus()
            return self.on_press(event.button(), x, y, event.globalPosition())
        if t == _E.MouseMove:
            return self.on_move(bool(event.buttons() & LEFT), x, y)
        if t == _E.MouseButtonRelease:
            return self.on_release(event.button(), x, y)
        return event.button() == LEFT and self.on_double_click(x, y)

    def on_key(self, key) -> bool:
        return False

    def on_press(self, button, x, y, global_pos) -> bool:
        return False

    def on_move(self, left_down: bool, x, y) -> bool:
        return False

    def on_release(self, button, x, y) -> bool:
        return False

    def on_double_click(self, x, y) -> bool:
        return False

    def properties(self, acm_id: str) -> bool:
        old = self.doc.airspace.get(acm_id)
        new = edit_acm_properties(old, self.doc, self.view, f"{old.kind} {old.name or old.id}", self.session.time)
        if new is None or new == old:
            return False
        return self.push(commands.edit_acm(self.doc, new, old_id=old.id, what="Edit"))


class AcmEditTool(_AirspaceTool):
    cursor = QtCore.Qt.CursorShape.ArrowCursor

    def __init__(self, context) -> None:
        super().__init__(context)
        self._press: tuple | None = None     # (x, y, acm id, handle or None) of a left press on a block
        self._dragging = False
        self._last_valid: ACM | None = None

    def cancel(self) -> None:
        if self._dragging:
            self.context.status("Move cancelled")
        self._press, self._dragging, self._last_valid = None, False, None
        super().cancel()

    # -- commands ------------------------------------------------------------------------------
    def delete(self, acm_id: str) -> bool:
        ok = self.push(commands.delete_acm(self.doc, acm_id))
        if ok:
            self.session.select_acm(None)
        return ok

    def reshape(self, acm: ACM, what: str) -> bool:
        try:
            return self.push(commands.edit_acm(self.doc, acm, what=what))
        except AcmError as exc:
            self.context.status(f"{what} refused: {exc}")
            return False

    def delete_vertex(self, acm_id: str, index: int) -> bool:
        acm = self.doc.airspace.get(acm_id)
        if acm.shape == CIRCLE:
            return False
        try:
            edited = acm.edited(points=np.delete(acm.points, index, axis=0))
        except AcmError as exc:
            self.context.status(f"Cannot delete the vertex: {exc}")
            return False
        ok = self.reshape(edited, "Delete vertex of")
        if ok:
            self.layer.select_vertex(None)
        return ok

    def insert_vertex(self, acm_id: str, segment: int, x: float, y: float) -> bool:
        acm = self.doc.airspace.get(acm_id)
        try:
            edited = acm.edited(points=np.insert(acm.points, segment + 1, self.lonlat(x, y), axis=0))
        except AcmError as exc:
            self.context.status(f"Cannot insert a vertex there: {exc}")
            return False
        ok = self.reshape(edited, "Insert vertex in")
        if ok:
            self.layer.select_vertex(segment + 1)
        return ok

    def draft_notification(self, acm_id: str) -> None:
        from desktop.gui.air.notify_dialog import notify_acm
        notify_acm(self.context, acm_id, self.view)

    def block_menu(self, acm_id: str, vertex: int | None, segment: int | None, x: float, y: float) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self.view)
        menu.addAction("Properties…", lambda: self.properties(acm_id))
        if vertex is not None and self.doc.airspace.get(acm_id).shape != CIRCLE:
            menu.addAction("Delete vertex", lambda: self.delete_vertex(acm_id, vertex))
        elif segment is not None:
            menu.addAction("Insert vertex here", lambda: self.insert_vertex(acm_id, segment, x, y))
        menu.addAction("Draft notification…", lambda: self.draft_notification(acm_id))
        menu.addSeparator()
        menu.addAction("Delete block", lambda: self.delete(acm_id))
        return menu

    # -- gestures ---------------------------------------------------------------------------------
    def _moved(self, x: float, y: float) -> ACM:
        """The pressed block with the drag applied (AcmError if that makes it invalid)."""
        x0, y0, acm_id, handle = self._press
        acm = self.doc.airspace.get(acm_id)
        lon, lat = self.lonlat(x, y)
        if handle is None:  # the whole block, by the drag's change of lon/lat
            lon0, lat0 = self.lonlat(x0, y0)
            return acm.edited(points=acm.points + np.array([lon - lon0, lat - lat0]))
        if acm.shape == CIRCLE and handle == 1:  # the radius, to a tenth of a nautical mile
            _, _, metres = GEOD.inv(acm.points[0, 0], acm.points[0, 1], lon, lat)
            return acm.edited(radius_nm=max(0.1, round(float(metres) / NM_M, 1)))
        points = acm.points.copy()
        points[handle] = (lon, lat)
        return acm.edited(points=points)

    def on_press(self, button, x, y, global_pos) -> bool:
        tol = HANDLE_HIT_PX * self.px()
        selected = self.session.selected_acm
        vertex = self.layer.vertex_at(selected, x, y, tol) if selected is not None else None
        hit = selected if vertex is not None else self.layer.acm_at(x, y, EDGE_HIT_PX * self.px())
        if button == RIGHT:
            if hit is None:
                return False
            self.session.select_acm(hit)
            self.layer.select_vertex(vertex)
            segment = None if vertex is not None else self.layer.segment_at(hit, x, y, EDGE_HIT_PX * self.px())
            self.block_menu(hit, vertex, segment, x, y).popup(global_pos.toPoint())
            return True
        if button != LEFT:
            return False
        if hit is None:
            self.session.select_acm(None)
            return False  # the map pans (and a click picks a unit) as usual
        self.session.select_acm(hit)
        self.layer.select_vertex(vertex)
        self._press, self._dragging, self._last_valid = (x, y, hit, vertex), False, None
        return True

    def on_move(self, left_down: bool, x, y) -> bool:
        if not left_down or self._press is None:
            return False
        if not self._dragging and math.hypot(x - self._press[0], y - self._press[1]) < CLICK_PX * self.px():
            return True
        self._dragging = True
        try:
            self._last_valid = self._moved(x, y)
        except AcmError as exc:
            self.context.status(f"Cannot move there: {exc}")
            return True
        self.layer.set_preview(self._last_valid, self._press[2])
        return True

    def on_release(self, button, x, y) -> bool:
        if button != LEFT or self._press is None:
            return False
        press, dragging, moved = self._press, self._dragging, self._last_valid
        self._press, self._dragging, self._last_valid = None, False, None
        self.layer.set_preview(None)
        if dragging and moved is not None:
            self.reshape(moved, "Move" if press[3] is None else "Reshape")
        elif not dragging:
            acm = self.doc.airspace.get(press[2])
            self.context.status(f"{acm.kind} {acm.name or acm.id}, {acm.block_label()} — drag to move, "
                                "double-click for its properties, Delete to remove")
        return True

    def on_double_click(self, x, y) -> bool:
        selected = self.session.selected_acm
        if selected is not None:
            segment = self.layer.segment_at(selected, x, y, EDGE_HIT_PX * self.px())
            if segment is not None and self.layer.vertex_at(selected, x, y, HANDLE_HIT_PX * self.px()) is None:
                return self.insert_vertex(selected, segment, x, y) or True
        hit = self.layer.acm_at(x, y, EDGE_HIT_PX * self.px())
        if hit is None:
            return False
        self.session.select_acm(hit)
        self.properties(hit)
        return True

    def on_key(self, key) -> bool:
        selected = self.session.selected_acm
        if key == Key.Key_Escape:
            if self._dragging:
                self.cancel()
                return True
            if selected is not None:
                self.session.select_acm(None)
                return True
            return False
        if key in (Key.Key_Delete, Key.Key_Backspace) and selected is not None:
            if self.layer.selected_vertex is not None:
                return self.delete_vertex(selected, self.layer.selected_vertex) or True
            return self.delete(selected) or True
        return False


class _DrawTool(_AirspaceTool):
    shape = POLYGON
    kind = ROZ
    hint = ""

    def activate(self) -> None:
        super().activate()
        self.context.status(self.hint)

    def new_acm(self, points, **size) -> ACM:
        """A block of this tool's shape through `points` (display coordinates), with the
        default owner and altitudes; AcmError while it is not a block yet."""
        lonlat = np.array([self.lonlat(x, y) for x, y in points])
        floor, ceiling = DEFAULT_BLOCK_FT
        return ACM(self.doc.airspace.new_id(self.kind), "", self.kind, self.doc.sides[0], floor, ceiling, self.shape,
                   lonlat, **size)

    def finish(self, acm: ACM) -> bool:
        """The properties dialog on the drawn block; OK adds it (one command)."""
        self.layer.set_preview(acm)
        try:
            final = edit_acm_properties(acm, self.doc, self.view, f"New {acm.shape}", self.session.time, new=True)
        finally:
            self.layer.set_preview(None)
        if final is None:
            self.context.status("Not added")
            return False
        ok = self.push(commands.add_acm(self.doc, final))
        if ok:
            self.session.select_acm(final.id)
            self.context.status(f"Added {final.kind} {final.name or final.id}, {final.block_label()} — Ctrl+Z undoes it")
        return ok


class AcmPolygonTool(_DrawTool):
    hint = "Airspace polygon: click the corners; double-click or Enter closes it"

    def __init__(self, context) -> None:
        super().__init__(context)
        self.points: list[tuple[float, float]] = []

    def cancel(self) -> None:
        self.points = []
        super().cancel()

    def _show(self, cursor=None) -> None:
        pts = self.points + ([cursor] if cursor is not None else [])
        try:
            self.layer.set_preview(self.new_acm(pts) if len(pts) >= 3 else None)
        except AcmError:
            pass

    def on_press(self, button, x, y, global_pos) -> bool:
        if button == RIGHT and self.points:
            self.close_area()
            return True
        if button != LEFT:
            return False
        if self.points and math.hypot(x - self.points[-1][0], y - self.points[-1][1]) < CLICK_PX * self.px():
            return True  # the second click of a double-click: no new corner
        self.points.append((x, y))
        self._show()
        return True

    def on_move(self, left_down: bool, x, y) -> bool:
        if self.points:
            self._show((x, y))
        return False

    def on_release(self, button, x, y) -> bool:
        return button == LEFT and bool(self.points)

    def on_double_click(self, x, y) -> bool:
        if self.points:
            self.close_area()
        return True

    def on_key(self, key) -> bool:
        if self.points and key in (Key.Key_Return, Key.Key_Enter):
            self.close_area()
            return True
        if self.points and key == Key.Key_Backspace:
            self.points.pop()
            self._show()
            return True
        if self.points and key == Key.Key_Escape:
            self.cancel()
            return True
        return False

    def close_area(self) -> None:
        points, self.points = self.points, []
        self.layer.set_preview(None)
        try:
            acm = self.new_acm(points)
        except AcmError as exc:
            self.context.status(f"Not added: {exc}")
            return
        self.finish(acm)


class AcmCorridorTool(AcmPolygonTool):
    shape, kind = CORRIDOR, CORRIDOR_KIND
    hint = "Airspace corridor: click along the centreline; double-click or Enter ends it"

    def new_acm(self, points, **size) -> ACM:
        return super().new_acm(points, width_nm=DEFAULT_WIDTH_NM)

    def _show(self, cursor=None) -> None:
        pts = self.points + ([cursor] if cursor is not None else [])
        try:
            self.layer.set_preview(self.new_acm(pts) if len(pts) >= 2 else None)
        except AcmError:
            pass


class AcmCircleTool(_DrawTool):
    shape = CIRCLE
    hint = "Airspace circle: drag from the centre out to the radius"

    def __init__(self, context) -> None:
        super().__init__(context)
        self.centre: tuple[float, float] | None = None

    def cancel(self) -> None:
        self.centre = None
        super().cancel()

    def _circle(self, x, y) -> ACM:
        (lon0, lat0), (lon1, lat1) = self.lonlat(*self.centre), self.lonlat(x, y)
        radius = round(float(GEOD.inv(lon0, lat0, lon1, lat1)[2]) / NM_M, 1)
        return self.new_acm([self.centre], radius_nm=max(radius, 0.1))

    def on_press(self, button, x, y, global_pos) -> bool:
        if button != LEFT:
            return False
        self.centre = (x, y)
        return True

    def on_move(self, left_down: bool, x, y) -> bool:
        if self.centre is None or not left_down:
            return False
        try:
            self.layer.set_preview(self._circle(x, y))
        except AcmError:
            pass
        return True

    def on_release(self, button, x, y) -> bool:
        if button != LEFT or self.centre is None:
            return False
        click = math.hypot(x - self.centre[0], y - self.centre[1]) < CLICK_PX * self.px()
        try:
            acm = self.new_acm([self.centre], radius_nm=10.0) if click else self._circle(x, y)
        except AcmError as exc:
            self.context.status(f"Not added: {exc}")
            acm = None
        self.centre = None
        self.layer.set_preview(None)
        if acm is not None:
            self.finish(acm)
        return True

    def on_key(self, key) -> bool:
        if key == Key.Key_Escape and self.centre is not None:
            self.cancel()
            return True
        return False

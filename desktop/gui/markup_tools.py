"""Markup map tools (built-in plugins): select/edit, text, arrow, freehand, area, range
ring and measure.

Gestures (QGIS conventions where they exist):
- every tool: right-click an item for Edit…/Delete; Delete removes the selected item; Esc
  cancels what is being drawn (or clears the selection); a finished item is selected;
- Select markup: click an item to select it, drag it to move it (one command), double-click
  to edit it; a press on the empty map pans as usual;
- Text: click where the label goes, type it; Arrow: drag from tail to head; Freehand: drag;
  Area: click the corners, double-click / Enter / right-click to close it (Backspace
  removes the last corner); Range ring: drag from the centre out to the radius, or click the
  centre and type the radius; Measure: drag from one point to the other: distance and
  bearing show live and the measurement stays on the map.
Every finished gesture is one undoable command (desktop.core.commands).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core import commands
from desktop.core.annotations import (ARROW, CIRCLE, FREEHAND, MEASURE, MEASURE_COLOR, POLYGON, TEXT, Annotation,
                                      AnnotationError)
from desktop.core.geodesy import GEOD
from desktop.core.measure_units import DEFAULT as KM, MeasureUnits, nice_length_km
from desktop.gui.map.layers.markup import HIT_PX
from desktop.gui.context import AppContext
from desktop.gui.markup_dialog import describe, edit_annotation

CLICK_PX = 4.0      # a press and release closer than this is a click, not a drag
FREEHAND_STEP_PX = 3.0
LEFT, RIGHT = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.RightButton
_E = QtCore.QEvent.Type


def nice_radius_km(km: float, units: MeasureUnits = KM) -> float:
    """A dragged radius rounded to two significant figures in the user's unit (19.87 km ->
    20 km, 10.73 NM -> 11 NM): what a planner means by a drag. Type the radius (Edit…) for
    any other value."""
    return nice_length_km(km, units)


class MarkupTool(QtCore.QObject):
    """Shared behaviour: event filters, item menu, Delete/Esc, selection. Subclasses draw."""

    kind: str | None = None   # what the tool draws; None for the select tool
    cursor = QtCore.Qt.CursorShape.CrossCursor

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.doc = context.document
        self.view = context.map_view
        self.layer = self.view.layer("markup")
        self.active = False
        self._press: QtCore.QPointF | None = None   # viewport position of the left press
        self._points: list[tuple[float, float]] = []  # display coordinates of the gesture

    def _units(self) -> tuple[MeasureUnits, float | None]:
        """The preferred units of measure, and the time the map shows (for magnetic bearings)."""
        return self.context.preferences.units, self.context.time_cursor.shown_time

    def _describe(self, annotation: Annotation) -> str:
        return describe(annotation, *self._units())

    # -- tool protocol ------------------------------------------------------------------------
    def activate(self) -> None:
        self.active = True
        self.view.installEventFilter(self)
        self.view.setCursor(self.cursor)

    def deactivate(self) -> None:
        self.cancel()
        self.layer.select(None)  # another tool would not act on it (Delete edits the line there)
        self.active = False
        self.view.removeEventFilter(self)
        self.view.unsetCursor()

    def close(self) -> None:
        if self.active:
            self.deactivate()

    @property
    def drawing(self) -> bool:
        return bool(self._points)

    def cancel(self) -> None:
        """Drop what is being drawn or moved."""
        if self._points or self._press is not None or self.layer.preview is not None:
            self._points, self._press = [], None
            self.layer.set_preview(None)
            self.context.status("Cancelled")

    # -- commands -------------------------------------------------------------------------------
    def add(self, annotation: Annotation) -> bool:
        ok = self.context.push(commands.add_annotation(self.doc, annotation))
        if ok:
            self.layer.select(annotation.id)
            self.context.status(f"{self._describe(annotation)} — Delete removes it, Ctrl+Z undoes it")
        return ok

    def delete(self, annotation_id: str) -> bool:
        ok = self.context.push(commands.delete_annotation(self.doc, annotation_id))
        if ok:
            self.layer.select(None)
        return ok

    def edit(self, annotation_id: str) -> bool:
        current = self.doc.annotations.get(annotation_id)
        edited = edit_annotation(current, self.view, "", *self._units())
        if edited is None or edited == current:
            return False
        return self.context.push(commands.change_annotation(self.doc, edited, "Edit"))

    def item_menu(self, annotation_id: str) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self.view)
        menu.addAction("Edit…", lambda: self.edit(annotation_id))
        menu.addAction("Delete", lambda: self.delete(annotation_id))
        return menu

    # -- coordinates ------------------------------------------------------------------------------
    def to_map(self, pos: QtCore.QPointF) -> tuple[float, float]:
        return self.view.widget_to_map(pos)

    def lonlat(self, points) -> np.ndarray:
        xy = np.asarray(points, dtype=float).reshape(-1, 2)
        lon, lat = self.view.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)])

    def hit(self, pos: QtCore.QPointF) -> str | None:
        x, y = self.to_map(pos)
        return self.layer.annotation_at(x, y, HIT_PX * self.view.pixel_size())

    def new(self, kind: str, points, **style) -> Annotation:
        return Annotation(self.doc.annotations.new_id(kind), kind, self.lonlat(points), **style)

    # -- events ----------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        # Identity checks only: this filter also sees the events of a view being destroyed.
        t = event.type()
        if obj is not self.view:
            return False
        if t == _E.KeyPress:
            return self.on_key(event.key())
        if t not in (_E.MouseButtonPress, _E.MouseMove, _E.MouseButtonRelease, _E.MouseButtonDblClick):
            return False
        pos = event.position()
        if t == _E.MouseButtonPress and event.button() == RIGHT:
            return self.on_right_click(pos, event.globalPosition())
        if t == _E.MouseButtonPress and event.button() == LEFT:
            self.view.setFocus()
            if self.on_press(pos):
                self._press = QtCore.QPointF(pos)
                return True
            return False
        if t == _E.MouseMove:
            self.on_move(pos, bool(event.buttons() & LEFT) and self._press is not None)
            return False  # the status bar still follows the cursor
        if t == _E.MouseButtonRelease and event.button() == LEFT and self._press is not None:
            press, self._press = self._press, None
            self.on_release(pos, _distance(press, pos) < CLICK_PX)
            return True
        if t == _E.MouseButtonDblClick and event.button() == LEFT:
            return self.on_double_click(pos)
        return t == _E.MouseButtonRelease and event.button() == RIGHT

    def on_key(self, key) -> bool:
        Key = QtCore.Qt.Key
        if key == Key.Key_Escape:
            if self.drawing or self.layer.preview is not None:
                self.cancel()
                return True
            if self.layer.selected is not None:
                self.layer.select(None)
                return True
            return False
        if key in (Key.Key_Delete, Key.Key_Backspace) and self.layer.selected is not None and not self.drawing:
            return self.delete(self.layer.selected) or True
        return False

    def on_right_click(self, pos, global_pos) -> bool:
        hit = self.hit(pos)
        if hit is None:
            return False
        self.layer.select(hit)
        self.item_menu(hit).popup(global_pos.toPoint())
        return True

    # Subclasses: on_press returns True to take the gesture (a left press on the map).
    def on_press(self, pos) -> bool:
        x, y = self.to_map(pos)
        self._points = [(x, y)]
        return True

    def on_move(self, pos, dragging: bool) -> None:
        if dragging:
            self.preview_to(self.to_map(pos))

    def on_release(self, pos, click: bool) -> None:
        end = self.to_map(pos)
        points, self._points = self._points, []
        self.layer.set_preview(None)
        if click:
            self.on_click(points[0])
        else:
            self.finish(points[0], end)

    def on_double_click(self, pos) -> bool:
        return True  # the clicks before it did the work

    def preview_to(self, end) -> None:
        """Show the item that a release at `end` would make (with its live label)."""
        try:
            a = self.build(self._points[0], end, preview=True)
        except AnnotationError:
            return
        self.layer.set_preview(a)
        self.context.status(self._describe(a))

    def build(self, start, end, preview: bool = False) -> Annotation:
        return self.new(self.kind, [start, end])

    def finish(self, start, end) -> None:
        try:
            self.add(self.build(start, end))
        except AnnotationError as exc:
            self.context.status(f"Not added: {exc}")

    def on_click(self, at) -> None:
        self.context.status(HINTS[self.kind])


class SelectMarkupTool(MarkupTool):
    """Select, move (drag), edit (double-click) and delete markup; pans elsewhere."""

    cursor = QtCore.Qt.CursorShape.ArrowCursor

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self._moving: Annotation | None = None
        self._start_lonlat = (0.0, 0.0)

    @property
    def drawing(self) -> bool:
        return self._moving is not None

    def cancel(self) -> None:
        self._moving = None
        super().cancel()

    def on_press(self, pos) -> bool:
        hit = self.hit(pos)
        self.layer.select(hit)
        if hit is None:
            return False  # pan / click a unit, as usual
        self._moving = self.doc.annotations.get(hit)
        self._start_lonlat = tuple(self.lonlat([self.to_map(pos)])[0])
        return True

    def _moved(self, pos) -> Annotation:
        lon, lat = self.lonlat([self.to_map(pos)])[0]
        return self._moving.moved(lon - self._start_lonlat[0], lat - self._start_lonlat[1])

    def on_move(self, pos, dragging: bool) -> None:
        if dragging and self._moving is not None:
            self.layer.set_preview(self._moved(pos))

    def on_release(self, pos, click: bool) -> None:
        moving, moved = self._moving, (None if self._moving is None else self._moved(pos))
        self._moving = None
        self.layer.set_preview(None)
        if moving is not None and not click:
            if self.context.push(commands.change_annotation(self.doc, moved, "Move")):
                self.context.status(f"Moved {moving.kind}: {self._describe(moved)}")
        elif moving is not None:
            self.context.status(f"{self._describe(moving)} — drag to move, double-click to edit, Delete to remove")

    def on_double_click(self, pos) -> bool:
        hit = self.hit(pos)
        if hit is None:
            return False
        self.layer.select(hit)
        self.edit(hit)
        return True


class TextTool(MarkupTool):
    kind = TEXT

    def on_release(self, pos, click: bool) -> None:
        at, self._points = self._points[0], []
        template = self.new(TEXT, [at], text="Label")
        edited = edit_annotation(template, self.view, "New text label", *self._units())
        if edited is not None:
            self.add(edited)


class ArrowTool(MarkupTool):
    kind = ARROW


class MeasureTool(MarkupTool):
    kind = MEASURE

    def build(self, start, end, preview: bool = False) -> Annotation:
        return self.new(MEASURE, [start, end], color=MEASURE_COLOR, width=2.0)


class FreehandTool(MarkupTool):
    kind = FREEHAND

    def on_move(self, pos, dragging: bool) -> None:
        if not dragging:
            return
        x, y = self.to_map(pos)
        lx, ly = self._points[-1]
        if math.hypot(x - lx, y - ly) >= FREEHAND_STEP_PX * self.view.pixel_size():
            self._points.append((x, y))
            if len(self._points) >= 2:
                self.layer.set_preview(self.new(FREEHAND, self._points))

    def on_release(self, pos, click: bool) -> None:
        points, self._points = self._points + [self.to_map(pos)], []
        self.layer.set_preview(None)
        if click and len(points) <= 2:  # a stroke may end where it began: only a still mouse is a click
            self.context.status(HINTS[FREEHAND])
            return
        try:
            self.add(self.new(FREEHAND, points))
        except AnnotationError as exc:
            self.context.status(f"Not added: {exc}")


class CircleTool(MarkupTool):
    kind = CIRCLE

    def build(self, start, end, preview: bool = False) -> Annotation:
        (lon0, lat0), (lon1, lat1) = self.lonlat([start, end])
        _, _, metres = GEOD.inv(lon0, lat0, lon1, lat1)
        return self.new(CIRCLE, [start], radius_km=nice_radius_km(float(metres) / 1000.0, self._units()[0]))

    def on_click(self, at) -> None:
        edited = edit_annotation(self.new(CIRCLE, [at], radius_km=10.0), self.view, "New range ring", *self._units())
        if edited is not None:
            self.add(edited)


class PolygonTool(MarkupTool):
    """Click the corners; double-click, Enter or right-click closes the area."""

    kind = POLYGON

    def on_press(self, pos) -> bool:
        x, y = self.to_map(pos)
        if self._points:
            lx, ly = self._points[-1]
            if math.hypot(x - lx, y - ly) < CLICK_PX * self.view.pixel_size():
                return True  # the second click of a double-click: no new corner
        self._points.append((x, y))
        self._show(None)
        return True

    def on_move(self, pos, dragging: bool) -> None:
        if self._points:
            self._show(self.to_map(pos))

    def on_release(self, pos, click: bool) -> None:
        pass  # corners are placed on press

    def on_double_click(self, pos) -> bool:
        if self._points:
            self.close_area()
        return True

    def on_right_click(self, pos, global_pos) -> bool:
        if self._points:
            self.close_area()
            return True
        return super().on_right_click(pos, global_pos)

    def on_key(self, key) -> bool:
        Key = QtCore.Qt.Key
        if self._points and key in (Key.Key_Return, Key.Key_Enter):
            self.close_area()
            return True
        if self._points and key == Key.Key_Backspace:
            self._points.pop()
            self._show(None)
            return True
        return super().on_key(key)

    def _show(self, cursor) -> None:
        """The area so far, closed through the cursor (a line while it has two points)."""
        points = self._points + ([cursor] if cursor is not None else [])
        if len(points) < 2:
            self.layer.set_preview(None)
            return
        try:
            a = self.new(POLYGON if len(points) >= 3 else FREEHAND, points)
        except AnnotationError:
            return
        self.layer.set_preview(a)
        if a.kind == POLYGON:
            self.context.status(f"{self._describe(a)} — double-click or Enter closes the area")

    def close_area(self) -> None:
        points, self._points = self._points, []
        self.layer.set_preview(None)
        if len(points) < 3:
            self.context.status("An area needs at least 3 corners")
            return
        try:
            self.add(self.new(POLYGON, points))
        except AnnotationError as exc:
            self.context.status(f"Not added: {exc}")


HINTS = {ARROW: "Drag from the tail to the head to draw an arrow",
         MEASURE: "Drag from one point to the other to measure",
         FREEHAND: "Hold the button and draw",
         CIRCLE: "Drag from the centre out to the radius, or click the centre to type it"}


def _distance(a: QtCore.QPointF, b: QtCore.QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())

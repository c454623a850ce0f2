"""What time adds to the map: ghosted line revisions, trails, stale units, the selected call.

The document already draws the moment the cursor shows (units at t, the revision in force,
its sectors). This layer adds, in the map's display CRS:

- ghosts: the line revisions ticked in the revisions list (all by default), dashed grey
  with their id, except the one drawn as the line; in the past, the line being edited is
  ghosted too (dotted), so an edit in progress stays in sight;
- trails: where units went in the last N hours (all units up to TRAIL_ALL_LIMIT, else the
  selected ones), in their side's colour;
- stale units (no report for the cursor's stale-after hours) covered in grey;
- the selected call: a star at its place and dashed rings round its units;
- a banner over the map while it shows the past, saying what is shown and that the line
  cannot be edited there (the line layer is locked).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from desktop.core.geodesy import densify_geodesic
from desktop.core.time_cursor import TRAIL_HOURS, TimeCursor, trails
from desktop.gui import style
from desktop.gui.timeline.axis import format_short
from desktop.gui.unit_items import SymbolItem

if TYPE_CHECKING:
    from desktop.gui.context import AppContext

Z_GHOSTS, Z_TRAILS, Z_STALE, Z_CALL = 19, 29, 30.5, 33
TRAIL_ALL_LIMIT = 2000
STALE_LIMIT = 25_000           # beyond this many stale units the grey cover is left out
GHOST_PEN = pg.mkPen(110, 110, 110, width=2, style=QtCore.Qt.PenStyle.DashLine)
PROPOSED_PEN = pg.mkPen(200, 120, 0, width=2, style=QtCore.Qt.PenStyle.DashLine)
WORKING_PEN = pg.mkPen(30, 30, 30, width=2, style=QtCore.Qt.PenStyle.DotLine)
CALL_COLOUR = (150, 0, 190)


class MapTimeLayer(QtCore.QObject):
    def __init__(self, context: AppContext, cursor: TimeCursor) -> None:
        super().__init__(context.map_view)
        self.context, self.cursor = context, cursor
        self.view = view = context.map_view
        self.doc = context.document
        self.ghosts: set[str] | None = None          # revision ids ghosted; None = all
        self.trail_hours = TRAIL_HOURS
        self._ghost_items: list[pg.GraphicsObject] = []
        self._ghost_key: tuple | None = None       # what the ghosts were drawn for
        self._working_key: tuple | None = None
        self.working = pg.PlotCurveItem(pen=WORKING_PEN)
        self.working.setZValue(Z_GHOSTS)
        self.working_label = self._label("line being edited", (30, 30, 30))
        self.trail_items = [pg.PlotCurveItem(pen=pg.mkPen(*c, 110, width=1.2), connect="finite")
                            for c in (*style.SIDE_COLOURS, style.OTHER_SIDE_COLOUR)]
        self.stale_item = SymbolItem("s", 14, pg.mkPen(90, 90, 90, width=1), pg.mkBrush(170, 170, 170, 215), Z_STALE)
        self.call_units = SymbolItem("o", 34, pg.mkPen(*CALL_COLOUR, width=2.5, style=QtCore.Qt.PenStyle.DashLine),
                                     None, Z_CALL)
        self.call_place = pg.ScatterPlotItem(size=20, symbol="star", pen=pg.mkPen(255, 255, 255, width=1.5),
                                             brush=pg.mkBrush(*CALL_COLOUR))
        self.call_place.setZValue(Z_CALL)
        self.call_label = self._label("", CALL_COLOUR)
        for item in (self.working, *self.trail_items, self.stale_item, self.call_units, self.call_place):
            view.plot_item.addItem(item)
        for item in self.trail_items:
            item.setZValue(Z_TRAILS)
        self.banner = QtWidgets.QLabel(view, objectName="historyBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.banner.setStyleSheet("QLabel { background: rgba(255, 236, 200, 235); color: #402000; padding: 5px 8px;"
                                  " border: 1px solid #d08000; border-radius: 4px; }")
        self.banner.hide()
        links = [(cursor.changed, self.refresh), (self.doc.revisions_changed, self.refresh),
                 (self.doc.line_changed, self._on_line_changed), (self.doc.units_changed, self._on_units_changed),
                 (self.doc.positions_changed, self._on_units_changed),
                 (context.selection.changed, self._on_selection_changed),
                 (context.selection.call_changed, self._on_call_changed), (self.doc.calls_changed, self._on_call_changed)]
        for signal, slot in links:
            signal.connect(slot)
        self.destroyed.connect(lambda *_: [signal.disconnect(slot) for signal, slot in links])
        view.projection_changed.connect(self.refresh)
        view.installEventFilter(self)
        self.refresh()

    def _label(self, text: str, colour) -> pg.TextItem:
        label = pg.TextItem(text, color=colour, anchor=(0, 1))
        label.setZValue(Z_GHOSTS)
        self.view.plot_item.addItem(label)
        return label

    # -- settings ----------------------------------------------------------------------------
    def set_ghosts(self, ids: set[str] | None) -> None:
        self.ghosts = ids
        self._draw_ghosts()
        self._draw_working()

    def set_trail_hours(self, hours: float) -> None:
        self.trail_hours = float(hours)
        self._draw_trails()

    # -- drawing -----------------------------------------------------------------------------
    def refresh(self, *_) -> None:
        self.view.line_layer.set_locked(not self.cursor.is_live)
        self._draw_ghosts()
        self._draw_working()
        self._draw_trails()
        self._draw_stale()
        self._draw_call()
        self._draw_banner()

    def _line_xy(self, line) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = densify_geodesic(line.lon, line.lat)
        return self.view.to_display(lon, lat)

    def _draw_ghosts(self) -> None:
        shown = self.doc.shown_line
        key = (tuple((r.id, r.state, id(r.line)) for r in self.doc.revisions), id(shown), id(self.view.projection),
               None if self.ghosts is None else frozenset(self.ghosts), self.cursor.is_live, id(self.doc.line))
        if key == self._ghost_key:
            return  # scrubbing within one revision: nothing to redraw
        self._ghost_key = key
        plot = self.view.plot_item
        for item in self._ghost_items:
            plot.removeItem(item)
        self._ghost_items = []
        past = not self.cursor.is_live
        for rev in self.doc.revisions:
            if (self.ghosts is not None and rev.id not in self.ghosts) or rev.line == shown:
                continue
            x, y = self._line_xy(rev.line)
            curve = pg.PlotCurveItem(x, y, pen=PROPOSED_PEN if rev.state == "proposed" else GHOST_PEN)
            curve.setZValue(Z_GHOSTS)
            editing = " · line being edited" if past and rev.line == self.doc.line else ""
            label = pg.TextItem(f"{rev.id} ({rev.state}){editing}", color=curve.opts["pen"].color(), anchor=(0, 0))
            label.setPos(float(x[-1]), float(y[-1]))
            label.setZValue(Z_GHOSTS)
            for item in (curve, label):
                plot.addItem(item)
                self._ghost_items.append(item)

    def _draw_working(self) -> None:
        # In the past, the line being edited is ghosted (dotted) unless a ghosted revision is that line.
        ghosted = any(r.line == self.doc.line for r in self.doc.revisions if self.ghosts is None or r.id in self.ghosts)
        past = not self.cursor.is_live and self.doc.line != self.doc.shown_line and not ghosted
        key = (past, id(self.doc.line), id(self.view.projection))
        if key == self._working_key:
            return
        self._working_key = key
        self.working.setVisible(past)
        self.working_label.setVisible(past)
        if past:
            x, y = self._line_xy(self.doc.line)
            self.working.setData(x, y)
            self.working_label.setPos(float(x[-1]), float(y[-1]))

    def _draw_trails(self) -> None:
        t = self.cursor.shown_time
        n = len(self.doc.units)
        units = None if n <= TRAIL_ALL_LIMIT else self.context.selection.units
        codes = self.doc.unit_side_codes
        for k, item in enumerate(self.trail_items):
            side = k if k < len(self.trail_items) - 1 else -1
            mine = np.flatnonzero(codes == side) if units is None else units[codes[units] == side]
            if t is None or self.trail_hours <= 0 or not len(mine):
                item.setData([], [])
                continue
            lon, lat = trails(self.doc, t, self.trail_hours, mine, self.cursor.interpolate)
            x, y = self.view.to_display(lon, lat) if len(lon) else (lon, lat)
            item.setData(np.asarray(x), np.asarray(y), connect="finite")

    def _draw_stale(self) -> None:
        stale = np.flatnonzero(self.cursor.stale())
        layer = self.view.unit_layer
        if len(stale) > STALE_LIMIT or len(layer.x) != len(self.doc.units):
            stale = np.empty(0, dtype=np.int64)
        self.stale_item.setData(layer.x[stale], layer.y[stale])

    def _draw_call(self) -> None:
        call_id = self.context.selection.call
        calls = self.doc.calls
        hit = np.flatnonzero(calls.ids == call_id) if call_id is not None else []
        if not len(hit):
            self.call_units.setData(np.empty(0), np.empty(0))
            self.call_place.setData([], [])
            self.call_label.setVisible(False)
            return
        i = int(hit[0])
        rows = self.doc.units.rows_of(list(calls.links(i)))
        idx = np.unique(rows[rows >= 0])
        layer = self.view.unit_layer
        self.call_units.setData(layer.x[idx], layer.y[idx])
        lon, lat = float(calls.lon[i]), float(calls.lat[i])
        if np.isfinite(lon) and np.isfinite(lat):
            x, y = self.view.to_display(lon, lat)
            self.call_place.setData([float(x)], [float(y)])
            self.call_label.setText(str(calls.ids[i]))
            self.call_label.setPos(float(x), float(y))
            self.call_label.setVisible(True)
        else:
            self.call_place.setData([], [])
            self.call_label.setVisible(False)

    def _draw_banner(self) -> None:
        view = self.doc.time_view
        if view is None:
            self.banner.hide()
            return
        t = format_short(view.time)
        if view.in_force:
            rev = view.revision
            what = f"line in force: <b>{rev.id}</b> ({rev.state}, from {format_short(rev.effective)})"
        else:
            what = view.note
        stale = int(np.count_nonzero(self.cursor.stale()))
        unplaced = int(np.count_nonzero(np.isnan(view.units.lon)))
        extra = "".join(f" · {n} units {why}" for n, why in ((stale, f"stale (&gt; {self.cursor.stale_after_h:g} h)"),
                                                             (unplaced, "not yet reported")) if n)
        self.banner.setText(f"<b>Showing {t}</b> — {what}{extra}<br>The line cannot be edited in the past: press "
                            "End in the timeline or click <b>Now</b> to return to the live line.")
        self.banner.setFixedWidth(min(max(self.view.width() - 24, 200), 620))
        self.banner.adjustSize()
        self.banner.move(12, 10)
        self.banner.show()
        self.banner.raise_()

    # -- events ------------------------------------------------------------------------------
    def _on_line_changed(self, *_) -> None:
        self._draw_working()

    def _on_units_changed(self) -> None:
        # Positions moved (the cursor, or new units): covers that sit on units follow.
        self._draw_stale()
        self._draw_call()

    def _on_selection_changed(self, *_) -> None:
        if len(self.doc.units) > TRAIL_ALL_LIMIT:
            self._draw_trails()

    def _on_call_changed(self, *_) -> None:
        self._draw_call()
        self._reveal_call()

    def _reveal_call(self) -> None:
        """Pan the map to the selected call's place (else its units) when it is out of view."""
        px, py = self.call_place.getData()
        x, y = (np.asarray(px, dtype=float), np.asarray(py, dtype=float)) if len(px) else \
            (self.call_units.x, self.call_units.y)
        ok = np.isfinite(x) & np.isfinite(y)
        if not ok.any():
            return
        x, y = x[ok], y[ok]
        rect = self.view.view_box.viewRect()
        if not all(rect.contains(QtCore.QPointF(a, b)) for a, b in zip(x.tolist(), y.tolist())):
            self.view.view_box.translateBy(x=float(x.mean()) - rect.center().x(),
                                           y=float(y.mean()) - rect.center().y())

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Resize and self.banner.isVisible():
            self._draw_banner()
        return False

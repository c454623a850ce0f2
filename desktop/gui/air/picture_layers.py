"""The predicted air picture on the map, from the session's answer at the cursor's moment
(desktop.gui.air.session), in the display CRS:

- predicted paths: each aircraft's geodesic over the horizon (the motion model), dashed in
  its side's colour, a dot where it will be at the horizon's end;
- closest approaches: for each aircraft conflict, where each aircraft will be at the CPA,
  joined, with "3.1 NM · 500 ft · in 4 min"; a diamond where an aircraft will enter an ACM,
  a triangle where it will cross the line; the selected conflict drawn larger, in the
  selection colour;
- aircraft labels: altitude as a flight level and speed ("FL095 · 420 kt") under each
  aircraft's symbol, or beside it, or on a leader (the flight level alone if that is all
  that fits).
Labels go into the scene's shared label registry (desktop.gui.air.labels says who gives way
to whom). Every text comes from the document or the feed and is drawn as plain text.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE
from desktop.core.air.motion import predicted_paths
from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.air.labels import AIRCRAFT_RANK, ALERT_AIRCRAFT_RANK, symbol_box
from desktop.gui.map.layers.label_spots import ABOVE_FIRST, BELOW_FIRST, LEADER_PX, Line, Placed, around, place
from desktop.gui.air.layer_base import AirLayer
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import in_device, label_font, label_inks, lines_path, map_transform, pen, scaled
from desktop.gui.map.layers.unit_names import DAY, NIGHT

PATH_STEP_S = 30.0
MARK_PX, SELECTED_MARK_PX = 5.0, 7.0   # half a mark's size
CONFLICT_COLOUR = (235, 120, 0)
LABEL_PT = 7.5
ALERT_LEADER_PX = (*LEADER_PX, 90.0)   # an alert's text, or an aircraft's in one, may stand further off


class PredictedPathsLayer(AirLayer):
    id, title, z = "air.paths", "Predicted paths", 28.0

    def __init__(self, context) -> None:
        super().__init__(context)
        self.paths: list[tuple[tuple, QtGui.QPainterPath, np.ndarray]] = []   # (colour, path, ends x, y)

    def build(self) -> None:
        state, self.paths = self.state, []
        if state is None or not len(state):
            return
        _, lon, lat = predicted_paths(state, self.session.params.horizon_s, PATH_STEP_S)
        x, y = self.scene.to_display(lon.ravel(), lat.ravel())
        x, y = np.asarray(x).reshape(lon.shape), np.asarray(y).reshape(lon.shape)
        moving = np.isfinite(state.speed_kt) & (state.speed_kt > 0) & np.isfinite(state.course_deg)
        sides = self.document.sides
        for side in np.unique(state.sides).tolist():
            rows = np.flatnonzero((state.sides == side) & moving)
            if not len(rows):
                continue
            px = np.column_stack([x[rows], np.full(len(rows), np.nan)]).ravel()  # NaN breaks the polylines
            py = np.column_stack([y[rows], np.full(len(rows), np.nan)]).ravel()
            self.paths.append((style.side_colour(side, sides), lines_path(px, py),
                               np.column_stack([x[rows, -1], y[rows, -1]])))

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        painter.save()
        painter.setTransform(map_transform(settings), True)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for rgb, path, _ in self.paths:
            painter.setPen(scaled(pen(rgb, 1.6, 220, QtCore.Qt.PenStyle.DashLine), r))
            painter.drawPath(path)
        painter.restore()
        for rgb, _, ends in self.paths:
            dx, dy = settings.to_device(ends[:, 0], ends[:, 1])
            painter.setPen(QtCore.Qt.PenStyle.NoPen)
            painter.setBrush(style.qcolor(rgb, 220))
            for x, y in zip(np.atleast_1d(dx).tolist(), np.atleast_1d(dy).tolist()):
                painter.drawEllipse(QtCore.QPointF(x, y), 2.5 * r, 2.5 * r)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(pen(style.SIDE_COLOURS[0], 1.6, style=QtCore.Qt.PenStyle.DashLine))
        painter.drawLine(rect.bottomLeft(), rect.topRight())


class ConflictMarksLayer(AirLayer):
    """CPA markers (aircraft pairs), entry points (ACMs) and crossing points (the line)."""

    id, title, z = "air.cpa", "Closest approaches and entries", 34.0
    label_rank = -4  # alerts: after the symbols and the line's amplifiers, before every name

    def __init__(self, context) -> None:
        super().__init__(context)
        # (kind, selected, x, y, bx, by, text): display coordinates, b only for aircraft pairs
        self.marks: list[tuple] = []
        self.labels: list[Placed | None] = []   # per mark, its label, from the mark's `_anchor`

    def build(self) -> None:
        c, self.marks = self.session.conflicts, []
        if c is None or not len(c):
            return
        x, y = self.scene.to_display(c.lon, c.lat)
        bx, by = self.scene.to_display(np.nan_to_num(c.b_lon, nan=0.0), np.nan_to_num(c.b_lat, nan=0.0))
        chosen = self.session.selected_row()
        for i in range(len(c)):
            self.marks.append((str(c.kind[i]), i == chosen, float(x[i]), float(y[i]), float(bx[i]), float(by[i]),
                               self._text(c, i)))
        self.marks.sort(key=lambda m: m[1])  # the selected one last: on top
        self.labels = []

    @staticmethod
    def _anchor(mark) -> tuple[float, float]:
        """Display point the mark's label is placed around: the middle of a pair's CPA."""
        kind, _, x, y, bx, by, _ = mark
        return ((x + bx) / 2, (y + by) / 2) if kind == AIRCRAFT else (x, y)

    @staticmethod
    def _text(c, i: int) -> str:
        t = float(c.time_s[i])
        when = "now" if t < 30 else f"in {int(round(t / 60.0))} min"
        if c.kind[i] == AIRCRAFT:
            v = float(c.vertical_ft[i])
            vertical = "alt ?" if math.isnan(v) else f"{int(round(v)):,} ft"
            return f"{float(c.distance_nm[i]):.1f} NM · {vertical} · {when}"
        if c.kind[i] == AIRSPACE:
            return f"{c.airspace[int(c.b[i])].name or c.b_id(i)} {when}"
        return f"line {when}"

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.marks:
            return
        r = settings.pixel_ratio
        for kind, selected, x, y, bx, by, _ in self.marks:
            rgb = style.SELECTION_COLOUR if selected else CONFLICT_COLOUR
            size = (SELECTED_MARK_PX if selected else MARK_PX) * r
            (dx, ex), (dy, ey) = settings.to_device([x, bx], [y, by])
            painter.setPen(QtGui.QPen(style.qcolor(rgb), (2.2 if selected else 1.6) * r))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            if kind == AIRCRAFT:
                painter.drawLine(QtCore.QPointF(dx, dy), QtCore.QPointF(ex, ey))
                for px, py in ((dx, dy), (ex, ey)):
                    painter.drawLine(QtCore.QPointF(px - size, py - size), QtCore.QPointF(px + size, py + size))
                    painter.drawLine(QtCore.QPointF(px - size, py + size), QtCore.QPointF(px + size, py - size))
            elif kind == AIRSPACE:
                painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(dx, dy - size), QtCore.QPointF(dx + size, dy),
                                                     QtCore.QPointF(dx, dy + size), QtCore.QPointF(dx - size, dy)]))
            else:
                painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(dx, dy - size), QtCore.QPointF(dx + size, dy + size),
                                                     QtCore.QPointF(dx - size, dy + size)]))
        leader_ink = (NIGHT if settings.night else DAY)["leader"]
        for mark, (lx, ly), label in self._labels(settings):
            rgb = style.SELECTION_COLOUR if mark[1] else CONFLICT_COLOUR
            ink, fill = label_inks(settings.night, style.qcolor(rgb).darker(130), 210)
            label.paint(painter, lx, ly, r, ink, fill, leader_ink)

    def _labels(self, settings: MapSettings):
        """(mark, its label's anchor in device pixels, label) of each mark labelled."""
        if not self.labels:
            return
        anchors = [self._anchor(m) for m in self.marks]
        dx, dy = settings.to_device([a[0] for a in anchors], [a[1] for a in anchors])
        for mark, x, y, label in zip(self.marks, np.atleast_1d(dx).tolist(), np.atleast_1d(dy).tolist(), self.labels):
            if label is not None:
                yield mark, (x, y), label

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where the labels are painted (with their backings), device pixels."""
        return [rect for _, (x, y), label in self._labels(settings) for rect in label.rects(x, y, settings.pixel_ratio)]

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """The marks first, as obstacles (no later label covers them), then each alert's text
        round its mark (the middle of a pair's CPA), the selected one first. Alerts always
        show: one that finds no free spot takes the least bad."""
        self.labels = [None] * len(self.marks)
        if not self.marks:
            return
        xy = np.array([m[2:6] for m in self.marks], dtype=float)
        sx, sy = registry.to_screen(xy[:, [0, 2]].ravel(), xy[:, [1, 3]].ravel())
        sx, sy = np.reshape(sx, (-1, 2)), np.reshape(sy, (-1, 2))
        half = np.array([SELECTED_MARK_PX if m[1] else MARK_PX for m in self.marks])
        pair = np.array([m[0] == AIRCRAFT for m in self.marks])
        ends = np.column_stack([sx[:, 0], sy[:, 0], sx[:, 1], sy[:, 1]])
        registry.reserve(np.column_stack([sx[:, 0] - half, sy[:, 0] - half, sx[:, 0] + half, sy[:, 0] + half]))
        registry.reserve(np.column_stack([sx[pair, 1] - half[pair], sy[pair, 1] - half[pair],
                                          sx[pair, 1] + half[pair], sy[pair, 1] + half[pair]]))
        registry.reserve_lines(ends[pair])
        anchors = np.array([self._anchor(m) for m in self.marks])
        ax, ay = registry.to_screen(anchors[:, 0], anchors[:, 1])
        for k in sorted(range(len(self.marks)), key=lambda k: not self.marks[k][1]):
            x, y = float(np.atleast_1d(ax)[k]), float(np.atleast_1d(ay)[k])
            own = (x - half[k], y - half[k], x + half[k], y + half[k])
            self.labels[k] = place(registry, [(Line(self.marks[k][6], LABEL_PT, bold=True),)],
                                   around(own, ABOVE_FIRST, ALERT_LEADER_PX), (x, y), must=True)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(style.qcolor(CONFLICT_COLOUR), 1.6))
        painter.drawLine(rect.topLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topRight())


class AircraftLabelsLayer(AirLayer):
    """"FL095 · 420 kt" under each aircraft, where its symbol is drawn."""

    id, title, z = "air.aircraft", "Aircraft altitude and speed", 34.5
    label_rank = AIRCRAFT_RANK  # after the unit names; those in a conflict earlier (desktop.gui.air.labels)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.x = self.y = np.empty(0)
        self.texts: list[str] = []
        self.units = np.empty(0, dtype=np.int64)   # the document's unit of each aircraft
        self.labels: list[Placed | None] = []      # per aircraft, its label from its position

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.positions_changed, self._on_changed)

    def build(self) -> None:
        state = self.state
        if state is None or not len(state):
            self.x = self.y = np.empty(0)
            self.texts, self.units, self.labels = [], np.empty(0, dtype=np.int64), []
            return
        shown = self.document.shown_units  # where the units layer draws each aircraft
        lon = np.where(np.isfinite(shown.lon[state.unit]), shown.lon[state.unit], state.lon)
        lat = np.where(np.isfinite(shown.lat[state.unit]), shown.lat[state.unit], state.lat)
        self.x, self.y = (np.atleast_1d(np.asarray(v, float)) for v in self.scene.to_display(lon, lat))
        self.texts = [aircraft_label(a, s) for a, s in zip(state.alt_ft.tolist(), state.speed_kt.tolist())]
        self.units = np.asarray(state.unit, dtype=np.int64)
        if len(self.labels) != len(self.texts):  # other aircraft: laid out again soon
            self.labels = []

    def _labels(self, settings: MapSettings):
        """(aircraft, its position in device pixels, label) of each aircraft labelled near the view."""
        if not self.labels:
            return
        r = settings.pixel_ratio
        dx, dy = (np.atleast_1d(a) for a in settings.to_device(self.x, self.y))
        for i in in_device(settings, dx, dy, 120 * r).tolist():
            if self.labels[i] is not None:
                yield i, (float(dx[i]), float(dy[i])), self.labels[i]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        ink, fill = label_inks(settings.night, QtGui.QColor(20, 20, 20), 190)
        leader_ink = (NIGHT if settings.night else DAY)["leader"]
        for _, (x, y), label in self._labels(settings):
            label.paint(painter, x, y, r, ink, fill, leader_ink)

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where the labels are painted (with their backings), device pixels."""
        return [rect for _, (x, y), label in self._labels(settings) for rect in label.rects(x, y, settings.pixel_ratio)]

    def label_passes(self) -> list:
        """The aircraft in a conflict with the alerts, the others after the unit names."""
        return [(ALERT_AIRCRAFT_RANK, self._layout_in_conflict), (self.label_rank, self._layout_others)]

    def layout_labels(self, settings: MapSettings, registry) -> None:
        self._layout_in_conflict(settings, registry)
        self._layout_others(settings, registry)

    def _in_conflict(self) -> np.ndarray:
        c, rows = self.session.conflicts, np.zeros(len(self.texts), dtype=bool)
        if c is not None and len(c) and len(rows):
            rows[c.a] = True
            rows[c.b[c.kind == AIRCRAFT]] = True
        return rows

    def _layout_in_conflict(self, settings: MapSettings, registry) -> None:
        self._layout(registry, self._in_conflict(), ALERT_LEADER_PX)

    def _layout_others(self, settings: MapSettings, registry) -> None:
        self._layout(registry, ~self._in_conflict(), LEADER_PX)

    def _layout(self, registry, which: np.ndarray, leaders: tuple[float, ...]) -> None:
        """The label of each aircraft `which` round its symbol (below it first), in full or as
        the flight level alone, else left out. (Each pass replaces its own labels only: a
        window paints between the passes.)"""
        if len(self.labels) != len(self.texts):
            self.labels = [None] * len(self.texts)
        sx, sy = (np.atleast_1d(a) for a in registry.to_screen(self.x, self.y))
        shown = registry.inside(np.column_stack([sx, sy, sx, sy]))
        for i in np.flatnonzero(which & ~shown).tolist():
            self.labels[i] = None
        for i in np.flatnonzero(which & shown).tolist():
            full = self.texts[i]
            forms = [(Line(full, LABEL_PT, bold=True),), (Line(full.split(" · ")[0], LABEL_PT, bold=True),)]
            own = symbol_box(registry, int(self.units[i]), float(sx[i]), float(sy[i]))
            self.labels[i] = place(registry, forms, around(own, BELOW_FIRST, leaders), (float(sx[i]), float(sy[i])))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setFont(label_font(6.0, 1.0, bold=True))
        painter.setPen(QtGui.QColor(20, 20, 20))
        painter.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), "FL")


def aircraft_label(alt_ft: float, speed_kt: float) -> str:
    """'FL095 · 420 kt': the altitude in hundreds of feet, the speed in knots ('—' unknown)."""
    alt = "FL—" if not math.isfinite(alt_ft) else f"FL{max(0, int(round(alt_ft / 100.0))):03d}"
    speed = "— kt" if not math.isfinite(speed_kt) else f"{int(round(speed_kt))} kt"
    return f"{alt} · {speed}"


def air_layers(context) -> list[MapLayer]:
    """The `map_layer` contribution: ACMs, predicted paths, CPA marks, aircraft labels."""
    from desktop.gui.air.acm_layer import AirspaceLayer
    return [AirspaceLayer(context), PredictedPathsLayer(context), ConflictMarksLayer(context),
            AircraftLabelsLayer(context)]

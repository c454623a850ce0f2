"""The predicted air picture on the map, from the session's answer at the cursor's moment
(desktop.gui.air.session), in the display CRS:

- predicted paths: each aircraft's geodesic over the horizon (the motion model), dashed in
  its side's colour, a dot where it will be at the horizon's end;
- closest approaches: for each aircraft conflict, where each aircraft will be at the CPA,
  joined, with "3.1 NM · 500 ft · in 4 min"; a diamond where an aircraft will enter an ACM,
  a triangle where it will cross the line; the selected conflict drawn larger, in the
  selection colour;
- aircraft labels: altitude as a flight level and speed ("FL095 · 420 kt") under each
  aircraft's symbol.
Every text comes from the document or the feed and is drawn as plain text.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE
from desktop.core.air.motion import predicted_paths
from desktop.core.map_settings import MapSettings
from desktop.gui import style
from desktop.gui.air.labels import around, place_groups, point_candidates, symbol_boxes
from desktop.gui.air.layer_base import AirLayer
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import (draw_label, in_device, label_font, label_inks, lines_path,
                                             map_transform, pen, scaled)

PATH_STEP_S = 30.0
MARK_GAP_PX = 8.0
CONFLICT_COLOUR = (235, 120, 0)
LABEL_PT = 7.5


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
    label_rank = 12

    def __init__(self, context) -> None:
        super().__init__(context)
        # (kind, selected, x, y, bx, by, text): display coordinates, b only for aircraft pairs
        self.marks: list[tuple] = []
        self.places: list[int] = []   # per mark, its label's place in `around(MARK_GAP_PX)`

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
        self.places = []

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
        font = label_font(LABEL_PT, r, bold=True)
        places = around(MARK_GAP_PX)
        for k, (kind, selected, x, y, bx, by, text) in enumerate(self.marks):
            rgb = style.SELECTION_COLOUR if selected else CONFLICT_COLOUR
            size = (7.0 if selected else 5.0) * r
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
            (lx,), (ly,) = settings.to_device(*(([v]) for v in self._anchor(self.marks[k])))
            ox, oy, anchor = places[self.places[k] if k < len(self.places) else 0]
            ink, fill = label_inks(settings.night, style.qcolor(rgb).darker(130), 210)
            draw_label(painter, font, text, lx + ox * r, ly + oy * r, anchor, ink, r, fill)

    def layout_labels(self, settings: MapSettings, registry) -> None:
        anchors = [self._anchor(m) for m in self.marks]
        sx, sy = registry.to_screen([a[0] for a in anchors], [a[1] for a in anchors])
        self.places = place_groups(registry, [point_candidates(x, y, m[6], around(MARK_GAP_PX)) for m, x, y in
                                              zip(self.marks, np.atleast_1d(sx), np.atleast_1d(sy))],
                                   symbol_boxes(self.scene, registry) if self.marks else None)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(style.qcolor(CONFLICT_COLOUR), 1.6))
        painter.drawLine(rect.topLeft(), rect.bottomRight())
        painter.drawLine(rect.bottomLeft(), rect.topRight())


class AircraftLabelsLayer(AirLayer):
    """"FL095 · 420 kt" under each aircraft, where its symbol is drawn."""

    id, title, z = "air.aircraft", "Aircraft altitude and speed", 34.5
    label_rank = 46  # after the unit names and trail callsigns of the same aircraft, before block labels

    def __init__(self, context) -> None:
        super().__init__(context)
        self.x = self.y = np.empty(0)
        self.texts: list[str] = []
        self.places: list[int] = []   # per aircraft, its label's place in `around(SYMBOL_GAP_PX)`

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.positions_changed, self._on_changed)

    def build(self) -> None:
        state = self.state
        if state is None or not len(state):
            self.x = self.y = np.empty(0)
            self.texts = []
            return
        shown = self.document.shown_units  # where the units layer draws each aircraft
        lon = np.where(np.isfinite(shown.lon[state.unit]), shown.lon[state.unit], state.lon)
        lat = np.where(np.isfinite(shown.lat[state.unit]), shown.lat[state.unit], state.lat)
        self.x, self.y = (np.atleast_1d(np.asarray(v, float)) for v in self.scene.to_display(lon, lat))
        self.texts = [aircraft_label(a, s) for a, s in zip(state.alt_ft.tolist(), state.speed_kt.tolist())]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.texts:
            return
        r = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        font = label_font(LABEL_PT, r, bold=True)
        places = _BELOW_FIRST
        ink, fill = label_inks(settings.night, QtGui.QColor(20, 20, 20), 190)
        for i in in_device(settings, dx, dy, 60 * r).tolist():
            ox, oy, anchor = places[self.places[i] if i < len(self.places) else 0]
            draw_label(painter, font, self.texts[i], float(dx[i]) + ox * r, float(dy[i]) + oy * r, anchor,
                       ink, r, fill)

    def layout_labels(self, settings: MapSettings, registry) -> None:
        sx, sy = registry.to_screen(self.x, self.y)
        self.places = place_groups(registry, [point_candidates(x, y, t, _BELOW_FIRST) for x, y, t in
                                              zip(np.atleast_1d(sx), np.atleast_1d(sy), self.texts)],
                                   symbol_boxes(self.scene, registry) if self.texts else None)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setFont(label_font(6.0, 1.0, bold=True))
        painter.setPen(QtGui.QColor(20, 20, 20))
        painter.drawText(rect, int(QtCore.Qt.AlignmentFlag.AlignCenter), "FL")


_SYMBOL_GAP_PX = 15.0   # clear of a unit symbol's frame
# Below the symbol first, then above, right, left; then further out the same ways.
_BELOW_FIRST = [around(gap)[k] for gap in (_SYMBOL_GAP_PX, 2.2 * _SYMBOL_GAP_PX) for k in (1, 0, 2, 3, 5, 4, 7, 6)]


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

"""What time adds to the map, as four layers (the timeline plugin's `map_layer`
contribution): ghosted line revisions, trails, stale units and the selected call.

The document already draws the moment the cursor shows (units at t, the revision in force,
its sectors). These layers add, in the map's display CRS:

- ghosts: the line revisions ticked in the revisions list (all by default), dashed grey
  (a proposal orange) with their id and state beside them, except the one drawn as the
  line; in the past, the line being edited is ghosted too (dotted), so an edit in progress
  stays in sight;
- trails: where units went in the last N hours (all units up to TRAIL_ALL_LIMIT, else the
  selected ones): thin tracks in their side's colour that fade with age, with ticks that
  point the way they went, and the callsign of each aircraft at its head. An aircraft's
  trail covers its last AIR_TRAIL_MINUTES at most: hours of an orbit would read as a range
  ring;
- stale units (no report for the cursor's stale-after hours) covered in grey;
- the selected call: a star at its place and dashed rings round its units.
Every text shown comes from the document and is drawn as plain text.
"""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.geodesy import densify_geodesic
from desktop.core.map_settings import MapSettings
from desktop.core.revisions import PROPOSED, SUPERSEDED
from desktop.core.time_cursor import HOUR_S, TRAIL_HOURS, Trails, trail_table
from desktop.gui import style
from desktop.gui.map.layers.label_spots import Line, Placed, around, place
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.labels import ANCHORS
from desktop.gui.map.layers.painting import draw_label, label_font, label_inks, lines_path, map_transform, pen, scaled
from desktop.gui.map.layers.points import PointSymbols
from desktop.gui.timeline.revision_labels import along

TRAIL_ALL_LIMIT = 2000
STALE_LIMIT = 25_000           # beyond this many stale units the grey cover is left out
GHOST_PEN = pen((110, 110, 110), 2, style=QtCore.Qt.PenStyle.DashLine)
PROPOSED_PEN = pen((200, 120, 0), 2, style=QtCore.Qt.PenStyle.DashLine)
WORKING_PEN = pen((30, 30, 30), 2, style=QtCore.Qt.PenStyle.DotLine)
CALL_COLOUR = (150, 0, 190)
# Night mode (MapSettings.night): the grey and black inks light on the dark map; the
# proposed line's orange and the call's purple read on both.
NIGHT_PENS = ((GHOST_PEN, pen((175, 175, 175), 2, style=QtCore.Qt.PenStyle.DashLine)),
              (WORKING_PEN, pen((225, 225, 225), 2, style=QtCore.Qt.PenStyle.DotLine)))
CALLSIGN_INK = {False: (QtGui.QColor(20, 20, 20), QtGui.QColor(255, 255, 255, 190)),   # (text, backing) by night
                True: (QtGui.QColor(230, 230, 230), QtGui.QColor(24, 24, 26, 190))}
AIR_TRAIL_MINUTES = 30
TRAIL_ALPHA = (200, 150, 105, 65, 35)   # newest fifth of the trail first: older parts fade out
TRAIL_WIDTH = 1.2
TICK_EVERY_PX = 36.0     # a direction tick on every drawn trail segment at least this long
TICK_PX = 4.0
MAX_TICKS = 4000
LABEL_PT = 7.5
LABEL_BACKING_ALPHA = 170
FOREMOST_RANK, SUPERSEDED_RANK = 28.8, 31   # revision labels: see GhostsLayer
CALL_RANK = -3            # the selected call's id: after the alerts (-4, -3.5), before the towns (0)
STAR_PX = 20
CALL_LABEL_SIDES = ((1, -1), (1, 0), (1, 1), (0, -1), (0, 1), (-1, -1), (-1, 0), (-1, 1))   # up-right first
LIVE_REFRESH_MS = 1000
TRAIL_POINTS = 720      # points a trail keeps at most over its hours (12 h: one a minute)


class _TimeLayer(MapLayer):
    group = "Time"
    export_by_default = False

    def __init__(self, context) -> None:
        super().__init__()
        self.cursor = context.time_cursor
        self.selection = context.selection
        # Live reports (several writes a second): at most one rebuild a LIVE_REFRESH_MS.
        self._live_refresh = self.debounce(LIVE_REFRESH_MS, self.rebuild)

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.cursor.changed, self._refresh)
        self.links.connect(self.document.revisions_changed, self._refresh)
        self.links.connect(self.document.units_changed, self._refresh)
        self.links.connect(self.document.positions_changed, self._refresh)
        self.links.connect(self.document.live_updated, self._on_live_updated)
        self.rebuild()

    def _refresh(self, *_) -> None:
        self._live_refresh.stop()
        self.rebuild()

    def _on_live_updated(self, _update) -> None:
        if not self._live_refresh.active:   # not restarted: a steady feed still gets its rebuilds
            self._live_refresh.start()

    def projection_changed(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        raise NotImplementedError

    def _line_xy(self, line) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = densify_geodesic(line.lon, line.lat)
        return self.scene.to_display(lon, lat)


class GhostsLayer(_TimeLayer):
    """Line revisions other than the one drawn as the line, dashed, each with its id and state
    beside it (desktop.gui.timeline.revision_labels: spots along its own line, shorter forms,
    left out rather than over a symbol or another label). Who gives way, a planner's eye:
    - a proposal, an agreed revision not in force and the line being edited (FOREMOST_RANK)
      after the unit names (a flagged unit is named beside its own symbol first) and the
      air picture of the moment (aircraft, active airspace blocks: what is about to
      happen), before the sector ids and the towns: the next call is about them;
    - superseded revisions (SUPERSEDED_RANK) after the towns: history, drawn grey, listed
      in the revisions pane."""

    id, title, z = "time.ghosts", "Revision ghosts", 19.0
    label_rank = FOREMOST_RANK

    def __init__(self, context) -> None:
        super().__init__(context)
        self.ghosts: set[str] | None = None   # revision ids ghosted; None = all
        # (label, path, pen, display x, y of the line, shorter forms, superseded)
        self.drawn: list[tuple[str, QtGui.QPainterPath, QtGui.QPen, np.ndarray, np.ndarray, list[str], bool]] = []
        self.placed: dict[str, tuple[tuple[float, float], Placed]] = {}   # label -> (its line's end, display; label)

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.document.line_changed, self._refresh)

    def set_ghosts(self, ids: set[str] | None) -> None:
        self.ghosts = ids
        self.rebuild()

    def rebuild(self) -> None:
        doc = self.document
        shown, past = doc.shown_line, not self.cursor.is_live
        drawn = []
        for rev in doc.revisions:
            if (self.ghosts is not None and rev.id not in self.ghosts) or rev.line == shown:
                continue
            x, y = self._line_xy(rev.line)
            named = f"{rev.id} ({rev.state})"
            forms = [f"{named} · line being edited", named, rev.id] if past and rev.line == doc.line else [named, rev.id]
            drawn.append((forms[0], lines_path(x, y), PROPOSED_PEN if rev.state == PROPOSED else GHOST_PEN,
                          x, y, forms, rev.state == SUPERSEDED))
        # In the past, the line being edited is ghosted (dotted) unless a ghosted revision is that line.
        ghosted = any(r.line == doc.line for r in doc.revisions if self.ghosts is None or r.id in self.ghosts)
        if past and doc.line != shown and not ghosted:
            x, y = self._line_xy(doc.line)
            drawn.append(("line being edited", lines_path(x, y), WORKING_PEN, x, y, ["line being edited"], False))
        self.drawn = drawn
        labels = {d[0] for d in drawn}   # (a label stays where it was until laid out again: a drag step)
        self.placed = {k: v for k, v in self.placed.items() if k in labels}
        self.scene.relayout_labels()
        self.changed()

    def label_passes(self) -> list:
        """The labels of proposals and of the line being edited, then the superseded later."""
        return [(FOREMOST_RANK, self._layout_foremost), (SUPERSEDED_RANK, self._layout_superseded)]

    def layout_labels(self, settings: MapSettings, registry) -> None:
        self._layout_foremost(settings, registry)
        self._layout_superseded(settings, registry)

    def _layout_foremost(self, settings: MapSettings, registry) -> None:
        self._layout([d for d in self.drawn if not d[6]], registry)

    def _layout_superseded(self, settings: MapSettings, registry) -> None:
        self._layout([d for d in self.drawn if d[6]], registry)

    def _layout(self, drawn: list, registry) -> None:
        """Each label at the first free spot along its line, in full or shorter (each pass
        replaces its own labels: a window paints between the passes)."""
        sx_shown = sy_shown = None
        if self.document.shown_line is not None and len(self.document.shown_line):
            sx_shown, sy_shown = registry.to_screen(*self._line_xy(self.document.shown_line))
        for text, _, _, x, y, forms, _ in drawn:
            sx, sy = registry.to_screen(x, y)
            apart, shared = along(sx, sy, registry.width, registry.height,
                                  None if sx_shown is None else (sx_shown, sy_shown))
            origin = (float(sx[-1]), float(sy[-1]))
            lines = [(Line(f, LABEL_PT + 1.5),) for f in forms]
            label = place(registry, lines, apart, origin) or place(registry, lines[:-1] or lines, shared, origin)
            if label is None:
                self.placed.pop(text, None)
            else:
                self.placed[text] = ((float(x[-1]), float(y[-1])), label)
        self.changed()

    def _labels(self, settings: MapSettings):
        """(ghost's pen as painted, the label's origin in device pixels, label) of each labelled ghost."""
        for text, _, p, _, _, _, _ in self.drawn:
            if text in self.placed:
                (x, y), label = self.placed[text]
                (dx,), (dy,) = settings.to_device([x], [y])
                yield (_night_pen(p) if settings.night else p), (float(dx), float(dy)), label

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where the labels are painted (with their backing), device pixels."""
        return [rect for _, (dx, dy), label in self._labels(settings) for rect in label.rects(dx, dy, settings.pixel_ratio)]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        painter.save()
        painter.setTransform(map_transform(settings), True)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for _, path, p, *_ in self.drawn:
            painter.setPen(scaled(_night_pen(p) if settings.night else p, r))
            painter.drawPath(path)
        painter.restore()
        for p, (dx, dy), label in self._labels(settings):
            label.paint(painter, dx, dy, r, *label_inks(settings.night, p.color(), LABEL_BACKING_ALPHA))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(GHOST_PEN)
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))


def _night_pen(day: QtGui.QPen) -> QtGui.QPen:
    """A revision's pen for the night map (NIGHT_PENS; the others as by day)."""
    return next((night for by_day, night in NIGHT_PENS if by_day is day), day)


class TrailsLayer(_TimeLayer):
    """Where units went over the last `hours`, fading with age, ticks along the way."""

    id, title, z = "time.trails", "Trails", 29.0
    label_rank = 45

    def __init__(self, context) -> None:
        super().__init__(context)
        self.hours = TRAIL_HOURS
        self.paths: list[tuple[QtGui.QPen, QtGui.QPainterPath]] = []
        self.x = self.y = self.age = np.empty(0)
        self.unit = np.empty(0, dtype=np.int64)
        self.heads = np.empty(0, dtype=np.int64)      # aircraft: the point of each at the shown time
        self.callsigns: list[str] = []
        self.labelled = np.empty(0, dtype=np.int64)   # indices into heads

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.selection.changed, self._on_selection_changed)

    def set_hours(self, hours: float) -> None:
        self.hours = float(hours)
        self.rebuild()

    def _on_selection_changed(self, *_) -> None:
        if len(self.document.units) > TRAIL_ALL_LIMIT:
            self.rebuild()

    def rebuild(self) -> None:
        doc, t = self.document, self.cursor.shown_time
        units = None if len(doc.units) <= TRAIL_ALL_LIMIT else self.selection.units
        table = trail_table(doc, t, self.hours, units, self.cursor.interpolate) if t is not None else None
        if table is not None:
            table = thinned(table, self.hours * HOUR_S / TRAIL_POINTS)
        self.paths = []
        if table is None or not len(table.lon):
            self.x = self.y = self.age = np.empty(0)
            self.unit, self.heads, self.callsigns = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), []
            self.scene.relayout_labels()
            self.changed()
            return
        domains = doc.units.domains  # (Categorical: a look at each distinct domain, not at every unit)
        air = np.array([d.lower() == "air" for d in domains.categories.tolist()] + [False])[domains.codes]
        on_air = air[np.maximum(table.unit, 0)] & (table.unit >= 0)
        window = np.where(on_air, min(AIR_TRAIL_MINUTES * 60, self.hours * HOUR_S), self.hours * HOUR_S)
        age = t - table.time
        keep = ~(on_air & (age > window))  # (a ground trail starts at its report before the window)
        self.x, self.y = (np.asarray(a, dtype=float)[keep] for a in self.scene.to_display(table.lon, table.lat))
        self.age, self.unit, window = age[keep], table.unit[keep], window[keep]
        # A segment joins points i and i + 1 of one unit; its age is that of its older end.
        same = np.zeros(len(self.x), dtype=bool)
        same[:-1] = (self.unit[:-1] == self.unit[1:]) & (self.unit[:-1] >= 0)
        share = np.nan_to_num(self.age / window, nan=0.0)
        fifth = np.clip((share * len(TRAIL_ALPHA)).astype(np.int64), 0, len(TRAIL_ALPHA) - 1)
        codes = doc.unit_side_codes[np.maximum(self.unit, 0)]
        for k, colour in enumerate((*style.SIDE_COLOURS, style.OTHER_SIDE_COLOUR)):
            side = codes == (k if k < len(style.SIDE_COLOURS) else -1)
            for band, alpha in enumerate(TRAIL_ALPHA):
                link = same & side & (fifth == band)
                if link.any():
                    self.paths.append((pen(colour, TRAIL_WIDTH, alpha), lines_path(self.x, self.y, link)))
        is_head = np.zeros(len(self.x), dtype=bool)  # the last point of a run: the position at t
        is_head[:-1] = (self.unit[:-1] >= 0) & (self.unit[1:] < 0)
        self.heads = np.flatnonzero(is_head & air[np.maximum(self.unit, 0)])
        self.callsigns = [str(doc.units.names[u] or doc.units.ids[u]) for u in self.unit[self.heads]]
        self.scene.relayout_labels()
        self.changed()

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """Callsigns at the heads of aircraft trails, unless a unit label names them already."""
        unnamed = np.array([u not in registry.named_units for u in self.unit[self.heads].tolist()], dtype=bool)
        heads = np.flatnonzero(unnamed)
        if not len(heads):
            self.labelled = np.empty(0, dtype=np.int64)
            return
        sx, sy = registry.to_screen(self.x[self.heads[heads]], self.y[self.heads[heads]])
        self.labelled = heads[registry.thin(sx + 10, sy, [self.callsigns[k] for k in heads], len(heads),
                                            anchor=ANCHORS[4], units=self.unit[self.heads[heads]])]

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if not self.paths:
            return
        r = settings.pixel_ratio
        painter.save()
        painter.setTransform(map_transform(settings), True)
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for p, path in self.paths:
            painter.setPen(scaled(p, r))
            painter.drawPath(path)
        painter.restore()
        self._paint_ticks(painter, settings)
        font = label_font(LABEL_PT, r, bold=True)
        dx, dy = settings.to_device(self.x[self.heads], self.y[self.heads])
        text, backing = CALLSIGN_INK[settings.night]
        for k in self.labelled.tolist():
            draw_label(painter, font, self.callsigns[k], dx[k] + 10 * r, dy[k], ANCHORS[4], text, r, fill=backing)

    def _paint_ticks(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        """A small chevron at the middle of every long enough segment, pointing the way the
        unit went (segments run from older to newer reports)."""
        r = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        a = np.flatnonzero((self.unit[:-1] == self.unit[1:]) & (self.unit[:-1] >= 0))
        ux, uy = dx[a + 1] - dx[a], dy[a + 1] - dy[a]
        length = np.hypot(ux, uy)
        mx, my = (dx[a] + dx[a + 1]) / 2, (dy[a] + dy[a + 1]) / 2
        w, h = settings.size
        ok = (length >= TICK_EVERY_PX * r) & (mx > 0) & (mx < w) & (my > 0) & (my < h)
        a, ux, uy, length, mx, my = a[ok][:MAX_TICKS], ux[ok][:MAX_TICKS], uy[ok][:MAX_TICKS], \
            length[ok][:MAX_TICKS], mx[ok][:MAX_TICKS], my[ok][:MAX_TICKS]
        if not len(a):
            return
        ux, uy = ux / length * TICK_PX * r, uy / length * TICK_PX * r
        # Per tick: one arm end, the tip, the other arm end (then a break).
        px = np.column_stack([mx - ux - uy, mx + ux, mx - ux + uy, np.full(len(a), np.nan)]).ravel()
        py = np.column_stack([my - uy + ux, my + uy, my - uy - ux, np.full(len(a), np.nan)]).ravel()
        codes = self.document.unit_side_codes[self.unit[a]]
        painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        for k, colour in enumerate((*style.SIDE_COLOURS, style.OTHER_SIDE_COLOUR)):
            mine = np.repeat(codes == (k if k < len(style.SIDE_COLOURS) else -1), 4)
            if mine.any():
                painter.setPen(scaled(pen(colour, TRAIL_WIDTH, TRAIL_ALPHA[0]), r))
                painter.drawPath(lines_path(px[mine], py[mine]))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        n = len(TRAIL_ALPHA)
        for k, alpha in enumerate(reversed(TRAIL_ALPHA)):
            painter.setPen(QtGui.QPen(QtGui.QColor(*style.SIDE_COLOURS[0], alpha), 2))
            x0 = rect.left() + k * rect.width() / n
            painter.drawLine(QtCore.QPointF(x0, rect.center().y()), QtCore.QPointF(x0 + rect.width() / n,
                                                                                   rect.center().y()))


class StaleLayer(_TimeLayer):
    """Units with no report for the cursor's stale-after hours, covered in grey."""

    id, title, z = "time.stale", "Stale units", 30.5
    export_by_default = True

    def __init__(self, context) -> None:
        super().__init__(context)
        self.cover = PointSymbols("s", 14, pen((90, 90, 90), 1), QtGui.QBrush(QtGui.QColor(170, 170, 170, 215)))

    def rebuild(self) -> None:
        stale = np.flatnonzero(self.cursor.stale())
        units = self.document.shown_units
        if len(stale) > STALE_LIMIT or len(stale) and stale.max() >= len(units):
            stale = np.empty(0, dtype=np.int64)
        self.cover.set_data(*self.scene.to_display(units.lon[stale], units.lat[stale]))
        self.changed()

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        self.cover.paint(painter, settings)

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.fillRect(rect.adjusted(4, 1, -4, -1), QtGui.QColor(170, 170, 170))


class CallLayer(_TimeLayer):
    """The selected hotline call: a star at its place, dashed rings round its units, and its
    id beside the star. The planner is looking at that call: its id is laid out right after
    the live alerts (CALL_RANK), before every town and unit name, which give way to it."""

    id, title, z = "time.call", "Selected call", 33.0
    label_rank = CALL_RANK

    def __init__(self, context) -> None:
        super().__init__(context)
        self.units = PointSymbols("o", 34, pen(CALL_COLOUR, 2.5, style=QtCore.Qt.PenStyle.DashLine), None)
        self.place = PointSymbols("star", STAR_PX, pen((255, 255, 255), 1.5), QtGui.QBrush(QtGui.QColor(*CALL_COLOUR)))
        self.label = ""
        self.placed: Placed | None = None   # the id, as laid out (relative to the star)
        self._spot: tuple | None = None     # (id, display x, y) of the star the labels were laid out for

    def attach(self, scene) -> None:
        super().attach(scene)
        self.links.connect(self.selection.call_changed, self._refresh)
        self.links.connect(self.document.calls_changed, self._refresh)

    def rebuild(self) -> None:
        call_id, calls = self.selection.call, self.document.calls
        hit = np.flatnonzero(calls.ids == call_id) if call_id is not None else []
        self.label = ""
        self.units.set_data(np.empty(0), np.empty(0))
        self.place.set_data(np.empty(0), np.empty(0))
        if len(hit):
            i = int(hit[0])
            units = self.document.shown_units
            rows = self.document.units.rows_of(list(calls.links(i)))
            idx = np.unique(rows[rows >= 0])
            self.units.set_data(*self.scene.to_display(units.lon[idx], units.lat[idx]))
            lon, lat = float(calls.lon[i]), float(calls.lat[i])
            if np.isfinite(lon) and np.isfinite(lat):
                x, y = self.scene.to_display(lon, lat)
                self.place.set_data(np.atleast_1d(x), np.atleast_1d(y))
                self.label = str(calls.ids[i])
        spot = (self.label, *(float(v[0]) for v in self.place.data())) if self.label else None
        if spot != self._spot:   # the star or its id changed: the labels are laid out again (not at every
            self._spot, self.placed = spot, None   # refresh of a live feed, a rebuild a second)
            self.scene.relayout_labels()
        self.changed()

    def where(self) -> tuple[np.ndarray, np.ndarray]:
        """Display points that show the call: its place, else its units."""
        x, y = self.place.data() if len(self.place) else self.units.data()
        ok = np.isfinite(x) & np.isfinite(y)
        return x[ok], y[ok]

    def layout_labels(self, settings: MapSettings, registry) -> None:
        """The star kept clear of later labels, and the call's id beside it: up and to the
        right by preference, always shown (where it hides least when nothing is free)."""
        self.placed = None
        if not self.label or not len(self.place):
            return
        (sx,), (sy,) = registry.to_screen(*self.place.data())
        if not (np.isfinite(sx) and np.isfinite(sy)):
            return
        half = STAR_PX / 2
        star = (float(sx) - half, float(sy) - half, float(sx) + half, float(sy) + half)
        registry.reserve(np.array([star]))
        self.placed = place(registry, [(Line(self.label, LABEL_PT + 1.5),)], around(star, CALL_LABEL_SIDES),
                            (float(sx), float(sy)), must=True)
        self.changed()

    def label_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where the call's id is painted (with its backing), device pixels."""
        if self.placed is None or not len(self.place):
            return []
        (dx,), (dy,) = settings.to_device(*self.place.data())
        return self.placed.rects(float(dx), float(dy), settings.pixel_ratio)

    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        self.units.paint(painter, settings)
        self.place.paint(painter, settings)
        if self.placed is not None and len(self.place):
            (dx,), (dy,) = settings.to_device(*self.place.data())
            self.placed.paint(painter, float(dx), float(dy), settings.pixel_ratio,
                              *label_inks(settings.night, QtGui.QColor(*CALL_COLOUR), LABEL_BACKING_ALPHA))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(QtGui.QColor(*CALL_COLOUR), 1.5, QtCore.Qt.PenStyle.DashLine))
        painter.drawEllipse(rect.center(), rect.height() / 2 - 1, rect.height() / 2 - 1)


def thinned(table: Trails, step_s: float) -> Trails:
    """`table` with at most one point per unit and `step_s` seconds (the last of each), and
    each trail's ends kept: a unit heard from a TAK feed ten times a second would otherwise
    draw hundreds of thousands of segments no one can tell apart."""
    if step_s <= 0 or not len(table.unit):
        return table
    u, bucket = table.unit, np.floor(table.time / step_s)   # (NaN at the breaks: always kept)
    keep = np.ones(len(u), dtype=bool)
    keep[:-1] = (u[1:] != u[:-1]) | ~(bucket[1:] == bucket[:-1])
    keep[1:] |= u[1:] != u[:-1]   # a trail's first point
    return Trails(table.lon[keep], table.lat[keep], table.time[keep], table.unit[keep])


def time_layers(context) -> list[MapLayer]:
    """The timeline plugin's `map_layer` contribution."""
    return [GhostsLayer(context), TrailsLayer(context), StaleLayer(context), CallLayer(context)]

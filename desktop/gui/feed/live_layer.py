"""Live units on the map (the live feed plugin's `map_layer` contribution).

The units themselves are the document's (the unit layer draws their symbols where the feed
put them). This layer adds what only the feed knows, over the units, while the map shows
the live picture (not a past moment):

- a green ring round each unit heard from the network;
- units past the stale time of their last report covered in grey (CoT's own `stale`, not
  the timeline's "stale after" hours);
- a course vector: where the unit will be in VECTOR_MINUTES at its reported course and speed,
  along the geodesic (as time to line predicts);
- the time to the line next to units heading for it within the alert horizon ("6 min").

The unit tooltip gets the unit's last report and its time to the line
("SDF Recon Tm reaches the line in 6 min"). Everything written comes from the feed and is
drawn as plain text.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.geodesy import GEOD
from desktop.core.map_settings import MapSettings
from desktop.core.tracks import format_time
from desktop.gui.feed.controller import live_feed
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import draw_label, label_font, lines_path, pen, scaled
from desktop.gui.map.layers.points import PointSymbols

LIVE_COLOUR = (20, 150, 60)
TTL_COLOUR = QtGui.QColor(200, 0, 0)
VECTOR_MINUTES = 5.0
MIN_SPEED_MS = 0.5
CLOCK_MS = 1000      # staleness follows the clock
LABEL_PT = 8.0
MAX_LABELS = 25        # time-to-line labels: the soonest (the Alerts panel lists them all)
RING_MARGIN_PX = 8     # the live ring outside the unit layer's widest ring
COVER_INSET_PX = 4     # the stale cover inside its near-line ring: about the symbol's size
BELOW = (0.5, 0.0)     # a label's top centre on the point


class LiveLayer(MapLayer):
    id, title, group, z = "live", "Live units (TAK)", "Units", 33.5   # over the units and their names
    export_by_default = True

    def __init__(self, context) -> None:
        super().__init__()
        self.feed = live_feed(context)
        self.cursor = context.time_cursor
        self.rings = PointSymbols("o", 24, pen(LIVE_COLOUR, 1.5), None)
        self.stale_cover = PointSymbols("s", 14, pen((90, 90, 90), 1), QtGui.QBrush(QtGui.QColor(170, 170, 170, 215)))
        self.vector_pen = pen((20, 20, 20), 1.5)
        self.vectors = np.empty((0, 4))           # display x0, y0, x1, y1
        self.labels: list[tuple[float, float, str]] = []
        self.rows = np.empty(0, dtype=np.int64)   # document rows of the live units drawn
        self.stale = np.empty(0, dtype=bool)
        self.ttl_s = np.empty(0)
        self._clock = self.debounce(CLOCK_MS, self.rebuild)

    def attach(self, scene) -> None:
        super().attach(scene)
        for signal in (self.feed.updated, self.feed.state_changed):
            self.links.connect(signal, self.rebuild)
        for signal in (self.document.positions_changed, self.document.units_changed, self.cursor.changed):
            self.links.connect(signal, self._on_changed)
        self.rebuild()

    def _on_changed(self, *_) -> None:
        self.rebuild()

    def projection_changed(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        session = self.feed.session
        rows = session.rows_in_document() if session is not None else None
        if rows is None or not len(rows) or self.document.time_view is not None:
            self._show(np.empty(0, dtype=np.int64), np.empty(0, dtype=bool), np.empty(0), np.empty(0), np.empty(0))
            return
        n = len(rows)
        u = session.units
        self._show(rows, session.stale()[:n], self.feed.time_to_line()[:n], u["course"][:n], u["speed"][:n])
        if self.scene is not None:
            self._clock.start()

    def _show(self, rows, stale, ttl_s, course, speed) -> None:
        if not len(rows) and not len(self.rows):
            return   # nothing live, before or now: no repaint (a cursor scrub without a feed)
        drawn = self.scene.layer("units")   # rings and covers as large as the units are drawn
        if drawn is not None:
            self.rings.set_size(drawn.rings["selection"].size + RING_MARGIN_PX)
            self.stale_cover.set_size(drawn.rings["near"].size - COVER_INSET_PX)
        units = self.document.units
        self.rows, self.stale, self.ttl_s = rows, stale, ttl_s
        lon, lat = units.lon[rows], units.lat[rows]
        x, y = (np.asarray(a, dtype=float) for a in self.scene.to_display(lon, lat))
        self.rings.set_data(x[~stale], y[~stale])
        self.stale_cover.set_data(x[stale], y[stale])
        moving = np.flatnonzero(~stale & np.isfinite(course) & (speed >= MIN_SPEED_MS) & np.isfinite(lon))
        if len(moving):
            elon, elat, _ = GEOD.fwd(lon[moving], lat[moving], course[moving], speed[moving] * VECTOR_MINUTES * 60.0)
            ex, ey = self.scene.to_display(elon, elat)
            self.vectors = np.column_stack([x[moving], y[moving], ex, ey])
        else:
            self.vectors = np.empty((0, 4))
        near = np.flatnonzero(~stale & np.isfinite(ttl_s))
        near = near[np.argsort(ttl_s[near], kind="stable")][:MAX_LABELS]   # the soonest
        self.labels = [(float(x[i]), float(y[i]), f"{max(1, round(ttl_s[i] / 60.0))} min") for i in near]
        self.changed()

    # -- the map's questions ------------------------------------------------------------------------
    def unit_notes(self, index: int) -> list[str]:
        from desktop.core.feed.alerts import reach_text
        session = self.feed.session
        hit = np.flatnonzero(self.rows == index)
        if session is None or not len(hit):
            return []
        k = int(hit[0])
        u = session.units
        last, stale = float(u["time"][k]), float(u["stale"][k])
        ago = max(0.0, time.time() - last)
        notes = [f"Live (TAK): last report {format_time(int(last))}, {_duration(ago)} ago"
                 + (f"; stale since {format_time(int(stale))}" if self.stale[k] else "")]
        if np.isfinite(self.ttl_s[k]):
            notes.append(f"{u['name'][k]} {reach_text(float(self.ttl_s[k]))}")
        return notes

    # -- painting -------------------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        r = settings.pixel_ratio
        if len(self.vectors):
            x0, y0 = settings.to_device(self.vectors[:, 0], self.vectors[:, 1])
            x1, y1 = settings.to_device(self.vectors[:, 2], self.vectors[:, 3])
            gap = np.full(len(x0), np.nan)
            painter.setPen(scaled(self.vector_pen, r))
            painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
            painter.drawPath(lines_path(np.column_stack([x0, x1, gap]).ravel(), np.column_stack([y0, y1, gap]).ravel()))
        self.rings.paint(painter, settings)
        self.stale_cover.paint(painter, settings)
        if self.labels:
            font = label_font(LABEL_PT, r, bold=True)
            xs, ys = settings.to_device([p[0] for p in self.labels], [p[1] for p in self.labels])
            for x, y, (_, _, text) in zip(xs.tolist(), ys.tolist(), self.labels):
                # under the unit: names stand beside their symbols
                draw_label(painter, font, text, x, y + self.rings.size / 2 * r, BELOW, TTL_COLOUR, r,
                           QtGui.QColor(255, 255, 255, 200))

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(QtGui.QColor(*LIVE_COLOUR), 1.5))
        painter.drawEllipse(rect.center(), rect.height() / 2 - 1, rect.height() / 2 - 1)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def live_layers(context) -> list[MapLayer]:
    """The live feed plugin's `map_layer` contribution."""
    return [LiveLayer(context)]

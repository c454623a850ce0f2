"""The deconfliction line drawn as a MIL-STD-2525 control measure, a boundary
(desktop.core.line_symbol: the same code and amplifiers go out with the line in KML and
CoT). Along the boundary the line makes (the line and its extensions to the AO edge), at
spots where they cover no symbol or label, as the standard and WorldWind's boundary draw it:

- B, the echelon amplifier, on the line (in a gap of paper);
- T, the side that owns what lies left of the line's direction, beside it on that side,
  and T1, the other side, on the right;
- W, the effective date-time group of the revision in force, on the line after B.

Text runs along the line and is kept upright. Off by default (the layers panel, the
brief's "line_symbol" setting and `deconflict export --line-symbol` turn it on). The groups
go into the shared label registry right after the unit symbols: place and unit names keep clear of them.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.line_symbol import LineSymbol, line_echelon, line_symbol
from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.base import MapLayer
from desktop.gui.map.layers.painting import label_font

# The standard's echelon amplifiers as glyphs (dots, bars, crosses).
ECHELON_MARKS = {"team": "Ø", "squad": "•", "section": "••", "platoon": "•••", "company": "I", "battalion": "II",
                 "regiment": "III", "brigade": "X", "division": "XX", "corps": "XXX", "army": "XXXX",
                 "army group": "XXXXX", "region": "XXXXXX", "command": "++"}
GROUP_EVERY_PX = 420.0   # one group per this much line shown (at least one)
SPOT_STEP_PX = 6.0       # a group may move along the line in steps this long to find room
LIFT_PX = (0.0, 8.0, 16.0, 26.0, 38.0)   # ... and the sides' names stand off the line this much further
ECHELON_PT, SIDE_PT, DTG_PT = 11, 8, 7.5
PAPER = QtGui.QColor(255, 255, 255, 235)
INK = QtGui.QColor(20, 20, 20)


class LineSymbolLayer(MapLayer):
    id, title, group, z = "line.symbol", "Line as a 2525 boundary", "Operations", 21.0
    label_rank = -5  # after the symbols, before the places: place names give way to it

    def __init__(self) -> None:
        super().__init__()
        self.visible = False
        self.symbol: LineSymbol | None = None
        self.x = self.y = np.empty(0)                              # the line, display coordinates
        # display x, y; angle (degrees, screen); flipped; how far T and T1 stand off (screen px)
        self.groups: list[tuple[float, float, float, bool, float, float]] = []

    def attach(self, scene) -> None:
        super().attach(scene)
        self._stale = True
        self._echelon: str | None = None   # of the units (line_echelon reads every unit's code)
        self.links.connect(self.document.analysis_changed, self._on_changed)
        self.links.connect(self.document.revisions_changed, self._on_changed)
        self.links.connect(self.document.units_changed, self._on_units_changed)

    def _on_changed(self, *_) -> None:
        """The line, its revision or the time shown changed: worked out again when next laid
        out (nothing on a drag step while the layer is hidden)."""
        self._stale = True
        if self.visible:
            self.scene.relayout_labels()
            self.changed()

    def _on_units_changed(self) -> None:
        self._echelon = None
        self._on_changed()

    def projection_changed(self) -> None:
        self._on_changed()

    def refresh(self) -> None:
        """The boundary's facts and the line (with its extensions) in display coordinates."""
        if not self._stale:
            return
        self._stale = False
        doc = self.document
        if self._echelon is None:
            self._echelon = line_echelon(doc)
        view = doc.time_view
        self.symbol = line_symbol(doc, at=view.time if view is not None else None, echelon=self._echelon)
        xy = doc.analysis.sectors.effective_xy   # the line and its extensions to the AO edge
        if len(xy) < 2:
            self.x = self.y = np.empty(0)
        else:
            xy = self.scene.plane_to_display(np.asarray(xy, dtype=float))
            self.x, self.y = xy[:, 0], xy[:, 1]

    def texts(self) -> tuple[str, str, str, str]:
        """(B, T, T1, W) as drawn."""
        self.refresh()
        s = self.symbol
        return ECHELON_MARKS.get(s.echelon, ""), s.left, s.right, s.dtg

    # -- layout -----------------------------------------------------------------------------
    def layout_labels(self, settings: MapSettings, registry) -> None:
        """Groups spread along the line shown, one per GROUP_EVERY_PX: each at the spot
        nearest its share of the line where B and W on the line cover no symbol or label,
        T and T1 standing off the line as far as LIFT_PX to find room, and clear of the
        other groups. At least one group is drawn, in the least bad spot if need be."""
        self.groups = []
        self.refresh()
        if self.symbol is None or len(self.x) < 2:
            return
        sx, sy = registry.to_screen(self.x, self.y)
        inside = (sx >= 0) & (sx <= registry.width) & (sy >= 0) & (sy <= registry.height)
        seg = np.hypot(np.diff(sx), np.diff(sy)) * (inside[:-1] & inside[1:])   # length shown of each piece
        s = np.concatenate([[0.0], np.cumsum(seg)])
        shown, half = s[-1], self._half_width()
        if shown < 2 * half:
            return
        n = max(1, int(shown // GROUP_EVERY_PX))
        spots = np.arange(half, shown - half, SPOT_STEP_PX)
        best: tuple | None = None   # (cost, group, boxes) of the least bad spot seen
        taken: list[float] = []
        for target in (np.arange(n) + 0.5) * shown / n:
            near = spots[[all(abs(v - t) >= GROUP_EVERY_PX / 2 for t in taken) for v in spots]]
            for at in near[np.argsort(np.abs(near - target), kind="stable")]:
                x, y, angle = _point_along(sx, sy, s, float(at))
                flipped = not -90.0 < angle <= 90.0
                up = angle + 180.0 if flipped else angle
                turn = QtGui.QTransform().translate(x, y).rotate(up)
                fit = self._fit(registry, turn, flipped)
                if fit[0] == 0:
                    self._add(settings, registry, x, y, up, flipped, *fit[1:])
                    taken.append(float(at))
                    break
                if best is None or fit[0] < best[0]:
                    best = (fit[0], (x, y, up, flipped) + fit[1:])
        if not self.groups and best is not None:
            self._add(settings, registry, *best[1])
        self.changed()

    def _fit(self, registry, turn: QtGui.QTransform, flipped: bool) -> tuple:
        """(boxes that cover something, lift of T, lift of T1, the group's screen boxes)
        for a group at `turn`: T and T1 each at the first lift where they are clear."""
        rects = {text: rect for text, _, rect in self._parts(1.0, flipped)}
        b, t, t1, w = self.texts()
        upper, lower = (t1, t) if flipped else (t, t1)
        on_line = _footprint([rects[k] for k in (b, w) if k], turn)
        cost = int((~registry.free(on_line)).sum())
        lifts, boxes = [], [on_line]
        for text, sign in ((upper, -1.0), (lower, 1.0)):
            tries = [_footprint([rects[text].translated(0.0, sign * lift)], turn) for lift in LIFT_PX]
            clear = [bool(registry.free(f).all()) for f in tries]
            k = clear.index(True) if any(clear) else 0
            cost += 0 if clear[k] else int((~registry.free(tries[0])).sum())
            lifts.append(LIFT_PX[k])
            boxes.append(tries[k])
        return cost, lifts[0], lifts[1], np.vstack(boxes)

    def _add(self, settings, registry, x, y, angle, flipped, lift_upper, lift_lower, boxes) -> None:
        registry.reserve(boxes)
        dx, dy = settings.to_map(x * settings.pixel_ratio, y * settings.pixel_ratio)
        self.groups.append((float(dx), float(dy), angle, flipped, lift_upper, lift_lower))

    def _half_width(self) -> float:
        b, _, _, w = self.texts()
        fm_b = QtGui.QFontMetricsF(label_font(ECHELON_PT, 1.0, bold=True))
        fm_w = QtGui.QFontMetricsF(label_font(DTG_PT, 1.0))
        return fm_b.horizontalAdvance(b) / 2 + 12 + fm_w.horizontalAdvance(w)

    def _parts(self, ratio: float, flipped: bool, lifts=(0.0, 0.0)) -> list[tuple[str, QtGui.QFont, QtCore.QRectF]]:
        """(text, font, rect in the group's frame: origin on the line, x along it, y down);
        `lifts`: how much further off the line the upper and lower texts stand (screen px)."""
        b, t, t1, w = self.texts()
        if flipped:  # read the other way: the left side is now below the line
            t, t1 = t1, t
        out = []
        fb = label_font(ECHELON_PT, ratio, bold=True)
        mb = QtGui.QFontMetricsF(fb)
        bw, bh = (mb.horizontalAdvance(b) + 6 * ratio) if b else 0.0, mb.height()
        if b:
            out.append((b, fb, QtCore.QRectF(-bw / 2, -bh / 2, bw, bh)))
        fs = label_font(SIDE_PT, ratio)
        ms = QtGui.QFontMetricsF(fs)
        gap = bh / 2 + 2 * ratio
        for text, above, lift in ((t, True, lifts[0]), (t1, False, lifts[1])):
            tw, th = ms.horizontalAdvance(text) + 6 * ratio, ms.height()
            off = gap + lift * ratio
            out.append((text, fs, QtCore.QRectF(-tw / 2, -off - th if above else off, tw, th)))
        if w:
            fw = label_font(DTG_PT, ratio)
            mw = QtGui.QFontMetricsF(fw)
            ww, wh = mw.horizontalAdvance(w) + 6 * ratio, mw.height()
            out.append((w, fw, QtCore.QRectF(bw / 2 + 10 * ratio, -wh / 2, ww, wh)))
        return out

    def part_rects(self, settings: MapSettings) -> list[list[tuple[str, QtGui.QPolygonF]]]:
        """Per group, each part's text and where it is drawn (device polygon)."""
        r = settings.pixel_ratio
        out = []
        for x, y, angle, flipped, *lifts in self.groups:
            (dx,), (dy,) = settings.to_device([x], [y])
            t = QtGui.QTransform().translate(dx, dy).rotate(angle)
            out.append([(text, t.map(QtGui.QPolygonF(rect))) for text, _, rect in self._parts(r, flipped, lifts)])
        return out

    # -- painting ---------------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, settings: MapSettings) -> None:
        if self.symbol is None:
            return
        r = settings.pixel_ratio
        centre = int(QtCore.Qt.AlignmentFlag.AlignCenter)
        for x, y, angle, flipped, *lifts in self.groups:
            (dx,), (dy,) = settings.to_device([x], [y])
            painter.save()
            painter.translate(dx, dy)
            painter.rotate(angle)
            for text, font, rect in self._parts(r, flipped, lifts):
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(PAPER)
                painter.drawRoundedRect(rect, 2 * r, 2 * r)
                painter.setFont(font)
                painter.setPen(INK)
                painter.drawText(rect, centre, text)
            painter.restore()

    def paint_swatch(self, painter: QtGui.QPainter, rect: QtCore.QRectF) -> None:
        painter.setPen(QtGui.QPen(INK, 2))
        painter.drawLine(QtCore.QPointF(rect.left(), rect.center().y()), QtCore.QPointF(rect.right(), rect.center().y()))
        mark = QtCore.QRectF(rect.center().x() - 7, rect.top(), 14, rect.height())
        painter.fillRect(mark, QtGui.QColor("white"))
        painter.drawText(mark, int(QtCore.Qt.AlignmentFlag.AlignCenter), "X")


def _point_along(sx: np.ndarray, sy: np.ndarray, s: np.ndarray, at: float) -> tuple[float, float, float]:
    """Screen point `at` pixels along the line's shown pieces, and the line's direction
    there (degrees clockwise from the screen's x axis, over 30 px either way)."""
    def where(v):
        k = int(np.clip(np.searchsorted(s, v) - 1, 0, len(s) - 2))
        f = 0.0 if s[k + 1] == s[k] else (v - s[k]) / (s[k + 1] - s[k])
        return sx[k] + f * (sx[k + 1] - sx[k]), sy[k] + f * (sy[k + 1] - sy[k])
    x, y = where(at)
    (x0, y0), (x1, y1) = where(max(at - 30.0, 0.0)), where(min(at + 30.0, s[-1]))
    return float(x), float(y), math.degrees(math.atan2(y1 - y0, x1 - x0))


def _footprint(rects: list[QtCore.QRectF], t: QtGui.QTransform) -> np.ndarray:
    """Screen boxes covering rects turned by `t`: each rect cut into squares along its
    length first, so a slanted text claims little more than itself."""
    boxes = []
    for r in rects:
        n = max(1, math.ceil(r.width() / max(r.height(), 1.0)))
        step = r.width() / n
        for i in range(n):
            q = t.mapRect(QtCore.QRectF(r.left() + i * step, r.top(), step, r.height()))
            boxes.append((q.left(), q.top(), q.right(), q.bottom()))
    return np.array(boxes)


def line_symbol_layer(context) -> LineSymbolLayer:
    """The `map_layer` contribution."""
    return LineSymbolLayer()

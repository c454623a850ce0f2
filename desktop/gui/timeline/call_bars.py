"""Calls as bars in lanes, and calls per day: two items that paint straight from numpy.

Neither makes one QGraphicsItem per call. Each frame, `CallBars.paint` finds the calls in
view with a binary search on their (sorted) starts and maps them to device pixels:

- few calls in view (<= DETAIL_LIMIT): one rectangle per call, at least MIN_PX wide,
  outlined, with the call id written in bars wide enough to hold it;
- many: the calls are binned per pixel column and lane, and each lane is drawn as one
  image: a column is as tall as (the log of) the calls it holds, in the colour of the
  commonest category there, so busy periods read as high and dense.

Calls linked to the selected units are outlined in the selection colour; the selected call
gets a thick frame. Picking (`call_at`) uses the same arrays, never the scene.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

DETAIL_LIMIT = 1500
MIN_PX = 3.0
LANE_FILL = 0.72            # share of a lane's height a bar takes
LABEL_MIN_PX = 46           # bars at least this wide show their call id
_TEXT = QtGui.QColor(20, 20, 20)


def _argb(colour: QtGui.QColor) -> np.uint32:
    a = colour.alpha()
    return np.uint32((a << 24) | (colour.red() * a // 255 << 16) | (colour.green() * a // 255 << 8)
                     | colour.blue() * a // 255)


class _DevicePainted(pg.GraphicsObject):
    """An item that paints in device pixels from data arrays (exact at any zoom: epoch
    seconds are ~1.5e9, too large for float32 item coordinates)."""

    def __init__(self) -> None:
        super().__init__()
        self._bounds = QtCore.QRectF()
        self.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return self._bounds

    def _device(self, p: QtGui.QPainter):
        """(view x0, x1, pixels per second, x offset px, transform) of the painter's device,
        or None before layout."""
        vb = self.getViewBox()
        if vb is None:
            return None
        (x0, x1), _ = vb.viewRange()
        tr = p.transform()
        if tr.m11() <= 0 or tr.m12() or tr.m21():
            return None
        return x0, x1, tr.m11(), tr.dx(), tr


class CallBars(_DevicePainted):
    def __init__(self) -> None:
        super().__init__()
        self.start = np.empty(0, dtype=np.int64)   # shown calls, sorted by start
        self.end = np.empty(0, dtype=np.int64)
        self.lane = np.empty(0, dtype=np.int16)
        self.colour = np.empty(0, dtype=np.int8)   # index into `palette`
        self.rows = np.empty(0, dtype=np.int64)    # index of each shown call in the log
        self.ids = np.empty(0, dtype=object)
        self.n_lanes = 1
        self.palette: list[QtGui.QColor] = [QtGui.QColor(128, 128, 128)]
        self.marked = np.empty(0, dtype=np.int64)  # shown-call positions linked to selected units
        self.selected: int | None = None           # shown-call position
        self._max_duration = 0
        self._mark_pen = QtGui.QPen(QtGui.QColor(220, 0, 200), 2)
        self._select_pen = QtGui.QPen(QtGui.QColor(0, 0, 0), 3)
        self.last_mode = ""                        # "detail" or "aggregate" (tests, benchmarks)
        self._cache: tuple[tuple, QtGui.QImage] | None = None

    # -- data ------------------------------------------------------------------------------
    def set_calls(self, start, end, lane, colour, rows, ids, n_lanes: int, palette) -> None:
        self.prepareGeometryChange()
        self.start, self.end = np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)
        self.lane, self.colour = np.asarray(lane, dtype=np.int16), np.asarray(colour, dtype=np.int8)
        self.rows, self.ids = np.asarray(rows, dtype=np.int64), ids
        self.n_lanes, self.palette = max(int(n_lanes), 1), list(palette)
        self._max_duration = int((self.end - self.start).max()) if len(self.start) else 0
        lo, hi = (float(self.start[0]), float(self.end.max())) if len(self.start) else (0.0, 1.0)
        self._bounds = QtCore.QRectF(lo, 0.0, max(hi - lo, 1.0), float(self.n_lanes))
        self._argb = np.array([_argb(c) for c in self.palette], dtype=np.uint32)
        self._brushes = [QtGui.QBrush(c) for c in self.palette]
        self._pens = [QtGui.QPen(c.darker(160), 1) for c in self.palette]
        self.update()

    def set_marked(self, positions: np.ndarray) -> None:
        self.marked = np.asarray(positions, dtype=np.int64)
        self.update()

    def set_selected(self, position: int | None) -> None:
        self.selected = position
        self.update()

    def lane_bottom(self, lane) -> np.ndarray:
        """Data y of the bottom of a bar in `lane` (lane 0 on top)."""
        return self.n_lanes - 1 - np.asarray(lane) + (1 - LANE_FILL) / 2

    def visible(self, x0: float, x1: float) -> np.ndarray:
        """Positions of the shown calls that overlap [x0, x1]."""
        lo = int(np.searchsorted(self.start, x0 - self._max_duration, side="left"))
        hi = int(np.searchsorted(self.start, x1, side="right"))
        pos = np.arange(lo, hi)
        return pos[self.end[lo:hi] >= x0]

    def call_at(self, x: float, y: float, tolerance_s: float) -> int | None:
        """Position of the shown call under data point (x, y): in that lane, the bar (widened
        to MIN_PX = `tolerance_s`) containing x, the latest-starting one if several."""
        lane = self.n_lanes - 1 - int(np.floor(y))
        frac = y - np.floor(y)
        if not 0 <= lane < self.n_lanes or abs(frac - 0.5) > LANE_FILL / 2 + 0.1:
            return None
        pos = self.visible(x - tolerance_s, x + tolerance_s)
        pos = pos[self.lane[pos] == lane]
        if not len(pos):
            return None
        s, e = self.start[pos], np.maximum(self.end[pos], self.start[pos] + tolerance_s)
        inside = pos[(s - tolerance_s <= x) & (x <= e)]
        return int(inside[-1]) if len(inside) else None

    # -- painting --------------------------------------------------------------------------
    def update(self, *args) -> None:
        self._cache = None  # what is drawn changed: render again
        super().update(*args)

    def paint(self, p: QtGui.QPainter, *args) -> None:
        device = self._device(p)
        if device is None or not len(self.start):
            return
        x0, x1, sx, dx, tr = device
        # The bars are rendered once per view into an image, drawn again as long as the view
        # and the data stay: moving the time cursor (or hovering) then costs one blit.
        left, right = x0 * sx + dx, x1 * sx + dx
        top, bottom = tr.dy() + tr.m22() * self.n_lanes, tr.dy()
        dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        key = (left, right, top, bottom, sx, dpr)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._render(x0, x1, sx, dx - left, tr.m22(), tr.dy() - top, right - left,
                                             bottom - top, dpr))
        p.save()
        p.resetTransform()
        p.drawImage(QtCore.QRectF(left, top, right - left, bottom - top), self._cache[1])
        p.restore()

    def _render(self, x0, x1, sx, dx, m22, dy, width, height, dpr) -> QtGui.QImage:
        image = QtGui.QImage(max(int(np.ceil(width * dpr)), 1), max(int(np.ceil(height * dpr)), 1),
                             QtGui.QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(0)
        p = QtGui.QPainter(image)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        pos = self.visible(x0, x1)
        top_of = lambda y: m22 * y + dy  # noqa: E731 - data y -> image y
        bar_h = abs(m22) * LANE_FILL
        if len(pos) <= DETAIL_LIMIT:
            self.last_mode = "detail"
            self._paint_bars(p, pos, sx, dx, top_of, bar_h)
        else:
            self.last_mode = "aggregate"
            self._paint_density(p, pos, sx, dx, top_of, bar_h, 0.0, width)
        self._paint_frames(p, self._marked_in(pos, x0), self._mark_pen, sx, dx, top_of, bar_h)
        if self.selected is not None and self.selected < len(self.start):
            self._paint_frames(p, np.array([self.selected]), self._select_pen, sx, dx, top_of, bar_h)
        p.end()
        return image

    def _marked_in(self, pos: np.ndarray, x0: float) -> np.ndarray:
        """The marked calls among `pos` (visible calls: a sorted run of positions ending at or
        after x0), without sorting all of them."""
        m = self.marked
        if not len(m) or not len(pos):
            return m[:0]
        m = m[(m >= pos[0]) & (m <= pos[-1])]
        return m[self.end[m] >= x0]

    def _rects(self, pos, sx, dx, top_of, bar_h) -> tuple[np.ndarray, ...]:
        a = self.start[pos] * sx + dx
        b = np.maximum(self.end[pos] * sx + dx, a + MIN_PX)
        y = top_of(self.lane_bottom(self.lane[pos]) + LANE_FILL)
        return a, y, b - a, np.full(len(pos), bar_h)

    def _paint_bars(self, p, pos, sx, dx, top_of, bar_h) -> None:
        a, y, w, h = self._rects(pos, sx, dx, top_of, bar_h)
        colour = self.colour[pos]
        for k in np.unique(colour).tolist():
            mine = np.flatnonzero(colour == k)
            p.setPen(self._pens[k])
            p.setBrush(self._brushes[k])
            p.drawRects([QtCore.QRectF(*r) for r in zip(a[mine].tolist(), y[mine].tolist(), w[mine].tolist(),
                                                         h[mine].tolist())])
        wide = np.flatnonzero(w >= LABEL_MIN_PX)
        if len(wide):
            p.setPen(_TEXT)
            fm = p.fontMetrics()
            for i in wide.tolist():
                text = fm.elidedText(str(self.ids[pos[i]]), QtCore.Qt.TextElideMode.ElideRight, int(w[i]) - 6)
                p.drawText(QtCore.QRectF(a[i] + 3, y[i], w[i] - 6, h[i]), QtCore.Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_density(self, p, pos, sx, dx, top_of, bar_h, left, right) -> None:
        """Per lane, one image: column height ~ log(calls overlapping the column)."""
        width = max(int(np.ceil(right - left)), 1)
        a = np.clip(np.floor(self.start[pos] * sx + dx - left), 0, width - 1).astype(np.int64)
        b = np.clip(np.ceil(np.maximum(self.end[pos] * sx + dx - left, a + 1)), 1, width).astype(np.int64)
        n_colours = len(self.palette)
        key = self.lane[pos].astype(np.int64) * n_colours + self.colour[pos]
        slots = self.n_lanes * n_colours
        # Calls overlapping each column, per (lane, colour): +1 where a bar starts, -1 past its end.
        diff = np.bincount(key * (width + 1) + a, minlength=slots * (width + 1))
        diff -= np.bincount(key * (width + 1) + b, minlength=slots * (width + 1))
        cover = np.cumsum(diff.reshape(slots, width + 1)[:, :width], axis=1).reshape(self.n_lanes, n_colours, width)
        total = cover.sum(axis=1)
        peak = max(int(total.max()), 1)
        rows = max(int(round(bar_h)), 1)
        height = np.where(total > 0, np.ceil(rows * np.clip(np.log1p(total) / np.log1p(peak), 0.2, 1.0)), 0)
        colour = self._argb[np.argmax(cover, axis=1)]          # lane x column
        ramp = np.arange(rows)[::-1, None]                       # rows counted from the bottom
        for lane in range(self.n_lanes):
            if not total[lane].any():
                continue
            img = np.where(ramp < height[lane][None, :], colour[lane][None, :], np.uint32(0)).astype(np.uint32)
            image = QtGui.QImage(img.data, width, rows, 4 * width, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
            y = top_of(self.lane_bottom(lane) + LANE_FILL)
            p.drawImage(QtCore.QRectF(left, y, width, rows), image)

    def _paint_frames(self, p, pos, pen, sx, dx, top_of, bar_h) -> None:
        if not len(pos):
            return
        a, y, w, h = self._rects(pos, sx, dx, top_of, bar_h)
        p.setPen(pen)
        p.setBrush(QtCore.Qt.BrushStyle.NoBrush)
        p.drawRects([QtCore.QRectF(*r) for r in zip(a.tolist(), y.tolist(), w.tolist(), h.tolist())])


class DayCounts(_DevicePainted):
    """Calls per (local) day as bars; days narrower than two pixels are merged by column,
    keeping the busiest day of each, so a tense day never disappears when zoomed out."""

    def __init__(self) -> None:
        super().__init__()
        self.days = np.empty(0, dtype=np.int64)     # epoch seconds of each day's start
        self.counts = np.empty(0, dtype=np.int64)
        self.day_s = 86_400
        self._brush = QtGui.QBrush(QtGui.QColor(90, 110, 140))
        self._busy = QtGui.QBrush(QtGui.QColor(200, 60, 40))
        self.busy_from = np.inf

    def set_counts(self, days: np.ndarray, counts: np.ndarray) -> None:
        self.prepareGeometryChange()
        self.days, self.counts = np.asarray(days, dtype=np.int64), np.asarray(counts, dtype=np.int64)
        # A day with twice the usual traffic is drawn red.
        self.busy_from = 2 * float(np.median(self.counts[self.counts > 0])) if self.counts.any() else np.inf
        peak = float(self.counts.max()) if len(self.counts) else 1.0
        lo = float(self.days[0]) if len(self.days) else 0.0
        span = float(self.days[-1] + self.day_s - lo) if len(self.days) else 1.0
        self._bounds = QtCore.QRectF(lo, 0.0, span, max(peak, 1.0))
        self.update()

    def paint(self, p: QtGui.QPainter, *args) -> None:
        device = self._device(p)
        if device is None or not len(self.days):
            return
        x0, x1, sx, dx, tr = device
        lo = max(int(np.searchsorted(self.days, x0 - self.day_s, side="left")), 0)
        hi = int(np.searchsorted(self.days, x1, side="right"))
        days, counts = self.days[lo:hi], self.counts[lo:hi]
        if not len(days):
            return
        a = days * sx + dx
        w = self.day_s * sx
        if w < 2:  # merge by pixel column, keeping each column's busiest day
            col = np.floor(a).astype(np.int64)
            starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
            counts = np.maximum.reduceat(counts, starts)
            a, w = col[starts].astype(float), 1.0
        base = tr.m22() * 0 + tr.dy()
        tops = tr.m22() * counts + tr.dy()
        gap = 1.0 if w >= 4 else 0.0
        p.save()
        p.resetTransform()
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        busy = counts >= self.busy_from
        for brush, mine in ((self._brush, ~busy), (self._busy, busy)):
            idx = np.flatnonzero(mine & (counts > 0))
            p.setBrush(brush)
            p.drawRects([QtCore.QRectF(x, t, w - gap, base - t) for x, t in zip(a[idx].tolist(), tops[idx].tolist())])
        p.restore()

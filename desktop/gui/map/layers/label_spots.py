"""Spots for map labels in the scene's shared label registry (desktop.gui.map.layers.labels),
in the style of the place and unit names: a label tries spots round its anchor (or in an
area, or along a line) in order of preference, in full and then in shorter forms, and takes
the first whose box lies in the view and covers no symbol, label or leader placed before it
(a spot on a leader line also needs a leader that crosses none). Boxes are measured in the
font the label is painted in. Used by the air layers, the side view and the line's
revisions; who gives way to whom is each layer's label rank."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from PySide6 import QtCore, QtGui

from desktop.gui.map.layers.labels import segments_cross
from desktop.gui.map.layers.painting import draw_label, label_font, label_rect

MARGIN_PX = 3.0            # draw_label's blank margin round the text
GAP_PX = 3.0               # between a marker or symbol and a label beside it
LEADER_PX = (12.0, 24.0, 40.0, 60.0)   # how far from its marker a label on a leader may stand
LEADER_ANGLES = 16
LEADER_STEP_PX = 2.0       # a leader is tested for what it crosses at points this far apart
GRID_PX = 16.0             # a block's label may sit at points this far apart inside it
CALLOUT_PX = 24.0          # ... or on a leader from points this far apart along its outline
CALLOUT_LEADER_PX = (10.0, 24.0)
# Directions from a marker, screen (x right, y down), by preference.
BELOW_FIRST = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1))
ABOVE_FIRST = ((0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (1, 1), (-1, -1), (-1, 1))


@dataclass(frozen=True)
class Line:
    """One line of a label: its text (plain), size and weight."""

    text: str
    pt: float
    bold: bool = False


@lru_cache(maxsize=4096)
def line_size(line: Line) -> tuple[float, float]:
    """(width, height) of a line's box with its blank margin, screen pixels."""
    rect = label_rect(label_font(line.pt, 1.0, line.bold), line.text, 0.0, 0.0, (0.0, 0.0), MARGIN_PX)
    return rect.width(), rect.height()


def block_size(lines: tuple[Line, ...]) -> tuple[float, float]:
    sizes = [line_size(line) for line in lines]
    return max(w for w, _ in sizes), sum(h for _, h in sizes)


@dataclass(frozen=True)
class Placed:
    """A label as laid out: its lines stacked, the point (ax, ay) of their block (fractions
    across, down) on the spot (x, y), and a leader (x0, y0, x1, y1) or None; screen pixels
    from the label's anchor, so that the label follows it (a live aircraft)."""

    lines: tuple[Line, ...]
    x: float
    y: float
    ax: float
    ay: float
    leader: tuple[float, float, float, float] | None = None

    def _layout(self, dx: float, dy: float, ratio: float):
        """(font, text, x, y, anchor) of each line, device pixels, for the anchor at (dx, dy)."""
        fonts = [label_font(line.pt, ratio, line.bold) for line in self.lines]
        heights = [label_rect(f, line.text, 0, 0, (0, 0), MARGIN_PX * ratio).height() for f, line in zip(fonts, self.lines)]
        x, top = dx + self.x * ratio, dy + self.y * ratio - self.ay * sum(heights)
        tops = top + np.concatenate([[0.0], np.cumsum(heights)[:-1]])
        return [(f, line.text, x, float(t), (self.ax, 0.0)) for f, line, t in zip(fonts, self.lines, tops)]

    def rects(self, dx: float, dy: float, ratio: float) -> list[QtCore.QRectF]:
        """Where each line is painted (with its backing), device pixels."""
        return [label_rect(f, text, x, y, anchor, MARGIN_PX * ratio) for f, text, x, y, anchor in self._layout(dx, dy, ratio)]

    def paint(self, painter: QtGui.QPainter, dx: float, dy: float, ratio: float, ink: QtGui.QColor,
              fill: QtGui.QColor, leader_ink: QtGui.QColor | None = None) -> None:
        if self.leader is not None:
            x0, y0, x1, y1 = self.leader
            painter.setPen(QtGui.QPen(leader_ink or ink, max(0.8 * ratio, 0.5)))
            painter.drawLine(QtCore.QPointF(dx + x0 * ratio, dy + y0 * ratio), QtCore.QPointF(dx + x1 * ratio, dy + y1 * ratio))
        for font, text, x, y, anchor in self._layout(dx, dy, ratio):
            draw_label(painter, font, text, x, y, anchor, ink, ratio, fill)


@dataclass(frozen=True)
class Spots:
    """Where a label may go, by preference: points (x, y), absolute screen pixels, with the
    point of the label's block on each (ax, ay) and a leader to each (NaN: none)."""

    x: np.ndarray
    y: np.ndarray
    ax: np.ndarray
    ay: np.ndarray
    leaders: np.ndarray   # (k, 4)

    def boxes(self, w: float, h: float) -> np.ndarray:
        x0, y0 = self.x - self.ax * w, self.y - self.ay * h
        return np.column_stack([x0, y0, x0 + w, y0 + h])


def around(box, directions=BELOW_FIRST, leaders: tuple[float, ...] = LEADER_PX) -> Spots:
    """Spots round a marker whose box is `box` (absolute screen pixels): beside it, GAP_PX
    off, in `directions` (the label's side or corner facing it); then on leaders `leaders`
    long, nearest first, each round from the first direction."""
    x0, y0, x1, y1 = box
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    d = np.asarray(directions, dtype=float)
    bx, by = cx + d[:, 0] * (hw + GAP_PX), cy + d[:, 1] * (hh + GAP_PX)
    theta = np.arange(LEADER_ANGLES) * (2 * np.pi / LEADER_ANGLES)
    turn = np.abs((theta - np.arctan2(d[0, 1], d[0, 0]) + np.pi) % (2 * np.pi) - np.pi)
    theta = theta[np.argsort(turn, kind="stable")]
    r, t = (a.ravel() for a in np.meshgrid(np.asarray(leaders, dtype=float), theta, indexing="ij"))
    ux, uy = np.cos(t), np.sin(t)
    with np.errstate(divide="ignore"):
        edge = np.minimum(np.where(ux != 0, hw / np.abs(ux), np.inf), np.where(uy != 0, hh / np.abs(uy), np.inf))
    ex, ey = cx + ux * edge, cy + uy * edge
    lx, ly = ex + ux * r, ey + uy * r
    m = np.maximum(np.abs(ux), np.abs(uy))
    return Spots(np.concatenate([bx, lx]), np.concatenate([by, ly]),
                 np.concatenate([0.5 - 0.5 * d[:, 0], 0.5 - 0.5 * ux / m]),
                 np.concatenate([0.5 - 0.5 * d[:, 1], 0.5 - 0.5 * uy / m]),
                 np.vstack([np.full((len(d), 4), np.nan), np.column_stack([ex, ey, lx, ly])]))


def in_area(sx, sy, width: float, height: float, first) -> Spots:
    """Spots for the label of the polygon (sx, sy) (screen pixels), where it shows in the
    extent: centred on points inside it (those of `first` first, then points GRID_PX apart,
    nearest the first of `first` first); then beside it on leaders from points of its
    outline (those nearest the first of `first` first)."""
    ring = shapely.make_valid(shapely.Polygon(np.column_stack([sx, sy])))
    shown = shapely.intersection(ring, shapely.box(0.0, 0.0, width, height))
    if shown.is_empty:
        return Spots(*(np.empty(0) for _ in range(4)), np.empty((0, 4)))
    inside = _inside(shown, first)
    return Spots(*(np.concatenate([a, b]) for a, b in zip(
        (inside.x, inside.y, inside.ax, inside.ay, inside.leaders), _callouts(shown, first[0]))))


def _inside(shown, first) -> Spots:
    x0, y0, x1, y1 = shown.bounds
    gx, gy = (a.ravel() for a in np.meshgrid(np.arange(x0 + GRID_PX / 2, x1, GRID_PX),
                                              np.arange(y0 + GRID_PX / 2, y1, GRID_PX)))
    fx, fy = (np.asarray(a, dtype=float) for a in zip(*first))
    px, py = np.concatenate([fx, gx]), np.concatenate([fy, gy])
    keep = shapely.contains_xy(shown, px, py)
    i = np.arange(len(px))
    order = np.lexsort((np.where(i < len(fx), i, np.hypot(px - fx[0], py - fy[0])), i >= len(fx)))
    order = order[keep[order]]
    n = len(order)
    return Spots(px[order], py[order], np.full(n, 0.5), np.full(n, 0.5), np.full((n, 4), np.nan))


def _callouts(shown, towards) -> tuple[np.ndarray, ...]:
    """(x, y, ax, ay, leaders) of spots on leaders out from points of the outline of
    `shown` CALLOUT_PX apart (away from its centre), those nearest `towards` first."""
    outline = shapely.boundary(shown)
    at = shapely.line_interpolate_point(outline, np.arange(0.0, shapely.length(outline), CALLOUT_PX))
    bx, by = shapely.get_x(at), shapely.get_y(at)
    c = shapely.centroid(shown)
    ux, uy = bx - shapely.get_x(c), by - shapely.get_y(c)
    norm = np.hypot(ux, uy)
    ok = norm > 0
    bx, by, ux, uy = bx[ok], by[ok], ux[ok] / norm[ok], uy[ok] / norm[ok]
    order = np.argsort(np.hypot(bx - towards[0], by - towards[1]), kind="stable")
    r, k = (a.ravel() for a in np.meshgrid(np.asarray(CALLOUT_LEADER_PX), order, indexing="ij"))
    lx, ly = bx[k] + ux[k] * r, by[k] + uy[k] * r
    m = np.maximum(np.abs(ux[k]), np.abs(uy[k]))
    return lx, ly, 0.5 - 0.5 * ux[k] / m, 0.5 - 0.5 * uy[k] / m, np.column_stack([bx[k], by[k], lx, ly])


def place(registry, forms: list[tuple[Line, ...]], spots: Spots, origin: tuple[float, float],
          must: bool = False) -> Placed | None:
    """The label at the first spot free for its first form that has one (forms: the full
    text, then shorter), reserved with its leader; None when none has (a `must` label then
    takes the spot of its full form that hides least). Relative to `origin` (screen)."""
    if not len(spots.x) or not forms:
        return None
    for lines in forms:
        boxes = spots.boxes(*block_size(lines))
        free = np.flatnonzero(registry.inside(boxes) & (registry.hits(boxes) == 0))
        k = next((int(j) for j in free if not _leader_blocked(registry, spots.leaders[j])), None)
        if k is not None:
            return _take(registry, lines, spots, boxes, k, origin)
    if not must:
        return None
    boxes = spots.boxes(*block_size(forms[0]))
    return _take(registry, forms[0], spots, boxes, registry.pick(boxes), origin)


def _take(registry, lines, spots: Spots, boxes: np.ndarray, k: int, origin) -> Placed:
    ox, oy = origin
    registry.reserve(boxes[k])
    seg = spots.leaders[k]
    leader = None
    if np.isfinite(seg[0]):
        registry.reserve_line(*seg)
        leader = (float(seg[0] - ox), float(seg[1] - oy), float(seg[2] - ox), float(seg[3] - oy))
    return Placed(tuple(lines), float(spots.x[k] - ox), float(spots.y[k] - oy), float(spots.ax[k]),
                  float(spots.ay[k]), leader)


def _leader_blocked(registry, seg: np.ndarray) -> bool:
    """Whether a leader (NaN: none) would cross a placed box or leader (from its marker's
    edge, not counting the point where it starts)."""
    if not np.isfinite(seg[0]):
        return False
    x0, y0, x1, y1 = seg
    n = max(int(np.hypot(x1 - x0, y1 - y0) // LEADER_STEP_PX), 2)
    t = np.arange(1, n + 1) / n
    px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    points = np.column_stack([px - 0.5, py - 0.5, px + 0.5, py + 0.5])
    return bool(registry.hits(points).any()) or bool(segments_cross(seg, registry.lines).any())

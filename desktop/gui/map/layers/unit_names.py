"""Unit names (the unique designation, MIL-STD-2525 field T) beside the symbols drawn in
full, laid out so that the map never misleads:

- Order: wrong-side units, then near-line ones, then by echelon (largest first).
- A name sits at the standard's position, left of a land symbol and right of an aircraft's,
  else on the other side; if neither is clear it may stand off on a leader line, a short
  way out first. A flagged (near-line, wrong-side) unit is always named: when no spot is
  clear it takes the least bad one. Others are left out when nothing fits.
- A spot is clear when its box lies in the view, covers no symbol (nor its flag ring),
  label or leader, and is nearer to its own symbol than to any other unit's symbol (a name
  beside the wrong symbol is worse than none; rings overlap where units are close, so the
  symbols themselves are compared). In a crowd where no such spot is left, a flagged unit's
  name may stand off on a leader that keeps clear of every other symbol: the leader says
  whose name it is. A leader crosses no symbol, label or other leader.

Boxes are screen pixels, relative to the unit's position once placed, so a pan only moves
them; `UnitNames` paints them in device pixels from a `MapSettings`.
"""
from __future__ import annotations

from collections.abc import Generator
from functools import lru_cache

import numpy as np
from PySide6 import QtCore, QtGui

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.label_index import TILE_PX
from desktop.gui.map.layers.labels import gaps, segments_cross

LABEL_PX = 10            # unit names, screen pixels
GAP_PX = 3.0             # between a symbol (or its ring) and a name beside it
PAD_PX = 2.0             # the halo's room either side of the text
MAX_LABELS = 150
LEADER_PX = (10.0, 22.0, 36.0, 54.0, 76.0, 100.0, 130.0, 160.0)   # how far from its symbol a name on a leader may stand
OPTIONAL_LEADER_PX = 36.0              # ... for a unit that is not flagged
CLEAR_PX = 6.0           # a name on a leader in a crowd keeps this far from other symbols
NEAR_LEADER_PX = 54.0    # leaders up to this long are tried first, of either kind
LEADER_ANGLES = 32
NAME_COLOUR = QtGui.QColor(25, 25, 25)
HALO = QtGui.QColor(255, 255, 255, 200)
LEADER_COLOUR = QtGui.QColor(40, 40, 40)
# Night mode (MapSettings.night): light names on a dark halo over the dark basemap.
NIGHT = {"name": QtGui.QColor(230, 230, 230), "halo": QtGui.QColor(24, 28, 34, 200),
         "leader": QtGui.QColor(200, 200, 200)}
DAY = {"name": NAME_COLOUR, "halo": HALO, "leader": LEADER_COLOUR}


def name_font(ratio: float = 1.0) -> QtGui.QFont:
    font = QtGui.QFont()
    font.setPixelSize(max(1, round(LABEL_PX * ratio)))
    return font


@lru_cache(maxsize=4096)
def name_size(text: str) -> tuple[float, float]:
    """(width, height) of a name's box, screen pixels: the text and its halo."""
    fm = QtGui.QFontMetricsF(name_font())
    return fm.horizontalAdvance(text) + 2 * PAD_PX + 1.0, fm.height()


class UnitNames:
    """Names at display (x, y) of their units, each in a box (left, top, right, bottom,
    screen pixels from the unit's position) on a light halo, some with a leader line
    (x0, y0, x1, y1, from the symbol's edge to the box; NaN for none)."""

    def __init__(self) -> None:
        self.set_labels(np.empty(0), np.empty(0), np.empty((0, 4)), [], np.empty((0, 4)))

    def set_labels(self, x, y, boxes, texts: list[str], leaders, units=()) -> None:
        self.x, self.y, self.texts = np.asarray(x, float), np.asarray(y, float), list(texts)
        self.boxes = np.asarray(boxes, float).reshape(-1, 4)
        self.leaders = np.asarray(leaders, float).reshape(-1, 4)
        self.units = np.asarray(units, dtype=np.int64)   # unit index of each name
        self._static: dict[tuple[str, int], QtGui.QStaticText] = {}

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def on_leader(self) -> np.ndarray:
        return np.isfinite(self.leaders[:, 0])

    def device_rects(self, settings: MapSettings) -> list[QtCore.QRectF]:
        """Where each name's box is drawn, device pixels."""
        k = settings.pixel_ratio
        dx, dy = settings.to_device(self.x, self.y)
        return [QtCore.QRectF(x + b[0] * k, y + b[1] * k, (b[2] - b[0]) * k, (b[3] - b[1]) * k)
                for x, y, b in zip(np.atleast_1d(dx), np.atleast_1d(dy), self.boxes)]

    def paint(self, p: QtGui.QPainter, settings: MapSettings) -> None:
        if not len(self.texts):
            return
        k = settings.pixel_ratio
        ink = NIGHT if settings.night else DAY
        dx, dy = (np.atleast_1d(a) for a in settings.to_device(self.x, self.y))
        lead = self.on_leader
        if lead.any():
            pen = QtGui.QPen(ink["leader"], max(0.8 * k, 0.5))
            p.setPen(pen)
            for x, y, (x0, y0, x1, y1) in zip(dx[lead], dy[lead], self.leaders[lead]):
                p.drawLine(QtCore.QPointF(x + x0 * k, y + y0 * k), QtCore.QPointF(x + x1 * k, y + y1 * k))
        font = name_font(k)
        p.setFont(font)
        p.setPen(ink["name"])
        for rect, text in zip(self.device_rects(settings), self.texts):
            static = self._static.get((text, font.pixelSize()))
            if static is None:
                static = self._static[(text, font.pixelSize())] = QtGui.QStaticText(text)
                static.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # names come from files
                static.prepare(QtGui.QTransform(), font)
            p.fillRect(rect, ink["halo"])
            p.drawStaticText(QtCore.QPointF(rect.left() + PAD_PX * k,
                                            rect.top() + (rect.height() - static.size().height()) / 2), static)


def layout_name_steps(registry, sx, sy, reach, frames, names: list[str], air, flagged, units) -> Generator:
    """Place names for units at screen (sx, sy), most important first, whose symbols reach
    `reach` with their flag rings and `frames` without (n x 4, absolute screen boxes).
    Returns (kept indices, boxes relative to each unit, leaders relative to each unit) and
    reserves what it placed in `registry`. A generator that yields before each unit: a crowd
    of flagged units takes seconds, which a window spreads over passes of its event loop."""
    kept, boxes, leaders = [], [], []
    others = registry.frames
    for k in range(len(sx)):
        yield
        if len(kept) >= MAX_LABELS and not flagged[k]:
            continue
        w, h = name_size(names[k])
        cands, segs, radius = _candidates(reach[k], sy[k], w, h, left_first=not air[k],
                                          reach_px=LEADER_PX[-1] if flagged[k] else OPTIONAL_LEADER_PX)
        hits = registry.hits(cands)
        free = registry.inside(cands) & (hits == 0)
        if not free.any() and not flagged[k]:
            continue
        # The rule is worked out for the free spots only (all of them for a flagged unit that
        # has none: the least bad spot is then chosen among all).
        judged = np.flatnonzero(free) if free.any() else np.arange(len(cands))
        own = np.full(len(cands), np.inf)
        nearest_other = np.zeros(len(cands))
        own[judged] = gaps(cands[judged], frames[k][None, :])[:, 0]
        pad = float(own[judged].max())   # any rival nearer than its own symbol lies within this
        rivals = others[(registry.symbol_units != units[k]) & _near(others, cands[judged], pad=pad)]
        nearest_other[judged] = _nearest(cands[judged], rivals, pad)
        led = np.isfinite(segs[:, 0])
        # Nearer its own symbol than any other; failing that (a crowd), a flagged unit's name
        # may stand off on a leader if it keeps clear of every other symbol: the leader says
        # whose it is.
        tiers = [free & (own < nearest_other)]
        if flagged[k]:  # near spots of either kind before far ones
            clear = free & led & (nearest_other >= CLEAR_PX)
            close = radius <= NEAR_LEADER_PX
            tiers = [tiers[0] & close, clear & close, tiers[0], clear]
        # The first spot whose leader (if any) is clear; leaders are checked one by one, lazily.
        i = next((int(j) for ok in tiers for j in np.flatnonzero(ok)
                  if not led[j] or not _crosses(registry, segs[j], units[k], reach[k])), -1)
        if i < 0 and not flagged[k]:
            continue
        if i < 0:  # must be named: the spot that covers least and misleads least
            cost = (hits * 10.0 + (own >= nearest_other) * 5.0 + radius / 100.0 + ~registry.inside(cands) * 1e3)
            i = int(np.argmin(cost))
        registry.reserve(cands[i])
        if led[i]:
            registry.reserve_line(*segs[i])
        kept.append(k)
        boxes.append(cands[i] - (sx[k], sy[k], sx[k], sy[k]))
        leaders.append(segs[i] - (sx[k], sy[k], sx[k], sy[k]))
    return (np.asarray(kept, dtype=np.int64), np.reshape(boxes, (-1, 4)), np.reshape(leaders, (-1, 4)))


def _candidates(own, y: float, w: float, h: float, left_first: bool, reach_px: float):
    """Spots for a w x h name of a symbol reaching `own` (absolute box) whose unit is at row
    y: beside it (the preferred side first), then on leaders out to `reach_px`, nearest
    first and then by how close they are to the preferred side. Returns (boxes (k, 4),
    leaders (k, 4), NaN for none; distance from the symbol (k,))."""
    left = (own[0] - GAP_PX - w, y - h / 2, own[0] - GAP_PX, y + h / 2)
    right = (own[2] + GAP_PX, y - h / 2, own[2] + GAP_PX + w, y + h / 2)
    beside = np.array([left, right] if left_first else [right, left])
    theta = np.arange(LEADER_ANGLES) * (2 * np.pi / LEADER_ANGLES)
    prefer = np.pi if left_first else 0.0
    turn = np.abs((theta - prefer + np.pi) % (2 * np.pi) - np.pi)
    theta = theta[np.argsort(turn, kind="stable")]
    radii = np.array([r for r in LEADER_PX if r <= reach_px])
    r, t = (a.ravel() for a in np.meshgrid(radii, theta, indexing="ij"))
    ux, uy = np.cos(t), -np.sin(t)    # screen y grows downwards
    cx, cy = (own[0] + own[2]) / 2, (own[1] + own[3]) / 2
    hw, hh = (own[2] - own[0]) / 2, (own[3] - own[1]) / 2
    with np.errstate(divide="ignore"):
        edge = np.minimum(np.where(ux != 0, hw / np.abs(ux), np.inf), np.where(uy != 0, hh / np.abs(uy), np.inf))
    ex, ey = cx + ux * edge, cy + uy * edge
    px, py = ex + ux * r, ey + uy * r
    m = np.maximum(np.abs(ux), np.abs(uy))
    fx, fy = 0.5 - 0.5 * ux / m, 0.5 - 0.5 * uy / m   # the box's corner or side facing the symbol
    x0, y0 = px - fx * w, py - fy * h
    boxes = np.vstack([beside, np.column_stack([x0, y0, x0 + w, y0 + h])])
    segs = np.vstack([np.full((2, 4), np.nan), np.column_stack([ex, ey, px, py])])
    return boxes, segs, np.concatenate([[0.0, 0.0], r])


def _near(boxes: np.ndarray, cands: np.ndarray, pad: float = 1.0) -> np.ndarray:
    """Which `boxes` come within `pad` of any candidate (the rest cannot matter)."""
    if not len(boxes):
        return np.zeros(0, dtype=bool)
    x0, y0 = cands[:, 0].min() - pad, cands[:, 1].min() - pad
    x1, y1 = cands[:, 2].max() + pad, cands[:, 3].max() + pad
    return (boxes[:, 0] < x1) & (boxes[:, 2] > x0) & (boxes[:, 1] < y1) & (boxes[:, 3] > y0)


def _nearest(cands: np.ndarray, rivals: np.ndarray, pad: float) -> np.ndarray:
    """Per candidate box, its gap to the nearest of `rivals` where one is within `pad` (else
    a gap beyond `pad`): worked out for the spots of a tile at a time (TILE_PX) against the
    rivals near that tile."""
    out = np.full(len(cands), np.inf)
    tile = np.floor(cands[:, 1] / TILE_PX) * 1e6 + np.floor(cands[:, 0] / TILE_PX)
    order = np.argsort(tile, kind="stable")
    for t in np.split(order, np.flatnonzero(np.diff(tile[order])) + 1):
        c = cands[t]
        near = rivals[(rivals[:, 0] <= c[:, 2].max() + pad) & (rivals[:, 2] >= c[:, 0].min() - pad)
                      & (rivals[:, 1] <= c[:, 3].max() + pad) & (rivals[:, 3] >= c[:, 1].min() - pad)]
        if len(near):
            out[t] = gaps(c, near).min(axis=1)
    return out


def _crosses(registry, seg: np.ndarray, unit: int, reach: np.ndarray) -> bool:
    """Whether a leader from `unit`'s symbol (reaching `reach`) crosses a label, another
    unit's symbol (one not on top of its own) or another leader."""
    x0, y0, x1, y1 = seg
    t = np.linspace(0.0, 1.0, max(int(np.hypot(x1 - x0, y1 - y0) // 2), 2) + 1)[1:]
    px, py = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
    b = registry.line_obstacles(unit, reach, (px.min(), py.min(), px.max(), py.max()))
    inside = ((px[:, None] > b[None, :, 0]) & (px[:, None] < b[None, :, 2])
              & (py[:, None] > b[None, :, 1]) & (py[:, None] < b[None, :, 3]))
    return bool(inside.any()) or bool(segments_cross(seg, registry.lines).any())


def by_priority(units, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(units `idx` of the unit layer `units` most important first, whether each is
    flagged): wrong-side, then near-line, then by echelon, largest first."""
    wrong, near = units.flags("wrong")[idx], units.flags("near")[idx]
    rank = 1000.0 * wrong + 100.0 * near + units.detail.echelon_rank(idx)
    order = np.lexsort((idx, -rank))
    return idx[order], (wrong | near)[order]


def unit_name_steps(units, settings: MapSettings, registry) -> Generator:
    """Lay out the names of the unit layer `units`' symbols in view (see the module), one
    unit a step (see `layout_name_steps`)."""
    detail = units.detail
    idx = detail.shown_in(settings)
    if not len(idx) or not detail.wants(idx):  # too many in view: the markers' level is on its way
        detail.names.set_labels(np.empty(0), np.empty(0), np.empty((0, 4)), [], np.empty((0, 4)))
        return
    idx, flagged = by_priority(units, idx)
    sx, sy = registry.to_screen(units.x[idx], units.y[idx])
    at = np.column_stack([sx, sy, sx, sy])
    reach, frames = units.symbol_reach(idx) + at, detail.symbol_boxes(idx) + at
    doc_units = units.document.units
    names = [str(doc_units.names[i] or doc_units.ids[i]) for i in idx]
    worked_out = units.x, units.y
    kept, boxes, leaders = yield from layout_name_steps(registry, sx, sy, reach, frames, names, detail.is_air(idx),
                                                         flagged, idx)
    shown = idx[kept]
    registry.named_units.update(shown.tolist())
    # Live reports may have moved the units meanwhile (rows are only added then): the names
    # go beside where they are now; after any other change, where they were laid out.
    x, y = (units.x, units.y) if len(units.x) >= len(worked_out[0]) else worked_out
    detail.names.set_labels(x[shown], y[shown], boxes, [names[k] for k in kept], leaders, shown)

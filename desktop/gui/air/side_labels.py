"""The side view's labels (desktop.gui.air.side_view), laid out with the map's label
registry and the map labels' placement (desktop.gui.map.layers.label_spots), in pixels of the plot:

- the aircraft markers first, and the arrows of those labelled, obstacles to every label;
  then each aircraft's callsign and level beside its marker, moved up clear of those placed
  before it (as before: they are read against the altitude axis);
- then each block's label inside its rectangle, active blocks first, in full and then
  shorter: kind and name over the band (with "inactive"), without "inactive" (the dashed
  outline says it), on one line, then the block's id (its short name, e.g. "ROZ-3") over
  the band, on one line, the id alone;
- then, with every block's rectangle reserved, the labels that found no room inside go
  beside their block (on a short leader), in the same forms less "inactive"; one that has
  no room there either is left out: its full text is the block's tooltip (as for every block).

A label is never cut: a form is placed whole or not at all. An ACM the path enters twice is
labelled once, on its widest piece that has room.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore

from desktop.core.air.measures import format_altitude
from desktop.gui.map.layers.label_spots import ABOVE_FIRST, Line, Placed, Spots, around, block_size, place
from desktop.gui.map.layers.labels import LabelRegistry

NAME_PT, BAND_PT = 8.0, 7.5   # 11 and 10 px: the axes' size
OVERHANG_PX = 1.0             # a label's blank margin may cover its block's outline by this much (not the text)
MAX_SPOTS = (16, 8)           # spots tried inside a block, across and down at most
LEADER_PX = (12.0, 24.0)      # a label beside its block: short leaders only
MARKER_HALF_PX = 6.0          # an aircraft's marker (desktop.gui.air.side_view._marks)
AIRCRAFT_LABEL_PX = (7.0, 6.0)   # an aircraft label's text starts this far right of its marker, its baseline this far up


@dataclass(frozen=True)
class BlockLabel:
    """One ACM's label: its rectangles (widget px, left, top, right, bottom: one per piece
    of the path inside it), its full text (plain: names come from files) and the label as
    painted, relative to the plot's top-left corner (None: the tooltip only)."""

    acm: int
    boxes: tuple[tuple[float, float, float, float], ...]
    text: str
    active: bool
    label: Placed | None


@dataclass(frozen=True)
class AircraftLabel:
    row: int               # in the profile's aircraft
    text: str
    rect: QtCore.QRectF    # widget px, with the label's blank margin


@dataclass(frozen=True)
class Layout:
    plot: QtCore.QRectF
    blocks: list[BlockLabel]
    aircraft: list[AircraftLabel]

    def label_rects(self, block: BlockLabel) -> list[QtCore.QRectF]:
        """Where `block`'s label is painted, line by line with its margin (widget px)."""
        if block.label is None:
            return []
        return block.label.rects(self.plot.left(), self.plot.top(), 1.0)


def full_text(acm, active: bool) -> str:
    """An ACM's label in full, as its tooltip shows it."""
    name = f"{acm.kind} {acm.name or acm.id}"
    return "\n".join([name if name.endswith(acm.id) else f"{name} ({acm.id})", acm.block_label(),
                      "active" if active else "inactive"])


def label_forms(acm, active: bool) -> list[tuple[Line, ...]]:
    """The label in full, then shorter (see the module doc); no form twice."""
    name, band = f"{acm.kind} {acm.name or acm.id}", acm.block_label()
    head, short = Line(name, NAME_PT, bold=True), Line(acm.id, NAME_PT, bold=True)
    forms = [(head, Line(f"{band} · inactive", BAND_PT))] if not active else []
    forms += [(head, Line(band, BAND_PT)), (Line(f"{name} {band}", NAME_PT, bold=True),),
              (short, Line(band, BAND_PT)), (Line(f"{acm.id} {band}", NAME_PT, bold=True),), (short,)]
    return list(dict.fromkeys(forms))


def inside(box, w: float, h: float) -> Spots:
    """Top-left corners of a w x h label inside `box` (left, top, right, bottom), the
    top-left one first, then the nearest to it."""
    x0, y0, x1, y1 = box
    room_x, room_y = x1 - x0 + 2 * OVERHANG_PX - w, y1 - y0 + 2 * OVERHANG_PX - h
    if room_x < 0 or room_y < 0:
        return Spots(*(np.empty(0) for _ in range(4)), np.empty((0, 4)))
    dx = np.linspace(0.0, room_x, min(MAX_SPOTS[0], int(room_x // 4) + 1))
    dy = np.linspace(0.0, room_y, min(MAX_SPOTS[1], int(room_y // 4) + 1))
    gx, gy = (a.ravel() for a in np.meshgrid(dx, dy))
    order = np.argsort(np.hypot(gx, gy), kind="stable")
    n = len(order)
    return Spots(x0 - OVERHANG_PX + gx[order], y0 - OVERHANG_PX + gy[order], np.zeros(n), np.zeros(n),
                 np.full((n, 4), np.nan))


def on_leaders(box) -> Spots:
    """Spots beside a block on a short leader from its outline, above it first."""
    spots = around(box, ABOVE_FIRST, LEADER_PX)
    k = np.flatnonzero(np.isfinite(spots.leaders[:, 0]))
    return Spots(spots.x[k], spots.y[k], spots.ax[k], spots.ay[k], spots.leaders[k])


def lay_out(prof, airspace, active, state, labelled, plot: QtCore.QRectF, to_x, to_y, font_metrics) -> Layout:
    """Every label of the profile `prof` in `plot` (widget px; to_x, to_y: NM and ft to
    widget px). `labelled`: the aircraft (rows of the profile) whose labels show;
    `font_metrics`: those of the aircraft labels' font."""
    ox, oy = plot.left(), plot.top()
    registry = LabelRegistry(plot.width(), plot.height())  # (the map's registry: the plot's own boxes only)
    aircraft = _aircraft(registry, prof, state, labelled, to_x, to_y, ox, oy, font_metrics)
    pieces: dict[int, list[tuple[float, float, float, float]]] = {}
    for m, a, b, floor, ceiling in zip(prof.block_acm.tolist(), prof.block_start_nm.tolist(), prof.block_end_nm.tolist(),
                                       prof.block_floor_ft.tolist(), prof.block_ceiling_ft.tolist()):
        pieces.setdefault(m, []).append((to_x(a) - ox, to_y(ceiling) - oy, to_x(b) - ox, to_y(floor) - oy))
    on = {m: bool(active[m]) if m < len(active) else True for m in pieces}
    order = sorted(pieces, key=lambda m: not on[m])   # active blocks first
    widest = {m: sorted(boxes, key=lambda r: r[0] - r[2]) for m, boxes in pieces.items()}
    placed: dict[int, Placed] = {}
    for m in order:   # inside its block, in full then shorter
        for box in widest[m]:
            label = _place_inside(registry, label_forms(airspace[m], on[m]), box)
            if label is not None:
                placed[m] = label
                break
    registry.reserve(np.array([box for boxes in pieces.values() for box in boxes], dtype=float).reshape(-1, 4))
    for m in order:   # else beside it, on a short leader
        if m not in placed:
            forms = label_forms(airspace[m], True)
            for box in widest[m]:
                label = place(registry, forms, on_leaders(box), (0.0, 0.0))
                if label is not None:
                    placed[m] = label
                    break
    blocks = [BlockLabel(m, tuple((x0 + ox, y0 + oy, x1 + ox, y1 + oy) for x0, y0, x1, y1 in pieces[m]),
                         full_text(airspace[m], on[m]), on[m], placed.get(m)) for m in order]
    return Layout(QtCore.QRectF(plot), blocks, aircraft)


def _place_inside(registry, forms, box) -> Placed | None:
    for lines in forms:
        label = place(registry, [lines], inside(box, *block_size(lines)), (0.0, 0.0))
        if label is not None:
            return label
    return None


def _aircraft(registry, prof, state, labelled, to_x, to_y, ox, oy, metrics) -> list[AircraftLabel]:
    """The aircraft markers reserved, then their labels, lowest first, each moved up clear
    of what was placed before it."""
    alt = np.nan_to_num(prof.alt_ft, nan=0.0)
    x, y = np.asarray(to_x(prof.along_nm)) - ox, np.asarray(to_y(alt)) - oy
    h = MARKER_HALF_PX
    registry.reserve(np.column_stack([x - h, y - h, x + h, y + h]))
    x1 = np.asarray(to_x(prof.ahead_nm)) - ox   # the labelled aircraft's arrows (a crowd's would fence every block off)
    registry.reserve_lines(np.column_stack([x, y, x1, y])[labelled])
    labels = []
    for k in labelled[np.argsort(-y[labelled], kind="stable")].tolist():
        row = int(prof.aircraft[k])
        name = str(state.names[row] or state.ids[row])
        level = format_altitude(float(prof.alt_ft[k])) if math.isfinite(prof.alt_ft[k]) else "alt ?"
        text = f"{name} {level}"
        w, lh = metrics.horizontalAdvance(text), metrics.height()
        left, top = x[k] + AIRCRAFT_LABEL_PX[0], y[k] - AIRCRAFT_LABEL_PX[1] - metrics.ascent()
        box = np.array([left, top, left + w, top + lh])
        while registry.hits(box)[0] and box[1] > 0:
            box[[1, 3]] -= lh
        registry.reserve(box)
        labels.append(AircraftLabel(k, text, QtCore.QRectF(box[0] + ox, box[1] + oy, w, lh)))
    return labels

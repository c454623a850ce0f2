"""Label placement for the air layers, in the scene's shared label registry: every air label
is shown (a block's name, a closest approach, an aircraft's altitude), each at the first of
its candidate places that keeps clear of the labels placed before it."""
from __future__ import annotations

import numpy as np

from desktop.gui.map.layers.labels import label_box

SYMBOL_HALF_PX = 14.0     # half a unit symbol's frame on screen (desktop.gui.unit_symbols)
UNIT_OBSTACLES = 2000
SYMBOL_WEIGHT = 4.0


def _overlap(taken: np.ndarray, box: tuple) -> float:
    """Area of `box` covered by the boxes `taken` (summed: a crowd counts more)."""
    if not len(taken):
        return 0.0
    w = np.clip(np.minimum(taken[:, 2], box[2]) - np.maximum(taken[:, 0], box[0]), 0, None)
    h = np.clip(np.minimum(taken[:, 3], box[3]) - np.maximum(taken[:, 1], box[1]), 0, None)
    return float((w * h).sum())


def place_groups(registry, groups: list[list[list[tuple]]], obstacles: np.ndarray | None = None) -> list[int]:
    """`groups[i]` lists label i's candidate places, each a list of boxes (its lines); the
    index of the place taken for each label, reserved: the first that overlaps neither an
    earlier label nor an obstacle (a unit symbol), else the one that hides least, a symbol
    counting SYMBOL_WEIGHT times a label (a label over a label hides less than one over a
    unit)."""
    chosen = []
    obstacles = np.empty((0, 4)) if obstacles is None else obstacles
    for candidates in groups:
        cost = [sum(SYMBOL_WEIGHT * _overlap(obstacles, b) + _overlap(registry.boxes, b) for b in boxes)
                for boxes in candidates]
        pick = int(np.argmin(cost)) if cost else 0  # the first of equals: the order is the preference
        chosen.append(pick)
        if candidates:
            registry.reserve(candidates[pick])
    return chosen


# Offsets (screen px) and anchors around a point, in order of preference: above, below,
# right, left of a marker `gap` pixels away, then the four corners.
def around(gap: float) -> list[tuple[float, float, tuple[float, float]]]:
    return [(0.0, -gap, (0.5, 1.0)), (0.0, gap, (0.5, 0.0)), (gap, 0.0, (0.0, 0.5)), (-gap, 0.0, (1.0, 0.5)),
            (gap, -gap, (0.0, 1.0)), (gap, gap, (0.0, 0.0)), (-gap, -gap, (1.0, 1.0)), (-gap, gap, (1.0, 0.0))]


def point_candidates(sx: float, sy: float, text: str, places, bold: bool = True) -> list[list[tuple]]:
    """One-line label candidates at `places` (from `around`) of screen point (sx, sy)."""
    return [[label_box(sx + dx, sy + dy, text, anchor, bold)] for dx, dy, anchor in places]


def symbol_boxes(scene, registry, limit: int = UNIT_OBSTACLES) -> np.ndarray:
    """Screen boxes of the unit symbols in view (the air labels keep clear of them when they
    can); none when more than `limit` units are in view (a crowd: no label could)."""
    units = scene.document.shown_units
    sx, sy = registry.to_screen(*scene.to_display(units.lon, units.lat))
    sx, sy = np.atleast_1d(sx), np.atleast_1d(sy)
    inside = np.flatnonzero((sx > -SYMBOL_HALF_PX) & (sx < registry.width + SYMBOL_HALF_PX)
                            & (sy > -SYMBOL_HALF_PX) & (sy < registry.height + SYMBOL_HALF_PX))
    if len(inside) > limit:
        return np.empty((0, 4))
    x, y, h = sx[inside], sy[inside], SYMBOL_HALF_PX
    return np.column_stack([x - h, y - h, x + h, y + h])

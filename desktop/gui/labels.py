"""Map label placement in screen pixels, shared by the scenario's places and the basemap's
towns so that neither piles onto the other."""
from __future__ import annotations

import numpy as np
from PySide6 import QtCore

# TextItem anchors to try, in order: up-right, down-right, up-left, down-left of the dot,
# then right, left, above, below.
ANCHORS = ((0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.5), (1.0, 0.5), (0.5, 1.0), (0.5, 0.0))
CHAR_PX, PAD_PX, HEIGHT_PX, DESCENT_PX = 6.2, 8.0, 18.0, 3.0
MARGIN_PX = 3.0  # TextItem's own blank margin around the text


def to_pixels(x, y, px: float, py: float, rect: QtCore.QRectF) -> tuple[np.ndarray, np.ndarray]:
    """Map coordinates -> pixels from the view's top-left (y down)."""
    return (np.asarray(x) - rect.left()) / abs(px), (rect.bottom() - np.asarray(y)) / abs(py)


def label_box(sx: float, sy: float, name: str, anchor=ANCHORS[0], bold: bool = False) -> tuple:
    """Estimated pixel box of a label whose `anchor` corner sits on (sx, sy). Widths come
    from the name length: exact font metrics are not worth a call per town."""
    w = (CHAR_PX * (1.12 if bold else 1.0)) * len(str(name)) + PAD_PX
    x0 = sx - anchor[0] * w
    y0 = sy - anchor[1] * (HEIGHT_PX - DESCENT_PX)
    # The text itself sits inside the item's blank margin; two margins may touch.
    return (x0 + MARGIN_PX, y0, x0 + w - MARGIN_PX, y0 + HEIGHT_PX)


def _overlaps(boxes: np.ndarray, b: tuple) -> bool:
    return bool(len(boxes)) and bool(np.any((boxes[:, 0] < b[2]) & (boxes[:, 2] > b[0])
                                            & (boxes[:, 1] < b[3]) & (boxes[:, 3] > b[1])))


def place_labels(sx, sy, names, bold: bool = True) -> tuple[list, np.ndarray]:
    """Anchors for labels that must all be shown (scenario places): each takes the first
    anchor that overlaps no earlier label. Returns (anchors, boxes)."""
    boxes = np.empty((0, 4))
    anchors = []
    for x, y, name in zip(sx, sy, names):
        options = [label_box(x, y, name, a, bold) for a in ANCHORS]
        pick = next((i for i, b in enumerate(options) if not _overlaps(boxes, b)), 0)
        anchors.append(ANCHORS[pick])
        boxes = np.vstack([boxes, options[pick]])
    return anchors, boxes


def thin_labels(sx, sy, names, width: float, height: float, taken: np.ndarray | None = None,
                max_labels: int = 40, anchor=ANCHORS[0]) -> np.ndarray:
    """Indices of optional labels to show (towns, unit names), greedily in the given order
    (most important first): a label is dropped if its box (its `anchor` corner on the point,
    up-right by default) overlaps a shown one, one in `taken`, or leaves the view."""
    boxes = np.empty((0, 4)) if taken is None else np.asarray(taken, dtype=float).reshape(-1, 4)
    keep = []
    for i in range(len(sx)):
        b = label_box(sx[i], sy[i], names[i], anchor)
        if b[0] < 0 or b[2] > width or b[1] < 0 or b[3] > height or _overlaps(boxes, b):
            continue
        boxes = np.vstack([boxes, b])
        keep.append(i)
        if len(keep) >= max_labels:
            break
    return np.asarray(keep, dtype=np.int64)

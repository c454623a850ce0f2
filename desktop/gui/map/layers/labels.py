"""Map label placement in screen pixels, and the one registry every layer's labels share
(places, markup, grid, towns, unit names, revision ids), so none piles onto another.

The scene lays labels out once the view rests (and before an export paints): it starts the
registry for the extent shown, then asks each labelled layer in `label_rank` order. Labels
that must all show (places, markup, grid edge labels) are reserved first; optional ones
(towns, unit names) are thinned against everything placed before them. Boxes are in
screen pixels (device pixels / pixel ratio), so a 300-dpi page is laid out as the screen.
"""
from __future__ import annotations

import numpy as np

from desktop.core.map_settings import MapSettings

# Anchors to try, in order: up-right, down-right, up-left, down-left of the dot, then
# right, left, above, below. (fractions across and down of the label's box)
ANCHORS = ((0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.5), (1.0, 0.5), (0.5, 1.0), (0.5, 0.0))
CHAR_PX, PAD_PX, HEIGHT_PX, DESCENT_PX = 6.2, 8.0, 18.0, 3.0
MARGIN_PX = 3.0  # a label's own blank margin around the text


def label_box(sx: float, sy: float, name: str, anchor=ANCHORS[0], bold: bool = False) -> tuple:
    """Estimated pixel box of a label whose `anchor` corner sits on (sx, sy). Widths come
    from the name length: exact font metrics are not worth a call per town."""
    w = (CHAR_PX * (1.12 if bold else 1.0)) * len(str(name)) + PAD_PX
    x0 = sx - anchor[0] * w
    y0 = sy - anchor[1] * (HEIGHT_PX - DESCENT_PX)
    # The text itself sits inside the box's blank margin; two margins may touch.
    return (x0 + MARGIN_PX, y0, x0 + w - MARGIN_PX, y0 + HEIGHT_PX)


def _overlaps(boxes: np.ndarray, b: tuple) -> bool:
    return bool(len(boxes)) and bool(np.any((boxes[:, 0] < b[2]) & (boxes[:, 2] > b[0])
                                            & (boxes[:, 1] < b[3]) & (boxes[:, 3] > b[1])))


def place_labels(sx, sy, names, bold: bool = True, taken: np.ndarray | None = None) -> tuple[list, np.ndarray]:
    """Anchors for labels that must all be shown (scenario places): each takes the first
    anchor that overlaps no earlier label (nor one in `taken`). Returns (anchors, boxes)."""
    boxes = np.empty((0, 4)) if taken is None else np.asarray(taken, dtype=float).reshape(-1, 4)
    first = len(boxes)
    anchors = []
    for x, y, name in zip(sx, sy, names):
        options = [label_box(x, y, name, a, bold) for a in ANCHORS]
        pick = next((i for i, b in enumerate(options) if not _overlaps(boxes, b)), 0)
        anchors.append(ANCHORS[pick])
        boxes = np.vstack([boxes, options[pick]])
    return anchors, boxes[first:]


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


class LabelRegistry:
    """The label boxes placed so far for one extent, in screen pixels from its top-left."""

    def __init__(self) -> None:
        self.settings: MapSettings | None = None
        self.width = self.height = 0.0
        self.boxes = np.empty((0, 4))
        self.named_units: set[int] = set()   # units whose name a label shows already

    def begin(self, settings: MapSettings) -> None:
        self.settings = settings
        self.width, self.height = (v / settings.pixel_ratio for v in settings.size)
        self.boxes = np.empty((0, 4))
        self.named_units = set()

    def to_screen(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates -> screen pixels of the extent being laid out."""
        dx, dy = self.settings.to_device(x, y)
        r = self.settings.pixel_ratio
        return np.asarray(dx) / r, np.asarray(dy) / r

    def reserve(self, boxes) -> None:
        """Boxes (left, top, right, bottom) already decided: later labels keep clear of them."""
        self.boxes = np.vstack([self.boxes, np.asarray(boxes, dtype=float).reshape(-1, 4)])

    def place(self, sx, sy, names, bold: bool = True) -> list:
        """Anchors for labels that must all show (see `place_labels`), reserved."""
        anchors, boxes = place_labels(sx, sy, names, bold, self.boxes)
        self.reserve(boxes)
        return anchors

    def thin(self, sx, sy, names, max_labels: int, anchor=ANCHORS[0]) -> np.ndarray:
        """Indices of optional labels that fit (see `thin_labels`), reserved."""
        keep = thin_labels(sx, sy, names, self.width, self.height, self.boxes, max_labels, anchor)
        self.reserve([label_box(sx[i], sy[i], names[i], anchor) for i in keep])
        return keep

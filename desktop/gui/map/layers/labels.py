"""Map label placement in screen pixels, and the one registry every layer's labels share
(places, markup, grid, towns, unit names, revision ids), so none piles onto another.

The scene lays labels out once the view rests (and before an export paints): it starts the
registry for the extent shown, then asks each labelled layer in `label_rank` order. The
unit symbols come first, as obstacles every label keeps clear of (place names give way to
symbols); then labels that must all show (places, markup, grid edge labels, flagged units'
names, sector ids); optional ones (other unit names, towns, the units' other text
amplifiers last) are thinned against everything placed before them. Boxes are in screen pixels
(device pixels / pixel ratio), so a 300-dpi page is laid out as the screen.
"""
from __future__ import annotations

import numpy as np

from desktop.core.map_settings import MapSettings
from desktop.gui.map.layers.label_index import BoxIndex

# Anchors to try, in order: up-right, down-right, up-left, down-left of the dot, then
# right, left, above, below. (fractions across and down of the label's box)
ANCHORS = ((0.0, 1.0), (0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.5), (1.0, 0.5), (0.5, 1.0), (0.5, 0.0))
CHAR_PX, PAD_PX, HEIGHT_PX, DESCENT_PX = 6.2, 8.0, 18.0, 3.0
MARGIN_PX = 3.0  # a label's own blank margin around the text
LINE_STEP_PX = 4.0  # a leader line is reserved as points this far apart
PICK_CHUNK = 64     # `pick` tests candidates this many at a time


def label_box(sx: float, sy: float, name: str, anchor=ANCHORS[0], bold: bool = False) -> tuple:
    """Estimated pixel box of a label whose `anchor` corner sits on (sx, sy). Widths come
    from the name length: exact font metrics are not worth a call per town."""
    w = (CHAR_PX * (1.12 if bold else 1.0)) * len(str(name)) + PAD_PX
    x0 = sx - anchor[0] * w
    y0 = sy - anchor[1] * (HEIGHT_PX - DESCENT_PX)
    # The text itself sits inside the box's blank margin; two margins may touch.
    return (x0 + MARGIN_PX, y0, x0 + w - MARGIN_PX, y0 + HEIGHT_PX)


def overlaps(cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(k, n): whether candidate box i overlaps box j (touching edges do not)."""
    c, b = np.asarray(cands, dtype=float).reshape(-1, 4), np.asarray(boxes, dtype=float).reshape(-1, 4)
    return ((c[:, None, 0] < b[None, :, 2]) & (c[:, None, 2] > b[None, :, 0])
            & (c[:, None, 1] < b[None, :, 3]) & (c[:, None, 3] > b[None, :, 1]))


def gaps(cands: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(k, n): the distance between candidate box i and box j (0 where they overlap)."""
    c, b = np.asarray(cands, dtype=float).reshape(-1, 4), np.asarray(boxes, dtype=float).reshape(-1, 4)
    dx = np.maximum(0.0, np.maximum(b[None, :, 0] - c[:, None, 2], c[:, None, 0] - b[None, :, 2]))
    dy = np.maximum(0.0, np.maximum(b[None, :, 1] - c[:, None, 3], c[:, None, 1] - b[None, :, 3]))
    return np.hypot(dx, dy)


def segments_cross(seg, segs: np.ndarray) -> np.ndarray:
    """Per segment of `segs` (n x 4), whether it properly crosses `seg` (x0, y0, x1, y1)."""
    s = np.asarray(segs, dtype=float).reshape(-1, 4)
    ax, ay, bx, by = seg
    cx, cy, dx, dy = s[:, 0], s[:, 1], s[:, 2], s[:, 3]

    def side(px, py, qx, qy, rx, ry):
        return np.sign((qx - px) * (ry - py) - (qy - py) * (rx - px))

    return ((side(ax, ay, bx, by, cx, cy) * side(ax, ay, bx, by, dx, dy) < 0)
            & (side(cx, cy, dx, dy, ax, ay) * side(cx, cy, dx, dy, bx, by) < 0))


def run_steps(steps):
    """Run a generator of layout steps to its end; its return value."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


class LabelRegistry:
    """The label boxes placed so far for one extent, in screen pixels from its top-left.
    `boxes` holds everything a new label must not cover: labels, the unit symbols (also in
    `symbols`, with the unit each belongs to) and the points of leader lines; they are
    indexed (desktop.gui.map.layers.label_index), so a label is tested against those near it."""

    def __init__(self, width: float = 0.0, height: float = 0.0) -> None:
        """An empty registry over `width` x `height` px (the map's gets its size at `begin`)."""
        self.settings: MapSettings | None = None
        self.width, self.height = width, height
        self.index = BoxIndex(width, height)
        self.symbols = np.empty((0, 4))
        self.frames = np.empty((0, 4))        # the symbols without their rings
        self.symbol_units = np.empty(0, dtype=np.int64)
        self.lines = np.empty((0, 4))         # leader lines (x0, y0, x1, y1)
        self._symbol_rows = np.empty(0, dtype=np.int64)  # where each symbol is in `boxes`
        self.named_units: set[int] = set()   # units whose name a label shows already

    def begin(self, settings: MapSettings) -> None:
        self.settings = settings
        self.width, self.height = (v / settings.pixel_ratio for v in settings.size)
        self.index = BoxIndex(self.width, self.height)
        self.symbols = np.empty((0, 4))
        self.frames = np.empty((0, 4))
        self.symbol_units = np.empty(0, dtype=np.int64)
        self.lines = np.empty((0, 4))
        self._symbol_rows = np.empty(0, dtype=np.int64)
        self.named_units = set()

    @property
    def boxes(self) -> np.ndarray:
        return self.index.boxes

    def reserve_symbols(self, boxes, units, frames=None) -> None:
        """The boxes of unit symbols with their flag rings (the units' indices in `units`):
        obstacles for every label. `frames` (default: `boxes`), the symbols alone: what a
        unit's name must be nearer to than to any other unit's symbol."""
        boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        frames = boxes if frames is None else np.asarray(frames, dtype=float).reshape(-1, 4)
        self.frames = np.vstack([self.frames, frames])
        rows = np.arange(len(self.boxes), len(self.boxes) + len(boxes))
        self._symbol_rows = np.concatenate([self._symbol_rows, rows])
        self.symbols = np.vstack([self.symbols, boxes])
        self.symbol_units = np.concatenate([self.symbol_units, np.asarray(units, dtype=np.int64)])
        self.reserve(boxes)

    def reserve_line(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A leader line from (x0, y0) to (x1, y1): later labels keep off its points."""
        self.reserve_lines([(x0, y0, x1, y1)])

    def reserve_lines(self, segs) -> None:
        """Lines (x0, y0, x1, y1), n x 4: later labels keep off their points (LINE_STEP_PX
        apart, both ends included)."""
        segs = np.asarray(segs, dtype=float).reshape(-1, 4)
        self.lines = np.vstack([self.lines, segs])
        x0, y0, x1, y1 = segs.T
        length = np.hypot(x1 - x0, y1 - y0) // LINE_STEP_PX
        n = np.maximum(np.where(np.isfinite(length), length, 1), 1).astype(np.int64)
        line = np.repeat(np.arange(len(segs)), n + 1)
        k = np.arange(len(line)) - np.repeat(np.cumsum(n + 1) - (n + 1), n + 1)
        t = k * (1.0 / n[line])    # as np.linspace(0, 1, n + 1) has them
        t[np.cumsum(n + 1) - 1] = 1.0
        x, y = x0[line] + t * (x1 - x0)[line], y0[line] + t * (y1 - y0)[line]
        self.reserve(np.column_stack([x - 0.5, y - 0.5, x + 0.5, y + 0.5]))

    def line_obstacles(self, unit: int, reach, near) -> np.ndarray:
        """What a leader line from `unit`'s symbol (reaching `reach`) must not cross: every
        label and the other units' symbols (without their rings, which overlap where units
        are close), except those overlapping its own: no line from it could miss them. Only
        those overlapping the box `near` (the line's bounding box, as left, top, right, bottom)."""
        others = self.frames[(self.symbol_units != unit) & overlaps(self.frames, near)[:, 0]]
        others = others[~overlaps(others, reach)[:, 0]]
        rows = self.overlapping(near)
        return np.vstack([self.boxes[rows[~np.isin(rows, self._symbol_rows)]], others])

    def inside(self, cands) -> np.ndarray:
        """Per candidate box, whether it lies within the extent."""
        c = np.asarray(cands, dtype=float).reshape(-1, 4)
        return (c[:, 0] >= 0) & (c[:, 1] >= 0) & (c[:, 2] <= self.width) & (c[:, 3] <= self.height)

    def free(self, cands) -> np.ndarray:
        """Per candidate box, whether it lies within the extent and covers nothing placed."""
        c = np.asarray(cands, dtype=float).reshape(-1, 4)
        return self.inside(c) & (self.hits(c) == 0)

    def hits(self, cands, skip: np.ndarray | None = None) -> np.ndarray:
        """Per candidate box, how many placed boxes it covers (not counting rows `skip` of `boxes`)."""
        return self.index.hits(cands, skip)

    def overlapping(self, box) -> np.ndarray:
        """Rows of `boxes` that `box` (left, top, right, bottom) overlaps, in order."""
        x0, y0, x1, y1 = box
        rows = self.index.near(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        return rows[overlaps(box, self.boxes[rows])[0]]

    def covered(self, sx, sy) -> np.ndarray:
        """Per screen point, whether a unit symbol covers it (a dot there would print over it)."""
        x, y = np.asarray(sx, dtype=float).ravel(), np.asarray(sy, dtype=float).ravel()
        s = self.symbols
        return ((x[:, None] >= s[None, :, 0]) & (x[:, None] <= s[None, :, 2])
                & (y[:, None] >= s[None, :, 1]) & (y[:, None] <= s[None, :, 3])).any(axis=1)

    def pick(self, cands) -> int:
        """The first free candidate box; when none is, the one covering the least symbol
        area, then the fewest boxes (a label that must show gives way as far as it can)."""
        c = np.asarray(cands, dtype=float).reshape(-1, 4)
        hits = []
        for start in range(0, len(c), PICK_CHUNK):   # the first free one is often among the first
            chunk = c[start:start + PICK_CHUNK]
            hits.append(self.hits(chunk))
            ok = np.flatnonzero(self.inside(chunk) & (hits[-1] == 0))
            if len(ok):
                return start + int(ok[0])
        s = self.symbols
        w = np.clip(np.minimum(c[:, None, 2], s[None, :, 2]) - np.maximum(c[:, None, 0], s[None, :, 0]), 0, None)
        h = np.clip(np.minimum(c[:, None, 3], s[None, :, 3]) - np.maximum(c[:, None, 1], s[None, :, 1]), 0, None)
        cost = (w * h).sum(axis=1) * 1e3 + np.concatenate(hits or [np.zeros(0)]) + 1e6 * ~self.inside(c)
        return int(np.argmin(cost))

    def to_screen(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Display coordinates -> screen pixels of the extent being laid out."""
        dx, dy = self.settings.to_device(x, y)
        r = self.settings.pixel_ratio
        return np.asarray(dx) / r, np.asarray(dy) / r

    def reserve(self, boxes) -> None:
        """Boxes (left, top, right, bottom) already decided: later labels keep clear of them."""
        self.index.add(boxes)

    def thin(self, sx, sy, names, max_labels: int, anchor=ANCHORS[0], units=()) -> np.ndarray:
        """Indices of optional labels to show (towns, unit names), reserved: greedily in the
        given order (most important first), a label is dropped if its box (its `anchor`
        corner on the point, up-right by default) covers a box placed before or leaves the
        view. The symbols of `units` are not in the way (labels that stand for those units' names)."""
        skip = self._symbol_rows[np.isin(self.symbol_units, units)] if len(units) else None
        keep = []
        for i in range(len(sx)):
            b = label_box(sx[i], sy[i], names[i], anchor)
            if b[0] < 0 or b[2] > self.width or b[1] < 0 or b[3] > self.height or self.hits(b, skip)[0]:
                continue
            self.reserve(b)
            keep.append(i)
            if len(keep) >= max_labels:
                break
        return np.asarray(keep, dtype=np.int64)

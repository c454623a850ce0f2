"""A spatial index of the label registry's boxes (desktop.gui.map.layers.labels), so that
placing a label costs what lies near it, not everything placed so far (a crowd of named
live units reserves ten thousand boxes: leaders are reserved as points).

- A uniform grid of CELL_PX cells over the extent being laid out lists the boxes each cell
  meets; the boxes near a rectangle are those listed in the cells it covers. Cells beyond
  the extent are clamped to its edge cells, so a box far outside meets few. A box over
  more than WIDE_CELLS cells (a grid's edge band, a large markup shape), or given
  right-to-left or bottom-up, is in no cell: it is near everything.
- A unit's name tries some 250 spots around its symbol: they are counted against the boxes
  near them in tiles of TILE_PX, each tile's spots against the boxes near that tile, all
  at once (numpy).

The answers are those of testing every box (`labels.overlaps`, touching edges do not
overlap): the index only leaves out boxes that cannot overlap.
"""
from __future__ import annotations

from itertools import chain

import numpy as np

CELL_PX = 32.0     # about a name's width
WIDE_CELLS = 256
TILE_PX = 128.0    # candidate spots counted together
TEST_ALL = 50_000  # fewer candidate-box pairs than this are all tested: quicker than looking boxes up


class BoxIndex:
    """Boxes (left, top, right, bottom; screen pixels of an extent `width` x `height`),
    numbered in the order they were added."""

    def __init__(self, width: float, height: float) -> None:
        self.cols = int(max(width, 0.0) // CELL_PX) + 3   # a cell of margin each side
        self.rows = int(max(height, 0.0) // CELL_PX) + 3
        self._store = np.empty((256, 4))
        self.n = 0
        self._cells: dict[int, list[int]] = {}
        self._wide: list[int] = []

    @property
    def boxes(self) -> np.ndarray:
        return self._store[:self.n]

    def add(self, boxes) -> None:
        b = np.asarray(boxes, dtype=float).reshape(-1, 4)
        if self.n + len(b) > len(self._store):
            store = np.empty((max(2 * len(self._store), self.n + len(b)), 4))
            store[:self.n] = self._store[:self.n]
            self._store = store
        self._store[self.n:self.n + len(b)] = b
        rows = np.arange(self.n, self.n + len(b))
        self.n += len(b)
        ok = ~np.isnan(b).any(axis=1)   # a box with a NaN side overlaps nothing
        b, rows = b[ok], rows[ok]
        x0, y0, x1, y1 = self._span(b)
        nx, ny = x1 - x0 + 1, y1 - y0 + 1
        wide = (nx * ny > WIDE_CELLS) | (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])
        self._wide.extend(rows[wide].tolist())
        count = (nx * ny)[~wide]
        owner = np.repeat(rows[~wide], count)
        cells = self._cells
        for key, row in zip(self._keys(x0[~wide], y0[~wide], nx[~wide], count).tolist(), owner.tolist()):
            cells.setdefault(key, []).append(row)

    def near(self, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        """Rows of the boxes that may overlap the rectangle (x0 <= x1, y0 <= y1), in order."""
        if np.isnan((x0, y0, x1, y1)).any():   # overlaps nothing
            return np.empty(0, dtype=np.int64)
        c0, r0, c1, r1 = self._span(np.array([[x0, y0, x1, y1]], dtype=float))
        keys = self._keys(c0, r0, c1 - c0 + 1, (c1 - c0 + 1) * (r1 - r0 + 1)).tolist()
        lists = [self._cells.get(key, ()) for key in keys]
        listed = np.zeros(self.n, dtype=bool)   # (a box over several cells is listed in each)
        listed[np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=sum(map(len, lists)))] = True
        listed[self._wide] = True
        return np.flatnonzero(listed)

    def hits(self, cands, skip: np.ndarray | None = None) -> np.ndarray:
        """Per candidate box, how many boxes it overlaps (not counting rows `skip`)."""
        c = np.asarray(cands, dtype=float).reshape(-1, 4)
        out = np.zeros(len(c), dtype=np.int64)
        which = np.flatnonzero(~np.isnan(c).any(axis=1))   # (NaN: overlaps nothing)
        if not len(which) or not self.n:
            return out
        # Each spot's extent, whichever way round it is given.
        x0, x1 = np.minimum(c[which, 0], c[which, 2]), np.maximum(c[which, 0], c[which, 2])
        y0, y1 = np.minimum(c[which, 1], c[which, 3]), np.maximum(c[which, 1], c[which, 3])
        if len(c) * self.n <= TEST_ALL:
            rows, tiles = np.arange(self.n), [np.arange(len(which))]
        else:
            rows = self.near(x0.min(), y0.min(), x1.max(), y1.max())
            tile = np.floor(y0 / TILE_PX) * 1e6 + np.floor(x0 / TILE_PX)
            order = np.argsort(tile, kind="stable")
            tiles = np.split(order, np.flatnonzero(np.diff(tile[order])) + 1)
        if skip is not None and len(skip):
            rows = rows[~np.isin(rows, skip)]
        b = self._store[rows]
        for t in tiles:   # (a box a spot overlaps meets the spots' extent, whichever way round it is)
            near = b[(b[:, 0] <= x1[t].max()) & (b[:, 2] >= x0[t].min()) & (b[:, 1] <= y1[t].max())
                     & (b[:, 3] >= y0[t].min())]
            a = c[which[t]]
            out[which[t]] = ((a[:, None, 0] < near[None, :, 2]) & (a[:, None, 2] > near[None, :, 0])
                             & (a[:, None, 1] < near[None, :, 3]) & (a[:, None, 3] > near[None, :, 1])).sum(axis=1)
        return out

    # -- cells ------------------------------------------------------------------------------
    def _span(self, b: np.ndarray) -> tuple[np.ndarray, ...]:
        """The first and last column and row of cells each box meets."""
        col = np.clip(np.floor(b[:, [0, 2]] / CELL_PX) + 1, 0, self.cols - 1).astype(np.int64)
        row = np.clip(np.floor(b[:, [1, 3]] / CELL_PX) + 1, 0, self.rows - 1).astype(np.int64)
        return col[:, 0], row[:, 0], col[:, 1], row[:, 1]

    def _keys(self, x0, y0, nx, count) -> np.ndarray:
        """Every cell of each span (`count` = its cells), span by span."""
        owner = np.repeat(np.arange(len(count)), count)
        k = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        return (y0[owner] + k // nx[owner]) * self.cols + x0[owner] + k % nx[owner]

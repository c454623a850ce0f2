"""A spatial index of the label registry's boxes (desktop.gui.map.layers.labels): a uniform
grid of CELL_PX cells over the extent being laid out, so that what a candidate box overlaps
is looked for among the boxes of the cells it touches. Placing one label then costs what
lies near it, not everything placed so far (a crowd of named live units reserves ten
thousand boxes: leaders are reserved as points). The answers are those of testing every
box (`labels.overlaps`): the index only leaves out boxes that cannot overlap.

Cells beyond the extent are clamped to its edge cells, so a box far outside touches few.
A box over more than WIDE_CELLS cells (a grid's edge band, a large markup shape) is not
put in cells: every query tests it (as it does a box given right-to-left or bottom-up).
"""
from __future__ import annotations

from itertools import chain

import numpy as np

CELL_PX = 32.0     # about a name's width: a candidate touches 2-6 cells
WIDE_CELLS = 256
TEST_ALL_PAIRS = 50_000   # fewer candidate-box pairs than this are all tested: quicker than looking up cells


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
        wide = (nx * ny > WIDE_CELLS) | _inverted(b)
        self._wide.extend(rows[wide].tolist())
        keys, owner = self._keys(x0[~wide], y0[~wide], nx[~wide], ny[~wide])
        cells = self._cells
        for key, row in zip(keys.tolist(), rows[~wide][owner].tolist()):
            cells.setdefault(key, []).append(row)

    def pairs(self, cands) -> tuple[np.ndarray, np.ndarray]:
        """(candidate, box) of every candidate box that overlaps an indexed box (touching
        edges do not), each pair once."""
        c = np.asarray(cands, dtype=float).reshape(-1, 4)
        usual = ~np.isnan(c).any(axis=1)   # (NaN: overlaps nothing)
        if len(c) * self.n <= TEST_ALL_PAIRS:
            return self._test(c, np.flatnonzero(usual), np.arange(self.n))
        odd = np.flatnonzero(usual & _inverted(c))
        which = np.flatnonzero(usual & ~_inverted(c))
        x0, y0, x1, y1 = self._span(c[which])
        keys, owner = self._keys(x0, y0, x1 - x0 + 1, y1 - y0 + 1)
        cells, at = np.unique(keys, return_inverse=True)
        lists = [self._cells.get(key, ()) for key in cells.tolist()]
        lens = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        flat = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lens.sum()))
        per = lens[at]   # boxes listed in each (candidate, cell)
        pair = np.repeat(np.arange(len(keys)), per)
        start, before = np.cumsum(lens) - lens, np.cumsum(per) - per
        rows = flat[np.repeat(start[at] - before, per) + np.arange(len(pair))]
        cand = which[owner[pair]]
        a, b = c[cand], self._store[rows]
        hit = np.flatnonzero((a[:, 0] < b[:, 2]) & (a[:, 2] > b[:, 0]) & (a[:, 1] < b[:, 3]) & (a[:, 3] > b[:, 1]))
        # Counted in one cell only: the one holding the top-left corner of the overlap (it lies
        # in both boxes, so both are listed there).
        a, b = a[hit], b[hit]
        hit = hit[self._key(np.maximum(a[:, 0], b[:, 0]), np.maximum(a[:, 1], b[:, 1])) == keys[pair[hit]]]
        found = [(cand[hit], rows[hit]), self._test(c, which, np.asarray(self._wide, dtype=np.int64)),
                 self._test(c, odd, np.arange(self.n))]
        return np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])

    def _test(self, c: np.ndarray, which: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The overlapping pairs of candidates `which` and boxes `rows`, testing each."""
        if not len(which) or not len(rows):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        a, b = c[which], self._store[rows]
        j, k = np.nonzero((a[:, None, 0] < b[None, :, 2]) & (a[:, None, 2] > b[None, :, 0])
                          & (a[:, None, 1] < b[None, :, 3]) & (a[:, None, 3] > b[None, :, 1]))
        return which[j], rows[k]

    def hits(self, cands, skip: np.ndarray | None = None) -> np.ndarray:
        """Per candidate box, how many indexed boxes it overlaps (not counting rows `skip`)."""
        cand, rows = self.pairs(cands)
        if skip is not None and len(skip):
            cand = cand[~np.isin(rows, skip)]
        return np.bincount(cand, minlength=len(np.asarray(cands).reshape(-1, 4)))

    # -- cells ------------------------------------------------------------------------------
    def _col(self, x: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(x / CELL_PX) + 1, 0, self.cols - 1).astype(np.int64)

    def _row(self, y: np.ndarray) -> np.ndarray:
        return np.clip(np.floor(y / CELL_PX) + 1, 0, self.rows - 1).astype(np.int64)

    def _key(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self._row(y) * self.cols + self._col(x)

    def _span(self, b: np.ndarray) -> tuple[np.ndarray, ...]:
        """The first and last column and row of cells each box touches."""
        return self._col(b[:, 0]), self._row(b[:, 1]), self._col(b[:, 2]), self._row(b[:, 3])

    def _keys(self, x0, y0, nx, ny) -> tuple[np.ndarray, np.ndarray]:
        """Every cell of each span (its key) and the span it belongs to."""
        count = nx * ny
        owner = np.repeat(np.arange(len(count)), count)
        k = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
        return (y0[owner] + k // nx[owner]) * self.cols + x0[owner] + k % nx[owner], owner


def _inverted(b: np.ndarray) -> np.ndarray:
    return (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])

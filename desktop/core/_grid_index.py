"""Uniform grid index over unit positions in the analysis plane.

Units are sorted once (when they change) by cell, cells being numbered block by block
(a block is BLOCK x BLOCK cells), so the units of a cell and the units of a block are each
one contiguous run of *slots*. Classification then answers whole cells and blocks at once
and only looks at single units where a cell is ambiguous.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

BLOCK = 4                 # cells per block side
CELLS_PER_BLOCK = BLOCK * BLOCK
# uint16 keys let numpy use its radix sort (~10x faster than for int32 at 1M units).
_MAX_CELLS = 65535 // CELLS_PER_BLOCK * CELLS_PER_BLOCK
_UNITS_PER_CELL = 12


def ranges_to_index(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Concatenation of arange(start, stop) for each pair, without a Python loop."""
    lengths = np.maximum(stops - starts, 0)
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp)
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    ends = np.cumsum(lengths)
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(total)


@dataclass(frozen=True, eq=False)
class UnitGrid:
    x0: float
    y0: float
    h: float                 # cell side, plane metres
    nbx: int                 # blocks per row
    nby: int                 # block rows
    order: np.ndarray        # slot -> unit index
    xs: np.ndarray           # x by slot
    ys: np.ndarray           # y by slot
    cell_start: np.ndarray   # slots of cell c: cell_start[c]:cell_start[c + 1]; c == ncells: overflow

    @classmethod
    def build(cls, x: np.ndarray, y: np.ndarray, focus: tuple[float, float, float, float] | None = None
              ) -> "UnitGrid":
        """Index points; `focus` (minx, miny, maxx, maxy) bounds where the grid may reach, so
        that a few far-away units do not stretch it: points beyond go to the overflow run
        (as do NaN positions) and are always answered one by one."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        n = len(x)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.any():
            xmin, xmax = float(x[ok].min()), float(x[ok].max())
            ymin, ymax = float(y[ok].min()), float(y[ok].max())
        else:
            xmin = xmax = ymin = ymax = 0.0
        if focus is not None:
            fx0, fy0, fx1, fy1 = focus
            reach = max(fx1 - fx0, fy1 - fy0)
            xmin, xmax = max(xmin, fx0 - reach), min(xmax, fx1 + reach)
            ymin, ymax = max(ymin, fy0 - reach), min(ymax, fy1 + reach)
            if xmin > xmax or ymin > ymax:
                xmin, ymin, xmax, ymax = fx0, fy0, fx1, fy1
        w, hgt = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
        cells = min(max(n // _UNITS_PER_CELL, CELLS_PER_BLOCK), _MAX_CELLS)
        h = max(math.sqrt(w * hgt / cells), 1.0)
        while True:
            nbx, nby = math.ceil(w / (h * BLOCK)) or 1, math.ceil(hgt / (h * BLOCK)) or 1
            if nbx * nby * CELLS_PER_BLOCK <= _MAX_CELLS:
                break
            h *= 1.02
        # Centred on the points' box, which the rounding up of nbx, nby leaves some room around.
        x0 = (xmin + xmax) / 2 - nbx * BLOCK * h / 2
        y0 = (ymin + ymax) / 2 - nby * BLOCK * h / 2
        ncells = nbx * nby * CELLS_PER_BLOCK
        fx = (x - x0) / h
        fy = (y - y0) / h
        inside = (fx >= 0) & (fx < nbx * BLOCK) & (fy >= 0) & (fy < nby * BLOCK)
        cx = np.where(inside, fx, 0).astype(np.int32)
        cy = np.where(inside, fy, 0).astype(np.int32)
        key = ((cy // BLOCK) * nbx + cx // BLOCK) * CELLS_PER_BLOCK + (cy % BLOCK) * BLOCK + cx % BLOCK
        key[~inside] = ncells
        key = key.astype(np.uint16)  # ncells <= _MAX_CELLS < 65535
        order = np.argsort(key, kind="stable")
        if n < 2 ** 31:
            order = order.astype(np.int32)  # (slot -> unit: half the memory of intp)
        counts = np.bincount(key, minlength=ncells + 1)
        cell_start = np.concatenate([[0], np.cumsum(counts)])
        return cls(x0, y0, h, nbx, nby, order, x[order], y[order], cell_start)

    # -- sizes ---------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.order)

    @property
    def ncells(self) -> int:
        return self.nbx * self.nby * CELLS_PER_BLOCK

    @property
    def nblocks(self) -> int:
        return self.nbx * self.nby

    @cached_property
    def block_start(self) -> np.ndarray:
        """Slots of block b: block_start[b]:block_start[b + 1]; b == nblocks: overflow."""
        return np.append(self.cell_start[:-1:CELLS_PER_BLOCK], self.n)

    @cached_property
    def occupied_blocks(self) -> np.ndarray:
        return np.flatnonzero(np.diff(self.block_start[:-1]) > 0)

    @property
    def overflow(self) -> np.ndarray:
        """Slots of units outside the grid (or without a position)."""
        return np.arange(self.cell_start[self.ncells], self.n)

    # -- geometry of cells and blocks ----------------------------------------------------
    def cell_col_row(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        block, local = np.divmod(cells, CELLS_PER_BLOCK)
        by, bx = np.divmod(block, self.nbx)
        return bx * BLOCK + local % BLOCK, by * BLOCK + local // BLOCK

    def cell_id(self, col: np.ndarray, row: np.ndarray) -> np.ndarray:
        return ((row // BLOCK) * self.nbx + col // BLOCK) * CELLS_PER_BLOCK + (row % BLOCK) * BLOCK + col % BLOCK

    def cell_bounds(self, cells: np.ndarray) -> tuple[np.ndarray, ...]:
        col, row = self.cell_col_row(np.asarray(cells))
        x0, y0 = self.x0 + col * self.h, self.y0 + row * self.h
        return x0, y0, x0 + self.h, y0 + self.h

    def block_bounds(self, blocks: np.ndarray) -> tuple[np.ndarray, ...]:
        by, bx = np.divmod(np.asarray(blocks), self.nbx)
        side = self.h * BLOCK
        x0, y0 = self.x0 + bx * side, self.y0 + by * side
        return x0, y0, x0 + side, y0 + side

    def slots_of_cells(self, cells: np.ndarray) -> np.ndarray:
        cells = np.asarray(cells, dtype=np.intp)
        return ranges_to_index(self.cell_start[cells], self.cell_start[cells + 1])

    def units_in_blocks(self, blocks: np.ndarray) -> int:
        blocks = np.asarray(blocks, dtype=np.intp)
        return int((self.block_start[blocks + 1] - self.block_start[blocks]).sum())

    # -- which cells a geometry reaches --------------------------------------------------
    def cells_touching_segments(self, a: np.ndarray, b: np.ndarray, margin: float) -> np.ndarray:
        """Ids of the cells whose rectangle, grown by `margin`, meets a segment a[i]-b[i]."""
        if not len(a):
            return np.empty(0, dtype=np.intp)
        ncol, nrow = self.nbx * BLOCK, self.nby * BLOCK
        lo_x = np.minimum(a[:, 0], b[:, 0]) - margin
        hi_x = np.maximum(a[:, 0], b[:, 0]) + margin
        lo_y = np.minimum(a[:, 1], b[:, 1]) - margin
        hi_y = np.maximum(a[:, 1], b[:, 1]) + margin
        c0 = np.clip(np.floor((lo_x - self.x0) / self.h), 0, ncol).astype(np.intp)
        c1 = np.clip(np.floor((hi_x - self.x0) / self.h) + 1, 0, ncol).astype(np.intp)
        r0 = np.clip(np.floor((lo_y - self.y0) / self.h), 0, nrow).astype(np.intp)
        r1 = np.clip(np.floor((hi_y - self.y0) / self.h) + 1, 0, nrow).astype(np.intp)
        nc, nr = c1 - c0, r1 - r0
        count = nc * nr
        seg = np.repeat(np.arange(len(a)), count)
        k = np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count)
        col = c0[seg] + k % np.maximum(nc[seg], 1)
        row = r0[seg] + k // np.maximum(nc[seg], 1)
        # Separating axis: the bounding boxes overlap by construction; the segment misses
        # the grown rectangle only if all four corners lie strictly on one side of it.
        ax, ay = a[seg, 0], a[seg, 1]
        dx, dy = b[seg, 0] - ax, b[seg, 1] - ay
        x0 = self.x0 + col * self.h - margin - ax
        y0 = self.y0 + row * self.h - margin - ay
        x1, y1 = x0 + self.h + 2 * margin, y0 + self.h + 2 * margin
        s = np.stack([dx * y0 - dy * x0, dx * y0 - dy * x1, dx * y1 - dy * x0, dx * y1 - dy * x1])
        hit = ~(np.all(s > 0, axis=0) | np.all(s < 0, axis=0))
        return np.unique(self.cell_id(col[hit], row[hit]))

    def cells_meeting(self, geom: shapely.Geometry, margin: float) -> np.ndarray:
        """Ids of the cells whose rectangle, grown by `margin`, meets `geom` (two passes:
        blocks, then the cells of the blocks hit)."""
        if geom.is_empty:
            return np.empty(0, dtype=np.intp)
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        side = self.h * BLOCK
        bc0 = max(int(math.floor((minx - margin - self.x0) / side)), 0)
        bc1 = min(int(math.floor((maxx + margin - self.x0) / side)) + 1, self.nbx)
        br0 = max(int(math.floor((miny - margin - self.y0) / side)), 0)
        br1 = min(int(math.floor((maxy + margin - self.y0) / side)) + 1, self.nby)
        if bc0 >= bc1 or br0 >= br1:
            return np.empty(0, dtype=np.intp)
        rows, cols = np.mgrid[br0:br1, bc0:bc1]
        blocks = (rows * self.nbx + cols).ravel()
        blocks = blocks[self.block_start[blocks + 1] > self.block_start[blocks]]
        bx0, by0, bx1, by1 = self.block_bounds(blocks)
        blocks = blocks[shapely.intersects(geom, shapely.box(bx0 - margin, by0 - margin, bx1 + margin, by1 + margin))]
        cells = (blocks[:, None] * CELLS_PER_BLOCK + np.arange(CELLS_PER_BLOCK)).ravel()
        cells = cells[self.cell_start[cells + 1] > self.cell_start[cells]]
        cx0, cy0, cx1, cy1 = self.cell_bounds(cells)
        return cells[shapely.intersects(geom, shapely.box(cx0 - margin, cy0 - margin, cx1 + margin, cy1 + margin))]

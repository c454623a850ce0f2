"""Level-of-detail rasters for many units: pure numpy, no per-unit Python.

A `CellGrid` covers the view (plus a margin) with square cells of a few screen pixels.
Units are binned with integer arithmetic and `np.bincount`; the density image colours
each occupied cell with the count-weighted mean of its units' affiliation colours, darker
where more units stack. `FlagCover` keeps, per cell, how many flagged units (near the line,
wrong side, selected) it holds, updated by the units whose flag changed, so a drag step
costs in proportion to what changed.

Cell 0 (a corner of the one-cell border) doubles as "not in the grid": border cells
never hold units, so nothing needs a -1 test before a bincount.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

OUTSIDE = 0
# A full-HD view with its margin is ~1.2M cells; larger screens get coarser cells so a
# rebuild's per-class bincounts stay under ~100 MB.
MAX_CELLS = 2_000_000


def argb(rgb, alpha: int = 255) -> np.uint32:
    """One premultiplied ARGB32 pixel."""
    r, g, b = (int(round(c * alpha / 255)) for c in rgb)
    return np.uint32((alpha << 24) | (r << 16) | (g << 8) | b)


@dataclass(frozen=True)
class CellGrid:
    x0: float     # data coordinates of the lower-left corner of cell 0 (row 0 = lowest y)
    y0: float
    cell: float   # data units per cell
    w: int        # cells per row, the one-cell border included
    h: int

    @classmethod
    def covering(cls, left: float, bottom: float, width: float, height: float, cell: float) -> "CellGrid":
        cells = (width / cell + 2) * (height / cell + 2)
        if cells > MAX_CELLS:
            cell *= math.sqrt(cells / MAX_CELLS)
        return cls(left - cell, bottom - cell, cell, int(math.ceil(width / cell)) + 2,
                   int(math.ceil(height / cell)) + 2)

    @property
    def size(self) -> int:
        return self.w * self.h

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return self.x0, self.y0, self.w * self.cell, self.h * self.cell

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """int32 cell of each point (float32 arrays, NaN replaced by inf); OUTSIDE if the
        point is not in the grid's interior. Clip-then-test avoids a slow boolean gather."""
        u = x - np.float32(self.x0)
        u *= np.float32(1.0 / self.cell)
        v = y - np.float32(self.y0)
        v *= np.float32(1.0 / self.cell)
        np.clip(u, 0, self.w - 1, out=u)
        np.clip(v, 0, self.h - 1, out=v)
        col = u.astype(np.int32)
        row = v.astype(np.int32)
        cells = row * self.w
        cells += col
        cells[(col < 1) | (col >= self.w - 1) | (row < 1) | (row >= self.h - 1)] = OUTSIDE
        return cells

    def window(self, left: float, bottom: float, right: float, top: float) -> tuple[slice, slice]:
        """Row and column slices of the cells a data rect touches."""
        c0 = max(int((left - self.x0) / self.cell), 0)
        c1 = min(int(math.ceil((right - self.x0) / self.cell)), self.w)
        r0 = max(int((bottom - self.y0) / self.cell), 0)
        r1 = min(int(math.ceil((top - self.y0) / self.cell)), self.h)
        return slice(r0, r1), slice(c0, c1)


def density_image(grid: CellGrid, counts: list[np.ndarray], total: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """h x w premultiplied ARGB: per occupied cell the count-weighted mean colour of its
    classes (`counts[k]` = units of class k per cell, `total` their sum, OUTSIDE zeroed),
    darkened with log2 of the total so dense areas read as dense; transparent elsewhere."""
    image = np.zeros(grid.size, dtype=np.uint32)
    occ = np.flatnonzero(total)
    image[occ] = density_pixels(occ, counts, total, colours)
    return image.reshape(grid.h, grid.w)


def density_pixels(cells: np.ndarray, counts: list[np.ndarray], total: np.ndarray, colours: np.ndarray) -> np.ndarray:
    """The pixels of `density_image` at `cells` (transparent where no unit is)."""
    out = np.zeros(len(cells), dtype=np.uint32)
    held = np.flatnonzero(total[cells])
    occ = cells[held]
    k = [c[occ].astype(np.float32) for c in counts]
    n = total[occ].astype(np.float32)
    # 1 unit: 80 % of the 2525 fill (pale fills need contrast on a light map); 32+: 40 %.
    shade = np.clip(0.8 - 0.08 * np.log2(n), 0.4, 0.8) / n
    px = np.full(len(occ), 0xFF000000, dtype=np.uint32)
    # Channel by channel on 1-D arrays: a (n x 4) @ (4 x 3) matmul goes through BLAS,
    # whose threads stalled for up to 100 ms on a busy 2-core machine.
    for ch, shift in enumerate((16, 8, 0)):
        acc = k[0] * colours[0, ch]
        for kk, colour in zip(k[1:], colours[1:]):
            acc += kk * colour[ch]
        acc *= shade
        px |= acc.astype(np.uint32) << np.uint32(shift)
    out[held] = px
    return out


def move_counts(counts: list[np.ndarray], total: np.ndarray, cls: np.ndarray, old: np.ndarray,
                new: np.ndarray) -> np.ndarray:
    """Units of classes `cls` moved from cells `old` to cells `new`: the counts of
    `density_image` follow (in place). Returns the cells whose counts changed."""
    for k in np.unique(cls).tolist():
        mine = cls == k
        np.add.at(counts[k], old[mine], -1)
        np.add.at(counts[k], new[mine], 1)
    np.add.at(total, old, -1)
    np.add.at(total, new, 1)
    total[OUTSIDE] = 0
    cells = np.unique(np.concatenate([old, new]))
    return cells[cells != OUTSIDE]


class FlagCover:
    """Flagged units per cell (> 0: the overlay draws the cell in the flag's colour).

    No dilation: at this level of detail a cell holds several units, and growing each
    flagged cell made 2 % wrong-side units paint half the AO red."""

    def __init__(self, grid: CellGrid, cells: np.ndarray) -> None:
        self.counts = np.bincount(cells, minlength=grid.size).astype(np.int32)
        self.counts[OUTSIDE] = 0
        self.total = int(self.counts.sum())  # flagged units inside the grid

    def apply(self, on: np.ndarray, off: np.ndarray) -> np.ndarray:
        """Units entered (`on`) / left (`off`) the flag, given by cell. Returns the cells
        whose count changed (with repeats)."""
        on, off = on[on != OUTSIDE], off[off != OUTSIDE]
        np.add.at(self.counts, on, 1)
        np.add.at(self.counts, off, -1)
        self.total += len(on) - len(off)
        return np.concatenate([on, off])

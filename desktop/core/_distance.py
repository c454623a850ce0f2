"""Distance from units to the effective line, answered block by block of a UnitGrid.

For each block of the grid only the line pieces that can be nearest to some point of the
block are kept (its candidates), by two rules that never drop every nearest piece:

- bounds: a piece whose least distance to the block exceeds `ub`, the least over pieces of
  their greatest distance to the block, is farther than some other piece everywhere;
- neighbours: where the whole block lies past the end of piece i, the nearest point of i
  is its end, which piece i + 1 starts with, so i + 1 is at least as near: drop i. Likewise
  before the start of i with i - 1, unless i - 1 was dropped for i (outside a bend, where
  the block is past the end of i - 1 and before the start of i, both are as near: keep i).
  Following the drops from any piece thus always ends at a kept piece at least as near.

Units are then measured against their block's candidates (numpy over all units at once,
first candidate, then second, ...). A drag changes a few pieces: only blocks where a
removed or added piece can be nearest (least distance to it <= the block's `ub`) get new
candidates, and only their units can have another distance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

from desktop.core._grid_index import BLOCK, UnitGrid, ranges_to_index
from desktop.core.geodesy import WGS84_A, Projection

# Blocks are grown by this much so that a unit that rounding put a hair outside its cell
# is still covered by the block's bounds.
_GROW_M = 1e-3
_E2 = 0.00669437999014  # WGS84 first eccentricity squared
STRAIGHT_M = 1.0        # see Pieces.merged: far inside the 25 m distance tolerance
_CHUNK = 1 << 15        # units measured at once
SPARSE_FROM = 256       # pieces; a longer line is measured unit by unit against an R-tree of its pieces


@dataclass(frozen=True, eq=False)
class Pieces:
    """A polyline in the plane as straight pieces a[i] -> b[i] (no zero-length piece)."""

    pts: np.ndarray

    @classmethod
    def from_polyline(cls, xy: np.ndarray) -> "Pieces":
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if len(xy) > 1:
            xy = xy[np.concatenate([[True], np.any(xy[1:] != xy[:-1], axis=1)])]
        return cls(xy)

    @classmethod
    def merged(cls, xy: np.ndarray, anchors: np.ndarray | None) -> "Pieces":
        """Pieces of `xy` with the points between consecutive anchors dropped wherever all of
        them lie within STRAIGHT_M of the chord joining the anchors: a geodesic segment cut
        into pieces is nearly straight in the plane, and fewer, longer pieces mean fewer
        candidates per block. Decided span by span, so an unchanged span gives the same
        pieces (the incremental update relies on it)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if anchors is None or len(xy) < 3:
            return cls.from_polyline(xy)
        anchors = np.union1d(np.clip(anchors, 0, len(xy) - 1), [0, len(xy) - 1])
        span = np.searchsorted(anchors, np.arange(len(xy)), side="right") - 1
        span = np.minimum(span, len(anchors) - 2)
        a, b = xy[anchors[span]], xy[anchors[span + 1]]
        chord = b - a
        length = np.hypot(chord[:, 0], chord[:, 1])
        cross = np.abs(chord[:, 0] * (xy[:, 1] - a[:, 1]) - chord[:, 1] * (xy[:, 0] - a[:, 0]))
        off = np.where(length > 0, cross / np.where(length > 0, length, 1.0), np.inf)
        straight = np.maximum.reduceat(off, anchors[:-1]) <= STRAIGHT_M
        keep = ~straight[span]
        keep[anchors] = True
        return cls.from_polyline(xy[keep])

    @property
    def m(self) -> int:
        return max(len(self.pts) - 1, 0)

    @cached_property
    def params(self) -> tuple[np.ndarray, ...]:
        return segment_params(self.pts[:-1], self.pts[1:])

    @cached_property
    def tree(self) -> shapely.STRtree:
        """An R-tree of the pieces (for lines of more than SPARSE_FROM pieces)."""
        return shapely.STRtree(shapely.linestrings(np.stack([self.pts[:-1], self.pts[1:]], axis=1)))


def segment_params(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """ax, ay, ux, uy, squared length, inverse squared length of segments a[i] -> b[i]."""
    u = b - a
    l2 = u[:, 0] ** 2 + u[:, 1] ** 2
    return a[:, 0], a[:, 1], u[:, 0], u[:, 1], l2, 1.0 / l2


@dataclass(frozen=True, eq=False)
class DistanceField:
    """Per occupied block of a grid: candidate pieces (-1 padded) and the bound `ub`."""

    pieces: Pieces
    blocks: np.ndarray   # grid block ids (occupied ones)
    cand: np.ndarray     # (len(blocks), K) piece indices, -1 = none
    ub: np.ndarray       # (len(blocks),) plane metres


def _rect_point_d2(x0, y0, x1, y1, px, py):
    dx = np.maximum(np.maximum(x0 - px, px - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - py, py - y1), 0.0)
    return dx * dx + dy * dy


def _grown_bounds(grid: UnitGrid, blocks: np.ndarray) -> tuple[np.ndarray, ...]:
    x0, y0, x1, y1 = grid.block_bounds(blocks)
    return x0 - _GROW_M, y0 - _GROW_M, x1 + _GROW_M, y1 + _GROW_M


def _block_piece_bounds(grid: UnitGrid, blocks: np.ndarray, params: tuple[np.ndarray, ...],
                        with_neighbours: bool):
    """(least d2, greatest d2, past end, before start) for every (block, segment) pair."""
    return _bounds(*(v[:, None] for v in _grown_bounds(grid, blocks)), params, with_neighbours)


def _bounds(x0, y0, x1, y1, params: tuple[np.ndarray, ...], with_neighbours: bool):
    """As _block_piece_bounds, for rectangles and segments that broadcast together: every
    pair (a column of rectangles against a row of segments), or pair by pair."""
    ax, ay, ux, uy, l2, il2 = params
    bx, by = ax + ux, ay + uy
    max_d2 = np.zeros(np.broadcast_shapes(np.shape(x0), np.shape(ax)))
    min_corner_d2 = np.full_like(max_d2, np.inf)
    past_end = before_start = all_left = all_right = True
    for cx, cy in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        dx, dy = cx - ax, cy - ay
        along = dx * ux + dy * uy
        t = np.clip(along * il2, 0.0, 1.0)
        ex, ey = dx - t * ux, dy - t * uy
        d2 = ex * ex + ey * ey
        np.maximum(max_d2, d2, out=max_d2)
        np.minimum(min_corner_d2, d2, out=min_corner_d2)
        cross = ux * dy - uy * dx
        all_left = all_left & (cross > 0)
        all_right = all_right & (cross < 0)
        if with_neighbours:
            past_end = past_end & (along >= l2)
            before_start = before_start & (along <= 0)
    # Separating axis: the segment meets the rectangle iff the boxes overlap and the corners
    # are not all strictly on one side of the segment's line.
    overlap = ((np.minimum(ax, bx) <= x1) & (np.maximum(ax, bx) >= x0)
               & (np.minimum(ay, by) <= y1) & (np.maximum(ay, by) >= y0))
    meets = overlap & ~all_left & ~all_right
    min_d2 = np.minimum(np.minimum(_rect_point_d2(x0, y0, x1, y1, ax, ay),
                                   _rect_point_d2(x0, y0, x1, y1, bx, by)), min_corner_d2)
    min_d2 = np.where(meets, 0.0, min_d2)
    return min_d2, max_d2, past_end, before_start


def block_candidates(grid: UnitGrid, blocks: np.ndarray, pieces: Pieces) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pieces (-1 padded rows) and `ub` for each of `blocks`."""
    if not len(blocks) or not pieces.m:
        return np.full((len(blocks), 1), -1, dtype=np.intp), np.full(len(blocks), np.inf)
    if pieces.m > SPARSE_FROM:
        return _sparse_candidates(grid, blocks, pieces)
    min_d2, max_d2, past_end, before_start = _block_piece_bounds(grid, blocks, pieces.params, True)
    ub2 = max_d2.min(axis=1)
    keep = min_d2 <= ub2[:, None] * (1 + 1e-9) + 1e-9
    if pieces.m > 1:
        drop = np.zeros_like(keep)
        drop[:, :-1] |= past_end[:, :-1]
        drop[:, 1:] |= before_start[:, 1:] & ~past_end[:, :-1]
        # Never empty a row, whatever rounding did to the tests above.
        keep &= ~drop | ~(keep & ~drop).any(axis=1, keepdims=True)
    k = max(int(keep.sum(axis=1).max()), 1)
    # Likely nearest first, so that later candidates rarely improve on it.
    first = np.argsort(np.where(keep, min_d2 + max_d2, np.inf), axis=1, kind="stable")[:, :k]
    cand = np.where(np.take_along_axis(keep, first, axis=1), first, -1).astype(np.intp)
    return cand, np.sqrt(ub2)


def _sparse_candidates(grid: UnitGrid, blocks: np.ndarray, pieces: Pieces) -> tuple[np.ndarray, np.ndarray]:
    """block_candidates for a line of more than SPARSE_FROM pieces, where testing every
    (block, piece) pair grew to minutes and gigabytes (10^5 pieces) and a block the line
    winds through has thousands of candidates: no candidate lists (-1; `measure` takes each
    unit's nearest piece from an R-tree), and for `ub` an upper bound, the greatest distance
    from the block's corners to the piece nearest its centre (a drag then re-measures a
    few more blocks than it must, never fewer)."""
    x0, y0, x1, y1 = _grown_bounds(grid, blocks)
    nearest = _nearest_pieces((x0 + x1) / 2, (y0 + y1) / 2, pieces)
    _, reach2, _, _ = _bounds(x0, y0, x1, y1, tuple(p[nearest] for p in pieces.params), False)
    return np.full((len(blocks), 1), -1, dtype=np.intp), np.sqrt(reach2)


def _nearest_pieces(x: np.ndarray, y: np.ndarray, pieces: Pieces) -> np.ndarray:
    """Index of the piece nearest each point (R-tree; planar, like _to_piece), a chunk of
    points at a time."""
    out = np.empty(len(x), dtype=np.intp)
    for k in range(0, len(x), _CHUNK):
        found = pieces.tree.query_nearest(shapely.points(x[k:k + _CHUNK], y[k:k + _CHUNK]), all_matches=False)
        out[k + found[0]] = found[1]
    return out


def _to_piece(x: np.ndarray, y: np.ndarray, piece: np.ndarray, pieces: Pieces) -> tuple[np.ndarray, np.ndarray]:
    """Squared plane distance from (x, y) to piece[i], and the nearest point's easting."""
    ax, ay, ux, uy, _, il2 = (np.take(p, piece) for p in pieces.params)
    dx, dy = x - ax, y - ay
    t = dx * ux
    t += dy * uy
    t *= il2
    np.clip(t, 0.0, 1.0, out=t)
    dx -= t * ux
    dy -= t * uy
    dx *= dx
    dy *= dy
    dx += dy
    ux *= t
    ux += ax
    return dx, ux


def _gaussian_r2(lat_deg: float) -> float:
    """Squared Gaussian radius of WGS84 at `lat_deg`, as in Projection.scale_factor."""
    s2 = math.sin(math.radians(lat_deg)) ** 2
    return WGS84_A ** 2 * (1 - _E2) / (1 - _E2 * s2) ** 2


def measure(grid: UnitGrid, blocks: np.ndarray, cand: np.ndarray, pieces: Pieces, projection: Projection,
            with_overflow: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic km from the units of `blocks` (and of the overflow run) to the line.

    Returns (slots, km). Every unit is measured against its block's first candidate, then
    the units of blocks with a second one against that, and so on. The planar distance is
    divided by the mean transverse-Mercator scale along the path to the nearest point
    (k = 1 + x^2/2R^2 at the quadratic mean easting), which keeps the error far below 0.2 %."""
    starts = grid.block_start[blocks]
    lengths = grid.block_start[blocks + 1] - starts
    n_over = len(grid.overflow) if with_overflow else 0
    if n_over and pieces.m > SPARSE_FROM:  # no candidate lists: each unit against its nearest piece
        starts = np.append(starts, grid.cell_start[grid.ncells])
        lengths = np.append(lengths, n_over)
        cand = np.vstack([cand[:, :1], [[-1]]])
    elif n_over:  # the overflow run is one more block whose candidates are all the pieces
        starts = np.append(starts, grid.cell_start[grid.ncells])
        lengths = np.append(lengths, n_over)
        width = max(cand.shape[1], pieces.m)
        cand = np.vstack([np.pad(cand, ((0, 0), (0, width - cand.shape[1])), constant_values=-1),
                          np.pad(np.arange(pieces.m), (0, width - pieces.m), constant_values=-1)[None]])
    slots = ranges_to_index(starts, starts + lengths)
    if not pieces.m or not len(slots):
        return slots, np.full(len(slots), np.nan)
    if len(slots) == grid.n:  # everything, in slot order: no need to gather
        xs, ys = grid.xs, grid.ys
    else:
        xs, ys = grid.xs[slots], grid.ys[slots]
    # In chunks of consecutive blocks: the dozen temporaries of a chunk stay in cache.
    ends = np.cumsum(lengths)
    cuts = np.unique(np.searchsorted(ends, np.arange(_CHUNK, ends[-1], _CHUNK), side="right"))
    rows = np.concatenate([[0], cuts[(cuts > 0) & (cuts < len(lengths))], [len(lengths)]])
    km = np.empty(len(slots))
    scale = 1.0 / (3.0 * _gaussian_r2(projection.origin[1]))
    for r0, r1 in zip(rows[:-1], rows[1:]):
        p0, p1 = ends[r0] - lengths[r0], ends[r1 - 1]
        km[p0:p1] = _measure_rows(xs[p0:p1], ys[p0:p1], cand[r0:r1], lengths[r0:r1], pieces, scale)
    return slots, km


def _measure_rows(xs: np.ndarray, ys: np.ndarray, cand: np.ndarray, lengths: np.ndarray, pieces: Pieces,
                  scale: float) -> np.ndarray:
    pos0 = np.cumsum(lengths) - lengths
    count = (cand >= 0).sum(axis=1)
    row = np.repeat(np.arange(len(lengths)), lengths)
    if pieces.m > SPARSE_FROM:  # a long line: no candidate lists, each unit's nearest piece
        best, foot = _to_piece(xs, ys, _nearest_pieces(xs, ys, pieces), pieces)
        count = np.ones(len(lengths), dtype=np.intp)
    else:
        best, foot = _to_piece(xs, ys, cand[row, 0], pieces)
    for r in range(1, int(count.max())):
        rows = np.flatnonzero(count > r)
        pos = ranges_to_index(pos0[rows], pos0[rows] + lengths[rows])
        d2, fx = _to_piece(xs[pos], ys[pos], cand[row[pos], r], pieces)
        better = d2 < best[pos]
        hit = pos[better]
        best[hit] = d2[better]
        foot[hit] = fx[better]
    q = xs + foot
    q *= xs
    foot *= foot
    q += foot
    q *= scale
    k = q / 24.0
    k += 0.5
    k *= q
    k += 1.0
    k *= 1000.0
    np.sqrt(best, out=best)
    best /= k
    return best


def measure_points(x: np.ndarray, y: np.ndarray, pieces: Pieces, projection: Projection) -> np.ndarray:
    """Geodesic km from a few plane points to the line, as `measure` gives them: the nearest
    piece of each point (every pair at once: for hundreds of points, not millions), then its
    distance, each point being a "row" whose only candidate is that piece."""
    if not pieces.m or not len(x):
        return np.full(len(x), np.nan)
    ax, ay, ux, uy, _, il2 = pieces.params
    dx, dy = x[:, None] - ax, y[:, None] - ay
    t = np.clip((dx * ux + dy * uy) * il2, 0.0, 1.0)
    nearest = np.argmin((dx - t * ux) ** 2 + (dy - t * uy) ** 2, axis=1)
    scale = 1.0 / (3.0 * _gaussian_r2(projection.origin[1]))
    return _measure_rows(np.asarray(x, dtype=float), np.asarray(y, dtype=float), nearest[:, None],
                         np.ones(len(x), dtype=np.intp), pieces, scale)


def full_field(grid: UnitGrid, pieces: Pieces) -> DistanceField:
    blocks = grid.occupied_blocks
    return DistanceField(pieces, blocks, *block_candidates(grid, blocks, pieces))


def measure_all(grid: UnitGrid, field: DistanceField, projection: Projection) -> np.ndarray:
    """km for every slot (slot order)."""
    slots, km = measure(grid, field.blocks, field.cand, field.pieces, projection)
    if len(slots) == grid.n:  # all occupied blocks, then the overflow: already slot order
        return km
    by_slot = np.full(grid.n, np.nan)
    by_slot[slots] = km
    return by_slot


def changed_segments(old: Pieces, new: Pieces) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Pieces removed from `old` and added in `new` as segments a[i] -> b[i], and the number
    of leading and trailing points the two share (what did not change)."""
    n0, n1 = old.m, new.m
    p, s = _common_ends(old.pts, new.pts)
    removed = np.arange(max(p - 1, 0), min(n0 + 1 - s, n0))
    added = np.arange(max(p - 1, 0), min(n1 + 1 - s, n1))
    a = np.concatenate([old.pts[removed], new.pts[added]])
    b = np.concatenate([old.pts[removed + 1], new.pts[added + 1]])
    return a, b, (p, s)


def _common_ends(old: np.ndarray, new: np.ndarray) -> tuple[int, int]:
    """Number of leading and trailing points the two polylines share (not overlapping)."""
    k = min(len(old), len(new))
    same = np.all(old[:k] == new[:k], axis=1)
    p = k if same.all() else int(np.argmin(same))
    same = np.all(old[len(old) - k:][::-1] == new[len(new) - k:][::-1], axis=1)
    s = k if same.all() else int(np.argmin(same))
    return p, min(s, k - p)


def blocks_near(grid: UnitGrid, blocks: np.ndarray, a: np.ndarray, b: np.ndarray, reach: np.ndarray | float
                ) -> np.ndarray:
    """Indices into `blocks` of those within `reach` (per block or one value) of a segment."""
    if not len(a) or not len(blocks):
        return np.empty(0, dtype=np.intp)
    reach2 = np.broadcast_to(np.asarray(reach, dtype=float) ** 2 * (1 + 1e-9) + 1e-9, blocks.shape)
    # Cheap first pass: distance from each block to the segments' bounding box.
    x0, y0, x1, y1 = grid.block_bounds(blocks)
    lo, hi = np.minimum(a, b).min(axis=0), np.maximum(a, b).max(axis=0)
    gap_x = np.maximum(np.maximum(lo[0] - x1, x0 - hi[0]) - _GROW_M, 0.0)
    gap_y = np.maximum(np.maximum(lo[1] - y1, y0 - hi[1]) - _GROW_M, 0.0)
    near = np.flatnonzero(gap_x * gap_x + gap_y * gap_y <= reach2)
    min_d2, _, _, _ = _block_piece_bounds(grid, blocks[near], segment_params(a, b), False)
    return near[min_d2.min(axis=1) <= reach2[near]]


def update_field(grid: UnitGrid, old: DistanceField, pieces: Pieces) -> tuple[DistanceField, np.ndarray] | None:
    """Field for new pieces and the indices of its blocks whose distances may differ from
    `old`'s; None when one of them has no piece."""
    n0, n1 = old.pieces.m, pieces.m
    if not n0 or not n1 or (n0 > SPARSE_FROM) != (n1 > SPARSE_FROM):  # (no candidate lists on one side)
        return None
    a, b, (p, s) = changed_segments(old.pieces, pieces)
    if not len(a):
        return DistanceField(pieces, old.blocks, old.cand, old.ub), np.empty(0, dtype=np.intp)
    # A changed piece can be nearest only where it comes within the block's old bound.
    hit = blocks_near(grid, old.blocks, a, b, old.ub)
    new_cand, new_ub = block_candidates(grid, old.blocks[hit], pieces)
    # Unchanged pieces after the change are renumbered; blocks not hit reference no
    # removed piece (a removed piece's least distance exceeds their ub).
    cand = np.where(old.cand >= n0 + 1 - s, old.cand + (n1 - n0), old.cand)
    width = max(cand.shape[1], new_cand.shape[1])
    cand = np.pad(cand, ((0, 0), (0, width - cand.shape[1])), constant_values=-1)
    cand[hit] = np.pad(new_cand, ((0, 0), (0, width - new_cand.shape[1])), constant_values=-1)
    ub = old.ub.copy()
    ub[hit] = new_ub
    return DistanceField(pieces, old.blocks, cand, ub), hit


def max_scale(grid: UnitGrid, xy: np.ndarray, projection: Projection) -> float:
    """Largest transverse-Mercator scale over the grid and the points `xy`: a path between
    them is never more plane metres per geodesic metre (the scale grows with |easting|)."""
    x = max(abs(grid.x0), abs(grid.x0 + grid.nbx * BLOCK * grid.h), float(np.abs(xy[:, 0]).max(initial=0.0)))
    q = x * x / _gaussian_r2(projection.origin[1])
    return 1.0 + q / 2.0 + q * q / 24.0

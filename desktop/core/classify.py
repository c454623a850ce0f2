"""Classification of units against the sectors: sector, distance to the line, flags.

A `Classifier` holds one set of units in the analysis plane, indexed once by a UnitGrid.
`classify` answers everything from scratch: cells that no sector edge comes near take the
sector of their centre (whole blocks at a time where possible) and only units in the cells
an edge crosses are tested one by one; distances come from per-block candidate pieces
(see `_distance`). `update` derives the classification of a slightly different line from
the previous one (a drag step): only units in cells that meet the region where the sectors
changed are tested again, and only units of blocks where a moved piece can be nearest are
measured again. Both give identical answers; `update` falls back to `classify` when the
sectors' number or owners changed or when it would look at most units anyway.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from desktop.core import _distance
from desktop.core._distance import DistanceField, Pieces
from desktop.core._grid_index import CELLS_PER_BLOCK, UnitGrid
from desktop.core.geodesy import Projection
from desktop.core.sectors import SectorResult

DEFAULT_BUFFER_KM = 5.0
# A unit this close to the line is on it, within the 10 m geometry tolerance of DESIGN.md:
# it is in one of the two adjacent sectors and never on the wrong side.
ON_LINE_KM = 0.01
# Cells whose rectangle grown by this margin meets no sector edge are answered by their
# centre; far above rounding (1e-9 m at these coordinates), far below a cell.
_EDGE_MARGIN_M = 0.5


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Classification:
    """Per unit, in unit order. Arrays are read-only: incremental updates share them."""

    sector: np.ndarray       # int16 index into SectorResult.sectors; -1 = in no sector
    near_line: np.ndarray    # bool: within the buffer
    wrong_side: np.ndarray   # bool: the unit's side differs from its sector's owner
    buffer_km: float
    # Units whose sector, near_line or wrong_side differ from the classification this one was
    # derived from (sorted unit indices); None when it was computed from scratch. Distances
    # may have changed for more units than these.
    changed: np.ndarray | None = None
    _counts: np.ndarray | None = field(default=None, repr=False)
    _result: SectorResult | None = field(default=None, repr=False)
    _owners: np.ndarray | None = field(default=None, repr=False)
    _source: "Classifier | None" = field(default=None, repr=False)
    _km: np.ndarray | None = field(default=None, repr=False)
    _field: DistanceField | None = field(default=None, repr=False)
    # (km, field) of an earlier classification whose distances are known: the start of
    # the lazy computation of this one's.
    _root: tuple[np.ndarray, DistanceField] | None = field(default=None, repr=False)

    @property
    def distance_km(self) -> np.ndarray:
        """Geodesic km to the line (extensions included). After a drag step it is computed
        on first read, from the last classification whose distances were read: a drag step
        itself only needs the distances of units near what moved (for near_line/wrong_side)."""
        if self._km is None:
            km, field_ = self._source.distances(self)
            object.__setattr__(self, "_km", km)
            object.__setattr__(self, "_field", field_)
            object.__setattr__(self, "_root", None)
        return self._km

    def counts(self, n_sectors: int) -> np.ndarray:
        """Units per sector (kept up to date incrementally: no pass over all units)."""
        if self._counts is not None and len(self._counts) == n_sectors:
            return self._counts.copy()
        inside = self.sector[self.sector >= 0]
        return np.bincount(inside, minlength=n_sectors)[:n_sectors]


def owner_codes(result: SectorResult, sides: tuple[str, ...]) -> np.ndarray:
    """Per sector, the index of its owner in `sides` (-1 if the owner is not a side)."""
    return np.array([sides.index(s.owner) if s.owner in sides else -1 for s in result.sectors],
                    dtype=np.int8)


def sector_of(x: np.ndarray, y: np.ndarray, result: SectorResult) -> np.ndarray:
    """Index of the sector containing each point, tested point by point; a point on a
    shared edge goes to the first sector whose closure holds it; -1 outside every sector."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    sector = np.full(len(x), -1, dtype=np.int16)
    todo = np.arange(len(x))
    for i, s in enumerate(result.sectors):
        if not len(todo):
            break
        shapely.prepare(s.polygon)
        hit = shapely.intersects_xy(s.polygon, x[todo], y[todo])
        sector[todo[hit]] = i
        todo = todo[~hit]
    return sector


def distance_pieces(result: SectorResult) -> Pieces:
    """The effective line as the pieces distances are measured to: each geodesic segment as
    one chord where that stays within a metre of its densified pieces."""
    if result.vertex_index is None:
        return Pieces.from_polyline(result.effective_xy)
    offset = max(len(result.extension_start_xy) - 1, 0)
    return Pieces.merged(result.effective_xy, result.vertex_index + offset)


def _wrong_side(side: np.ndarray, sector: np.ndarray, km: np.ndarray, owners: np.ndarray) -> np.ndarray:
    owner = np.append(owners, -1).astype(np.int8)[sector]  # sector -1 -> the appended -1
    return (owner >= 0) & (side >= 0) & (owner != side) & (km > ON_LINE_KM)


def _sector_edges(result: SectorResult) -> tuple[np.ndarray, np.ndarray]:
    rings = [r for s in result.sectors for r in (s.polygon.exterior, *s.polygon.interiors)]
    a = np.concatenate([np.asarray(r.coords)[:-1] for r in rings])
    b = np.concatenate([np.asarray(r.coords)[1:] for r in rings])
    return a, b


class Classifier:
    """Classifies one fixed set of units against any sectors and line."""

    def __init__(self, x: np.ndarray, y: np.ndarray, side_codes: np.ndarray, projection: Projection,
                 focus: tuple[float, float, float, float] | None = None) -> None:
        self.grid = UnitGrid.build(x, y, focus)
        self.side_codes = np.asarray(side_codes, dtype=np.int8)
        self.projection = projection

    # -- from scratch --------------------------------------------------------------------
    def classify(self, result: SectorResult, owners: np.ndarray, buffer_km: float) -> Classification:
        g = self.grid
        field_ = _distance.full_field(g, distance_pieces(result))
        km = self._all_km(field_)
        sector = np.empty(g.n, dtype=np.int16)
        sector[g.order] = self._sectors_by_slot(result)
        wrong = _wrong_side(self.side_codes, sector, km, owners)
        counts = np.bincount(sector + 1, minlength=len(result.sectors) + 1)[1:]
        return Classification(_frozen(sector), _frozen(km <= buffer_km), _frozen(wrong), float(buffer_km),
                              None, counts, result, np.asarray(owners), self, km, field_)

    def _all_km(self, field_: DistanceField) -> np.ndarray:
        km = np.empty(self.grid.n)
        km[self.grid.order] = _distance.measure_all(self.grid, field_, self.projection)
        return _frozen(km)

    def distances(self, c: Classification) -> tuple[np.ndarray, DistanceField]:
        """(km, field) of a classification made by `update`: its root's, measured again in the
        blocks where a piece changed since."""
        g = self.grid
        root_km, root_field = c._root
        pieces = distance_pieces(c._result)
        step = _distance.update_field(g, root_field, pieces)
        if step is None:
            field_ = _distance.full_field(g, pieces)
            return self._all_km(field_), field_
        field_, hit = step
        if g.units_in_blocks(field_.blocks[hit]) > g.n // 2:  # then cheaper without copy and scatter
            return self._all_km(field_), field_
        slots, km_new = _distance.measure(g, field_.blocks[hit], field_.cand[hit], pieces, self.projection)
        km = root_km.copy()
        km[g.order[slots]] = km_new
        return _frozen(km), field_

    def _sectors_by_slot(self, result: SectorResult) -> np.ndarray:
        g = self.grid
        out = np.full(g.n, -1, dtype=np.int16)
        if not result.sectors:
            return out
        touched = np.zeros(g.ncells, dtype=bool)
        touched_cells = g.cells_touching_segments(*_sector_edges(result), _EDGE_MARGIN_M)
        touched[touched_cells] = True
        occupied = g.occupied_blocks
        mixed = touched.reshape(g.nblocks, -1)[occupied].any(axis=1)
        counts = np.diff(g.cell_start)
        label = np.full(g.ncells, -1, dtype=np.int16)
        # Blocks no edge comes near: one answer at the block centre.
        clear = occupied[~mixed]
        x0, y0, x1, y1 = g.block_bounds(clear)
        label.reshape(g.nblocks, -1)[clear] = sector_of((x0 + x1) / 2, (y0 + y1) / 2, result)[:, None]
        # The other blocks: one answer per untouched occupied cell, at its centre.
        cells = (occupied[mixed][:, None] * (g.ncells // g.nblocks) + np.arange(g.ncells // g.nblocks)).ravel()
        cells = cells[~touched[cells] & (counts[cells] > 0)]
        x0, y0, x1, y1 = g.cell_bounds(cells)
        label[cells] = sector_of((x0 + x1) / 2, (y0 + y1) / 2, result)
        out[:g.cell_start[g.ncells]] = np.repeat(label, counts[:g.ncells])
        # Cells an edge crosses, and units off the grid: unit by unit.
        slots = np.concatenate([g.slots_of_cells(touched_cells), g.overflow])
        out[slots] = sector_of(g.xs[slots], g.ys[slots], result)
        return out

    # -- incremental ---------------------------------------------------------------------
    def update(self, base: Classification, result: SectorResult, owners: np.ndarray,
               buffer_km: float) -> Classification:
        """Classification for `result`, derived from `base` (same units, other line).

        Only units that can change are looked at: for sectors, those in cells meeting the
        region where the sectors changed; for near_line and wrong_side, those within the
        buffer of a removed or added line piece (farther away, neither the old nor the new
        distance is within the buffer), which are measured exactly."""
        old = base._result
        owners = np.asarray(owners)
        if (base._source is not self or old is None or buffer_km != base.buffer_km
                or len(old.sectors) != len(result.sectors) or not np.array_equal(base._owners, owners)):
            return self.classify(result, owners, buffer_km)
        pieces = distance_pieces(result)
        a, b, _ = _distance.changed_segments(distance_pieces(old), pieces)
        sector_cells = self._changed_sector_cells(old, result)
        if sector_cells is None:
            return self.classify(result, owners, buffer_km)
        g = self.grid
        reach = max(buffer_km, ON_LINE_KM) * 1000.0 * _distance.max_scale(g, np.vstack([a, b]), self.projection)
        band = g.occupied_blocks[_distance.blocks_near(g, g.occupied_blocks, a, b, reach + 1.0)]
        blocks = np.union1d(band, sector_cells // CELLS_PER_BLOCK)
        if g.units_in_blocks(blocks) > g.n // 2:  # most of the line moved: start afresh
            return self.classify(result, owners, buffer_km)
        slots, km = _distance.measure(g, blocks, _distance.block_candidates(g, blocks, pieces)[0], pieces,
                                      self.projection)
        units = g.order[slots]
        s_slots = np.concatenate([g.slots_of_cells(sector_cells), g.overflow])
        s_units = g.order[s_slots]
        sector = base.sector.copy()
        sector[s_units] = sector_of(g.xs[s_slots], g.ys[s_slots], result)
        near = base.near_line.copy()
        near[units] = km <= buffer_km
        wrong = base.wrong_side.copy()
        wrong[units] = _wrong_side(self.side_codes[units], sector[units], km, owners)
        n_sec = len(result.sectors) + 1
        counts = (base._counts + np.bincount(sector[s_units] + 1, minlength=n_sec)[1:]
                  - np.bincount(base.sector[s_units] + 1, minlength=n_sec)[1:])
        differs = ((sector[units] != base.sector[units]) | (near[units] != base.near_line[units])
                   | (wrong[units] != base.wrong_side[units]))
        root = (base._km, base._field) if base._km is not None else base._root
        return Classification(_frozen(sector), _frozen(near), _frozen(wrong), float(buffer_km),
                              np.sort(units[differs]), counts, result, owners, self, _root=root)

    def _changed_sector_cells(self, old: SectorResult, new: SectorResult) -> np.ndarray | None:
        """Cells whose units may be in another sector under `new` than under `old`: those
        meeting the union of the sectors' symmetric differences. The sectors partition the
        same AO, so all but the last sector's differences cover every change."""
        pairs = [(o.polygon, n.polygon) for o, n in zip(old.sectors[:-1], new.sectors[:-1])]
        if not pairs:
            return np.empty(0, dtype=np.intp)
        try:
            region = shapely.union_all(shapely.symmetric_difference(*map(list, zip(*pairs))))
        except shapely.errors.GEOSException:
            return None
        return self.grid.cells_meeting(region, _EDGE_MARGIN_M)

    def rebuffer(self, base: Classification, buffer_km: float) -> Classification:
        """Same classification with another buffer: only near_line changes."""
        km = base.distance_km
        near = km <= buffer_km
        return Classification(base.sector, _frozen(near), base.wrong_side, float(buffer_km),
                              np.flatnonzero(near != base.near_line), base._counts, base._result,
                              base._owners, self, km, base._field)


def reclassify_rows(base: Classification, rows: np.ndarray, x: np.ndarray, y: np.ndarray,
                    side_codes: np.ndarray, projection: Projection) -> Classification:
    """`base` with the units `rows` moved to the plane points (x, y) (live reports): their
    sector, distance and flags measured point by point, everyone else's kept. The result is
    tied to no Classifier (its index holds the old positions), so the next `update` of a
    drag classifies afresh."""
    result, owners = base._result, base._owners
    sector = base.sector.copy()
    sector[rows] = sector_of(x, y, result) if result.sectors else -1
    km = np.array(base.distance_km)
    km[rows] = _distance.measure_points(x, y, distance_pieces(result), projection)
    near = base.near_line.copy()
    near[rows] = km[rows] <= base.buffer_km
    wrong = base.wrong_side.copy()
    wrong[rows] = _wrong_side(np.asarray(side_codes, dtype=np.int8), sector[rows], km[rows], owners)
    n_sec = len(result.sectors) + 1
    counts = (base.counts(len(result.sectors)) + np.bincount(sector[rows] + 1, minlength=n_sec)[1:]
              - np.bincount(base.sector[rows] + 1, minlength=n_sec)[1:])
    differs = ((sector[rows] != base.sector[rows]) | (near[rows] != base.near_line[rows])
               | (wrong[rows] != base.wrong_side[rows]))
    return Classification(_frozen(sector), _frozen(near), _frozen(wrong), base.buffer_km,
                          np.unique(rows[differs]), counts, result, owners, None, _frozen(km), None)


def classify(x: np.ndarray, y: np.ndarray, side_codes: np.ndarray, result: SectorResult,
             owners: np.ndarray, buffer_km: float, projection: Projection) -> Classification:
    """Full classification of points given in the analysis plane (builds a throw-away index)."""
    return Classifier(x, y, side_codes, projection).classify(result, owners, buffer_km)

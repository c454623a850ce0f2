"""Aircraft–airspace conflicts: an aircraft predicted inside an ACM of another side, within
the ACM's altitude band (floor and ceiling included) and while a period of it is active.
The time to entry is the earliest time in the horizon when all three hold (0 when they
already do).

Vectorised over candidate (aircraft, ACM) pairs and the ACMs' edges in the analysis plane:
the pairs that can conflict (side, band, a period within the horizon, bounding boxes) are
picked with broadcast comparisons; each pair's path is cut by its ACM's edges in one pass
over (pair, edge), which gives both the crossings along the path and, by counting the
edges a ray from the start meets, whether the path starts inside. Edges come in runs of
CHUNK with their boxes, and only the runs a path or its ray can meet are cut (a third of
the edges of a busy sky). The times inside, as
intervals, are then intersected with the ACM's active periods.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core._grid_index import ranges_to_index
from desktop.core.air.acm import Airspace
from desktop.core.air.motion import PlaneMotion
from desktop.core.air.state import AircraftState
from desktop.core.geodesy import Projection
from desktop.core.plane_geometry import segment_crossings

CHUNK = 8  # edges a run: a circle of 20 NM has ~200 edges, 25 runs


@dataclass(frozen=True, eq=False)
class PlaneAirspace:
    """The ACMs in the analysis plane as flat columns: ACM m's edges are `offsets[m]` to
    `offsets[m + 1] - 1`, edge k from (x, y)[k] to (x + dx, y + dy)[k], in runs of CHUNK
    edges (`chunk_offsets[m]` ..., each run's edges from `chunk_edge[c]` to
    `chunk_edge[c + 1] - 1` within the ACM, its box `chunk_box[c]`); each ACM lies within
    `radius` of its `centre`; its periods are `period_start/end[period_offsets[m]:...]`."""

    airspace: Airspace
    x: np.ndarray
    y: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    offsets: np.ndarray
    chunk_offsets: np.ndarray
    chunk_first: np.ndarray  # first edge of each run
    chunk_stop: np.ndarray   # one past its last edge
    chunk_box: np.ndarray    # C x 4: xmin, ymin, xmax, ymax
    centre: np.ndarray       # M x 2
    radius: np.ndarray
    floor_ft: np.ndarray
    ceiling_ft: np.ndarray
    sides: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    period_offsets: np.ndarray

    @classmethod
    def build(cls, airspace: Airspace, projection: Projection) -> "PlaneAirspace":
        rings = [projection.forward(*a.outline()) for a in airspace]
        counts = np.array([len(r[0]) - 1 for r in rings], dtype=np.int64)  # edges
        x = np.concatenate([r[0][:-1] for r in rings]) if rings else np.empty(0)
        y = np.concatenate([r[1][:-1] for r in rings]) if rings else np.empty(0)
        dx = np.concatenate([np.diff(r[0]) for r in rings]) if rings else np.empty(0)
        dy = np.concatenate([np.diff(r[1]) for r in rings]) if rings else np.empty(0)
        centre = np.array([((r[0].min() + r[0].max()) / 2, (r[1].min() + r[1].max()) / 2) for r in rings]).reshape(-1, 2)
        radius = np.array([np.hypot(r[0] - c[0], r[1] - c[1]).max() for r, c in zip(rings, centre)])
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        # Runs of CHUNK edges with their boxes: a path meets the few runs its box does.
        per_acm = -(-counts // CHUNK)
        chunk_offsets = np.concatenate([[0], np.cumsum(per_acm)]).astype(np.int64)
        acm_of_chunk = np.repeat(np.arange(len(counts)), per_acm)
        first = offsets[acm_of_chunk] + (np.arange(chunk_offsets[-1]) - chunk_offsets[acm_of_chunk]) * CHUNK
        stop = np.minimum(first + CHUNK, offsets[acm_of_chunk + 1])
        ends_x, ends_y = x + dx, y + dy
        box = np.column_stack([np.minimum.reduceat(np.minimum(x, ends_x), first), np.minimum.reduceat(
            np.minimum(y, ends_y), first), np.maximum.reduceat(np.maximum(x, ends_x), first),
            np.maximum.reduceat(np.maximum(y, ends_y), first)]) if len(first) else np.empty((0, 4))
        # No periods: always active.
        periods = [a.periods or ((np.iinfo(np.int64).min // 2, np.iinfo(np.int64).max // 2),) for a in airspace]
        flat = np.array([p for ps in periods for p in ps], dtype=np.int64).reshape(-1, 2)
        return cls(airspace, x, y, dx, dy, offsets, chunk_offsets, first, stop, box, centre, radius,
                   np.array([a.floor_ft for a in airspace]), np.array([a.ceiling_ft for a in airspace]),
                   np.array([a.side for a in airspace], dtype=object), flat[:, 0], flat[:, 1],
                   np.concatenate([[0], np.cumsum([len(p) for p in periods])]).astype(np.int64))


@dataclass(frozen=True, eq=False)
class Entries:
    """Aircraft `a` (index into the state) enters ACM `acm` (index into the airspace)
    `time_s` after the state's time."""

    a: np.ndarray
    acm: np.ndarray
    time_s: np.ndarray


def _candidates(state: AircraftState, motion: PlaneMotion, plane: PlaneAirspace) -> tuple[np.ndarray, np.ndarray]:
    """(aircraft, ACM) pairs that may conflict, by side, band, activity and whether the
    path comes within the circle around the ACM."""
    h = motion.horizon_s
    overlaps = (plane.period_start < state.t + h) & (plane.period_end > state.t)
    acm_of_period = np.repeat(np.arange(len(plane.floor_ft)), np.diff(plane.period_offsets))
    active = np.zeros(len(plane.floor_ft), dtype=bool)
    active[acm_of_period[overlaps]] = True
    acms = np.flatnonzero(active)
    # Sides as integer codes (the strings compared once each, not once per pair).
    names, mine = state.side_codes
    theirs = state.codes_of(plane.sides[acms])
    alt = state.alt_ft[:, None]
    with np.errstate(invalid="ignore"):
        in_band = ~np.isfinite(alt) | ((plane.floor_ft[acms][None, :] <= alt) & (alt <= plane.ceiling_ft[acms][None, :]))
    sided = (names != "")[mine]
    a, k = np.nonzero(in_band & sided[:, None] & (mine[:, None] != theirs[None, :]))
    m = acms[k]
    # Distance from the ACM's centre to the path (a segment), against its radius.
    dx, dy = motion.vx[a] * h, motion.vy[a] * h
    cx, cy = plane.centre[m, 0] - motion.x0[a], plane.centre[m, 1] - motion.y0[a]
    length2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.clip(np.where(length2 > 0, (cx * dx + cy * dy) / length2, 0.0), 0.0, 1.0)
    near = np.hypot(cx - s * dx, cy - s * dy) <= plane.radius[m]
    return a[near], m[near]


def _inside_intervals(pair: np.ndarray, s: np.ndarray, inside0: np.ndarray, n_pairs: int):
    """Intervals [lo, hi] of the path parameter s in [0, 1] each pair spends inside its
    polygon, from its sorted crossings and whether it starts inside: (pair, lo, hi)."""
    starts = np.flatnonzero(inside0)
    bounds_pair = np.concatenate([starts, pair])
    bounds_s = np.concatenate([np.zeros(len(starts)), s])
    counts = np.bincount(bounds_pair, minlength=n_pairs)
    odd = np.flatnonzero(counts % 2 == 1)  # still inside at the horizon
    bounds_pair = np.concatenate([bounds_pair, odd])
    bounds_s = np.concatenate([bounds_s, np.ones(len(odd))])
    order = np.lexsort((bounds_s, bounds_pair))
    bounds_pair, bounds_s = bounds_pair[order], bounds_s[order]
    first = np.searchsorted(bounds_pair, bounds_pair, side="left")
    is_lo = (np.arange(len(bounds_pair)) - first) % 2 == 0
    return bounds_pair[is_lo], bounds_s[is_lo], bounds_s[~is_lo]


def entries(state: AircraftState, motion: PlaneMotion, plane: PlaneAirspace) -> Entries:
    a, m = _candidates(state, motion, plane)
    n = len(a)
    if not n:
        return Entries(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    h = motion.horizon_s
    # The runs of edges each pair's path may cross (boxes meet) or its start's ray toward +x
    # may meet (the run spans the start's y and reaches past its x); the others cannot count.
    c_first, c_stop = plane.chunk_offsets[m], plane.chunk_offsets[m + 1]
    chunk = ranges_to_index(c_first, c_stop)
    of = np.repeat(np.arange(n), c_stop - c_first)
    x0, y0, x1, y1 = motion.x0[a][of], motion.y0[a][of], motion.x1[a][of], motion.y1[a][of]
    box = plane.chunk_box[chunk]
    meets = ((np.minimum(x0, x1) <= box[:, 2]) & (np.maximum(x0, x1) >= box[:, 0])
             & (np.minimum(y0, y1) <= box[:, 3]) & (np.maximum(y0, y1) >= box[:, 1]))
    ray = (box[:, 1] <= y0) & (y0 <= box[:, 3]) & (box[:, 2] > x0)
    keep = np.flatnonzero(meets | ray)
    chunk, of = chunk[keep], of[keep]
    count = plane.chunk_stop[chunk] - plane.chunk_first[chunk]
    edge = ranges_to_index(plane.chunk_first[chunk], plane.chunk_stop[chunk])
    pair = np.repeat(of, count)
    ax, ay, fx, fy = plane.x[edge], plane.y[edge], plane.dx[edge], plane.dy[edge]
    px, py = motion.x0[a][pair], motion.y0[a][pair]
    dx, dy = (motion.vx[a] * h)[pair], (motion.vy[a] * h)[pair]
    crosses, s = segment_crossings(px, py, dx, dy, ax, ay, fx, fy)
    # A ray from the start toward +x meets the edge: the crossing-number test.
    straddle = np.flatnonzero((ay > py) != (ay + fy > py))
    meets_ray = straddle[ax[straddle] + (py[straddle] - ay[straddle]) * fx[straddle] / fy[straddle] > px[straddle]]
    inside0 = np.bincount(pair[meets_ray], minlength=n) % 2 == 1
    in_pair, in_lo, in_hi = _inside_intervals(pair[crosses], s, inside0, n)
    # Active periods of each pair's ACM, in the same parameter (s = t / horizon).
    p_first, p_last = plane.period_offsets[m], plane.period_offsets[m + 1]
    counts = (p_last - p_first)[in_pair]
    period = ranges_to_index(p_first[in_pair], p_last[in_pair])
    rep = np.repeat(np.arange(len(in_pair)), counts)
    act_lo = np.clip((plane.period_start[period] - state.t) / h, 0.0, 1.0)
    act_hi = np.clip((plane.period_end[period] - state.t) / h, 0.0, 1.0)
    lo = np.maximum(in_lo[rep], act_lo)
    ok = lo < np.minimum(in_hi[rep], act_hi)
    earliest = np.full(n, np.inf)
    np.minimum.at(earliest, in_pair[rep][ok], lo[ok])
    hit = np.flatnonzero(np.isfinite(earliest))
    return Entries(a[hit], m[hit], earliest[hit] * h)

"""Aircraft–aircraft conflicts: the closest point of approach (CPA) of every pair of aircraft
of different sides within the horizon, now included.

Vectorised with no loop over pairs. Altitudes are constant under the motion model, so a
pair can only conflict when its altitudes are less than V ft apart, and only when the
x-extents of their paths, widened by half the limit each, overlap: a sweep over aircraft
sorted by (altitude band, start of extent) gives those pairs as `searchsorted` ranges, a
small share of all pairs (a fifth of the in-band ones over Syria). An aircraft with no
altitude is in every band (paired with all). For each candidate pair the CPA of the two chords in the analysis
plane (desktop.core.air.motion) is closed-form; the pairs near or inside L NM are then
settled on the motion model itself: the geodesic distance at the CPA time is the reported
one. Where the two close slowly (under 100 kt), a few tens of metres of the plane would
move the CPA time by seconds, so the squared geodesic distance at three times around it
gives a parabola whose vertex is the CPA time (exact for straight motion).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core._grid_index import ranges_to_index
from desktop.core.air.measures import KT_MS, NM_M
from desktop.core.air.motion import PlaneMotion, predict
from desktop.core.air.state import AircraftState
from desktop.core.geodesy import GEOD

# The plane's chords stay within tens of metres of the geodesics: pairs that close to the
# limit are decided on the geodesics.
_PLANE_MARGIN_M = 0.1 * NM_M
_SLOW_MS = 100 * KT_MS  # closing slower than this: the CPA time is refined on the geodesics


@dataclass(frozen=True, eq=False)
class Approaches:
    """Pairs (a, b) of aircraft (indices into the state) in conflict: the CPA time (s from
    the state's time), distance (NM, geodesic) and vertical separation (ft; NaN when an
    altitude is unknown), and where each aircraft is then (lon/lat)."""

    a: np.ndarray
    b: np.ndarray
    time_s: np.ndarray
    distance_nm: np.ndarray
    vertical_ft: np.ndarray
    a_lon: np.ndarray
    a_lat: np.ndarray
    b_lon: np.ndarray
    b_lat: np.ndarray


def _sweep(key: np.ndarray, order: np.ndarray, lo: np.ndarray, hi: np.ndarray, band: np.ndarray, span: float,
           other_band: np.ndarray, strict: bool) -> tuple[np.ndarray, np.ndarray]:
    """Positions (p, q) in `order` (sorted by key = band * span + lo) where q lies in band
    `other_band[p]` and starts within p's interval: lo[q] in [lo[p], hi[p]] ((lo, hi] when
    `strict`, so that a pair two sweeps would both see is found once)."""
    ks = key[order]
    first = np.searchsorted(ks, other_band * span + lo, side="right" if strict else "left")
    stop = np.searchsorted(ks, other_band * span + hi, side="right")
    q = ranges_to_index(first, stop)
    p = np.repeat(np.arange(len(order)), np.maximum(stop - first, 0))
    return p, q


def _in_band(state: AircraftState, motion: PlaneMotion, vertical_ft: float,
             reach_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, i, j): positions i, j in `order` (aircraft with a side and an altitude) of the
    pairs of different sides less than `vertical_ft` apart whose paths' x-extents, widened
    by `reach_m` / 2 each, overlap (two aircraft that come within reach_m must).

    Sweep and prune: in bands of `vertical_ft`, a pair in band is in one band or in two next
    to each other; sorted by (band, start of x-extent), the aircraft starting within another's
    extent in its band or the next are a `searchsorted` range."""
    _, side = state.side_codes
    order = np.flatnonzero((state.sides != "") & np.isfinite(state.alt_ft))
    x0, x1 = motion.x0[order], motion.x1[order]
    lo, hi = np.minimum(x0, x1) - reach_m / 2, np.maximum(x0, x1) + reach_m / 2
    band = np.floor(state.alt_ft[order] / vertical_ft)
    span = 2.0 * (float(hi.max() - lo.min()) + 1.0) if len(order) else 1.0
    lo, hi = lo - (lo.min() if len(order) else 0.0), hi - (lo.min() if len(order) else 0.0)
    key = band * span + lo
    by = np.argsort(key, kind="stable")
    order, lo, hi, band, key = order[by], lo[by], hi[by], band[by], key[by]
    same_p, same_q = _sweep(key, np.arange(len(order)), lo, hi, band, span, band, strict=False)
    later = same_q > same_p  # within a band each pair once: the one that starts first finds it
    up_p, up_q = _sweep(key, np.arange(len(order)), lo, hi, band, span, band + 1, strict=False)
    down_p, down_q = _sweep(key, np.arange(len(order)), lo, hi, band, span, band - 1, strict=True)
    i = np.concatenate([same_p[later], up_p, down_p])
    j = np.concatenate([same_q[later], up_q, down_q])
    alt, code = state.alt_ft[order], side[order]
    keep = np.flatnonzero((code[i] != code[j]) & (np.abs(alt[i] - alt[j]) < vertical_ft))
    return order, i[keep], j[keep]


def _unknown_altitude_pairs(state: AircraftState) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of different sides where an altitude is unknown (in every band), each once."""
    sided = np.flatnonzero(state.sides != "")
    unknown = sided[~np.isfinite(state.alt_ft[sided])]
    ua, ub = np.repeat(unknown, len(sided)), np.tile(sided, len(unknown))
    keep = (ub != ua) & ~(np.isin(ub, unknown) & (ub < ua)) & (state.sides[ua] != state.sides[ub])
    return ua[keep], ub[keep]


def plane_cpa(motion: PlaneMotion, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(time_s, distance_m) of the closest approach of the chords of a and b within
    [0, horizon]: the relative position r + w t is closest at t = -(r.w)/(w.w), clamped."""
    rx, ry = motion.x0[b] - motion.x0[a], motion.y0[b] - motion.y0[a]
    wx, wy = motion.vx[b] - motion.vx[a], motion.vy[b] - motion.vy[a]
    ww = wx * wx + wy * wy
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(ww > 0, -(rx * wx + ry * wy) / ww, 0.0)
    t = np.clip(t, 0.0, motion.horizon_s)
    return t, np.hypot(rx + wx * t, ry + wy * t)


def _geodesic_apart(pair: AircraftState, t: np.ndarray):
    """Where the first and second halves of `pair` (a's, then b's) are at t, and how far
    apart (m), on the motion model."""
    k = len(t)
    if not k:
        e = np.empty(0)
        return e, e, e, e, e
    lon, lat = predict(pair, np.concatenate([t, t]))
    dist = np.asarray(GEOD.inv(lon[:k], lat[:k], lon[k:], lat[k:])[2], dtype=float)
    return lon[:k], lat[:k], lon[k:], lat[k:], dist


def _geodesic_cpa_time(pair: AircraftState, t: np.ndarray, horizon_s: float, step_s: float = 2.0) -> np.ndarray:
    """The CPA time near t on the geodesics: the vertex of the parabola through the squared
    distances at three times step_s apart (kept within the horizon), clamped to it."""
    if not len(t):
        return t
    step = min(step_s, horizon_s / 2)
    mid = np.clip(t, step, horizon_s - step)
    d2 = [_geodesic_apart(pair, mid + k * step)[4] ** 2 for k in (-1, 0, 1)]
    curve = d2[0] - 2 * d2[1] + d2[2]
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = np.where(curve > 0, mid + step * (d2[0] - d2[2]) / (2 * curve), t)
    return np.clip(vertex, 0.0, horizon_s)


def approaches(state: AircraftState, motion: PlaneMotion, lateral_nm: float, vertical_ft: float) -> Approaches:
    """Pairs of different sides whose CPA within the horizon is <= lateral_nm apart while
    they are < vertical_ft apart vertically."""
    reach = lateral_nm * NM_M + _PLANE_MARGIN_M
    order, i, j = _in_band(state, motion, vertical_ft, reach)
    t, d = plane_cpa(motion.take(order), i, j)
    near = d <= reach
    a, b, t = order[i[near]], order[j[near]], t[near]
    ua, ub = _unknown_altitude_pairs(state)
    if len(ua):
        tu, du = plane_cpa(motion, ua, ub)
        near = du <= reach
        a, b, t = np.concatenate([a, ua[near]]), np.concatenate([b, ub[near]]), np.concatenate([t, tu[near]])
    a, b = np.minimum(a, b), np.maximum(a, b)
    # Where the two close slowly the plane's metres move the CPA by seconds: settle its time
    # on the geodesics (elsewhere it is already within a second or two).
    slow = np.flatnonzero(np.hypot(motion.vx[b] - motion.vx[a], motion.vy[b] - motion.vy[a]) < _SLOW_MS)
    if len(slow):
        t[slow] = _geodesic_cpa_time(state.take(np.concatenate([a[slow], b[slow]])), t[slow], motion.horizon_s)
    pair = state.take(np.concatenate([a, b]))
    a_lon, a_lat, b_lon, b_lat, dist = _geodesic_apart(pair, t)
    dist /= NM_M
    keep = dist <= lateral_nm
    vertical = np.abs(state.alt_ft[a] - state.alt_ft[b])
    return Approaches(a[keep], b[keep], t[keep], dist[keep], vertical[keep], a_lon[keep], a_lat[keep],
                      b_lon[keep], b_lat[keep])

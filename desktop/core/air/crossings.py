"""Aircraft–line conflicts: an aircraft in a sector its own side owns, predicted to cross the
line into a sector of another side within the horizon; the time is when it reaches the
line. One already in another side's sector is reported at time 0 (it has crossed).

The line is the one that separates the sectors (extensions to the AO boundary included),
in the analysis plane; paths cross its pieces in one vectorised pass over (aircraft, piece),
and the sector just beyond each crossing says whose side the aircraft enters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from desktop.core.air.motion import PlaneMotion
from desktop.core.air.state import AircraftState
from desktop.core.plane_geometry import segment_crossings
from desktop.core.sectors import SectorResult

_BEYOND = 1e-6  # of the path: how far past a crossing to look up the sector (0.1 m on 100 km)


@dataclass(frozen=True, eq=False)
class Crossings:
    """Aircraft `a` reaches the line `time_s` after the state's time and goes into sector
    `sector` (index into the sectors)."""

    a: np.ndarray
    sector: np.ndarray
    time_s: np.ndarray


def sector_of(sectors: SectorResult, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the sector each plane point is in, -1 for none."""
    out = np.full(len(x), -1, dtype=np.int64)
    for k, s in enumerate(sectors.sectors):
        out[(out < 0) & shapely.contains_xy(s.polygon, x, y)] = k
    return out


def crossings(state: AircraftState, motion: PlaneMotion, sectors: SectorResult) -> Crossings:
    empty = Crossings(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
    if sectors.error or not sectors.sectors or not len(state):
        return empty
    owners = np.array([s.owner for s in sectors.sectors], dtype=object)
    now = sector_of(sectors, motion.x0, motion.y0)
    placed = now >= 0
    own = placed & (owners[np.maximum(now, 0)] == state.sides) & (state.sides != "")
    across = np.flatnonzero(placed & ~own & (state.sides != "") & np.isin(state.sides, owners))
    line = sectors.effective_xy
    ax, ay, bx, by = line[:-1, 0], line[:-1, 1], line[1:, 0], line[1:, 1]
    craft = np.flatnonzero(own & ((motion.vx != 0) | (motion.vy != 0)))
    c = np.repeat(craft, len(ax))
    e = np.tile(np.arange(len(ax)), len(craft))
    px, py = motion.x0[c], motion.y0[c]
    dx, dy = (motion.x1 - motion.x0)[c], (motion.y1 - motion.y0)[c]
    fx, fy = bx[e] - ax[e], by[e] - ay[e]
    hit, s = segment_crossings(px, py, dx, dy, ax[e], ay[e], fx, fy)
    c = c[hit]
    beyond = np.minimum(s + _BEYOND, 1.0)
    into = sector_of(sectors, motion.x0[c] + (motion.x1 - motion.x0)[c] * beyond,
                     motion.y0[c] + (motion.y1 - motion.y0)[c] * beyond)
    foreign = (into >= 0) & (owners[np.maximum(into, 0)] != state.sides[c])
    c, s, into = c[foreign], s[foreign], into[foreign]
    order = np.lexsort((s, c))
    first = order[np.r_[True, c[order][1:] != c[order][:-1]]] if len(order) else order
    c, s, into = c[first], s[first], into[first]
    return Crossings(np.concatenate([across, c]), np.concatenate([now[across], into]),
                     np.concatenate([np.zeros(len(across)), s]) * motion.horizon_s)

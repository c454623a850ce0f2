"""A vertical profile: the airspace and the aircraft along a path (the side view's data).

Along a path (the line in force, or an aircraft's predicted path), distances are in
nautical miles from its start, measured in the analysis plane (a transverse Mercator on the
AO: within 0.04 % of the geodesic there) along the path densified to follow its geodesics:

- each ACM the path passes through gives the stretches [start, end] inside it, with its
  floor and ceiling: a block drawn over those stretches;
- each aircraft within `band_nm` of the path (beside it, not beyond its ends) gives where
  it is along the path and at what altitude, how far beside it, and where the motion model
  puts it along the path at the horizon's end (its drift along the path).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from desktop.core.air.acm import Airspace
from desktop.core.air.measures import NM_M
from desktop.core.air.motion import predict
from desktop.core.air.state import AircraftState
from desktop.core.geodesy import Projection, densify_geodesic

DEFAULT_BAND_NM = 15.0


@dataclass(frozen=True, eq=False)
class Profile:
    length_nm: float
    # blocks: one row per stretch of an ACM along the path
    block_acm: np.ndarray        # index into the airspace
    block_start_nm: np.ndarray
    block_end_nm: np.ndarray
    block_floor_ft: np.ndarray
    block_ceiling_ft: np.ndarray
    # aircraft beside the path
    aircraft: np.ndarray         # rows of the state
    along_nm: np.ndarray
    beside_nm: np.ndarray
    alt_ft: np.ndarray
    ahead_nm: np.ndarray         # where it will be along the path at the horizon's end


def path_plane(lon: np.ndarray, lat: np.ndarray, projection: Projection) -> shapely.LineString:
    """The path's geodesic pieces, densified, in the plane."""
    x, y = projection.forward(*densify_geodesic(np.asarray(lon, float), np.asarray(lat, float)))
    return shapely.LineString(np.column_stack([x, y]))


def profile(path: shapely.LineString, airspace: Airspace, state: AircraftState, projection: Projection,
            band_nm: float = DEFAULT_BAND_NM, horizon_s: float = 600.0) -> Profile:
    """The ACMs and aircraft along `path` (a plane LineString from `path_plane`)."""
    length = float(path.length)
    rows = []
    for m, acm in enumerate(airspace):
        x, y = projection.forward(*acm.outline())
        inside = shapely.intersection(path, shapely.make_valid(shapely.Polygon(np.column_stack([x, y]))))
        for piece in shapely.get_parts(inside):
            if not isinstance(piece, shapely.LineString) or piece.is_empty or piece.length <= 0:
                continue
            ends = shapely.line_locate_point(path, shapely.points(np.asarray(piece.coords)[[0, -1]]))
            rows.append((m, float(ends.min()), float(ends.max()), acm.floor_ft, acm.ceiling_ft))
    blocks = np.array(rows, dtype=float).reshape(-1, 5)
    n = len(state)
    px, py = projection.forward(state.lon, state.lat)
    points = shapely.points(np.atleast_1d(px), np.atleast_1d(py)) if n else np.empty(0, dtype=object)
    along = shapely.line_locate_point(path, points) if n else np.empty(0)
    beside = shapely.distance(path, points) if n else np.empty(0)
    keep = np.flatnonzero((beside <= band_nm * NM_M) & (along > 0) & (along < length))
    ahead = np.empty(0)
    if len(keep):
        ax, ay = projection.forward(*predict(state.take(keep), horizon_s))
        ahead = shapely.line_locate_point(path, shapely.points(np.atleast_1d(ax), np.atleast_1d(ay)))
    return Profile(length / NM_M, blocks[:, 0].astype(np.int64), blocks[:, 1] / NM_M, blocks[:, 2] / NM_M,
                   blocks[:, 3], blocks[:, 4], keep, along[keep] / NM_M, beside[keep] / NM_M, state.alt_ft[keep],
                   np.asarray(ahead) / NM_M)

"""Where units are heading: course and speed from their last two position reports, for the
direction-of-movement and speed-leader amplifiers of their symbols (MIL-STD-2525 field Q).

Course is the geodesic azimuth (degrees clockwise from true north) from the second-last to
the last report at or before the time asked; speed is that geodesic distance over the time
between them. Units with fewer than two reports by then, or two at the same place or time,
have no course (NaN).
"""
from __future__ import annotations

import numpy as np
from pyproj import Geod

from desktop.core.tracks import Tracks

_GEOD = Geod(ellps="WGS84")


def motion_at(tracks: Tracks, t: int | None = None, units: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(course degrees, speed m/s) of `units` (indices; all when None) at time `t` (epoch
    seconds; None: after every report)."""
    idx = np.arange(tracks.n_units) if units is None else np.asarray(units, dtype=np.int64)
    course, speed = np.full(len(idx), np.nan), np.full(len(idx), np.nan)
    if not len(tracks) or not len(idx):
        return course, speed
    last = tracks.last_report(tracks.extent[1] if t is None else t)[idx]
    prev = last - 1
    ok = (last >= 0) & (prev >= tracks.offsets[idx])
    a, b = prev[ok], last[ok]
    az, _, dist = _GEOD.inv(tracks.lon[a], tracks.lat[a], tracks.lon[b], tracks.lat[b])
    dt = (tracks.time[b] - tracks.time[a]).astype(float)
    moved = (dist > 0) & (dt > 0)
    course[np.flatnonzero(ok)[moved]] = np.mod(np.asarray(az)[moved], 360.0)
    speed[np.flatnonzero(ok)[moved]] = np.asarray(dist)[moved] / dt[moved]
    return course, speed

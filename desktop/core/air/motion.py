"""The motion model, stated once and used everywhere (DESIGN.md):

    An aircraft flies the geodesic that starts at its position with its course as initial
    azimuth, at constant speed and altitude, over a horizon (default 10 min).

An aircraft whose course or speed is unknown stays where it is. `predict` is the model
itself (pyproj.Geod); what is drawn (predicted paths) and what is reported (CPA distances,
where an entry or a crossing happens) comes from it.

The conflict finders need the model for thousands of aircraft at once, so they work in the
analysis plane (a transverse Mercator centred on the AO): `plane_motion` maps the start
and the end of each geodesic over the horizon into the plane and moves the aircraft along
that chord at constant velocity. Over 10 min at 600 kt the chord stays within 45 m of the
geodesic anywhere within 300 km of the plane's centre and within 70 m within 500 km
(tests/air/test_motion.py); the conflict finders settle what is that close on the
geodesics themselves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop.core.air.state import AircraftState
from desktop.core.geodesy import GEOD, Projection

DEFAULT_HORIZON_S = 600


def predict(state: AircraftState, dt_s) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of every aircraft `dt_s` seconds after the state's time (a number, or one
    per aircraft)."""
    n = len(state)
    dt = np.broadcast_to(np.asarray(dt_s, dtype=float), (n,))
    dist = state.velocity_ms() * dt
    course = np.nan_to_num(state.course_deg)
    if not n:
        return np.empty(0), np.empty(0)
    lon, lat, _ = GEOD.fwd(state.lon, state.lat, course, dist)
    still = dist == 0  # exactly where it is (the forward problem at 0 m can move the last bit)
    return np.where(still, state.lon, lon), np.where(still, state.lat, lat)


def predicted_paths(state: AircraftState, horizon_s: float = DEFAULT_HORIZON_S,
                    step_s: float = 30.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, lon, lat): each aircraft's predicted positions at `times` (0..horizon every
    `step_s`), as n x k arrays: the predicted paths the map draws."""
    times = np.arange(0.0, float(horizon_s) + step_s / 2, step_s)
    n, k = len(state), len(times)
    dist = state.velocity_ms()[:, None] * times[None, :]
    lon, lat, _ = GEOD.fwd(np.repeat(state.lon, k), np.repeat(state.lat, k),
                           np.repeat(np.nan_to_num(state.course_deg), k), dist.ravel())
    return times, np.asarray(lon).reshape(n, k), np.asarray(lat).reshape(n, k)


@dataclass(frozen=True, eq=False)
class PlaneMotion:
    """Each aircraft in the analysis plane: at (x0, y0) at the state's time, moving at
    (vx, vy) m/s until `horizon_s` (metres; the chord of its geodesic, see the module doc)."""

    x0: np.ndarray
    y0: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    horizon_s: float

    def take(self, idx) -> "PlaneMotion":
        return PlaneMotion(self.x0[idx], self.y0[idx], self.vx[idx], self.vy[idx], self.horizon_s)

    def at(self, t_s) -> tuple[np.ndarray, np.ndarray]:
        return self.x0 + self.vx * t_s, self.y0 + self.vy * t_s

    @property
    def x1(self) -> np.ndarray:
        return self.x0 + self.vx * self.horizon_s

    @property
    def y1(self) -> np.ndarray:
        return self.y0 + self.vy * self.horizon_s


def plane_motion(state: AircraftState, projection: Projection, horizon_s: float = DEFAULT_HORIZON_S) -> PlaneMotion:
    x0, y0 = projection.forward(state.lon, state.lat)
    x1, y1 = projection.forward(*predict(state, horizon_s))
    h = float(horizon_s)
    if h <= 0:
        raise ValueError("the horizon must be a positive number of seconds")
    return PlaneMotion(np.asarray(x0), np.asarray(y0), (np.asarray(x1) - x0) / h, (np.asarray(y1) - y0) / h, h)

"""Independent references for the air tests: the motion model simulated with pyproj.Geod at
1 s steps, and aircraft states built for a chosen encounter."""
from __future__ import annotations

import numpy as np
from pyproj import Geod

from desktop.core.air.state import AircraftState

GEOD = Geod(ellps="WGS84")
NM = 1852.0
KT = NM / 3600.0
CENTRE = (39.5, 35.3)  # the demo AO's centre, roughly


def simulate(lon, lat, course, speed_kt, horizon_s=600, step_s=1.0):
    """(times, lon, lat) of one aircraft flying its geodesic, every step_s seconds."""
    t = np.arange(0.0, horizon_s + step_s / 2, step_s)
    plon, plat, _ = GEOD.fwd(np.full(t.shape, lon), np.full(t.shape, lat), np.full(t.shape, course),
                             speed_kt * KT * t)
    return t, np.asarray(plon), np.asarray(plat)


def simulated_cpa(a: tuple, b: tuple, horizon_s=600) -> tuple[float, float]:
    """(time s, distance NM) of the closest approach of two (lon, lat, course, speed_kt)
    aircraft on the geodesic simulation at 1 s steps."""
    t, alon, alat = simulate(*a, horizon_s=horizon_s)
    _, blon, blat = simulate(*b, horizon_s=horizon_s)
    d = np.asarray(GEOD.inv(alon, alat, blon, blat)[2]) / NM
    k = int(np.argmin(d))
    return float(t[k]), float(d[k])


def encounter(rng, miss_nm: float, at_s: float, centre=CENTRE, spread_m=400e3):
    """Two aircraft (lon, lat, course, speed_kt) that pass `miss_nm` apart about `at_s`
    seconds from now: b is placed by flying back from near a's position at that time."""
    lon0, lat0, _ = GEOD.fwd(centre[0], centre[1], rng.uniform(0, 360), rng.uniform(0, spread_m))
    course_a, speed_a = rng.uniform(0, 360), rng.uniform(150, 600)
    alon, alat, _ = GEOD.fwd(lon0, lat0, course_a, speed_a * KT * at_s)
    mlon, mlat, _ = GEOD.fwd(alon, alat, rng.uniform(0, 360), miss_nm * NM)
    speed_b = rng.uniform(150, 600)
    back = course_a + rng.uniform(40, 320)  # b comes from another direction
    blon, blat, _ = GEOD.fwd(mlon, mlat, back, speed_b * KT * at_s)
    course_b, _, _ = GEOD.inv(blon, blat, mlon, mlat)
    return (lon0, lat0, course_a, speed_a), (float(blon), float(blat), float(course_b) % 360, speed_b)


def state_of(t, rows: list[dict]) -> AircraftState:
    """A state from dicts with id, side, lon, lat, alt_ft, course_deg, speed_kt (name optional)."""
    def col(k, default=np.nan):
        return np.array([r.get(k, default) for r in rows], dtype=object if k in ("id", "side", "name") else float)
    ids = col("id")
    return AircraftState.from_columns(t, ids=ids, names=np.array([r.get("name", r["id"]) for r in rows], dtype=object),
                                      sides=col("side"), lon=col("lon"), lat=col("lat"), alt_ft=col("alt_ft"),
                                      course_deg=col("course_deg"), speed_kt=col("speed_kt"))

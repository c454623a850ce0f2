"""Aircraft state at a time T, as columns: where each aircraft is, how high, which way and
how fast. The conflict finders take nothing else, whatever the state came from: a unit
table's columns (a CSV with alt_ft, course_deg, speed_kt; later CoT), or tracks.

From tracks, the position is interpolated between the reports around T (held at the last
one after it, as everywhere else); altitude, course and speed are the reports' own when
they carry them, else course and speed come from successive reports: the geodesic from the
position at T to the next report, or after the last report the one from the report before
it. What nothing gives stays NaN (an unknown altitude is in every band; an aircraft with
no course or speed is predicted where it is). An aircraft whose last report is more than
15 min old is lost and left out.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from desktop.core.air.measures import KT_MS
from desktop.core.geodesy import GEOD
from desktop.core.tracks import Tracks, as_epoch, units_at
from desktop.core.units import UnitTable

AIR = "air"
MAX_REPORT_AGE_S = 900.0  # an aircraft unreported for longer is lost, not predicted


@dataclass(frozen=True, eq=False)
class AircraftState:
    """Aircraft at time `t` (epoch seconds). `unit` is each row's index in the unit table
    it came from; float columns are NaN where unknown."""

    t: int
    unit: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    sides: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    alt_ft: np.ndarray
    course_deg: np.ndarray
    speed_kt: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        object.__setattr__(self, "t", as_epoch(self.t))
        for f in fields(self):
            if f.name == "t":
                continue
            dtype = np.int64 if f.name == "unit" else object if f.name in ("ids", "names", "sides") else float
            col = np.asarray(getattr(self, f.name), dtype=dtype)
            if col.shape != (n,):
                raise ValueError(f"column {f.name!r} has {col.shape} values for {n} aircraft")
            col.setflags(write=False)
            object.__setattr__(self, f.name, col)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_columns(cls, t, *, ids, lon, lat, alt_ft=None, course_deg=None, speed_kt=None, names=None,
                     sides=None, unit=None) -> "AircraftState":
        n = len(ids)
        nan = np.full(n, np.nan)
        return cls(t, np.arange(n) if unit is None else unit, ids, ids if names is None else names,
                   np.full(n, "", dtype=object) if sides is None else sides, lon, lat,
                   nan if alt_ft is None else alt_ft, nan if course_deg is None else course_deg,
                   nan if speed_kt is None else speed_kt)

    def take(self, idx) -> "AircraftState":
        idx = np.asarray(idx)
        return AircraftState(self.t, **{f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name != "t"})

    @cached_property
    def side_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """(names, codes): the distinct sides, sorted, and each aircraft's index among them, so
        that sides are compared as integers (once per state, for every conflict finder)."""
        names, codes = np.unique(self.sides, return_inverse=True)
        return names, codes

    def codes_of(self, sides: np.ndarray) -> np.ndarray:
        """Codes of other sides' names in this state's coding (-1: no aircraft has it)."""
        names, _ = self.side_codes
        if not len(names):
            return np.full(len(sides), -1)
        at = np.minimum(np.searchsorted(names, sides), len(names) - 1)
        return np.where(names[at] == sides, at, -1)

    def velocity_ms(self) -> np.ndarray:
        """Ground speed in m/s, 0 where the course or the speed is unknown (held in place)."""
        known = np.isfinite(self.speed_kt) & np.isfinite(self.course_deg)
        return np.where(known, np.nan_to_num(self.speed_kt) * KT_MS, 0.0)


def _aircraft(units: UnitTable, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Rows that are aircraft with a position."""
    return np.flatnonzero((units.domains == AIR) & np.isfinite(lon) & np.isfinite(lat))


def state_from_units(units: UnitTable, t) -> AircraftState:
    """The air units of a table as they stand: the table is the state at t (a CSV of
    aircraft, a feed's latest reports)."""
    rows = _aircraft(units, units.lon, units.lat)
    return AircraftState(t, rows, units.ids[rows], units.names[rows], units.sides[rows], units.lon[rows],
                         units.lat[rows], units.alt_ft[rows], units.course_deg[rows], units.speed_kt[rows])


def _derived_motion(tracks: Tracks, t: int, units: np.ndarray, lon: np.ndarray,
                    lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(course_deg, speed_kt) of the units `units` (at lon, lat at t) from successive
    reports around t; NaN without two."""
    n = len(units)
    course, speed = np.full(n, np.nan), np.full(n, np.nan)
    idx = tracks.last_report(t)[units]
    start, stop = tracks.offsets[:-1][units], tracks.offsets[1:][units]
    has_next = (idx >= 0) & (idx + 1 < stop)
    has_prev = (idx >= 0) & ~has_next & (idx - 1 >= start)
    for pick, after_last in ((np.flatnonzero(has_next), False), (np.flatnonzero(has_prev), True)):
        if not len(pick):
            continue
        a, b = (idx[pick] - 1, idx[pick]) if after_last else (idx[pick], idx[pick] + 1)
        dt = (tracks.time[b] - tracks.time[a]).astype(float)
        az, back, dist = (np.asarray(v) for v in GEOD.inv(tracks.lon[a], tracks.lat[a], tracks.lon[b], tracks.lat[b]))
        if after_last:  # the way it was going when it made its last report
            heading = back + 180.0
        else:  # from where it is at t toward the next report (the azimuth turns along a geodesic)
            heading = np.asarray(GEOD.inv(lon[pick], lat[pick], tracks.lon[b], tracks.lat[b])[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            speed[pick] = np.where(dt > 0, dist / dt / KT_MS, np.nan)
        course[pick] = np.where(dt > 0, np.where(dist > 0, heading % 360.0, 0.0), np.nan)
    return course, speed


def state_at(units: UnitTable, tracks: Tracks, t, interpolate: bool = True,
             max_age_s: float = MAX_REPORT_AGE_S) -> AircraftState:
    """The air units of `units` at t, placed by their tracks (see the module doc). An
    aircraft with no report at or before t is nowhere, hence not in the state, and so is one
    whose last report is more than `max_age_s` old (lost: its prediction would be a ghost's);
    one with no reports at all is where the table puts it, with the table's altitude, course
    and speed; a value no report gives is the table's."""
    t = as_epoch(t)
    placed = units_at(units, tracks, t, interpolate)
    rows = _aircraft(units, placed.lon, placed.lat)
    if len(tracks):
        age = tracks.staleness(t)[rows]
        rows = rows[~(age > max_age_s)]  # NaN: no reports at all, a static unit
    lon, lat = placed.lon[rows], placed.lat[rows]
    reported = tracks.report_counts()[rows] > 0
    derived = dict(zip(("course_deg", "speed_kt"), _derived_motion(tracks, t, rows, lon, lat)))
    out = {}
    for column in ("alt_ft", "course_deg", "speed_kt"):
        values = getattr(units, column)[rows].copy()
        given = tracks.values_at(column, t, interpolate)[rows]
        if column in derived:
            given = np.where(np.isfinite(given), given, derived[column])
        use = reported & np.isfinite(given)
        values[use] = given[use]
        out[column] = values
    return AircraftState(t, rows, units.ids[rows], units.names[rows], units.sides[rows], lon, lat, **out)

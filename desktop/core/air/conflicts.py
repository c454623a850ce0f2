"""Predicted air conflicts at a time T, as records: a pure function of the aircraft state at
T, the ACMs, the sectors and line, and the parameters. The CLI, the conflicts panel and the
live feed's alert engine all call `find_conflicts`; each record has a `key` (kind, a, b) for
fire-once latching.

Three kinds (desktop.core.air.cpa, .entries, .crossings), all under the one motion model
(desktop.core.air.motion):
- "aircraft": two aircraft of different sides whose closest point of approach within the
  horizon, now included, is <= L NM laterally while they are < V ft apart vertically;
- "airspace": an aircraft predicted inside an ACM of another side, in its band, while it
  is active (time to entry, 0 if already inside);
- "line": an aircraft on its own side predicted to cross into another side's sector (time
  to the line; 0 if it is across already).
Records are sorted soonest first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from desktop.core.air.acm import Airspace
from desktop.core.air.cpa import approaches
from desktop.core.air.crossings import crossings
from desktop.core.air.entries import PlaneAirspace, entries
from desktop.core.air.motion import DEFAULT_HORIZON_S, plane_motion, predict
from desktop.core.air.state import AircraftState, state_at, state_from_units
from desktop.core.document import Document
from desktop.core.geodesy import Projection
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import SectorResult, compute_sectors
from desktop.core.tracks import as_epoch, format_time

AIRCRAFT, AIRSPACE, LINE = "aircraft", "airspace", "line"
CONFLICT_KINDS = (AIRCRAFT, AIRSPACE, LINE)
DEFAULT_LATERAL_NM = 5.0
DEFAULT_VERTICAL_FT = 1000.0


@dataclass(frozen=True)
class ConflictParams:
    horizon_s: float = DEFAULT_HORIZON_S
    lateral_nm: float = DEFAULT_LATERAL_NM
    vertical_ft: float = DEFAULT_VERTICAL_FT

    def __post_init__(self) -> None:
        for name, value in (("horizon", self.horizon_s), ("lateral limit", self.lateral_nm),
                            ("vertical limit", self.vertical_ft)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"the {name} must be a positive number, not {value!r}")


@dataclass(frozen=True, eq=False)
class Conflicts:
    """Conflicts as columns, soonest first. `a` indexes the state; `b` the state (aircraft),
    the airspace (airspace) or the sectors (line). `time_s` is the time to CPA, to entry or
    to the line; `distance_nm` and `vertical_ft` are the CPA's (NaN for the other kinds);
    (lon, lat) is where aircraft a is then, (b_lon, b_lat) where b is at a CPA."""

    state: AircraftState
    airspace: Airspace
    sector_ids: tuple[str, ...]
    params: ConflictParams
    kind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    time_s: np.ndarray
    distance_nm: np.ndarray
    vertical_ft: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    b_lon: np.ndarray
    b_lat: np.ndarray
    sector_names: tuple[str, ...] = field(default=())
    sectors_error: str | None = None  # why the line could not cut the AO (no line conflicts then)

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def at(self) -> int:
        return self.state.t

    def b_id(self, i: int) -> str:
        kind, b = self.kind[i], int(self.b[i])
        if kind == AIRCRAFT:
            return str(self.state.ids[b])
        return self.airspace[b].id if kind == AIRSPACE else self.sector_ids[b]

    def key(self, i: int) -> tuple[str, str, str]:
        """(kind, a, b) ids: the same conflict has the same key from one update to the next."""
        return str(self.kind[i]), str(self.state.ids[self.a[i]]), self.b_id(i)

    def keys(self) -> list[tuple[str, str, str]]:
        return [self.key(i) for i in range(len(self))]

    def record(self, i: int) -> dict:
        """Conflict i as JSON values, with the keys `deconflict conflicts` documents."""
        kind, a = str(self.kind[i]), int(self.a[i])
        t = int(round(float(self.time_s[i])))
        rec = {"kind": kind, "a": str(self.state.ids[a]), "a_name": str(self.state.names[a])}
        if kind == AIRCRAFT:
            b = int(self.b[i])
            v = float(self.vertical_ft[i])
            rec |= {"b": str(self.state.ids[b]), "b_name": str(self.state.names[b]), "time_to_cpa_s": t,
                    "cpa_nm": round(float(self.distance_nm[i]), 2),
                    "vertical_ft": None if math.isnan(v) else int(round(v))}
        elif kind == AIRSPACE:
            acm = self.airspace[int(self.b[i])]
            rec |= {"b": acm.id, "b_name": acm.name, "time_to_entry_s": t}
        else:
            rec |= {"time_to_line_s": t, "sector": self.sector_ids[int(self.b[i])]}
        rec |= {"time": format_time(self.at + t), "lon": round(float(self.lon[i]), 6),
                "lat": round(float(self.lat[i]), 6)}
        return rec

    def records(self) -> list[dict]:
        return [self.record(i) for i in range(len(self))]

    def describe(self, i: int) -> str:
        """One line a planner reads: "Coalition CAS 2 and RU Su-24 Patrol: 3.1 NM at 500 ft in 4 min"."""
        kind, a = self.kind[i], str(self.state.names[self.a[i]] or self.state.ids[self.a[i]])
        minutes = int(round(float(self.time_s[i]) / 60.0))
        when = "now" if float(self.time_s[i]) < 30 else f"in {minutes} min"
        if kind == AIRCRAFT:
            b = int(self.b[i])
            v = float(self.vertical_ft[i])
            vertical = "altitude unknown" if math.isnan(v) else f"{int(round(v)):,} ft"
            return f"{a} and {self.state.names[b] or self.state.ids[b]}: {float(self.distance_nm[i]):.1f} NM at " \
                   f"{vertical} {when}"
        if kind == AIRSPACE:
            acm = self.airspace[int(self.b[i])]
            what = f"{acm.kind} {acm.name or acm.id}"
            return f"{a} is inside {what}" if when == "now" else f"{a} enters {what} {when}"
        return f"{a} is across the line" if when == "now" else f"{a} crosses the line {when}"


_PLANES: list[tuple[Airspace, Projection, PlaneAirspace]] = []


def plane_airspace(airspace: Airspace, projection: Projection) -> PlaneAirspace:
    """The ACMs in the plane, built once per (airspace, projection) pair: both are immutable,
    and the entry keeps them alive so that their ids are not reused while it is cached."""
    for a, p, plane in _PLANES:
        if a is airspace and p is projection:
            return plane
    plane = PlaneAirspace.build(airspace, projection)
    _PLANES[:] = [(airspace, projection, plane)] + _PLANES[:3]
    return plane


def find_conflicts(state: AircraftState, airspace: Airspace, projection: Projection,
                   sectors: SectorResult | None = None, params: ConflictParams = ConflictParams()) -> Conflicts:
    """Every predicted conflict of the aircraft `state` (at its time) with each other, with
    `airspace` and with the line that separates `sectors` (None: no line), computed in
    `projection`: the analysis plane the sectors are in."""
    motion = plane_motion(state, projection, params.horizon_s)
    pairs = approaches(state, motion, params.lateral_nm, params.vertical_ft)
    found = entries(state, motion, plane_airspace(airspace, projection)) if len(airspace) and len(state) else None
    crossed = crossings(state, motion, sectors) if sectors is not None else None
    parts = [(AIRCRAFT, pairs.a, pairs.b, pairs.time_s, pairs.distance_nm, pairs.vertical_ft, pairs.a_lon,
              pairs.a_lat, pairs.b_lon, pairs.b_lat)]
    for kind, got, b in ((AIRSPACE, found, "acm"), (LINE, crossed, "sector")):
        if got is None or not len(got.a):
            continue
        lon, lat = predict(state.take(got.a), got.time_s)  # where on the motion model, not the plane
        nan = np.full(len(got.a), np.nan)
        parts.append((kind, got.a, getattr(got, b), got.time_s, nan, nan, lon, lat, nan, nan))
    kind = np.concatenate([np.full(len(p[1]), p[0], dtype=object) for p in parts])
    cols = [np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(1, 10)]
    rank = np.array([CONFLICT_KINDS.index(k) for k in kind], dtype=np.int64)
    order = np.lexsort((cols[1], state.ids[cols[0].astype(np.int64)].astype(str) if len(kind) else cols[0],
                        rank, cols[2]))
    a, b = cols[0].astype(np.int64)[order], cols[1].astype(np.int64)[order]
    sector_list = sectors.sectors if sectors is not None else ()
    return Conflicts(state, airspace, tuple(s.id for s in sector_list), params, kind[order], a, b,
                     *(c[order] for c in cols[2:]), sector_names=tuple(s.name for s in sector_list),
                     sectors_error=sectors.error if sectors is not None else None)


def conflicts_at(doc: Document, t, params: ConflictParams = ConflictParams(), *, state: AircraftState | None = None,
                 airspace: Airspace | None = None, line: DeconflictionLine | None = None) -> tuple[Conflicts, str]:
    """The document's predicted conflicts at t, and a note ("" or why another line stands in
    for the one in force): its air units where their tracks put them (or `state`), its ACMs
    (or `airspace`), the sectors of the line in force at t (or `line`), in its analysis plane.
    What the conflicts panel, the live alerts and `deconflict conflicts` all ask."""
    from desktop.core.time_cursor import line_at
    t = as_epoch(t)
    if state is None:
        state = state_at(doc.units, doc.tracks, t) if len(doc.tracks) else state_from_units(doc.units, t)
    note = ""
    if line is None:
        _, line, note = line_at(doc, t)
    sectors = compute_sectors(doc.ao, line, doc.sides, doc.analysis_projection)
    return find_conflicts(state, doc.airspace if airspace is None else airspace, doc.analysis_projection, sectors,
                          params), note

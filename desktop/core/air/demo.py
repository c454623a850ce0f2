"""The air side of the "Euphrates 2017" demo (illustrative; desktop.core.demo builds on it):
airspace blocks, altitudes for the summer's orbits, and the 18 June 2017 incident.

On 18 June a Syrian Su-22 bombed near SDF fighters at Ja'Din, south of Tabqa, and was shot
down by a coalition F/A-18E (the demo's "Coalition CAS Orbit", AIR-02) at 15:43Z; two
Russian fighters looked on from above, and an American F-22 kept watch from higher still.
The stack over Ja'Din: Su-22 9,000 ft, F/A-18E 9,500 ft, Su-35 pair FL250, F-22 FL330. The
same afternoon the coalition ISR aircraft (AIR-01) heads for the Russian ROZ over Deir
ez-Zor while a Su-24 patrol (AIR-03) crosses its path. At 15:35Z, with a 10 min horizon,
that gives two aircraft conflicts (Su-22 / F/A-18E, ISR / Su-24), the ISR's entry into the
ROZ, the Su-22's into the coalition's HIDACZ at Ja'Din, and line crossings.

Incident legs are geodesics flown at constant speed and altitude, reported every 30 s;
the incident replaces the summer orbit reports of AIR-01..03 around it.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from desktop.core.air.acm import CAP, CIRCLE, CORRIDOR, HIDACZ, POLYGON, ROZ, ACM, Airspace
from desktop.core.air.measures import KT_MS, NM_M
from desktop.core.geodesy import GEOD
from desktop.core.tracks import parse_time

DAY = parse_time("2017-06-18T00:00:00Z")
REPLAY_AT = parse_time("2017-06-18T15:35:00Z")  # a moment of the replay with every kind of conflict
_JA_DIN, _RESAFA, _DEIR = (38.50, 35.76), (38.757, 35.628), (40.141, 35.336)
REPORT_S = 30
# Cruising altitudes of the summer orbits (ft MSL).
ORBIT_ALT_FT = {"AIR-01": 20000.0, "AIR-02": 18000.0, "AIR-03": 19500.0, "AIR-04": 1500.0}

# id, name, side ("C" coalition / "R" Russian-backed), affiliation, MIL-STD-2525C function.
INCIDENT_UNITS = (("AIR-05", "Syrian Su-22", "R", "hostile", "MFA---"),
                  ("AIR-06", "RU Su-35 Pair", "R", "hostile", "MFF---"),
                  ("AIR-07", "Coalition F-22", "C", "friend", "MFF---"))


def _t(hhmmss: str) -> int:
    h, m, s = (int(x) for x in hhmmss.split(":"))
    return DAY + 3600 * h + 60 * m + s


def _leg(through: tuple[float, float], at: int, course: float, speed_kt: float, start: int, end: int):
    """(time, lon, lat, course at each report) of a geodesic flown through `through` at time
    `at` with `course` there, reported every REPORT_S from `start` to `end`."""
    t = np.arange(start, end + 1, REPORT_S, dtype=np.int64)
    lon, lat, back = GEOD.fwd(np.full(t.shape, through[0]), np.full(t.shape, through[1]), np.full(t.shape, course),
                              (t - at) * speed_kt * KT_MS)
    return t, np.asarray(lon), np.asarray(lat)


def _toward(a, b) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[0]) % 360.0


def _offset(p, azimuth, nm):
    lon, lat, _ = GEOD.fwd(p[0], p[1], azimuth, nm * NM_M)
    return float(lon), float(lat)


def _orbit(centre, radius_km: float, speed_kt: float, start: int, end: int, turn: float = 1.0):
    t = np.arange(start, end + 1, REPORT_S, dtype=np.int64)
    angle = turn * (t - start) * speed_kt * KT_MS / (radius_km * 1000.0)
    lon, lat, _ = GEOD.fwd(np.full(t.shape, centre[0]), np.full(t.shape, centre[1]), np.degrees(angle),
                           np.full(t.shape, radius_km * 1000.0))
    return t, np.asarray(lon), np.asarray(lat)


@lru_cache(maxsize=1)
def incident_tracks() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """id -> (time, lon, lat, alt_ft) of each aircraft in the 18 June incident."""
    out = {}
    # The ISR aircraft enters the ROZ (20 NM around Deir ez-Zor) at 15:37 heading for the city.
    isr_entry = _offset(_DEIR, 330.0, 20.0)
    isr_course = _toward(isr_entry, _DEIR)
    out["AIR-01"] = _leg(isr_entry, _t("15:37:00"), isr_course, 300.0, _t("15:10:00"), _t("15:50:00")) + (20000.0,)
    # The Su-24 patrol crosses the ISR's path 30 s after the ISR passes, heading north-east.
    isr_at = _offset(isr_entry, isr_course, 10.0)  # where the ISR is at 15:39
    out["AIR-03"] = _leg(isr_at, _t("15:39:30"), 60.0, 420.0, _t("15:10:00"), _t("15:50:00")) + (19500.0,)
    # The Su-22 comes in from the south-west to Ja'Din, then egresses toward Resafa and is shot
    # down at 15:43.
    t1, lon1, lat1 = _leg(_JA_DIN, _t("15:39:30"), 35.0, 420.0, _t("15:20:00"), _t("15:39:30"))
    t2, lon2, lat2 = _leg(_JA_DIN, _t("15:39:30"), _toward(_JA_DIN, _RESAFA), 250.0, _t("15:40:00"), _t("15:43:00"))
    out["AIR-05"] = (np.concatenate([t1, t2]), np.concatenate([lon1, lon2]), np.concatenate([lat1, lat2]), 9000.0)
    # The F/A-18E closes from the north and passes the Su-22 at 15:41.
    su22 = (float(lon2[t2 == _t("15:41:00")][0]), float(lat2[t2 == _t("15:41:00")][0]))
    out["AIR-02"] = _leg(_offset(su22, 60.0, 1.2), _t("15:41:00"), 170.0, 450.0, _t("15:15:00"), _t("15:55:00")) \
        + (9500.0,)
    # Above them: the Su-35 pair over Resafa at FL250, the F-22 north of Tabqa at FL330, each on
    # its own side of the line until its last report.
    out["AIR-06"] = _orbit((38.70, 35.55), 12.0, 420.0, _t("15:00:00"), _t("16:10:00")) + (25000.0,)
    out["AIR-07"] = _orbit((38.62, 35.95), 12.0, 400.0, _t("15:00:00"), _t("16:10:00"), -1.0) + (33000.0,)
    # Positions to 1e-5 degree (about a metre), as the rest of the demo is written.
    return {k: (t, np.round(lon, 5), np.round(lat, 5), np.full(len(t), alt)) for k, (t, lon, lat, alt) in out.items()}


def incident_units(sides: tuple[str, str]) -> list[tuple]:
    """(id, name, side, affiliation, domain, echelon, lon, lat, function) of the aircraft the
    incident adds, at their last report (the unit table holds the latest positions)."""
    tracks = incident_tracks()
    side = {"C": sides[0], "R": sides[1]}
    return [(uid, name, side[s], aff, "air", "", float(tracks[uid][1][-1]), float(tracks[uid][2][-1]), fn)
            for uid, name, s, aff, fn in INCIDENT_UNITS]


def with_incident(ids: np.ndarray, unit: np.ndarray, time: np.ndarray, lon: np.ndarray, lat: np.ndarray):
    """The demo's reports (unit indexes `ids`) with the incident's in, the summer orbits'
    around it out (30 min either side, so the aircraft leave and rejoin their orbits), and
    an altitude for every aircraft report: (unit, time, lon, lat, alt_ft), unsorted."""
    alt = np.full(len(time), np.nan)
    for uid, ft in ORBIT_ALT_FT.items():
        alt[unit == int(np.flatnonzero(ids == uid)[0])] = ft
    keep = np.ones(len(time), dtype=bool)
    parts = []
    for uid, (t, plon, plat, palt) in incident_tracks().items():
        u = int(np.flatnonzero(ids == uid)[0])
        keep &= ~((unit == u) & (time >= t[0] - 1800) & (time <= t[-1] + 1800))
        parts.append((np.full(len(t), u, dtype=unit.dtype), t, plon, plat, palt))
    cols = [np.concatenate([c[keep]] + [p[k] for p in parts]) for k, c in enumerate((unit, time, lon, lat, alt))]
    return tuple(cols)


def demo_airspace(sides: tuple[str, str]) -> Airspace:
    """A few ACMs of 18 June: the Russian ROZ over Deir ez-Zor (the issue's example), the
    coalition's CAP over Tabqa and HIDACZ at Ja'Din, and a transit corridor from the north."""
    us, ru = sides
    noon, six = parse_time("2017-06-18T12:00:00Z"), parse_time("2017-06-18T18:00:00Z")
    day = 86_400
    return Airspace([
        ACM("ROZ-DEZ", "Deir ez-Zor", ROZ, ru, 10000, 25000, CIRCLE, [_DEIR], radius_nm=20,
            periods=((noon, six), (noon + day, six + day))),
        ACM("CAP-TABQA", "Tabqa CAP", CAP, us, 30000, 35000, POLYGON,
            [(38.30, 35.62), (38.95, 35.62), (38.95, 36.00), (38.30, 36.00)],
            periods=((parse_time("2017-06-18T14:00:00Z"), parse_time("2017-06-18T20:00:00Z")),)),
        ACM("HIDACZ-JADIN", "Ja'Din", HIDACZ, us, 0, 18000, CIRCLE, [(38.52, 35.78)], radius_nm=6,
            periods=((parse_time("2017-06-18T13:30:00Z"), parse_time("2017-06-18T19:30:00Z")),)),
        ACM("COR-KOBANI", "Kobani-Tabqa transit", "corridor", us, 5000, 12000, CORRIDOR,
            [(38.40, 36.40), (38.55, 35.95)], width_nm=6),
    ])

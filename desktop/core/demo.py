"""The embedded demo scenario "Euphrates 2017" (illustrative: invented units, public geography).

The app opens on it when given no file. North/east of the line is US-backed, south/west
Russian-backed: the line runs west to east, then down the Euphrates, so the US-backed side
is on its left. Its history (line revisions, unit tracks, the hotline-call log, 1 June to
15 August 2017) is generated from a fixed seed in a few ms: the same every start.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from desktop.core import gazetteer
from desktop.core.air.demo import demo_airspace, incident_units, with_incident
from desktop.core.calls import PRIORITIES, CallLog
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.revisions import AGREED, PROPOSED, SUPERSEDED, LineRevision, RevisionLog
from desktop.core.sectors import AreaOfOperations
from desktop.core.tracks import Tracks, parse_time
from desktop.core.units import UnitTable

US, RU = "US-backed", "Russian-backed"
SIDES = (US, RU)

# Names and positions from the one gazetteer the basemap's town labels use too.
PLACES = gazetteer.places("Tabqa", "Tabqa Dam", "Raqqa", "Resafa", "Ma'dan", "Deir ez-Zor", "Mayadin",
                          "Abu Kamal", "Manbij", "Palmyra")

# lon, lat
AO_RING = (
    (37.85, 36.30), (38.70, 36.42), (39.60, 36.38), (40.45, 36.00), (41.05, 35.30),
    (41.30, 34.65), (41.00, 34.20), (40.30, 34.35), (39.40, 34.80), (38.40, 35.05),
    (37.80, 35.55),
)

# August revision, in force: from southwest of Tabqa in an arc south of Tabqa and Raqqa to
# the Euphrates near Ma'dan, then down the river toward Deir ez-Zor.
# From index 5 on, the vertices are those of the basemap's Euphrates (rivers data,
# intermediate resolution), so the line visibly follows the river; the last one is kept
# where it was, short of Deir ez-Zor.
LINE_AUGUST = (
    (38.30, 35.72), (38.50, 35.73), (38.78, 35.80), (39.05, 35.88), (39.35, 35.85),
    (39.5956, 35.7569), (39.7364, 35.7206), (39.8386, 35.6692), (39.8567, 35.5847),
    (39.9533, 35.5275), (40.03, 35.45),
)

# id, name, side, affiliation, domain, echelon, lon, lat
_UNITS = (
    ("SDF-01", "SDF Tabqa Bde", US, "friend", "ground", "brigade", 38.56, 35.86),
    ("SDF-02", "SDF Dam Security Bn", US, "friend", "ground", "battalion", 38.60, 35.90),
    ("SDF-03", "SDF Raqqa West Bde", US, "friend", "ground", "brigade", 38.95, 35.96),
    ("SDF-04", "SDF Raqqa East Bde", US, "friend", "ground", "brigade", 39.06, 35.97),
    ("SDF-05", "SDF Raqqa South Bn", US, "friend", "ground", "battalion", 39.01, 35.93),
    ("SDF-06", "SDF Mansura Coy", US, "friend", "ground", "company", 38.77, 35.84),
    ("SDF-07", "SDF Karama Bn", US, "friend", "ground", "battalion", 39.22, 35.93),
    ("SDF-08", "SDF Sabkha Coy", US, "friend", "ground", "company", 39.44, 35.86),
    ("SDF-09", "SDF Ma'dan North Bn", US, "friend", "ground", "battalion", 39.63, 35.80),
    ("SDF-10", "SDF Khabur Bde", US, "friend", "ground", "brigade", 40.30, 35.70),
    ("SDF-11", "SDF Busayrah Bn", US, "friend", "ground", "battalion", 40.42, 35.18),
    ("SDF-12", "SDF Kasra Coy", US, "friend", "ground", "company", 39.85, 35.70),
    ("SDF-13", "SDF Jazira Bn", US, "friend", "ground", "battalion", 40.10, 35.52),
    ("SDF-14", "SDF Hasakah Road Bde", US, "friend", "ground", "brigade", 40.05, 36.10),
    ("SDF-15", "SDF Ain Issa Bn", US, "friend", "ground", "battalion", 38.90, 36.30),
    ("SDF-16", "SDF Recon Tm", US, "friend", "ground", "team", 39.50, 35.83),
    ("SDF-17", "SDF Sour Coy", US, "friend", "ground", "company", 40.20, 35.45),
    ("SDF-18", "SDF Shaddadi Bn", US, "friend", "ground", "battalion", 40.65, 35.75),
    ("SDF-19", "SDF Euphrates Bank Coy", US, "friend", "ground", "company", 39.96, 35.58),
    ("SDF-20", "SDF Logistics Bn", US, "friend", "ground", "battalion", 39.30, 36.05),
    ("SAA-01", "SAA Tiger Forces Bde", RU, "hostile", "ground", "brigade", 38.45, 35.62),
    ("SAA-02", "SAA Resafa Bn", RU, "hostile", "ground", "battalion", 38.76, 35.60),
    ("SAA-03", "SAA 5th Corps Bde", RU, "hostile", "ground", "brigade", 38.95, 35.55),
    ("SAA-04", "SAA Desert Hawks Bn", RU, "hostile", "ground", "battalion", 39.20, 35.70),
    ("SAA-05", "SAA Ghanem Coy", RU, "hostile", "ground", "company", 39.40, 35.78),
    ("SAA-06", "SAA Ma'dan South Bn", RU, "hostile", "ground", "battalion", 39.66, 35.70),
    ("SAA-07", "SAA Sukhnah Bde", RU, "hostile", "ground", "brigade", 38.92, 34.95),
    ("SAA-08", "SAA Kobajjep Bn", RU, "hostile", "ground", "battalion", 39.70, 35.20),
    ("SAA-09", "SAA Shoula Bn", RU, "hostile", "ground", "battalion", 39.95, 35.15),
    ("SAA-10", "SAA Deir ez-Zor Garrison", RU, "hostile", "ground", "brigade", 40.13, 35.31),
    ("SAA-11", "SAA Airport Defence Bn", RU, "hostile", "ground", "battalion", 40.18, 35.28),
    ("SAA-12", "SAA Tabqa Road Coy", RU, "hostile", "ground", "company", 38.55, 35.69),
    ("SAA-13", "SAA Ithriya Bn", RU, "hostile", "ground", "battalion", 38.05, 35.40),
    ("SAA-14", "SAA River Recon Tm", RU, "hostile", "ground", "team", 39.82, 35.69),
    ("SAA-15", "SAA Bishri Coy", RU, "hostile", "ground", "company", 39.55, 35.45),
    ("SAA-16", "SAA Mayadin Axis Bde", RU, "hostile", "ground", "brigade", 40.30, 35.05),
    ("SAA-17", "SAA Humaymah Bn", RU, "hostile", "ground", "battalion", 40.60, 34.70),
    ("SAA-18", "SAA Artillery Bn", RU, "hostile", "ground", "battalion", 39.10, 35.40),
    ("RUS-01", "RU Military Police Coy", RU, "hostile", "ground", "company", 39.90, 35.38),
    ("RUS-02", "RU Advisers Tm", RU, "hostile", "ground", "team", 38.70, 35.52),
    ("AIR-01", "Coalition ISR Orbit", US, "friend", "air", "", 39.50, 36.10),
    ("AIR-02", "Coalition CAS Orbit", US, "friend", "air", "", 40.40, 35.60),
    ("AIR-03", "RU Su-24 Patrol", RU, "hostile", "air", "", 39.30, 35.20),
    ("AIR-04", "RU Helicopter Pair", RU, "hostile", "air", "", 40.00, 35.32),
)

_ECHELON_CODE = {"team": "A", "squad": "B", "section": "C", "platoon": "D", "company": "E",
                 "battalion": "F", "regiment": "G", "brigade": "H", "division": "I", "": "-"}


# MIL-STD-2525C function ids of the units that are not infantry (ground) or fixed wing (air).
_FUNCTIONS = {"SDF-16": "UCR---", "SAA-14": "UCR---", "SAA-18": "UCF---", "SAA-01": "UCIZ--",
              "SAA-03": "UCIZ--", "SDF-10": "UCIZ--", "SDF-20": "USS---", "RUS-01": "UULM--",
              "SAA-11": "UCD---", "SDF-02": "UCE---", "AIR-01": "MFQ---", "AIR-04": "MH----"}


# The formation some units belong to (MIL-STD-2525 field M, drawn right of the symbol).
_HIGHER_FORMATIONS = {"SDF-02": "Tabqa Bde", "SDF-05": "Raqqa E Bde", "SDF-06": "Tabqa Bde",
                      "SDF-13": "Khabur Bde", "SAA-02": "Tiger Forces", "SAA-11": "DeZ Garrison",
                      "SAA-12": "Tiger Forces", "SAA-15": "5th Corps"}


def _sidc(affiliation: str, domain: str, echelon: str, function: str = "") -> str:
    """MIL-STD-2525C 15-character code (status present); default infantry or fixed wing."""
    aff = {"friend": "F", "hostile": "H", "neutral": "N"}.get(affiliation, "U")
    if domain == "air":
        return f"S{aff}AP{function or 'MF----'}-----"
    return f"S{aff}GP{function or 'UCI---'}-{_ECHELON_CODE[echelon]}---"


# The aircraft of the 18 June incident (desktop.core.air.demo): after the units above, so
# everything generated from those stays as it was.
_INCIDENT = tuple(incident_units(SIDES))


def demo_units() -> UnitTable:
    records = [dict(id=u[0], name=u[1], side=u[2], affiliation=u[3], domain=u[4], echelon=u[5],
                    lon=u[6], lat=u[7], symbol=_sidc(u[3], u[4], u[5], _FUNCTIONS.get(u[0], "")),
                    higher_formation=_HIGHER_FORMATIONS.get(u[0], "")) for u in _UNITS]
    records += [dict(id=u[0], name=u[1], side=u[2], affiliation=u[3], domain=u[4], echelon=u[5], lon=u[6], lat=u[7],
                     symbol=_sidc(u[3], u[4], u[5], u[8])) for u in _INCIDENT]
    return UnitTable.from_records(records)


def demo_document() -> Document:
    calls, tracks, revisions = demo_history()
    return Document(AreaOfOperations(AO_RING, name="Euphrates AO"), DeconflictionLine(LINE_AUGUST),
                    demo_units(), SIDES, title="Euphrates 2017 (demo)", places=PLACES,
                    calls=calls, tracks=tracks, revisions=revisions, airspace=demo_airspace(SIDES))


# -- history (illustrative): line revisions, unit tracks, the hotline-call log -----------------
# June, the first revision: the August line as far as the Euphrates near Ma'dan (its vertex 5
# is on the river). September, a proposal: the August line continued down the river toward
# Mayadin along the basemap's Euphrates (rivers data, intermediate resolution).
LINE_JUNE = LINE_AUGUST[:6]
LINE_SEPTEMBER = LINE_AUGUST + (
    (40.0672, 35.4122), (40.1058, 35.4000), (40.1036, 35.3672), (40.1394, 35.3525),
    (40.1767, 35.3100), (40.2233, 35.3105), (40.2311, 35.2872), (40.2703, 35.3006),
    (40.2586, 35.2617), (40.3019, 35.2733), (40.3375, 35.2553), (40.3375, 35.2328),
    (40.4133, 35.2053), (40.3961, 35.1783), (40.4322, 35.1308), (40.4331, 35.0633),
)
HISTORY_START = parse_time("2017-06-01T00:00:00Z")  # first reports and calls
DEMO_NOW = parse_time("2017-08-15T12:00:00Z")       # last reports: the unit positions above
INCIDENT_DAY = parse_time("2017-06-18T00:00:00Z")   # a Syrian Su-22 shot down south of Tabqa
REVISION_EFFECTIVE = {"june": parse_time("2017-06-01T12:00:00Z"),
                      "august": parse_time("2017-08-05T00:00:00Z"),
                      "september": parse_time("2017-09-01T00:00:00Z")}
AIR_OPS = {"C": ("Coalition", "CAOC Al Udeid"), "R": ("Russian", "Hmeimim AOC")}
# Units that held their ground all summer: the besieged Deir ez-Zor garrison, and the SDF in
# Tabqa and at the dam (taken in May).
_STATIC = ("SAA-10", "SAA-11", "SDF-01", "SDF-02")
_JA_DIN, _TABQA, _RESAFA, _MADAN, _DEIR = (38.50, 35.76), (38.548, 35.836), (38.757, 35.628), \
    (39.650, 35.740), (40.141, 35.336)

# date and time (UTC; local is +03:00), initiator, category, priority, minutes, summary,
# outcome, units, place, revision
_SCRIPTED = (
    ("2017-06-01T08:40", "C", "line negotiation", "priority", 14, "Line agreed from southwest of Tabqa in "
     "an arc south of Tabqa and Raqqa to the Euphrates near Ma'dan; effective 12:00Z today", "agreed", "",
     None, "june"),
    ("2017-06-18T13:34", "C", "incident", "flash", 6, "Pro-regime forces attacking SDF positions at Ja'Din, "
     "south of Tabqa; coalition asks the Russian side to stop the firing",
     "Russian side to contact ground commanders", "SDF-06;SAA-01;SAA-12", _JA_DIN, ""),
    ("2017-06-18T13:52", "C", "airspace notification", "immediate", 3, "Coalition show of force over Ja'Din, "
     "low altitude, next 30 minutes", "acknowledged", "AIR-02", _JA_DIN, ""),
    ("2017-06-18T14:06", "R", "ground line", "immediate", 8, "Russian side says regime units hold south of "
     "the line; asks that the SDF stay north of Ja'Din", "disputed: follow-up call", "SAA-01;SDF-06",
     _JA_DIN, ""),
    ("2017-06-18T14:25", "C", "incident", "flash", 5, "Firing at Ja'Din continues, SDF casualties; coalition "
     "repeats its request to de-escalate", "Russian side to call back", "SDF-06;SDF-01;SAA-01", _JA_DIN, ""),
    ("2017-06-18T14:48", "R", "incident", "immediate", 7, "Russian side reports a ceasefire order passed to "
     "regime forces south of Tabqa", "acknowledged", "SAA-01;SAA-12", _JA_DIN, ""),
    ("2017-06-18T15:20", "C", "incident", "flash", 4, "Renewed advance toward Ja'Din; coalition warns that "
     "its partners will be defended", "acknowledged", "SDF-06;SAA-01", _JA_DIN, ""),
    ("2017-06-18T15:47", "C", "incident", "flash", 9, "At 15:43Z a Syrian Su-22 that dropped bombs near SDF "
     "fighters south of Tabqa was shot down by a coalition F/A-18E; the pilot ejected",
     "Russian side protests; referred to higher", "AIR-02;SDF-06", _JA_DIN, ""),
    ("2017-06-18T16:05", "R", "incident", "flash", 12, "Russian side protests the shoot-down and asks for the "
     "pilot's last known position", "position passed", "SAA-01", _JA_DIN, ""),
    ("2017-06-18T16:30", "C", "airspace notification", "immediate", 4, "Coalition aircraft withdrawing east of "
     "the Euphrates for the night", "acknowledged", "AIR-01;AIR-02", None, ""),
    ("2017-06-18T16:52", "R", "airspace notification", "immediate", 5, "Russian search-and-rescue helicopters "
     "south of Tabqa, 17:00-19:00Z", "no objection", "AIR-04", _JA_DIN, ""),
    ("2017-06-18T17:15", "C", "ground line", "immediate", 6, "SDF report regime armour 4 km south of Ja'Din; "
     "coalition asks that it stop south of the line", "passed to ground commanders", "SDF-06;SAA-01",
     _JA_DIN, ""),
    ("2017-06-18T17:40", "R", "incident", "immediate", 6, "Russian side reports SDF fire on regime positions "
     "near Resafa", "under investigation", "SAA-02;SDF-06", _RESAFA, ""),
    ("2017-06-18T18:10", "C", "incident", "flash", 3, "Coalition sees more regime aircraft airborne west of "
     "Tabqa; asks that they keep clear of SDF areas", "acknowledged", "AIR-01", None, ""),
    ("2017-06-18T18:45", "R", "airspace notification", "immediate", 4, "Russian Su-24 pair over Resafa "
     "19:00-20:00Z, FL150-FL250", "acknowledged; coalition aircraft stay north", "AIR-03", _RESAFA, ""),
    ("2017-06-18T19:20", "C", "incident", "immediate", 5, "Firing at Ja'Din has stopped; the SDF hold the "
     "northern edge of the town", "resolved", "SDF-06;SAA-01", _JA_DIN, ""),
    ("2017-06-18T20:05", "R", "routine check", "priority", 2, "Russian side confirms the channel stays open "
     "overnight", "comms check OK", "", None, ""),
    ("2017-06-18T21:30", "C", "ground line", "immediate", 6, "Coalition asks where regime units south of Tabqa "
     "will be overnight", "positions passed", "SAA-01;SAA-12", _TABQA, ""),
    ("2017-06-18T23:10", "R", "incident", "immediate", 4, "Pilot search: Russian side asks the coalition to "
     "report any sighting", "acknowledged", "AIR-04", _JA_DIN, ""),
    ("2017-06-19T06:15", "R", "airspace notification", "flash", 10, "Russian side: the flight-safety memorandum "
     "is suspended; coalition aircraft west of the Euphrates will be tracked as targets",
     "referred to higher; channel stays open", "AIR-01;AIR-02", None, ""),
    ("2017-07-30T10:20", "R", "line negotiation", "priority", 18, "Russian side proposes extending the line "
     "down the Euphrates toward Deir ez-Zor", "to be studied", "", _MADAN, "august"),
    ("2017-08-01T11:05", "C", "line negotiation", "priority", 22, "Counter-proposal: the line follows the river "
     "from Ma'dan, short of Deir ez-Zor", "no agreement yet", "SDF-09;SAA-06", _MADAN, "august"),
    ("2017-08-03T09:40", "C", "line negotiation", "priority", 16, "Extension agreed: from Ma'dan down the "
     "Euphrates toward Deir ez-Zor; effective 5 August 00:00Z", "agreed", "", _MADAN, "august"),
    ("2017-08-14T12:10", "C", "line negotiation", "priority", 20, "Coalition proposes continuing the line down "
     "the Euphrates toward Mayadin from 1 September", "Russian side to answer", "", _DEIR, "september"),
)

# Routine traffic, per category: its share of the calls, the chances of each priority
# (routine, priority, immediate, flash), a summary per initiator, the possible outcomes.
_ROUTINE = {
    "airspace notification": (0.40, (.5, .4, .1, 0), {
        "C": "Coalition {what} over {place} {h1:02d}:00-{h2:02d}:00Z, FL{fl}-FL{fl2}",
        "R": "Russian {what} near {place} {h1:02d}:00-{h2:02d}:00Z, FL{fl}-FL{fl2}"},
        ("acknowledged", "no objection", "acknowledged; altitude block adjusted")),
    "ground line": (0.18, (.3, .5, .2, 0), {
        "C": "SDF report {unit} moving near {place}; coalition asks regime units to keep south of the line",
        "R": "Russian side reports {unit} advancing near {place}; asks the SDF to hold north of the line"},
        ("acknowledged", "passed to ground commanders", "disputed: follow-up call")),
    "incident": (0.04, (0, 0, .6, .4), {
        "C": "Artillery impacts {k} km from {unit} near {place}; coalition asks who is firing",
        "R": "Drone over {unit} near {place}; Russian side asks for identification"},
        ("resolved", "firing stopped", "under investigation")),
    "line negotiation": (0.05, (.3, .7, 0, 0), {
        "C": "Working-level discussion of the line near {place}; no change",
        "R": "Russian side asks how the line runs near {place}; no change"},
        ("referred to higher", "no change agreed")),
    "routine check": (0.33, (1, 0, 0, 0), {
        "C": "Scheduled communications check", "R": "Shift handover; channel and call signs confirmed"},
        ("comms check OK",)),
}
_AIRCRAFT = {"C": ("strike package", "ISR orbit", "tanker track", "CAS pair"),
             "R": ("Su-24 pair", "Su-34 sortie", "helicopter transit", "Su-35 patrol")}
_AIR_UNITS = {"C": ("AIR-01", "AIR-02"), "R": ("AIR-03", "AIR-04")}
_OFFICERS = ("Maj. K. Hollis", "Capt. D. Reyes", "Maj. S. Whitcombe", "Capt. L. Brandt")
_LINGUISTS = ("SSgt. N. Orlova", "TSgt. A. Markov", "SSgt. E. Kline")
_FRONT = PLACES[:7]  # Tabqa .. Mayadin: where the fighting moves over the summer


def _operator(t: int) -> str:
    shift = (t - HISTORY_START) // 43_200  # two 12-hour shifts a day
    return f"{_OFFICERS[shift % 4]} / {_LINGUISTS[shift % 3]} (linguist)"


def _routine_calls(rng: np.random.Generator) -> list[tuple]:
    """10-12 calls a day of ordinary traffic about places along the moving front. Every
    random draw is one vectorised call (a per-call draw would cost ~20 ms at start-up)."""
    cats = tuple(_ROUTINE)
    share = np.array([_ROUTINE[c][0] for c in cats])
    cum_prio = np.cumsum([_ROUTINE[c][1] for c in cats], axis=1)
    days = np.arange(HISTORY_START, DEMO_NOW, 86_400)
    day = np.repeat(days, rng.integers(10, 13, len(days)))
    n = len(day)
    t = day + rng.integers(2 * 3600, 22 * 3600, n)
    cat = rng.choice(len(cats), n, p=share / share.sum())
    who = np.where(rng.random(n) < 0.55, "C", "R")
    progress = (day - HISTORY_START) / (DEMO_NOW - HISTORY_START)
    place = np.clip(np.rint(progress * 5 + rng.normal(0, 1, n)), 0, len(_FRONT) - 1).astype(int)
    ulon, ulat = np.array([u[6] for u in _UNITS]), np.array([u[7] for u in _UNITS])
    air = np.array([u[4] == "air" for u in _UNITS])
    near = np.array([np.argsort(np.hypot(ulon - p.lon, ulat - p.lat) + air * 99)[:4] for p in _FRONT])
    unit = near[place, rng.integers(0, 4, n)]
    prio = (rng.random(n)[:, None] > cum_prio[cat] - 1e-9).sum(axis=1)
    minutes = np.where(cat == cats.index("routine check"), rng.uniform(1, 3, n),
                       np.clip(rng.lognormal(1.8, 0.5, n), 2, 30))
    pick, fl, hours, km = rng.integers(0, 12, n), rng.integers(10, 25, n) * 10, rng.integers(1, 4, n), \
        rng.integers(1, 6, n)
    rows = []
    for i in range(n):
        c, w, p, u, k = cats[cat[i]], str(who[i]), _FRONT[place[i]], _UNITS[unit[i]], int(pick[i])
        h1 = int(t[i] % 86_400 // 3600 + 1)
        summary = _ROUTINE[c][2][w].format(what=_AIRCRAFT[w][k % 4], place=p.name, h1=h1 % 24,
                                           h2=(h1 + int(hours[i])) % 24, fl=int(fl[i]), fl2=int(fl[i]) + 60,
                                           unit=u[1], k=int(km[i]))
        links = {"airspace notification": _AIR_UNITS[w][k % 2], "ground line": u[0], "incident": u[0]}.get(c, "")
        where = None if c in ("routine check", "line negotiation") else (p.lon, p.lat)
        outcomes = _ROUTINE[c][3]
        rows.append((int(t[i]), w, c, PRIORITIES[min(int(prio[i]), 3)], float(minutes[i]), summary,
                     outcomes[k % len(outcomes)], links, where, ""))
    return rows


def demo_calls() -> CallLog:
    """The hotline log, 1 June to 15 August 2017: routine traffic, the 18 June incident (about
    three times the usual number of calls, flash and immediate) and the calls that tabled and
    agreed the line revisions. Seeded: the same log every time."""
    rows = _routine_calls(np.random.default_rng(2017))
    rows += [(parse_time(r[0] + ":00Z"), *r[1:]) for r in _SCRIPTED]
    rows = sorted((r for r in rows if r[0] <= DEMO_NOW), key=lambda r: r[0])
    t, who, cat, prio, minutes, summary, outcome, links, where, rev = zip(*rows)
    t = np.array(t, dtype=np.int64)
    day = t // 86_400
    seq = np.arange(len(t)) - np.searchsorted(day, day)  # 0, 1, ... within each day
    dates = np.char.replace((day.astype("datetime64[D]")).astype(str), "-", "")
    ids = [f"C-{d}-{k + 1:02d}" for d, k in zip(dates.tolist(), seq.tolist())]
    return CallLog.from_columns(
        ids=ids, start=t, duration_s=np.rint(np.array(minutes) * 60).astype(np.int64),
        initiator=[AIR_OPS[w][0] for w in who], from_station=[AIR_OPS[w][1] for w in who],
        to_station=[AIR_OPS["R" if w == "C" else "C"][1] for w in who], operator=[_operator(x) for x in t.tolist()],
        category=cat, priority=prio, summary=summary, outcome=outcome, units=links,
        lon=[w[0] if w else np.nan for w in where], lat=[w[1] if w else np.nan for w in where], revision=rev)


def demo_tracks() -> Tracks:
    """Reports for every demo unit from 1 June to DEMO_NOW, where the last report is the
    unit's position in the table. Ground units report about every 3 h and move, over a few
    weeks each, from where they came (SDF from the north, regime forces from the west) with
    a wander of a few km; aircraft report every 5 min flying circular orbits, at altitude,
    except around the 18 June incident, reported every 30 s."""
    rng = np.random.default_rng(20170601)
    ids = np.array([u[0] for u in _UNITS])
    us = np.array([u[2] == US for u in _UNITS])
    air = np.array([u[4] == "air" for u in _UNITS])
    lon_now, lat_now = np.array([u[6] for u in _UNITS]), np.array([u[7] for u in _UNITS])
    span = DEMO_NOW - HISTORY_START
    g = np.flatnonzero(~air)
    n, k = len(g), span // (3 * 3600) + 1
    frac = np.linspace(0.0, 1.0, k) + rng.uniform(-0.4, 0.4, (n, k)) / (k - 1)  # jitter < half a step
    frac[:, 0], frac[:, -1] = 0.0, 1.0
    t = HISTORY_START + np.rint(frac * span).astype(np.int64)
    frac = (t - HISTORY_START) / span
    # SDF units south of 35.65N came down the Khabur after the August line took effect.
    late = us[g] & (lat_now[g] < 35.65)
    dlon = np.where(us[g], rng.uniform(-0.15, 0.05, n), rng.uniform(-0.9, -0.25, n))
    dlat = np.where(us[g], rng.uniform(0.10, 0.35, n) + np.maximum(35.65 - lat_now[g], 0.0),
                    rng.uniform(-0.12, 0.0, n))
    still = np.isin(ids[g], _STATIC)
    dlon[still] = dlat[still] = 0.0
    begin = np.where(late, rng.uniform(0.87, 0.9, n), rng.uniform(0.0, 0.5, n))
    length = np.where(late, (1.0 - begin) * rng.uniform(0.7, 1.0, n), rng.uniform(0.2, 0.5, n))  # ends by 1
    s = np.clip((frac - begin[:, None]) / length[:, None], 0.0, 1.0)
    left = 1.0 - s * s * (3.0 - 2.0 * s)  # share of the move still to go (smoothstep)
    walk = np.cumsum(rng.normal(0.0, 0.004, (2, n, k)), axis=2)
    walk = (walk - frac * walk[:, :, -1:]) * np.where(still, 0.2, 1.0)[:, None]  # 0 at the end: lands exactly
    glon = lon_now[g, None] + left * dlon[:, None] + walk[0]
    glat = lat_now[g, None] + left * dlat[:, None] + walk[1]
    a = np.flatnonzero(air)
    ta = np.arange(HISTORY_START, DEMO_NOW + 1, 300, dtype=np.int64)
    radius_km, period_s = rng.uniform(20, 35, len(a)), rng.uniform(50, 80, len(a)) * 60
    turn = np.where(rng.random(len(a)) < 0.5, -1.0, 1.0)
    phase = rng.uniform(0, 2 * np.pi, len(a))[:, None] + turn[:, None] * 2 * np.pi * (ta - DEMO_NOW) / period_s[:, None]
    ry = radius_km / 111.32
    rx = ry / np.cos(np.radians(lat_now[a]))
    alon = (lon_now[a] - rx * np.cos(phase[:, -1]))[:, None] + rx[:, None] * np.cos(phase)
    alat = (lat_now[a] - ry * np.sin(phase[:, -1]))[:, None] + ry[:, None] * np.sin(phase)
    unit = np.concatenate([np.repeat(g, k), np.repeat(a, len(ta))])
    time = np.concatenate([t.ravel(), np.tile(ta, len(a))])
    lon, lat = np.concatenate([glon.ravel(), alon.ravel()]), np.concatenate([glat.ravel(), alat.ravel()])
    last = np.concatenate([np.arange(1, n + 1) * k - 1, n * k + np.arange(1, len(a) + 1) * len(ta) - 1])
    lon[last], lat[last] = lon_now[np.concatenate([g, a])], lat_now[np.concatenate([g, a])]
    # The air picture: altitudes, and the 18 June incident (desktop.core.air.demo).
    all_ids = np.array([u[0] for u in _UNITS + _INCIDENT])
    unit, time, lon, lat, alt = with_incident(all_ids, unit, time, lon, lat)
    return Tracks.from_reports(unit, time, lon, lat, len(all_ids), alt_ft=alt)


def demo_revisions(calls: CallLog) -> RevisionLog:
    """June (first, superseded by August), August (in force at DEMO_NOW), September
    (proposed). Each names the last call about it: the call that agreed or tabled it."""
    def call(rev: str) -> str:
        hits = calls.for_revision(rev)
        return str(calls.ids[hits[-1]]) if len(hits) else ""
    notes = {"june": "First line: from southwest of Tabqa in an arc south of Tabqa and Raqqa to the "
                     "Euphrates near Ma'dan",
             "august": "Extended from Ma'dan down the Euphrates toward Deir ez-Zor",
             "september": "Proposal: continue down the Euphrates toward Mayadin"}
    lines = {"june": LINE_JUNE, "august": LINE_AUGUST, "september": LINE_SEPTEMBER}
    states = {"june": SUPERSEDED, "august": AGREED, "september": PROPOSED}
    return RevisionLog(LineRevision(r, DeconflictionLine(lines[r]), REVISION_EFFECTIVE[r], states[r], notes[r],
                                    call(r)) for r in lines)


@lru_cache(maxsize=1)
def demo_history() -> tuple[CallLog, Tracks, RevisionLog]:
    """(calls, tracks, revisions) of the demo; built once (all of it is immutable)."""
    calls = demo_calls()
    return calls, demo_tracks(), demo_revisions(calls)

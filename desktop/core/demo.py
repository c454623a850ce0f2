"""The embedded demo scenario "Euphrates 2017" (illustrative: invented units, public geography).

The app opens on it when given no file. North/east of the line is US-backed, south/west
Russian-backed: the line runs west to east, then down the Euphrates, so the US-backed side
is on its left.
"""
from __future__ import annotations

from desktop.core.document import Document, Place
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import UnitTable

US, RU = "US-backed", "Russian-backed"
SIDES = (US, RU)

PLACES = (
    Place("Tabqa", 38.548, 35.836), Place("Tabqa Dam", 38.570, 35.870),
    Place("Raqqa", 39.009, 35.950), Place("Resafa", 38.757, 35.628),
    Place("Ma'dan", 39.650, 35.740), Place("Deir ez-Zor", 40.141, 35.336),
    Place("Mayadin", 40.452, 35.021), Place("Abu Kamal", 40.918, 34.452),
    Place("Manbij", 37.955, 36.528), Place("Palmyra", 38.269, 34.551),
)

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


def _sidc(affiliation: str, domain: str, echelon: str) -> str:
    """MIL-STD-2525C 15-character code: infantry for ground, fixed wing for air."""
    aff = {"friend": "F", "hostile": "H", "neutral": "N"}.get(affiliation, "U")
    if domain == "air":
        return f"S{aff}APMF--------"
    return f"S{aff}GPUCI----{_ECHELON_CODE[echelon]}---"


def demo_units() -> UnitTable:
    records = [dict(id=u[0], name=u[1], side=u[2], affiliation=u[3], domain=u[4], echelon=u[5],
                    lon=u[6], lat=u[7], symbol=_sidc(u[3], u[4], u[5])) for u in _UNITS]
    return UnitTable.from_records(records)


def demo_document() -> Document:
    return Document(AreaOfOperations(AO_RING, name="Euphrates AO"), DeconflictionLine(LINE_AUGUST),
                    demo_units(), SIDES, title="Euphrates 2017 (demo)", places=PLACES)

"""Large synthetic unit sets for level-of-detail tests and benchmarks (seeded, vectorised)."""
from __future__ import annotations

import numpy as np

from desktop.core import demo
from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.units import AFFILIATIONS, UnitTable


def random_units(n: int, seed: int = 1, wrong_fraction: float = 0.02) -> UnitTable:
    """`n` units uniformly in the demo AO's bounding box. Each unit takes the side of the
    sector it stands in under the demo line (US-backed north/east; outside the AO at
    random), except a seeded
    `wrong_fraction` on the other side; affiliation follows the side (friend/hostile)
    with 5 % neutral and 5 % unknown."""
    rng = np.random.default_rng(seed)
    ring = np.asarray(demo.AO_RING)
    lon = rng.uniform(ring[:, 0].min(), ring[:, 0].max(), n)
    lat = rng.uniform(ring[:, 1].min(), ring[:, 1].max(), n)
    ids = np.char.add("U", np.arange(n).astype(str)).astype(object)
    placeholder = np.full(n, demo.US, dtype=object)
    probe = _document(UnitTable(ids, ids, placeholder, placeholder, placeholder, lon, lat))
    sector = probe.analysis.classification.sector
    owners = np.array([s.owner for s in probe.analysis.sectors.sectors], dtype=object)
    side = np.where(rng.random(n) < 0.5, demo.US, demo.RU).astype(object)  # outside the AO: either
    side[sector >= 0] = owners[sector[sector >= 0]]
    flip = rng.random(n) < wrong_fraction
    side[flip] = np.where(side[flip] == demo.US, demo.RU, demo.US)
    aff = np.where(side == demo.US, "friend", "hostile").astype(object)
    r = rng.random(n)
    aff[r < 0.05] = "neutral"
    aff[(r >= 0.05) & (r < 0.10)] = "unknown"
    return UnitTable(ids, ids, side, aff, np.full(n, "ground", dtype=object), lon, lat,
                     symbols=_codes(rng, aff))


def _codes(rng, aff: np.ndarray) -> np.ndarray:
    """Seeded 2525C codes: the unit's affiliation, one of a few functions and echelons."""
    letters = {"friend": "F", "hostile": "H", "neutral": "N", "unknown": "U"}
    table = np.array([[[f"S{letters[a]}GP{fn}-{ech}---" for ech in "EFGH"] for fn in ("UCI---", "UCA---", "UCF---",
                                                                                       "UCR---")]
                      for a in AFFILIATIONS], dtype=object)
    a = np.zeros(len(aff), dtype=np.int64)
    for k, name in enumerate(AFFILIATIONS):
        a[aff == name] = k
    return table[a, rng.integers(0, 4, len(aff)), rng.integers(0, 4, len(aff))]


def _document(units: UnitTable) -> Document:
    return Document(AreaOfOperations(demo.AO_RING, name="Euphrates AO"), DeconflictionLine(demo.LINE_AUGUST),
                    units, demo.SIDES, title="random units", places=demo.PLACES)


def random_document(n: int, seed: int = 1) -> Document:
    return _document(random_units(n, seed))

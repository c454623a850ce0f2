"""Find a place: what a planner types into the map's search box, as ranked results. Pure.

A query may be a position (MGRS at any precision, with or without spaces; decimal degrees;
DMS; parsed by `desktop.core.coords`) or a name. Names are matched against the document's
own places first, then the bundled towns (GeoNames, under the gazetteer's English names,
with GeoNames' spellings as aliases): exact, then by prefix (of the name or of any word in
it), then fuzzily (rapidfuzz, tolerant of transliteration: "Deir al-Zor", "Rakka").
Accents and punctuation are ignored ("Mayādīn" = "mayadin", "Ma'dan" = "madan").
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from desktop.core import gazetteer
from desktop.core.coords import CoordinateError, format_mgrs, parse_mgrs, parse_position

MAX_QUERY = 200      # characters: longer text is not a place
FUZZY_CUTOFF = 75.0  # rapidfuzz ratio (normalised Indel similarity), 0..100
_MGRS_START = re.compile(r"^\s*\d{1,2}\s*[A-Za-z]\s*[A-Za-z]\s*[A-Za-z]")


@dataclass(frozen=True)
class SearchResult:
    """`kind`: 'place' (the document's), 'town', 'mgrs' or 'position'; `extent` = (lon0,
    lat0, lon1, lat1) of what the result covers (an MGRS square), or None for a point."""
    label: str
    lon: float
    lat: float
    kind: str
    extent: tuple[float, float, float, float] | None = None
    detail: str = ""
    score: float = 100.0


_DROP = str.maketrans("", "", "'’‘`ʿʾ")
_SPACE = str.maketrans({c: " " for c in "-_.,()"})


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes or hyphens: 'Ma‘arrat an-Nu‘mān' -> 'maarrat an numan'."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().translate(_DROP).translate(_SPACE).split())


class PlaceSearch:
    """Searches `places` (the document's: anything with name, lon, lat) and, unless
    `towns` is False, the bundled towns (loaded on first use)."""

    def __init__(self, places=(), towns=True) -> None:
        self.places = tuple(places)
        self._use_towns = towns
        self._index = None
        self._choices: list[str] = []

    def _names(self):
        """(labels, folded searchable names, lon, lat, population, kind), built once. A
        renamed town is there twice: under its English name and GeoNames' spelling."""
        if self._index is not None:
            return self._index
        rows = [(p.name, p.name, p.lon, p.lat, 10**9, "place") for p in self.places]  # the project's first
        town_rows, town_folded = _town_index(self._towns())
        rows += town_rows
        labels, _, lon, lat, pop, kind = zip(*rows) if rows else ((),) * 6
        self._choices = [fold(p.name) for p in self.places] + town_folded
        self._index = (np.array(labels, dtype=object), np.array(self._choices, dtype=str),
                       np.array(lon, float), np.array(lat, float), np.array(pop, np.int64),
                       np.array(kind, dtype=object))
        return self._index

    def _towns(self):
        if not self._use_towns:
            return None
        from desktop.core import basemap  # lazy: the town table takes ~5 ms to load
        try:
            return basemap.load_towns()
        except basemap.BasemapDataError:
            return None

    def search(self, query: str, limit: int = 10) -> list[SearchResult]:
        """Ranked results for `query`; [] when nothing matches (never raises on input)."""
        text = (query or "").strip()
        if not text or len(text) > MAX_QUERY:
            return []
        found = position_results(text)
        if found:
            return found
        return self._by_name(text, limit)

    def _by_name(self, text: str, limit: int) -> list[SearchResult]:
        labels, folded, lon, lat, pop, kind = self._names()
        q = fold(text)
        if not q or not len(labels):
            return []
        score = np.zeros(len(labels))
        score[folded == q] = 100.0
        prefix = np.char.startswith(folded, q)
        score[prefix & (score == 0)] = 90.0
        words = np.char.find(folded, " " + q) >= 0
        score[words & (score == 0)] = 85.0
        if len(q) >= 3:
            from rapidfuzz import fuzz, process  # lazy: only a name search needs it
            for _, s, i in process.extract(q, self._choices, scorer=fuzz.ratio, processor=None,
                                           limit=max(20, limit * 3), score_cutoff=FUZZY_CUTOFF):
                score[i] = max(score[i], 0.8 * s)
        hits = np.flatnonzero(score > 0)
        # best score, then the document's places and bigger towns first
        order = hits[np.lexsort((-pop[hits], -score[hits]))]
        out, seen = [], []
        for i in order:
            if any(labels[i] == label and abs(lon[i] - x) < 0.05 and abs(lat[i] - y) < 0.05 for label, x, y in seen):
                continue  # one town found under its two names
            seen.append((labels[i], lon[i], lat[i]))
            detail = "in this project" if kind[i] == "place" else f"town, {pop[i]:,} people" if pop[i] else "town"
            out.append(SearchResult(str(labels[i]), float(lon[i]), float(lat[i]), str(kind[i]), None, detail,
                                    float(score[i])))
            if len(out) >= limit:
                break
        return out


_TOWN_INDEX: dict[int, tuple] = {}


def _town_index(towns) -> tuple[list, list[str]]:
    """Rows (label, name, lon, lat, population, 'town') of the towns, each renamed town
    twice (its English name, then GeoNames' spelling), and their folded names; built once
    per town table (~0.3 s)."""
    if towns is None:
        return [], []
    cached = _TOWN_INDEX.get(id(towns))
    if cached is not None and cached[0] is towns:
        return cached[1], cached[2]
    rows = [(n, n, x, y, int(k), "town") for n, x, y, k in zip(towns.name, towns.lon, towns.lat, towns.population)]
    aliases = gazetteer.aliases()
    rows += [(n, aliases[n], x, y, k, kind) for n, _, x, y, k, kind in rows if n in aliases]
    folded = [fold(r[1]) for r in rows]
    _TOWN_INDEX.clear()
    _TOWN_INDEX[id(towns)] = (towns, rows, folded)
    return rows, folded


def position_results(text: str) -> list[SearchResult]:
    """The query read as a position: an MGRS reference (its square as the extent) or
    degrees; [] when it is not one."""
    if _MGRS_START.match(text):
        try:
            lon, lat = parse_mgrs(text)
        except CoordinateError:
            return []
        digits = _mgrs_digits(text)
        size = 10.0 ** (5 - digits // 2)                       # metres a side
        dlat = size / 2 / 111_320.0
        dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
        label = format_mgrs(lon, lat, digits // 2)
        return [SearchResult(label, lon, lat, "mgrs", (lon - dlon, lat - dlat, lon + dlon, lat + dlat),
                             f"MGRS square of {_size_text(size)}")]
    try:
        lon, lat = parse_position(text)
    except CoordinateError:
        return []
    return [SearchResult(f"{abs(lat):.5f}°{'N' if lat >= 0 else 'S'} {abs(lon):.5f}°{'E' if lon >= 0 else 'W'}",
                         lon, lat, "position", None, format_mgrs(lon, lat))]


def _mgrs_digits(text: str) -> int:
    """How many easting + northing digits an MGRS reference has (the zone's excluded)."""
    m = re.match(r"^\s*\d{1,2}\s*[A-Za-z]\s*[A-Za-z]\s*[A-Za-z](.*)$", text)
    return sum(c.isdigit() for c in m.group(1)) if m else 0


def _size_text(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def search_places(query: str, places=(), limit: int = 10) -> list[SearchResult]:
    """One-off search (the GUI keeps a PlaceSearch so the name index is built once)."""
    return PlaceSearch(places).search(query, limit)

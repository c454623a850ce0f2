"""Units as columns: one numpy array per attribute, never one object per unit."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterable, Mapping

import numpy as np

AFFILIATIONS = ("friend", "hostile", "neutral", "unknown")
DOMAINS = ("ground", "air")
# Optional aircraft state (desktop.core.air): altitude in feet MSL, course in degrees true,
# speed in knots; NaN where not known (every ground unit, an aircraft without the report).
AIR_COLUMNS = ("alt_ft", "course_deg", "speed_kt")
_FLOAT_COLUMNS = ("lon", "lat") + AIR_COLUMNS


@dataclass(frozen=True, eq=False)
class UnitTable:
    """Tracked units. String columns are object arrays; positions are float64 degrees;
    the AIR_COLUMNS are float64 (NaN when unknown)."""

    ids: np.ndarray
    names: np.ndarray
    sides: np.ndarray
    affiliations: np.ndarray
    domains: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    echelons: np.ndarray = field(default=None)  # type: ignore[assignment]
    symbols: np.ndarray = field(default=None)   # type: ignore[assignment]
    alt_ft: np.ndarray = field(default=None)     # type: ignore[assignment]
    course_deg: np.ndarray = field(default=None)  # type: ignore[assignment]
    speed_kt: np.ndarray = field(default=None)   # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.ids)
        for f in fields(self):
            col = getattr(self, f.name)
            is_float = f.name in _FLOAT_COLUMNS
            if col is None and is_float:  # a column not given costs no memory: one NaN, strided 0
                col = np.broadcast_to(np.float64(np.nan), (n,))
            elif col is None:
                col = np.full(n, "", dtype=object)
            col = np.asarray(col, dtype=float if is_float else object)
            if col.shape != (n,):
                raise ValueError(f"column {f.name!r} has {col.shape} values for {n} units")
            col.setflags(write=False)
            object.__setattr__(self, f.name, col)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> "UnitTable":
        e = np.empty(0, dtype=object)
        return cls(e, e, e, e, e, np.empty(0), np.empty(0))

    @classmethod
    def from_records(cls, records: Iterable[Mapping]) -> "UnitTable":
        """Build from dicts with keys id, name, side, affiliation, domain, lon, lat
        (echelon, symbol and the AIR_COLUMNS optional). Convenient for small data sets and tests."""
        rows = list(records)

        def col(key, default=""):
            return np.array([r.get(key, default) for r in rows], dtype=object)

        def number(key):
            return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=float)

        return cls(col("id"), col("name"), col("side"), col("affiliation", "unknown"),
                   col("domain", "ground"), np.array([float(r["lon"]) for r in rows]),
                   np.array([float(r["lat"]) for r in rows]), col("echelon"), col("symbol"),
                   *(number(c) for c in AIR_COLUMNS))

    def index_of(self, unit_id: str) -> int:
        hits = np.flatnonzero(self.ids == unit_id)
        if not len(hits):
            raise KeyError(unit_id)
        return int(hits[0])

    def side_codes(self, sides: tuple[str, ...]) -> np.ndarray:
        """int8 code per unit: index into `sides`, or -1 for a side not listed."""
        codes = np.full(len(self), -1, dtype=np.int8)
        for i, s in enumerate(sides):
            codes[self.sides == s] = i
        return codes

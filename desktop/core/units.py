"""Units as columns: one numpy array per attribute, never one object per unit."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Iterable, Mapping

import numpy as np

AFFILIATIONS = ("friend", "hostile", "neutral", "unknown")
DOMAINS = ("ground", "air")


@dataclass(frozen=True, eq=False)
class UnitTable:
    """Tracked units. String columns are object arrays; positions are float64 degrees."""

    ids: np.ndarray
    names: np.ndarray
    sides: np.ndarray
    affiliations: np.ndarray
    domains: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    echelons: np.ndarray = field(default=None)  # type: ignore[assignment]
    symbols: np.ndarray = field(default=None)   # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.ids)
        for f in fields(self):
            col = getattr(self, f.name)
            if col is None:
                col = np.full(n, "", dtype=object)
            dtype = float if f.name in ("lon", "lat") else object
            col = np.asarray(col, dtype=dtype)
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
        (echelon, symbol optional). Convenient for small data sets and tests."""
        rows = list(records)

        def col(key, default=""):
            return np.array([r.get(key, default) for r in rows], dtype=object)

        return cls(col("id"), col("name"), col("side"), col("affiliation", "unknown"),
                   col("domain", "ground"), np.array([float(r["lon"]) for r in rows]),
                   np.array([float(r["lat"]) for r in rows]), col("echelon"), col("symbol"))

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

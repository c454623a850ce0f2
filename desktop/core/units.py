"""Units as columns: one numpy array per attribute, never one object per unit.

Text is stored compactly (desktop.core.text_columns): ids and names as NumPy StringDType
arrays (16 bytes a unit), the columns of few distinct values (side, affiliation, domain,
echelon, symbol code, higher formation) as `Categorical` codes into shared categories (a
byte a unit). A million units with their positions take about 53 MB instead of about 250 MB of Python
strings and object arrays.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Iterable, Mapping

import numpy as np

from desktop.core.text_columns import STRING, Categorical, StringIndex, repeats, strings

AFFILIATIONS = ("friend", "hostile", "neutral", "unknown")
DOMAINS = ("ground", "air")
# Optional aircraft state (desktop.core.air): altitude in feet MSL, course in degrees true,
# speed in knots; NaN where not known (every ground unit, an aircraft without the report).
AIR_COLUMNS = ("alt_ft", "course_deg", "speed_kt")
_FLOAT_COLUMNS = ("lon", "lat") + AIR_COLUMNS
TEXT_COLUMNS = ("ids", "names")  # StringDType
CATEGORICAL_COLUMNS = ("sides", "affiliations", "domains", "echelons", "symbols", "higher_formations")


@dataclass(frozen=True, eq=False)
class UnitTable:
    """Tracked units. `ids` and `names` are StringDType arrays; the other text columns are
    Categorical (desktop.core.text_columns), which compare, index and convert as arrays of
    str do. Positions are float64 degrees; the AIR_COLUMNS are float64 (NaN when unknown).
    Every column is read-only. Columns may be given as any array or list of text."""

    ids: np.ndarray
    names: np.ndarray
    sides: Categorical
    affiliations: Categorical
    domains: Categorical
    lon: np.ndarray
    lat: np.ndarray
    echelons: Categorical = field(default=None)  # type: ignore[assignment]
    symbols: Categorical = field(default=None)   # type: ignore[assignment]
    alt_ft: np.ndarray = field(default=None)     # type: ignore[assignment]
    course_deg: np.ndarray = field(default=None)  # type: ignore[assignment]
    speed_kt: np.ndarray = field(default=None)   # type: ignore[assignment]
    # The formation a unit belongs to (MIL-STD-2525 field M, e.g. "3/1 SDF"); "" when not given.
    higher_formations: Categorical = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.ids)
        for f in fields(self):
            col = getattr(self, f.name)
            if f.name in _FLOAT_COLUMNS:
                if col is None:  # a column not given costs no memory: one NaN, strided 0
                    col = np.broadcast_to(np.float64(np.nan), (n,))
                col = np.asarray(col, dtype=float)
            elif f.name in CATEGORICAL_COLUMNS:
                col = Categorical.full(n) if col is None else Categorical.of(col)
            else:
                col = np.full(n, "", dtype=STRING) if col is None else strings(col)
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
        (echelon, symbol, higher_formation and the AIR_COLUMNS optional). Convenient for small data sets and tests."""
        rows = list(records)

        def col(key, default=""):
            return np.array([r.get(key, default) for r in rows], dtype=object)

        def number(key):
            return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=float)

        return cls(col("id"), col("name"), col("side"), col("affiliation", "unknown"),
                   col("domain", "ground"), np.array([float(r["lon"]) for r in rows]),
                   np.array([float(r["lat"]) for r in rows]), col("echelon"), col("symbol"),
                   *(number(c) for c in AIR_COLUMNS), col("higher_formation"))

    @cached_property
    def _id_index(self) -> StringIndex:
        return StringIndex(self.ids)

    def extended(self, **columns: np.ndarray) -> "UnitTable":
        """This table with rows appended: `columns` (field name -> values; `ids` needed) give
        the new rows' values, the fields not given are blank (NaN for numbers)."""
        n = len(columns["ids"])
        out = {}
        for f in fields(self):
            mine, extra = getattr(self, f.name), columns.get(f.name)
            if f.name in CATEGORICAL_COLUMNS:
                out[f.name] = Categorical.concat([mine, Categorical.full(n) if extra is None else Categorical.of(extra)])
            elif f.name in _FLOAT_COLUMNS:
                out[f.name] = np.concatenate([mine, np.full(n, np.nan) if extra is None else np.asarray(extra, float)])
            else:
                out[f.name] = np.concatenate([mine, np.full(n, "", dtype=STRING) if extra is None else strings(extra)])
        return UnitTable(**out)

    def index_of(self, unit_id: str) -> int:
        hits = np.flatnonzero(self.ids == unit_id) if isinstance(unit_id, str) else ()
        if not len(hits):
            raise KeyError(unit_id)
        return int(hits[0])

    def first_repeated_id(self) -> int:
        """The first row whose id an earlier row holds, or -1 (by the index rows_of keeps)."""
        keys = self._id_index.sorted
        if not (keys[1:] == keys[:-1]).any():
            return -1
        rows = np.flatnonzero(repeats(self.ids) >= 0)
        return int(rows[0]) if len(rows) else -1

    def rows_of(self, unit_ids, id_keys: np.ndarray | None = None) -> np.ndarray:
        """The row of each of `unit_ids` (any array or list of text), -1 for an id the
        table does not hold. Hashes, not a dict: a million ids in a fraction of a second.
        `id_keys`: text_columns.keys(unit_ids), when already made."""
        return self._id_index.rows_of(unit_ids, id_keys)

    def side_codes(self, sides: tuple[str, ...]) -> np.ndarray:
        """int8 code per unit: index into `sides`, or -1 for a side not listed."""
        cats = self.sides.categories.tolist()
        lookup = np.array([sides.index(c) if c in sides else -1 for c in cats] or [-1], dtype=np.int8)
        return lookup[self.sides.codes]

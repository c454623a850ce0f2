"""Questions about line revisions that need the document: the document at a time, and
which units change side between two revisions. Above the document (it imports this
module nowhere), as the time cursor is.

- `document_at(doc, t)`: a static snapshot Document of the units where their tracks put
  them at t, cut by the line in force at t; every answer (sectors, distances, flags,
  reports) then comes from the ordinary classification machinery.
- `diff(doc, a, b)`: the units that end up on another side of the line under revision b
  than under a, with their sectors and distances under both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from desktop.core.document import Document
from desktop.core.line import DeconflictionLine
from desktop.core.measure_units import from_km
from desktop.core.revisions import LineRevision, RevisionError
from desktop.core.tracks import as_epoch, format_time, units_at
from desktop.core.units import UnitTable


def _positions(doc: Document, at, interpolate: bool) -> UnitTable:
    return doc.units if at is None else units_at(doc.units, doc.tracks, at, interpolate)


def _snapshot(doc: Document, line: DeconflictionLine, units: UnitTable) -> Document:
    return Document(doc.ao, line, units, doc.sides, buffer_km=doc.buffer_km, title=doc.title,
                    places=doc.places)


def document_at(doc: Document, t, *, line: DeconflictionLine | None = None, interpolate: bool = False) -> Document:
    """A snapshot Document: doc's units where their tracks put them at t (NaN, hence in no
    sector, before their first report or without one), cut by `line` or
    else by the revision in force at t. Same AO, sides, buffer; no calls, tracks or revisions.
    Raises RevisionError when no line is given and no agreed revision is in force at t."""
    if line is None:
        rev = doc.revisions.in_force_at(t)
        if rev is None:
            first = doc.revisions.agreed()
            why = (f"the first agreed one takes effect at {format_time(first[0].effective)}" if first
                   else "none is agreed")
            raise RevisionError(f"no line revision is in force at {format_time(as_epoch(t))} ({why})")
        line = rev.line
    return _snapshot(doc, line, _positions(doc, t, interpolate))


@dataclass(frozen=True, eq=False)
class SectorChanges:
    """Units whose side of the line differs between revisions a and b, as columns.

    A sector's identity across two lines is its owner (ids are renumbered per line), so a
    unit "changes sector" when the owner of the sector it stands in differs, entering or
    leaving every sector included (owner None). Sector ids/names are those of each line."""

    a: LineRevision
    b: LineRevision
    rows: np.ndarray            # indices into the unit table
    ids: np.ndarray
    names: np.ndarray
    sides: np.ndarray
    sector_a: np.ndarray        # sector id under a (None: in no sector)
    sector_b: np.ndarray
    owner_a: np.ndarray
    owner_b: np.ndarray
    distance_a_km: np.ndarray
    distance_b_km: np.ndarray
    wrong_side_a: np.ndarray
    wrong_side_b: np.ndarray

    FIELDS: ClassVar[tuple[str, ...]] = ("id", "name", "side", "sector_a", "owner_a", "sector_b", "owner_b",
                                         "distance_a_km", "distance_b_km", "wrong_side_a", "wrong_side_b")

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def fields(cls, distance_unit: str = "km") -> tuple[str, ...]:
        """FIELDS, with the distances also in `distance_unit` ("nmi", "mi") after the km ones."""
        if distance_unit == "km":
            return cls.FIELDS
        at = cls.FIELDS.index("distance_b_km") + 1
        return cls.FIELDS[:at] + (f"distance_a_{distance_unit}", f"distance_b_{distance_unit}") + cls.FIELDS[at:]

    def columns(self, distance_unit: str = "km") -> dict[str, list]:
        """`fields(distance_unit)` as lists (distances rounded to three decimals: metres in
        km; NaN -> None)."""
        def rounded(v):
            r = np.round(v, 3)
            return [None if np.isnan(x) else x for x in r.tolist()]
        cols = {"id": self.ids.tolist(), "name": self.names.tolist(), "side": self.sides.tolist(),
                "sector_a": self.sector_a.tolist(), "owner_a": self.owner_a.tolist(),
                "sector_b": self.sector_b.tolist(), "owner_b": self.owner_b.tolist(),
                "distance_a_km": rounded(self.distance_a_km), "distance_b_km": rounded(self.distance_b_km),
                "wrong_side_a": self.wrong_side_a.tolist(), "wrong_side_b": self.wrong_side_b.tolist()}
        if distance_unit != "km":
            for which, km in (("a", self.distance_a_km), ("b", self.distance_b_km)):
                cols[f"distance_{which}_{distance_unit}"] = rounded(from_km(np.asarray(km, float), distance_unit))
        return cols


def _labels(analysis, attr: str) -> np.ndarray:
    """Per unit, attribute `attr` of its sector (None outside every sector)."""
    table = np.array([getattr(s, attr) for s in analysis.sectors.sectors] + [None], dtype=object)
    return table[np.asarray(analysis.classification.sector, dtype=np.intp)]  # -1 -> the None


def diff(doc: Document, a: LineRevision | str, b: LineRevision | str, *, at=None,
         interpolate: bool = False) -> SectorChanges:
    """Units whose sector (owner) changes between revisions `a` and `b` (objects or ids in
    doc.revisions), at the units' current positions or, with `at`, where their tracks put
    them at that time. Both lines classify the same positions, with doc's AO, sides and
    buffer."""
    a = doc.revisions.get(a) if isinstance(a, str) else a
    b = doc.revisions.get(b) if isinstance(b, str) else b
    snap = _snapshot(doc, a.line, _positions(doc, at, interpolate))
    an_a = snap.analysis
    an_b = snap.analyse(b.line)  # incremental from an_a where that pays; identical answers
    owner_a, owner_b = _labels(an_a, "owner"), _labels(an_b, "owner")
    rows = np.flatnonzero(owner_a != owner_b)
    units = snap.units
    ca, cb = an_a.classification, an_b.classification
    return SectorChanges(a, b, rows, units.ids[rows], units.names[rows], units.sides[rows],
                         _labels(an_a, "id")[rows], _labels(an_b, "id")[rows], owner_a[rows], owner_b[rows],
                         ca.distance_km[rows], cb.distance_km[rows], ca.wrong_side[rows], cb.wrong_side[rows])

"""Line revisions: saved versions of the line, each with the time it takes effect, its
state and the hotline call that agreed it; and the questions asked of them over time.

- `RevisionLog.in_force_at(t)`: the latest agreed revision whose effective time is at or
  before t (at t == effective time the new revision is already in force).
- `document_at(doc, t)`: a static snapshot Document of the units where their tracks put
  them at t, cut by the line in force at t; every answer (sectors, distances, flags,
  reports) then comes from the ordinary classification machinery.
- `diff(doc, a, b)`: the units that end up on another side of the line under revision b
  than under a, with their sectors and distances under both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterator

import numpy as np

from desktop.core.line import DeconflictionLine
from desktop.core.tracks import as_epoch, format_time, units_at
from desktop.core.units import UnitTable

if TYPE_CHECKING:  # document.py imports this module
    from desktop.core.document import Document

PROPOSED, AGREED, SUPERSEDED = "proposed", "agreed", "superseded"
STATES = (PROPOSED, AGREED, SUPERSEDED)


class RevisionError(ValueError):
    """An unknown revision, or a time at which no agreed revision is in force."""


@dataclass(frozen=True, eq=False)
class LineRevision:
    """One version of the line.

    state: `proposed` (tabled, not agreed: never in force), `agreed`, or `superseded`
    (agreed, later replaced: it stays in force over its own period, so questions about the
    past keep their answers). `call_id` is the call that agreed it (for a proposal, the call
    that tabled it); "" if none is logged."""

    id: str
    line: DeconflictionLine
    effective: int          # epoch seconds UTC
    state: str = AGREED
    note: str = ""
    call_id: str = ""

    def __post_init__(self) -> None:
        if self.state not in STATES:
            raise ValueError(f"revision {self.id!r}: state {self.state!r} is not one of {', '.join(STATES)}")
        if not isinstance(self.line, DeconflictionLine):
            object.__setattr__(self, "line", DeconflictionLine(self.line))
        object.__setattr__(self, "effective", as_epoch(self.effective))

    @property
    def was_agreed(self) -> bool:
        return self.state in (AGREED, SUPERSEDED)


class RevisionLog:
    """Revisions ordered by effective time (stably: of two agreed revisions effective at
    the same second, the one listed later is in force)."""

    def __init__(self, revisions=()) -> None:
        revs = sorted(revisions, key=lambda r: r.effective)
        ids = [r.id for r in revs]
        dup = next((i for i in ids if ids.count(i) > 1), None)
        if dup is not None:
            raise ValueError(f"two line revisions have the id {dup!r}")
        self._revisions = tuple(revs)
        self._by_id = {r.id: r for r in revs}
        agreed = [r for r in revs if r.was_agreed]
        self._agreed = tuple(agreed)
        self._agreed_times = np.array([r.effective for r in agreed], dtype=np.int64)

    def __len__(self) -> int:
        return len(self._revisions)

    def __iter__(self) -> Iterator[LineRevision]:
        return iter(self._revisions)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, revision_id: str) -> LineRevision:
        try:
            return self._by_id[revision_id]
        except KeyError:
            have = ", ".join(self._by_id) or "none"
            raise RevisionError(f"no line revision {revision_id!r} (revisions: {have})") from None

    def in_force_at(self, t) -> LineRevision | None:
        """The latest agreed revision with effective time <= t, or None before the first."""
        k = int(np.searchsorted(self._agreed_times, as_epoch(t), side="right")) - 1
        return self._agreed[k] if k >= 0 else None

    def in_force_index(self, times) -> np.ndarray:
        """Vectorised in_force_at for a column of epoch seconds: per time, the position in
        `agreed()` of the revision in force, -1 before the first (timeline shading)."""
        return np.searchsorted(self._agreed_times, np.asarray(times, dtype=np.int64), side="right") - 1

    def agreed(self) -> tuple[LineRevision, ...]:
        """Revisions that were in force at some time, by effective time."""
        return self._agreed


def _positions(doc: Document, at, interpolate: bool) -> UnitTable:
    return doc.units if at is None else units_at(doc.units, doc.tracks, at, interpolate)


def _snapshot(doc: Document, line: DeconflictionLine, units: UnitTable) -> Document:
    from desktop.core.document import Document  # document.py imports this module
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

    def columns(self) -> dict[str, list]:
        """FIELDS as lists (distances rounded to metres, NaN -> None)."""
        def km(v):
            r = np.round(v, 3)
            return [None if np.isnan(x) else x for x in r.tolist()]
        return {"id": self.ids.tolist(), "name": self.names.tolist(), "side": self.sides.tolist(),
                "sector_a": self.sector_a.tolist(), "owner_a": self.owner_a.tolist(),
                "sector_b": self.sector_b.tolist(), "owner_b": self.owner_b.tolist(),
                "distance_a_km": km(self.distance_a_km), "distance_b_km": km(self.distance_b_km),
                "wrong_side_a": self.wrong_side_a.tolist(), "wrong_side_b": self.wrong_side_b.tolist()}


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

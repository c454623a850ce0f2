"""Line revisions: saved versions of the line, each with the time it takes effect, its
state and the hotline call that agreed it. Plain values below the document; the questions
that need a document (a snapshot at a time, the diff of two revisions) are in
desktop.core.revision_diff.

- `RevisionLog.in_force_at(t)`: the latest agreed revision whose effective time is at or
  before t (at t == effective time the new revision is already in force).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from desktop.core.line import DeconflictionLine
from desktop.core.tracks import as_epoch

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

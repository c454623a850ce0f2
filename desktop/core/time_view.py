"""The document at a past time: what `Document.set_time_view` shows instead of the live
state. A plain value: the time cursor (desktop.core.time_cursor) makes them."""
from __future__ import annotations

from dataclasses import dataclass

from desktop.core.line import DeconflictionLine
from desktop.core.revisions import LineRevision
from desktop.core.units import UnitTable


@dataclass(frozen=True, eq=False)
class TimeView:
    """The document at a past time: what `Document.set_time_view` shows."""

    time: int                       # epoch seconds UTC
    units: UnitTable                # positions at `time` (NaN before a unit's first report, or without one)
    revision: LineRevision | None   # whose line is shown (see `note`)
    line: DeconflictionLine
    note: str = ""                  # "" when `revision` is in force at `time`

    @property
    def in_force(self) -> bool:
        return self.revision is not None and not self.note

"""What is selected: units (shared by the map, the sectors panel and the timeline) and one
hotline call (the timeline's; the map highlights its units and place)."""
from __future__ import annotations

import numpy as np

from desktop.core.events import Signal


class Selection:
    """Selected unit indices (into the document's UnitTable). `changed(source)` fires with
    the object that made the change, so a view can ignore its own echo."""

    def __init__(self) -> None:
        self._units = np.empty(0, dtype=np.int64)
        self._call: str | None = None
        self.changed = Signal()
        self.call_changed = Signal()  # (source), like `changed`

    @property
    def units(self) -> np.ndarray:
        return self._units

    def set_units(self, indices, source: object = None) -> None:
        new = np.unique(np.asarray(indices, dtype=np.int64))
        if not np.array_equal(new, self._units):
            self._units = new
            self.changed.emit(source)

    def clear(self, source: object = None) -> None:
        self.set_units([], source)

    @property
    def call(self) -> str | None:
        """Id of the selected hotline call, or None."""
        return self._call

    def set_call(self, call_id: str | None, source: object = None) -> None:
        if call_id != self._call:
            self._call = call_id
            self.call_changed.emit(source)

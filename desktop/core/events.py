"""A minimal observer signal, so the core can announce changes without knowing about Qt, and
the bag of connections an observer makes, undone in one call when it closes.

Why not psygnal: the core's signals are a few dozen lines with the semantics the views
rely on (strong references, connection order); what was missing is teardown by owner, as
napari does it (`disconnect_events(layer.events, self)` in `_vispy/layers/base.py`).
`Connections` gives that for core signals and Qt signals alike, so a layer, panel or tool
lists nothing twice and its `close()` undoes everything; weak references would hide a
missing close instead of making it one call.
"""
from __future__ import annotations

from typing import Any, Callable


class Signal:
    """Holds callbacks and calls them in connection order on `emit`."""

    def __init__(self) -> None:
        self._slots: list[Callable[..., Any]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        if slot not in self._slots:
            self._slots.append(slot)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        if slot in self._slots:
            self._slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self._slots):
            slot(*args)

    def __len__(self) -> int:
        """How many callbacks are connected."""
        return len(self._slots)


class Connections:
    """What one owner (a layer, panel or tool) connected: `connect` records each link,
    `disconnect_all` removes them all. Works with core `Signal`s and Qt signals (anything
    with connect/disconnect taking the same callable)."""

    def __init__(self) -> None:
        self._links: list[tuple[Any, Callable[..., Any]]] = []

    def connect(self, signal: Any, slot: Callable[..., Any]) -> None:
        signal.connect(slot)
        self._links.append((signal, slot))

    def disconnect_all(self) -> None:
        links, self._links = self._links, []
        for signal, slot in reversed(links):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):  # a Qt object already deleted, or already undone
                pass

    def __len__(self) -> int:
        return len(self._links)

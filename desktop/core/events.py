"""A minimal observer signal, so the core can announce changes without knowing about Qt."""
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

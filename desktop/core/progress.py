"""Progress reporting and cancellation for long core operations (saving, opening, importing).

A long operation takes an optional `progress(fraction, message)` callback and calls it now
and then; the callback may raise `Cancelled` (the user pressed Cancel), which the operation
lets through after undoing nothing: operations only build new objects, so a cancelled one
leaves the document exactly as it was.
"""
from __future__ import annotations

from typing import Callable

Progress = Callable[[float, str], None]


class Cancelled(Exception):
    """The user cancelled a long operation."""


def step(progress: Progress | None, fraction: float, message: str = "") -> None:
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0), message)

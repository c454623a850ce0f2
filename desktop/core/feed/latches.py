"""Fire-once latches: an alert fires once, then stays quiet until its condition has clearly
gone away for a while.

A latch is keyed by (subject, kind) or (subject, kind, other): a unit and "enter_buffer",
or (later) an aircraft, "conflict" and the other aircraft. `fire` sets it and says whether
this was the first time; `release` reports the condition gone at time t and re-arms the
latch only once it has stayed gone for `dwell_s` (any `hold` in between, the condition
back or not clearly gone, starts the wait again). Times are the reports' own, in seconds.
"""
from __future__ import annotations

from typing import Hashable, Iterator

Key = tuple[Hashable, ...]


class Latches:
    def __init__(self) -> None:
        self._set: dict[Key, tuple[float, float] | None] = {}   # key -> (gone since, dwell) or None
        self._per_subject: dict[Hashable, int] = {}             # how many latches each subject has set

    def __contains__(self, key: Key) -> bool:
        return key in self._set

    def __len__(self) -> int:
        return len(self._set)

    def holds(self, subject: Hashable) -> bool:
        """Whether any latch of `subject` is set (if none is, a quiet report changes nothing)."""
        return subject in self._per_subject

    def fire(self, key: Key) -> bool:
        """The condition holds: True if the latch was armed (the alert fires), then set."""
        first = key not in self._set
        self.latch(key)
        return first

    def latch(self, key: Key) -> None:
        """Set without an alert (a baseline: the condition held before anyone watched)."""
        if key not in self._set:
            self._per_subject[key[0]] = self._per_subject.get(key[0], 0) + 1
        self._set[key] = None

    def _unset(self, key: Key) -> None:
        del self._set[key]
        left = self._per_subject.pop(key[0]) - 1
        if left:
            self._per_subject[key[0]] = left

    def hold(self, key: Key) -> None:
        """The condition may still hold: a pending release starts over."""
        if key in self._set:
            self._set[key] = None

    def release(self, key: Key, t: float, dwell_s: float) -> bool:
        """The condition is clearly gone at t: True when the latch re-arms now (gone for
        `dwell_s` since the first such report)."""
        if key not in self._set:
            return False
        pending = self._set[key]
        since = pending[0] if pending is not None else t
        if t - since >= dwell_s:
            self._unset(key)
            return True
        self._set[key] = (since, dwell_s)
        return False

    def due(self, now: float) -> Iterator[tuple[Key, float]]:
        """Re-arm the latches whose release has waited out its dwell by `now`; yields each
        key with the time it re-armed (gone since + dwell). For subjects that stopped
        reporting after their condition went away."""
        ready = [(k, p[0] + p[1]) for k, p in self._set.items() if p is not None and now - p[0] >= p[1]]
        for key, at in ready:
            self._unset(key)
            yield key, at

    def clear(self) -> None:
        """Drop every latch (before a new baseline)."""
        self._set.clear()
        self._per_subject.clear()

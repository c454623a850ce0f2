"""From received payloads to a batch of unit reports, counting and logging what is refused.

An `Intake` belongs to one feed. The transport hands it each datagram or stream frame as it
arrives; the live picture takes the accepted reports as an `EventBatch` (columns) whenever
it is ready for them, so 5,000 events a second cost one table update per batch, not one
per event. Nothing a sender does stops the feed: a malformed, oversized, impossible or
stale event is counted under its reason and logged (rate-limited), and the next one is read.
Events that are not units (drawings, chat, pings) are counted as ignored.
"""
from __future__ import annotations

import logging
import time as _time
from operator import attrgetter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from desktop.core.feed.cot import MAX_EVENT_BYTES, REASONS, CotError, CotEvent, check, event_from_message, parse_event
from desktop.core.feed.protocol import classify_datagram, parse_message

log = logging.getLogger(__name__)
LOG_EVERY_S = 10.0   # after the first few, one refusal message per reason this often
LOG_FIRST = 5

_FLOATS = ("time", "start", "stale", "lat", "lon", "hae", "ce", "course", "speed", "received")
_TEXTS = ("uid", "type", "callsign", "group")


@dataclass
class FeedCounters:
    """What one feed has seen since it started (read by status displays)."""

    packets: int = 0       # datagrams and stream frames received
    accepted: int = 0      # unit reports handed on
    ignored: int = 0       # well-formed events that are not units
    rejected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))

    @property
    def refused(self) -> int:
        return sum(self.rejected.values())

    def copy(self) -> "FeedCounters":
        return FeedCounters(self.packets, self.accepted, self.ignored, dict(self.rejected))


@dataclass(frozen=True, eq=False)
class EventBatch:
    """Accepted unit reports in arrival order, one numpy column per field; `received` is the
    wall-clock time each one arrived (for latency figures)."""

    uid: np.ndarray
    type: np.ndarray
    callsign: np.ndarray
    group: np.ndarray
    time: np.ndarray
    start: np.ndarray
    stale: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    hae: np.ndarray
    ce: np.ndarray
    course: np.ndarray
    speed: np.ndarray
    received: np.ndarray

    def __len__(self) -> int:
        return len(self.uid)

    @classmethod
    def of(cls, events: list[CotEvent], received: list[float]) -> "EventBatch":
        # One C-level getter call per event, then the columns (a Python pass per column over
        # thousands of events a second would cost more than the alerts).
        names = _TEXTS + _FLOATS[:-1]
        rows = list(map(attrgetter(*names), events))
        columns = list(zip(*rows)) if rows else [()] * len(names)
        cols = {}
        for name, values in zip(names, columns):
            if name in _TEXTS:
                cols[name] = np.empty(len(values), dtype=object)
                cols[name][:] = values
            else:
                cols[name] = np.array(values, dtype=float)
        cols["received"] = np.asarray(received, dtype=float)
        return cls(**cols)

    @classmethod
    def empty(cls) -> "EventBatch":
        return cls.of([], [])


class Intake:
    """Turns payloads into accepted reports. Not thread-safe: the transport serialises calls
    (`desktop.transport` holds a lock around it)."""

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES, clock: Callable[[], float] = _time.time) -> None:
        self.max_event_bytes = max_event_bytes
        self.clock = clock
        self.counters = FeedCounters()
        self._events: list[CotEvent] = []
        self._received: list[float] = []
        self._logged: dict[str, tuple[float, int]] = {}   # reason -> (last logged, suppressed since)

    def pending(self) -> int:
        return len(self._events)

    def datagram(self, data: bytes, source: str | tuple = "", at: float | None = None) -> None:
        """One UDP datagram: CoT XML or a TAK protocol v1 mesh message. `source`: the sender
        (text, or an address tuple, written out only if the event is refused); `at`: when it
        arrived (default: now)."""
        self.counters.packets += 1
        try:
            kind, body = classify_datagram(data)
        except CotError as exc:
            self.refuse(exc, source)
            return
        self._decoded(kind, body, source, at)

    def frame(self, kind: str, body, source: str = "", at: float | None = None) -> None:
        """One stream frame from a StreamSession: ("xml", bytes), ("proto", bytes) or
        ("error", CotError)."""
        self.counters.packets += 1
        if kind == "error":
            self.refuse(body, source)
        else:
            self._decoded(kind, body, source, at)

    def _decoded(self, kind: str, body: bytes, source, at: float | None) -> None:
        now = self.clock() if at is None else at   # checks (staleness) as of its arrival
        try:
            if kind == "xml":
                event = parse_event(body, self.max_event_bytes)
            else:
                if len(body) > self.max_event_bytes:
                    raise CotError("oversized", f"a TAK message of {len(body):,} bytes")
                event = event_from_message(parse_message(body))
            if not event.is_unit:
                self.counters.ignored += 1
                return
            self._events.append(check(event, now))
            self._received.append(now)
            self.counters.accepted += 1
        except CotError as exc:
            if exc.reason == "unsupported" and kind == "proto":  # a control-only message
                self.counters.ignored += 1
            else:
                self.refuse(exc, source)
        except Exception as exc:   # noqa: BLE001 - whatever a sender sends costs one event, never the feed
            self.refuse(CotError("malformed", f"not readable ({type(exc).__name__}: {exc})"), source)

    def refuse(self, exc: CotError, source: str | tuple = "") -> None:
        reason = exc.reason if exc.reason in REASONS else "malformed"
        self.counters.rejected[reason] += 1
        now = _time.monotonic()
        last, suppressed = self._logged.get(reason, (-LOG_EVERY_S, 0))
        count = self.counters.rejected[reason]
        if count <= LOG_FIRST or now - last >= LOG_EVERY_S:
            more = f" ({suppressed} more {reason} events not shown)" if suppressed else ""
            if isinstance(source, tuple):
                source = ":".join(map(str, source[:2]))
            log.warning("feed: refused %s event%s: %s%s", reason, f" from {source}" if source else "", exc, more)
            self._logged[reason] = (now, 0)
        else:
            self._logged[reason] = (last, suppressed + 1)

    def take(self) -> EventBatch:
        """The reports accepted since the last call."""
        events, received = self._events, self._received
        self._events, self._received = [], []
        return EventBatch.of(events, received)

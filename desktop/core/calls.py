"""The hotline-call log: calls between the two air operations centres, as columns.

One numpy array per attribute, rows sorted by start time, so a time window is a
`searchsorted` and the timeline can draw thousands of calls without one object per call.
A call may name the units it concerns; those links are stored flat (`unit_ids`) with
per-call offsets, so "calls about unit X" is one vectorised comparison. CSV interchange is
in `desktop.core.calls_csv`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Iterable, Mapping, Sequence

import numpy as np

from desktop.core._grid_index import ranges_to_index
from desktop.core.tracks import as_epoch, as_epoch_array, format_time

CATEGORIES = ("airspace notification", "ground line", "incident", "line negotiation", "routine check")
PRIORITIES = ("routine", "priority", "immediate", "flash")  # in increasing urgency
LINK_SEPARATOR = ";"
DAY_S = 86_400

_TEXT = ("ids", "initiator", "from_station", "to_station", "operator", "category", "priority",
         "summary", "outcome", "revision")


MAX_DURATION_S = 366 * DAY_S  # a call longer than a year is a mistake in the file


def duration_seconds(value: object) -> int:
    """A call's duration as read from a file (digits, or a number): whole seconds in
    0..MAX_DURATION_S. ValueError otherwise ('9e999' is inf, which no int holds)."""
    if isinstance(value, str):
        text = value.strip() or "0"
        if not text.isdigit():
            raise ValueError(f"duration_s {value!r} is not a whole number of seconds")
        if len(text) > 12 or int(text) > MAX_DURATION_S:
            raise ValueError(f"duration_s {value[:20]!r} is more than a year")
        return int(text)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or not float(value).is_integer() or value < 0:
        raise ValueError(f"duration_s {value!r} is not a whole number of seconds")
    if value > MAX_DURATION_S:
        raise ValueError(f"duration_s {value!r} is more than a year")
    return int(value)


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def split_links(text: str) -> list[str]:
    """"A;B" -> ["A", "B"] (blanks dropped)."""
    return [p.strip() for p in str(text).split(LINK_SEPARATOR) if p.strip()]


@dataclass(frozen=True, eq=False)
class CallLog:
    """Hotline calls sorted by start (epoch seconds UTC). String columns are object
    arrays ("" when empty); lon/lat are NaN for a call tied to no place; `revision` is the
    id of the line revision the call agreed or tabled ("" for none).

    Call i concerns the units `unit_ids[unit_offsets[i]:unit_offsets[i + 1]]`. Build with
    `from_columns`, which sorts and accepts links as "A;B" strings."""

    ids: np.ndarray
    start: np.ndarray
    duration_s: np.ndarray
    initiator: np.ndarray      # the side that placed the call
    from_station: np.ndarray   # the calling station
    to_station: np.ndarray
    operator: np.ndarray       # duty officer / linguist on our end
    category: np.ndarray       # one of CATEGORIES
    priority: np.ndarray       # one of PRIORITIES
    summary: np.ndarray
    outcome: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    revision: np.ndarray
    unit_ids: np.ndarray = field(default=None)      # type: ignore[assignment]
    unit_offsets: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.ids)
        for f in fields(self):
            col = getattr(self, f.name)
            if f.name == "unit_ids":
                col = np.empty(0, dtype=object) if col is None else np.asarray(col, dtype=object)
            elif f.name == "unit_offsets":
                col = np.zeros(n + 1, dtype=np.int64) if col is None else np.asarray(col, dtype=np.int64)
            elif f.name == "start":
                col = as_epoch_array(col)
            elif f.name == "duration_s":
                col = np.asarray(col)
                if col.size and not (np.all(np.isfinite(col)) and np.all(np.abs(col) <= MAX_DURATION_S)):
                    raise ValueError(f"a call's duration is not a number of seconds up to a year "
                                     f"({col[~(np.isfinite(col) & (np.abs(col) <= MAX_DURATION_S))][0]!r})")
                col = col.astype(np.int64)
            elif f.name in ("lon", "lat"):
                col = np.asarray(col, dtype=float)
            else:
                col = np.asarray(col, dtype=object)
            want = {"unit_ids": col.shape, "unit_offsets": (n + 1,)}.get(f.name, (n,))
            if col.shape != want:
                raise ValueError(f"column {f.name!r} has shape {col.shape}, expected {want}")
            object.__setattr__(self, f.name, _frozen(col))
        off = self.unit_offsets
        if off[0] != 0 or off[-1] != len(self.unit_ids) or np.any(np.diff(off) < 0):
            raise ValueError("unit_offsets must rise from 0 to len(unit_ids)")
        if n > 1 and np.any(np.diff(self.start) < 0):
            raise ValueError("calls must be sorted by start; use CallLog.from_columns")
        if np.any(self.duration_s < 0):
            raise ValueError("a call has a negative duration")
        for name, allowed in (("category", CATEGORIES), ("priority", PRIORITIES)):
            bad = ~np.isin(getattr(self, name), allowed)
            if bad.any():
                value = getattr(self, name)[np.argmax(bad)]
                raise ValueError(f"call {self.ids[np.argmax(bad)]!r}: {name} {value!r} is not one of "
                                 f"{', '.join(allowed)}")

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_columns(cls, *, ids, start, duration_s=None, initiator=None, from_station=None,
                     to_station=None, operator=None, category=None, priority=None, summary=None,
                     outcome=None, units: Sequence[str | Iterable[str]] | None = None, lon=None,
                     lat=None, revision=None) -> "CallLog":
        """Calls in any order; sorted here by start (stably). `units` per call: "A;B" or a
        list of ids. Missing columns default to "", 0 s, "routine check", "routine", NaN."""
        n = len(ids)

        def text(col, default=""):
            return np.full(n, default, dtype=object) if col is None else np.asarray(col, dtype=object)

        links = [split_links(u) if isinstance(u, str) else [str(x) for x in u]
                 for u in (units if units is not None else [()] * n)]
        counts = np.array([len(x) for x in links], dtype=np.int64)
        flat = np.array([x for row in links for x in row], dtype=object)
        nan = np.full(n, np.nan)
        start = as_epoch_array(start)
        order = np.argsort(start, kind="stable")
        off = np.concatenate([[0], np.cumsum(counts)])
        flat_sorted = flat[ranges_to_index(off[:-1][order], off[1:][order])] if len(flat) else flat
        cols = dict(ids=text(ids), initiator=text(initiator), from_station=text(from_station),
                    to_station=text(to_station), operator=text(operator),
                    category=text(category, "routine check"), priority=text(priority, "routine"),
                    summary=text(summary), outcome=text(outcome), revision=text(revision))
        return cls(**{k: v[order] for k, v in cols.items()}, start=start[order],
                   duration_s=(np.zeros(n, np.int64) if duration_s is None else np.asarray(duration_s))[order],
                   lon=(nan if lon is None else np.asarray(lon, dtype=float))[order],
                   lat=(nan if lat is None else np.asarray(lat, dtype=float))[order],
                   unit_ids=flat_sorted, unit_offsets=np.concatenate([[0], np.cumsum(counts[order])]))

    @classmethod
    def from_records(cls, records: Iterable[Mapping]) -> "CallLog":
        """Calls from `record()`-style dicts: start as ISO 8601 text or epoch seconds, units as
        a list or "A;B", lon/lat None or NaN for no place; absent keys take the defaults."""
        rows = list(records)

        def col(key, default=""):
            return [default if r.get(key) is None else r[key] for r in rows]

        def degrees(key):
            return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows])

        return cls.from_columns(
            ids=col("id"), start=np.array([as_epoch(r["start"]) for r in rows], dtype=np.int64),
            duration_s=np.array(col("duration_s", 0), dtype=np.int64), units=col("units", ()),
            category=col("category", "routine check"), priority=col("priority", "routine"),
            lon=degrees("lon"), lat=degrees("lat"),
            **{k: col(k) for k in ("initiator", "from_station", "to_station", "operator", "summary", "outcome",
                                   "revision")})

    def changed(self, removed_ids: Iterable[str] = (), added: Iterable[Mapping] = ()) -> "CallLog":
        """A new log without the calls `removed_ids` and with the `added` records (validated
        as `from_records`), in start order. Raises ValueError for an id that is not in the log
        or that would be there twice."""
        removed = np.array(list(removed_ids), dtype=object)
        missing = removed[~np.isin(removed, self.ids)] if len(removed) else removed
        if len(missing):
            raise ValueError(f"no call {missing[0]!r} in the log")
        new = CallLog.from_records(added)
        kept = self.take(~np.isin(self.ids, removed)) if len(removed) else self
        ids = np.concatenate([kept.ids, new.ids])
        uniq, counts = np.unique(ids.astype(str), return_counts=True)
        if np.any(counts > 1):
            raise ValueError(f"a call with the id {str(uniq[np.argmax(counts > 1)])!r} is already in the log")
        start = np.concatenate([kept.start, new.start])
        order = np.argsort(start, kind="stable")
        # Links of both logs, flat, then regrouped in the new call order.
        flat = np.concatenate([kept.unit_ids, new.unit_ids])
        off = np.concatenate([kept.unit_offsets[:-1], new.unit_offsets + len(kept.unit_ids)])
        counts = np.diff(off)[order]
        return CallLog(**{k: np.concatenate([getattr(kept, k), getattr(new, k)])[order] for k in _TEXT},
                       start=start[order], duration_s=np.concatenate([kept.duration_s, new.duration_s])[order],
                       lon=np.concatenate([kept.lon, new.lon])[order], lat=np.concatenate([kept.lat, new.lat])[order],
                       unit_ids=flat[ranges_to_index(off[:-1][order], off[1:][order])],
                       unit_offsets=np.concatenate([[0], np.cumsum(counts)]))

    @classmethod
    def empty(cls) -> "CallLog":
        return cls.from_columns(ids=[], start=np.empty(0, dtype=np.int64))

    def take(self, idx) -> "CallLog":
        """The calls `idx` (indices or a mask), in start order."""
        idx = np.asarray(idx)
        idx = np.flatnonzero(idx) if idx.dtype == bool else np.sort(idx.astype(np.intp))
        off = self.unit_offsets
        counts = off[1:][idx] - off[:-1][idx]
        return CallLog(**{k: getattr(self, k)[idx] for k in _TEXT},
                       start=self.start[idx], duration_s=self.duration_s[idx], lon=self.lon[idx],
                       lat=self.lat[idx], unit_ids=self.unit_ids[ranges_to_index(off[:-1][idx], off[1:][idx])],
                       unit_offsets=np.concatenate([[0], np.cumsum(counts)]))

    # -- queries ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, call_id: str) -> int:
        hits = np.flatnonzero(self.ids == call_id)
        if not len(hits):
            raise KeyError(call_id)
        return int(hits[0])

    def between(self, t0=None, t1=None) -> np.ndarray:
        """Indices of the calls that start in [t0, t1) (either end may be None: open)."""
        lo = 0 if t0 is None else int(np.searchsorted(self.start, as_epoch(t0), side="left"))
        hi = len(self) if t1 is None else int(np.searchsorted(self.start, as_epoch(t1), side="left"))
        return np.arange(lo, max(hi, lo))

    def active_at(self, t) -> np.ndarray:
        """Indices of the calls in progress at t (start <= t < start + duration)."""
        t = as_epoch(t)
        hi = int(np.searchsorted(self.start, t, side="right"))
        return np.flatnonzero(self.start[:hi] + self.duration_s[:hi] > t)

    def linked_to(self, unit_id: str) -> np.ndarray:
        """Indices of the calls that name `unit_id` among their units."""
        return self.linked_to_any([unit_id])

    def linked_to_any(self, unit_ids) -> np.ndarray:
        """Indices of the calls that name any of `unit_ids`, in start order."""
        if not len(unit_ids) or not len(self.unit_ids):
            return np.empty(0, dtype=np.int64)
        hits = np.flatnonzero(np.isin(self.unit_ids, list(unit_ids)))
        return np.unique(np.searchsorted(self.unit_offsets, hits, side="right") - 1)

    def links(self, i: int) -> tuple[str, ...]:
        return tuple(self.unit_ids[self.unit_offsets[i]:self.unit_offsets[i + 1]].tolist())

    def links_text(self) -> list[str]:
        """Per call, its units as "A;B" (for exports)."""
        flat, off = self.unit_ids.tolist(), self.unit_offsets.tolist()
        return [LINK_SEPARATOR.join(flat[a:b]) for a, b in zip(off[:-1], off[1:])]

    def for_revision(self, revision_id: str) -> np.ndarray:
        return np.flatnonzero(self.revision == revision_id)

    def priority_rank(self) -> np.ndarray:
        """int8 per call: index in PRIORITIES (0 routine .. 3 flash), for sorting and colour."""
        rank = np.zeros(len(self), dtype=np.int8)
        for k, p in enumerate(PRIORITIES[1:], start=1):
            rank[self.priority == p] = k
        return rank

    def per_day(self, offset_s: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(days as datetime64[D], calls per day) from the first call's day to the last's,
        days with no call included. `offset_s` shifts to local days (10800 for +03:00)."""
        return per_day(self.start, offset_s)

    def search_text(self) -> np.ndarray:
        """Per call, its id, stations, operator, summary, outcome and units in lower case
        (what the timeline's text filter searches)."""
        links = np.array(self.links_text(), dtype=object)
        parts = (self.ids, self.from_station, self.to_station, self.operator, self.summary, self.outcome, links)
        text = parts[0].astype(str)
        for part in parts[1:]:
            text = np.char.add(np.char.add(text, "\n"), part.astype(str))
        return np.char.lower(text)

    def record(self, i: int) -> dict:
        """Call i as plain data (JSON): times ISO 8601 UTC, units a list, lon/lat or None."""
        lon, lat = float(self.lon[i]), float(self.lat[i])
        has_place = np.isfinite(lon) and np.isfinite(lat)
        return {"id": self.ids[i], "start": format_time(self.start[i]), "duration_s": int(self.duration_s[i]),
                "initiator": self.initiator[i], "from_station": self.from_station[i],
                "to_station": self.to_station[i], "operator": self.operator[i], "category": self.category[i],
                "priority": self.priority[i], "summary": self.summary[i], "outcome": self.outcome[i],
                "units": list(self.links(i)), "lon": lon if has_place else None,
                "lat": lat if has_place else None, "revision": self.revision[i] or None}


def per_day(start: np.ndarray, offset_s: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """CallLog.per_day for any column of sorted start times (e.g. the calls a filter keeps)."""
    if not len(start):
        return np.empty(0, dtype="datetime64[D]"), np.empty(0, dtype=np.int64)
    day = (np.asarray(start, dtype=np.int64) + int(offset_s)) // DAY_S
    first = int(day[0])
    counts = np.bincount(day - first)
    return np.arange(first, first + len(counts)).astype("datetime64[D]"), counts


def filter_mask(calls: CallLog, *, categories: Iterable[str] | None = None, initiators: Iterable[str] | None = None,
                min_priority: str = PRIORITIES[0], text: str = "", search: np.ndarray | None = None) -> np.ndarray:
    """Per call, True when it passes every filter: its category among `categories`, its
    initiator among `initiators` (None: any), at least `min_priority`, and every word of
    `text` in its `search_text()` (pass `search` to reuse one)."""
    keep = np.ones(len(calls), dtype=bool)
    if categories is not None:
        keep &= np.isin(calls.category, list(categories))
    if initiators is not None:
        keep &= np.isin(calls.initiator, list(initiators))
    if min_priority != PRIORITIES[0]:
        keep &= calls.priority_rank() >= PRIORITIES.index(min_priority)
    words = text.lower().split()
    if words:
        haystack = calls.search_text() if search is None else search
        for word in words:
            keep &= np.char.find(haystack, word) >= 0
    return keep

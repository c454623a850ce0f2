"""The one time cursor: what the document shows at a time t, shared by every view.

Two states. **Live** (`TimeCursor.time is None`): the unit table's positions and the
editable line, as before there was a cursor. **Historical** (a time t before the
document's "now"): the units where their tracks put them at t (`tracks.positions_at`: the
last report at or before t), cut by the line revision in force at t, and the sectors and
flags recomputed for that moment. The document shows it as a view state
(`Document.set_time_view`): moving the cursor is not an edit, pushes no command and
changes nothing that is saved; the committed line and units stay as they are, so no
edit is lost, and undo/redo keep working on them while the past is shown.

The CLI answers the same questions with the same functions (`document_at`,
`RevisionLog.in_force_at`, `Tracks.positions_at`); this module adds what only an
interactive view needs: a "now", staleness, trails and stepping.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from desktop.core._grid_index import ranges_to_index
from desktop.core.events import Connections, Signal
from desktop.core.line import DeconflictionLine
from desktop.core.revisions import LineRevision
from desktop.core.time_view import TimeView
from desktop.core.tracks import Tracks, as_epoch, format_time, units_at

if TYPE_CHECKING:
    from desktop.core.document import Document

STALE_AFTER_H = 6.0   # no report for this long: the unit is drawn greyed
TRAIL_HOURS = 12.0
HOUR_S = 3600


def tracked(doc: Document) -> Tracks | None:
    """The document's tracks when they have reports and belong to its unit table."""
    tracks = doc.tracks
    return tracks if len(tracks) and tracks.n_units == len(doc.units) else None


def live_time(doc: Document) -> int | None:
    """The document's "now": its latest position report, else the end of its latest call,
    else the latest agreed revision's effective time; None without any history. The unit
    table holds the positions of that moment, so any time from it on is the live state."""
    tracks = tracked(doc)
    if tracks is not None:
        return tracks.extent[1]
    calls = doc.calls
    if len(calls):
        return int((calls.start + calls.duration_s).max())
    agreed = doc.revisions.agreed()
    return agreed[-1].effective if agreed else None


def shown_time(doc: Document) -> int | None:
    """The moment the document shows: the time view's, else its "now" (None: no history)."""
    view = doc.time_view
    return view.time if view is not None else live_time(doc)


def line_at(doc: Document, t) -> tuple[LineRevision | None, DeconflictionLine, str]:
    """The line shown at t: (revision, its line, note). `note` is "" when the revision is
    in force at t, else says why another line stands in:
    - no revision was ever agreed: the current line (the line has no recorded history);
    - t is before the first agreed revision: that first one, for reference."""
    t = as_epoch(t)
    revision = doc.revisions.in_force_at(t)
    if revision is not None:
        return revision, revision.line, ""
    agreed = doc.revisions.agreed()
    if not agreed:
        return None, doc.line, "no line revision is recorded: showing the current line"
    first = agreed[0]
    return first, first.line, (f"no line was agreed yet: showing the first agreed one ({first.id}, "
                               f"in force from {format_time(first.effective)}) for reference")


def view_at(doc: Document, t, interpolate: bool = False) -> TimeView:
    """The document at time t: units where their tracks put them (nowhere before their
    first report, or without one), and the line of `line_at`."""
    t = as_epoch(t)
    units = units_at(doc.units, doc.tracks, t, interpolate)
    revision, line, note = line_at(doc, t)
    return TimeView(t, units, revision, line, note)


def staleness(doc: Document, t) -> np.ndarray:
    """Per unit, seconds since its last report at or before t; NaN for a unit without
    reports then (or a document without tracks)."""
    tracks = tracked(doc)
    return np.full(len(doc.units), np.nan) if tracks is None else tracks.staleness(t)


@dataclass(frozen=True, eq=False)
class Trails:
    """Trails as columns: one polyline per unit separated by a NaN point; `time` (epoch
    seconds, NaN at the breaks) says when each point was, `unit` whose it is (-1 at breaks)."""

    lon: np.ndarray
    lat: np.ndarray
    time: np.ndarray
    unit: np.ndarray


def trail_table(doc: Document, t, hours: float, units: np.ndarray | None = None,
                interpolate: bool = False) -> Trails:
    """Where `units` (indices; None = all) went in the `hours` before t: per unit its
    position at t - hours (if it had one), its reports in between and its position at t.
    Units with fewer than two points have no trail."""
    tracks = tracked(doc)
    if tracks is None or hours <= 0:
        return Trails(np.empty(0), np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))
    t = as_epoch(t)
    idx = np.arange(tracks.n_units) if units is None else np.asarray(units, dtype=np.int64)
    hi = tracks.last_report(t)[idx]              # the last report at or before t
    lo = tracks.last_report(t - int(hours * HOUR_S))[idx]
    first = tracks.offsets[:-1][idx]
    lo = np.where(lo >= 0, lo, first)            # no report yet at t - hours: start at the first
    has = hi >= 0
    lon_t, lat_t = tracks.positions_at(t, interpolate)
    # Per unit: reports lo..hi, then its position at t, then a NaN break.
    count = np.where(has, hi - lo + 1, 0)
    keep = count + has >= 2
    lo, hi, count, unit = lo[keep], hi[keep], count[keep], idx[keep]
    reports = ranges_to_index(lo, hi + 1)
    n = len(reports) + 2 * len(unit)
    lon, lat, when = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    whose = np.repeat(unit, count + 2)
    ends = np.cumsum(count + 2)                  # one past each unit's NaN break
    slot = np.ones(n, dtype=bool)
    slot[ends - 1] = False                       # the breaks
    slot[ends - 2] = False                       # the positions at t
    lon[slot], lat[slot], when[slot] = tracks.lon[reports], tracks.lat[reports], tracks.time[reports]
    lon[ends - 2], lat[ends - 2], when[ends - 2] = lon_t[unit], lat_t[unit], t
    whose[ends - 1] = -1
    return Trails(lon, lat, when, whose)


def trails(doc: Document, t, hours: float, units: np.ndarray | None = None,
           interpolate: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """`trail_table`'s lon and lat: one polyline per unit, separated by NaN."""
    table = trail_table(doc, t, hours, units, interpolate)
    return table.lon, table.lat


class TimeCursor:
    """The current time of every view, observable. `time` None is the live state.

    Setting a time at or after `now` returns to live. The cursor re-applies itself when the
    revisions change (a new agreed revision may be in force at its time), when the unit
    table is replaced, and when live reports reach back to its time or add units. Live
    reports move "now" on: `now_changed(now)`. `changed(time)` fires after the document
    shows a new moment."""

    def __init__(self, doc: Document, *, interpolate: bool = False, stale_after_h: float = STALE_AFTER_H) -> None:
        self.doc = doc
        self.interpolate = interpolate
        self.stale_after_h = float(stale_after_h)
        self._time: int | None = None
        self._applying = False
        self._stale: tuple[tuple, np.ndarray] | None = None
        self.changed = Signal()   # (time or None)
        self.now_changed = Signal()   # (now): live reports moved "now" on (the time shown did not move)
        self.links = Connections()
        self.links.connect(doc.revisions_changed, self._reapply)
        self.links.connect(doc.time_view_changed, self._on_time_view_changed)
        self.links.connect(doc.live_updated, self._on_live_updated)

    def close(self) -> None:
        """Stop following the document (a cursor made for one export)."""
        self.links.disconnect_all()

    # -- state ---------------------------------------------------------------------------
    @property
    def time(self) -> int | None:
        return self._time

    @property
    def is_live(self) -> bool:
        return self._time is None

    @property
    def now(self) -> int | None:
        return live_time(self.doc)

    @property
    def start(self) -> int | None:
        """The first moment of the document's history (first report or call), None without one."""
        tracks, calls = tracked(self.doc), self.doc.calls
        firsts = ([tracks.extent[0]] if tracks is not None else []) + ([int(calls.start[0])] if len(calls) else [])
        return min(firsts) if firsts else None

    @property
    def shown_time(self) -> int | None:
        """The cursor's time, or `now` when live (None for a document without history)."""
        return self._time if self._time is not None else self.now

    def stale(self) -> np.ndarray:
        """Per unit: True when its last report is older than `stale_after_h` at the shown time
        (kept until the time, the threshold or the tracks change: several views ask)."""
        t = self.shown_time
        key = (t, self.stale_after_h, id(self.doc.tracks), len(self.doc.units))
        if self._stale is None or self._stale[0] != key:
            if t is None:
                mask = np.zeros(len(self.doc.units), dtype=bool)
            else:
                mask = np.nan_to_num(staleness(self.doc, t), nan=-1.0) > self.stale_after_h * HOUR_S
            self._stale = (key, mask)
        return self._stale[1]

    # -- moving ----------------------------------------------------------------------------
    def set_time(self, t) -> None:
        """Show the document at t (at or after `now`: the live state)."""
        t = None if t is None else as_epoch(t)
        now = self.now
        if t is not None and (now is None or t >= now):
            t = None
        self._time = t
        self._apply()

    def go_live(self) -> None:
        self.set_time(None)

    def step(self, seconds: int) -> None:
        """Move by `seconds` (negative: back) from the shown time."""
        t = self.shown_time
        if t is not None:
            self.set_time(t + int(seconds))

    def step_call(self, direction: int, candidates: np.ndarray | None = None) -> int | None:
        """Move to the start of the next (direction > 0) or previous call after/before the
        shown time, among `candidates` (a boolean mask over the calls, e.g. a filter; None =
        all). Returns its index, or None (and stays) when there is none."""
        calls, t = self.doc.calls, self.shown_time
        if t is None or not len(calls):
            return None
        idx = np.arange(len(calls)) if candidates is None else np.flatnonzero(candidates)
        starts = calls.start[idx]
        k = int(np.searchsorted(starts, t, side="right")) if direction > 0 \
            else int(np.searchsorted(starts, t, side="left")) - 1
        if not 0 <= k < len(idx):
            return None
        self.set_time(int(starts[k]))
        return int(idx[k])

    def set_interpolate(self, on: bool) -> None:
        if on != self.interpolate:
            self.interpolate = on
            self._reapply()

    def set_stale_after(self, hours: float) -> None:
        self.stale_after_h = float(hours)
        self.changed.emit(self._time)

    # -- internals -------------------------------------------------------------------------
    def _apply(self) -> None:
        view = None if self._time is None else view_at(self.doc, self._time, self.interpolate)
        self._applying = True
        try:
            if view is not None or self.doc.time_view is not None:
                self.doc.set_time_view(view)
        finally:
            self._applying = False
        self.changed.emit(self._time)

    def _reapply(self, *_) -> None:
        if self._time is not None:
            self.set_time(self._time)

    def _on_live_updated(self, update) -> None:
        """Live reports came in: a past moment they change is shown again; "now" moved on."""
        t = self._time
        if t is not None and (update.added or update.earliest is None or update.earliest <= t):
            self.set_time(t)   # (a time now at or after "now" cannot be: now only grows)
        self.now_changed.emit(self.now)

    def _on_time_view_changed(self, view) -> None:
        if not self._applying and view is None and self._time is not None:
            self._reapply()  # the document dropped our view (its units were replaced)


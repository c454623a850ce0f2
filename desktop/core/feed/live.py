"""Live units and their reports, by uid, as columns; and how they reach the document.

A `LiveSession` takes each `EventBatch` from a feed (`apply`): new uids become live units,
every report is appended to the session's report columns, each unit's latest report
becomes its position, and the alert engine evaluates the reports in time order. All of it
is numpy over the batch plus a loop over the batch's reports for the latches: nothing is
rebuilt per event, and nothing about the document is touched per batch.

`write_to_document` puts the live picture into the document's unit table and tracks: a uid
the table has (a planned unit reporting over TAK) moves that unit; an unknown uid adds a
unit (side from `SideRules`); the reports are merged into the tracks (sorted merge, not a
re-sort), so the time cursor covers the live period. Live data is not a user edit: it is
written with `Document.update_live` (only the units that moved are classified again, the
line is not announced again, a past moment shown stays), never pushed on the undo stack;
an undo or redo that restores an older unit table or tracks (an import undone) loses the
live rows only until the next write, which adds them again from the session (which is
the authority on them). Alerts are logged in the document's alert log (`Document.alerts`),
which the project saves as its alerts table.
"""
from __future__ import annotations

import dataclasses
import time as _time
from dataclasses import dataclass, field

import numpy as np

from desktop.core.events import Signal
from desktop.core.alert_log import AlertLog
from desktop.core.feed.alerts import Alert, AlertConfig, AlertEngine
from desktop.core.feed.cot import UNKNOWN_CE, affiliation_of, domain_of, sidc_of
from desktop.core.feed.geometry import AlertGeometry
from desktop.core.feed.intake import EventBatch
from desktop.core.tracks import Tracks
from desktop.core.units import AFFILIATIONS, UnitTable

_UNIT_TEXT = ("uid", "name", "type", "affiliation", "domain", "symbol", "group", "side")
_UNIT_NUMBERS = ("time", "lon", "lat", "hae", "ce", "course", "speed", "stale")
_REPORT_NUMBERS = ("time", "lon", "lat", "hae", "ce", "course", "speed")
FT_PER_M, KT_PER_MS = 1 / 0.3048, 3600 / 1852


class _Columns:
    """Append-only numpy columns that grow by doubling (amortised O(1) per row)."""

    def __init__(self, dtypes: dict[str, object]) -> None:
        self.n = 0
        self._data = {k: np.empty(64, dtype=dt) for k, dt in dtypes.items()}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][:self.n]

    def append(self, count: int, **values) -> slice:
        need = self.n + count
        for name, col in self._data.items():
            if need > len(col):
                grown = np.empty(max(need, 2 * len(col)), dtype=col.dtype)
                grown[:self.n] = col[:self.n]
                self._data[name] = col = grown
            col[self.n:need] = values[name]
        rows = slice(self.n, need)
        self.n = need
        return rows

    def nbytes(self) -> int:
        return sum(c.nbytes for c in self._data.values())


@dataclass
class SideRules:
    """Which side a live unit is on: the document's unit with the same id says; otherwise
    its affiliation, mapped as the document's units of that affiliation are (when they all
    agree: friend -> "US-backed" in the demo) or as `by_affiliation` says."""

    by_id: dict[str, str]
    by_affiliation: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, doc, overrides: dict[str, str] | None = None) -> "SideRules":
        units = doc.units
        learned = {}
        for aff in AFFILIATIONS:
            sides = set(units.sides[units.affiliations == aff].tolist()) - {""}
            if len(sides) == 1:
                learned[aff] = sides.pop()
        return cls(dict(zip(units.ids.tolist(), units.sides.tolist())), {**learned, **(overrides or {})})

    def side_of(self, uid: str, affiliation: str) -> str:
        return self.by_id.get(uid) or self.by_affiliation.get(affiliation, "")


def merge_reports(tracks: Tracks, unit, time, lon, lat, n_units: int) -> Tracks:
    """`tracks` with more reports (any order), for a table of `n_units`: the new ones are
    sorted and inserted where they belong (one pass over the old, no re-sort of them)."""
    unit, time = np.asarray(unit, dtype=np.int64), np.asarray(time, dtype=np.int64)
    if not len(unit):
        return tracks if tracks.n_units == n_units else Tracks(tracks.unit, tracks.time, tracks.lon, tracks.lat, n_units)
    order = np.lexsort((time, unit))
    unit, time, lon, lat = unit[order], time[order], np.asarray(lon)[order], np.asarray(lat)[order]
    if not len(tracks):
        return Tracks(unit, time, lon, lat, n_units)
    t0 = min(int(tracks.time.min()), int(time.min()))
    stride = max(int(tracks.time.max()), int(time.max())) - t0 + 2
    old_key = tracks.unit.astype(np.int64) * stride + (tracks.time - t0)
    pos = np.searchsorted(old_key, unit * stride + (time - t0), side="right")
    return Tracks(np.insert(tracks.unit, pos, unit), np.insert(tracks.time, pos, time),
                  np.insert(tracks.lon, pos, lon), np.insert(tracks.lat, pos, lat), n_units)


def lacking(tracks: Tracks, unit, time, lon, lat) -> np.ndarray:
    """Per report (unit row, time, position), True unless `tracks` already has that very
    report (several reports of a unit within one second are all kept)."""
    unit, time = np.asarray(unit, dtype=np.int64), np.asarray(time, dtype=np.int64)
    out = np.ones(len(unit), dtype=bool)
    if not len(tracks) or not len(unit):
        return out
    span = np.flatnonzero((tracks.time >= time.min()) & (tracks.time <= time.max()))   # the only candidates
    if not len(span):
        return out
    stride = int(max(tracks.time.max(), time.max())) + 1
    old_key = tracks.unit[span].astype(np.int64) * stride + tracks.time[span]
    key = unit * stride + time
    maybe = np.flatnonzero(np.isin(key, old_key))   # same unit and second: compare positions
    if len(maybe):
        same = span[np.isin(old_key, key[maybe])]
        known = set(zip((tracks.unit[same].astype(np.int64) * stride + tracks.time[same]).tolist(),
                        tracks.lon[same].tolist(), tracks.lat[same].tolist()))
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        out[maybe] = [k not in known for k in zip(key[maybe].tolist(), lon[maybe].tolist(), lat[maybe].tolist())]
    return out


class LiveSession:
    """The live picture of one feed session over a document; alerts go to `log` (default:
    the document's alert log)."""

    def __init__(self, doc, config: AlertConfig = AlertConfig(), rules: SideRules | None = None,
                 geometry: AlertGeometry | None = None, log: AlertLog | None = None) -> None:
        self.doc = doc
        self.rules = rules if rules is not None else SideRules.of(doc)
        self.engine = AlertEngine(geometry if geometry is not None else AlertGeometry.of(doc), config,
                                  log if log is not None else doc.alerts)
        self.alerts = self.engine.log
        self._first_alert = len(self.alerts)   # the log's alerts before this session are not its own
        self.units = _Columns({**dict.fromkeys(_UNIT_TEXT, object), **dict.fromkeys(_UNIT_NUMBERS, float),
                               "side_code": np.int8})
        self.reports = _Columns({"unit": np.int32, **dict.fromkeys(_REPORT_NUMBERS, float)})
        self.index: dict[str, int] = {}
        self.late = 0          # reports older than their unit's latest: kept in the track only
        self.duplicates = 0    # the same report again: dropped
        self.changed = Signal()   # (): units moved or appeared
        self._written: tuple[Tracks, int] | None = None   # (tracks we wrote, reports in them)
        # (the table last written, each live unit's row in it, that table's row of each id)
        self._doc_rows: tuple[UnitTable, np.ndarray, dict[str, int]] | None = None
        self._moved: list[np.ndarray] = []   # live rows that took a new position since the last write
        self._copied: dict[int, int] = {}    # id(another document's log) -> session alerts copied there

    def __len__(self) -> int:
        return self.units.n

    # -- batches ------------------------------------------------------------------------------
    def apply(self, batch: EventBatch, now: float | None = None) -> list[Alert]:
        """Take a batch of accepted reports; returns the new (unmuted) alerts."""
        now = _time.time() if now is None else now
        if not len(batch):
            return self.engine.tick(now)
        order = np.argsort(batch.time, kind="stable")
        b = {name: getattr(batch, name)[order] for name in batch.__dataclass_fields__}
        uniq, inv = np.unique(b["uid"], return_inverse=True)
        last = np.full(len(uniq), -1)
        np.maximum.at(last, inv, np.arange(len(inv)))
        rows = np.fromiter((self.index.get(u, -1) for u in uniq.tolist()), dtype=np.int64, count=len(uniq))
        if (rows < 0).any():   # new units, in the order they first reported
            first = np.full(len(uniq), len(inv))
            np.minimum.at(first, inv, np.arange(len(inv)))
            new = np.flatnonzero(rows < 0)
            new = new[np.argsort(first[new], kind="stable")]
            rows[new] = self._add_units(uniq[new], {k: v[last[new]] for k, v in b.items()})
        row = rows[inv]
        prev_t, prev_lon, prev_lat = (self.units[k][row] for k in ("time", "lon", "lat"))
        dup = (b["time"] == prev_t) & (b["lon"] == prev_lon) & (b["lat"] == prev_lat)
        late = (b["time"] < prev_t) & ~dup
        self.duplicates += int(dup.sum())
        self.late += int(late.sum())
        keep = ~dup
        self.reports.append(int(keep.sum()), unit=row[keep], **{k: b[k][keep] for k in _REPORT_NUMBERS})
        cur = np.flatnonzero(keep & ~late)
        alerts = self.engine.evaluate(b["uid"][cur], self.units["side_code"][row[cur]], b["time"][cur],
                                      b["lon"][cur], b["lat"][cur], b["ce"][cur], b["course"][cur],
                                      b["speed"][cur], b["callsign"][cur], b["received"][cur])
        self._update_units(row[cur], {k: v[cur] for k, v in b.items()})
        self._moved.append(row[cur])
        alerts += self.engine.tick(now)
        self.changed.emit()
        return alerts

    def _add_units(self, uids: np.ndarray, latest: dict[str, np.ndarray]) -> np.ndarray:
        types = latest["type"].tolist()
        aff = [affiliation_of(t) for t in types]
        sides = [self.rules.side_of(u, a) for u, a in zip(uids.tolist(), aff)]
        codes = [self.doc.sides.index(s) if s in self.doc.sides else -1 for s in sides]
        n = len(uids)
        names = np.where(latest["callsign"] == "", uids, latest["callsign"])
        nan = np.full(n, np.nan)
        rows = self.units.append(n, uid=uids, name=names, type=latest["type"], affiliation=aff,
                                 domain=[domain_of(t) for t in types], symbol=[sidc_of(t) for t in types],
                                 group=latest["group"], side=sides, side_code=codes,
                                 **dict.fromkeys(_UNIT_NUMBERS, nan))
        ids = np.arange(rows.start, rows.stop)
        self.index.update(zip(uids.tolist(), ids.tolist()))
        return ids

    def _update_units(self, row: np.ndarray, b: dict[str, np.ndarray]) -> None:
        """Each unit takes its latest current report (position, uncertainty, track, stale time)
        and, where they changed, its callsign and type."""
        if not len(row):
            return
        # Reports are in time order: the last one per unit wins.
        uniq, first_rev = np.unique(row[::-1], return_index=True)
        pick = len(row) - 1 - first_rev
        for name in _UNIT_NUMBERS:
            self.units[name][uniq] = b[name][pick]
        names, types = self.units["name"], self.units["type"]
        for r, callsign, cot_type in zip(uniq.tolist(), b["callsign"][pick].tolist(), b["type"][pick].tolist()):
            if callsign and callsign != names[r]:
                names[r] = callsign
            if cot_type != types[r]:
                types[r] = cot_type
                self.units["affiliation"][r] = affiliation_of(cot_type)
                self.units["domain"][r] = domain_of(cot_type)
                self.units["symbol"][r] = sidc_of(cot_type)

    def tick(self, now: float | None = None) -> list[Alert]:
        return self.engine.tick(_time.time() if now is None else now)

    def set_geometry(self, geometry: AlertGeometry) -> bool:
        """Measure against another line/buffer/sides (re-baselined, no alerts); False when it
        is the same as before."""
        if geometry.same_as(self.engine.geometry):
            return False
        self.engine.set_geometry(geometry)
        return True

    # -- questions ----------------------------------------------------------------------------
    def stale(self, now: float | None = None) -> np.ndarray:
        """Per live unit: its last report's stale time has passed."""
        return self.units["stale"] <= (_time.time() if now is None else now)

    def time_to_line_s(self) -> np.ndarray:
        """Per live unit, seconds to the line at its last course and speed (NaN: not heading
        for it within the horizon)."""
        g, u = self.engine.geometry, self.units
        km = g.measure(u["lon"], u["lat"]).km if len(self) else np.empty(0)
        return self.engine.time_to_line(u["lon"], u["lat"], u["course"], u["speed"], km)

    def unit_table(self) -> UnitTable:
        """The live units as a unit table (their last positions)."""
        u = self.units
        return UnitTable(u["uid"], u["name"], u["side"], u["affiliation"], u["domain"], u["lon"], u["lat"],
                         np.full(len(self), "", dtype=object), u["symbol"])

    def rows_in_document(self) -> np.ndarray | None:
        """The row in the session document's unit table of each live unit written so far (the
        first len(result) live units; None before the first write, or when the table was
        replaced since, until the next write)."""
        rows = self._doc_rows
        return rows[1] if rows is not None and rows[0] is self.doc.units else None

    @property
    def written(self) -> int:
        """How many of `reports` the last write put into the session's document."""
        return self._written[1] if self._written is not None else 0

    def report_record(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """Reports start:stop as columns a crash journal can keep (desktop.core.feed.recording):
        per report its unit (an index into the record's units), whole-second time and position;
        per unit its id and the attributes a new unit gets."""
        r, u = self.reports, self.units
        rows = r["unit"][start:stop]
        live = np.unique(rows)
        out = {"unit": np.searchsorted(live, rows).astype(np.int32),
               "time": np.floor(r["time"][start:stop]).astype(np.int64),
               "lon": r["lon"][start:stop].copy(), "lat": r["lat"][start:stop].copy()}
        for name in ("uid", "name", "side", "affiliation", "domain", "symbol"):
            out[name] = u[name][live].copy()
        return out

    def memory_bytes(self) -> int:
        return self.units.nbytes() + self.reports.nbytes()

    # -- into the document ----------------------------------------------------------------------
    def write_to_document(self, doc=None) -> int:
        """Put the live units and reports into the session's document, or into `doc` (the
        project as it is on disk, before saving it: the session's alerts are added to its log
        too); not an undoable edit. Reports the document already has are not added twice.
        Returns the number of reports added."""
        doc = self.doc if doc is None else doc
        table = doc.units
        ours = self._doc_rows is not None and self._doc_rows[0] is table   # the table we wrote last
        units, rows, position = self._rows_in(table)
        seen = np.isfinite(self.units["lon"])
        units = self._placed(units, rows, seen)
        tracks, done = doc.tracks, 0
        if self._written is not None and self._written[0] is tracks:
            done = self._written[1]
        r = self.reports
        new = slice(done, r.n)
        unit_rows, times = rows[r["unit"][new]], np.floor(r["time"][new]).astype(np.int64)
        # Tracks we did not write: keep only what they lack.
        fresh = (lacking(tracks, unit_rows, times, r["lon"][new], r["lat"][new]) if done == 0
                 else np.ones(len(times), dtype=bool))
        tracks = merge_reports(tracks, unit_rows[fresh], times[fresh], r["lon"][new][fresh], r["lat"][new][fresh],
                               len(units))
        if len(units) != len(table) or doc is not self.doc:
            moved = None                     # rows added, or another document: all of it
        elif ours:
            moved = np.unique(rows[np.concatenate(self._moved)]) if self._moved else np.empty(0, dtype=np.intp)
        else:                                # a table we did not write (an undo): every live unit
            moved = rows[seen]
        self._moved = []
        doc.update_live(units, tracks, moved, int(times.min()) if len(times) else None)
        self._written = (doc.tracks, r.n)
        self._doc_rows = (doc.units, rows, position)
        if doc.alerts is not self.alerts:
            self._copy_alerts(doc.alerts)
        return int(fresh.sum())

    def _copy_alerts(self, log: AlertLog) -> None:
        """The session's alerts not yet in `log`, added with ids of that log."""
        mine = list(self.alerts)[self._first_alert:]
        for alert in mine[self._copied.get(id(log), 0):]:
            log.add(dataclasses.replace(alert, id=log.next_id()))
        self._copied[id(log)] = len(mine)

    def _placed(self, units: UnitTable, rows: np.ndarray, seen: np.ndarray) -> UnitTable:
        """`units` with each live unit (`seen`: it has a position) at its last position;
        aircraft with their altitude (ft), course and speed (kt) as well."""
        u = self.units
        cols = {"lon": np.array(units.lon), "lat": np.array(units.lat)}
        cols["lon"][rows[seen]], cols["lat"][rows[seen]] = u["lon"][seen], u["lat"][seen]
        air = seen & (u["domain"] == "air")
        if air.any():
            hae = u["hae"][air]
            for name, values in (("alt_ft", np.where(np.abs(hae) < UNKNOWN_CE, hae * FT_PER_M, np.nan)),
                                 ("course_deg", u["course"][air]), ("speed_kt", u["speed"][air] * KT_PER_MS)):
                cols[name] = np.array(getattr(units, name))
                cols[name][rows[air]] = values
        return dataclasses.replace(units, **cols)

    def _rows_in(self, table: UnitTable) -> tuple[UnitTable, np.ndarray, dict[str, int]]:
        """`table` with a row for every live unit it lacks, the row of each live unit, and
        the row of each id of that table (kept from write to write: no pass over a big table
        per write)."""
        u = self.units
        if self._doc_rows is not None and self._doc_rows[0] is table:
            known, position = self._doc_rows[1], self._doc_rows[2]
            if len(known) == len(self):
                return table, known, position
        else:
            known, position = np.empty(0, dtype=np.int64), {uid: i for i, uid in enumerate(table.ids.tolist())}
        uids = u["uid"][len(known):]
        rows = np.fromiter((position.get(x, -1) for x in uids.tolist()), dtype=np.int64, count=len(uids))
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            rows[missing] = len(table) + np.arange(len(missing))
            new = slice(len(known), None)
            table = table.extended(ids=uids[missing], names=u["name"][new][missing], sides=u["side"][new][missing],
                                   affiliations=u["affiliation"][new][missing], domains=u["domain"][new][missing],
                                   symbols=u["symbol"][new][missing])
            position.update(zip(uids[missing].tolist(), rows[missing].tolist()))
        return table, np.concatenate([known, rows]), position

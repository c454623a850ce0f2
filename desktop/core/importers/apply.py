"""Bringing imported data into a document: one undoable command per import.

- An imported AO or line replaces the document's.
- Units are matched by id: a unit already in the document takes the imported position and
  every attribute the file gives (an empty or missing value keeps the old one); new ids are added
  at the end of the table, so existing units keep their rows (and their tracks).
- Track reports are added to the units they name; an id the document does not know yet
  becomes a new unit (named after its track). A unit that got new reports moves to its
  latest report. A report the document already has (same unit, time and position) is
  skipped, and counted: importing a file twice, or a project into itself, changes nothing.
- A unit the file gives without a time is a present report: it gets a track report at the
  moment of the import (or at a time the user gives), so it has no position before then.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from desktop.core.commands import Command
from desktop.core.document import Document
from desktop.core.importers.model import ImportedData, TrackReports
from desktop.core.line import DeconflictionLine
from desktop.core.sectors import AreaOfOperations
from desktop.core.tracks import Tracks
from desktop.core.text_columns import Categorical
from desktop.core.units import AIR_COLUMNS, UnitTable

_TEXT = ("names", "sides", "affiliations", "domains", "echelons", "symbols", "higher_formations")


@dataclass(frozen=True, eq=False)
class Scenario:
    """The parts of a document an import can replace."""

    ao: AreaOfOperations
    line: DeconflictionLine
    units: UnitTable
    tracks: Tracks

    @classmethod
    def of(cls, doc: Document) -> "Scenario":
        return cls(doc.ao, doc.line, doc.units, doc.tracks)


@dataclass
class ImportData(Command):
    """One import: the document's AO, line, units and tracks before and after."""

    before: Scenario
    after: Scenario
    label: str = "Import"
    already_present: int = 0  # track reports skipped: the document had them

    def notes(self) -> list[str]:
        """What the import report adds to the file's own summary."""
        if not self.already_present:
            return []
        return [f"{self.already_present:,} track reports skipped: already present (same unit, time and position)"]

    def do(self, doc: Document) -> None:
        a = self.after
        doc.set_scenario(a.ao, a.line, a.units, a.tracks)

    def undo(self, doc: Document) -> None:
        b = self.before
        doc.set_scenario(b.ao, b.line, b.units, b.tracks)


def with_present_reports(doc: Document, data: ImportedData, after: Scenario, at: int,
                         known: np.ndarray | None = None) -> Scenario:
    """`after` (`data` merged into `doc`) with a report at `at` for each unit `data` gives
    without a time. Each such unit then stands at its latest report (the imported position,
    unless the document already has a later one). `known`: the document's row of each of
    the data's units (-1 for a new id), when already found. Whole-array work: no loop over
    units."""
    units = data.units
    if units is None or not len(units):
        return after
    n_old = len(doc.units)
    if n_old:  # rows in the merged table: a known id keeps its row, new ids follow in file order
        rows = (_rows_in(doc.units, data) if known is None else known).copy()
        fresh = rows < 0
        rows[fresh] = n_old + np.arange(int(fresh.sum()))
    else:
        rows = np.arange(len(units), dtype=np.int64)
    if data.tracks is not None and len(data.tracks):
        untimed = np.ones(len(units), dtype=bool)
        timed = units.rows_of(np.unique(data.tracks.unit_ids))
        untimed[timed[timed >= 0]] = False
        rows = rows[untimed]
        if not len(rows):
            return after
    tracks, merged = after.tracks, after.units
    times = np.broadcast_to(np.int64(at), (len(rows),))  # (one value: no memory per report)
    in_order = bool(np.all(np.diff(rows) > 0))
    air = _report_air(tracks, {k: getattr(merged, k)[rows] for k in AIR_COLUMNS
                               if not _unknown(getattr(merged, k))}, len(rows))
    if not len(tracks) and in_order and len(rows) == len(merged):
        # Every unit's only report: the tracks share the table's positions (both read-only).
        return Scenario(after.ao, after.line, merged,
                        Tracks(rows, times, merged.lon, merged.lat, tracks.n_units, **air))
    lon, lat = merged.lon[rows], merged.lat[rows]
    unit, stamp = np.concatenate([tracks.unit, rows]), np.concatenate([tracks.time, times])
    lon, lat = np.concatenate([tracks.lon, lon]), np.concatenate([tracks.lat, lat])
    if in_order and (not len(tracks) or rows[0] > tracks.unit[-1]):
        # Units without reports before: this one is their latest, the table's positions stand.
        return Scenario(after.ao, after.line, merged, Tracks(unit, stamp, lon, lat, tracks.n_units, **air))
    tracks = Tracks.from_reports(unit, stamp, lon, lat, tracks.n_units, **air)
    last = tracks.offsets[1:][rows] - 1
    lon_all, lat_all = merged.lon.copy(), merged.lat.copy()
    lon_all[rows], lat_all[rows] = tracks.lon[last], tracks.lat[last]
    return Scenario(after.ao, after.line, dataclasses.replace(merged, lon=lon_all, lat=lat_all), tracks)


def _report_air(tracks: Tracks, new: dict[str, np.ndarray], n_new: int) -> dict[str, np.ndarray]:
    """The AIR_COLUMNS of `tracks`' reports followed by `n_new` new ones (`new` gives some
    columns, NaN where a report does not say); a column neither gives is left out."""
    out = {}
    for k in AIR_COLUMNS:
        old, added = getattr(tracks, k), new.get(k)
        if old is None and (added is None or not np.isfinite(added).any()):
            continue
        out[k] = np.concatenate([old if old is not None else np.full(len(tracks), np.nan),
                                 added if added is not None else np.full(n_new, np.nan)])
    return out


def _merged_column(name: str, old_col, new_col, at: np.ndarray):
    """One column of `_merge_units`: rows of known ids take the new value (text: unless
    empty; air columns: unless NaN), new ids are appended."""
    known = at >= 0
    defaults = {"affiliations": "unknown", "domains": "ground"}  # for new units the file says nothing of
    if name in AIR_COLUMNS and _unknown(old_col) and _unknown(new_col):
        return None  # (no aircraft state on either side: the table's one broadcast NaN)
    merged = old_col
    if known.any():
        update = new_col[known]
        keep_old = (update == "") if name in _TEXT else np.isnan(update) if name in AIR_COLUMNS else None
        target = at[known]
        if keep_old is not None:
            target, update = target[~keep_old], update[~keep_old]
        if len(target):
            merged = old_col.copy()
            merged[target] = update
    added = new_col[~known] if known.any() else new_col
    if name in defaults and len(added) and (added == "").any():
        added = added.copy()
        added[added == ""] = defaults[name]
    if not len(merged):  # (into no units, as `sectors --units` does: the new column itself, not a copy)
        return added
    if isinstance(merged, Categorical):
        return Categorical.concat([merged, added])
    return np.concatenate([merged, added])


def _unknown(col: np.ndarray) -> bool:
    """A float column that is all NaN by construction (broadcast, costing no memory)."""
    return col.strides == (0,) or not len(col)


def _merge_units(old: UnitTable, new: UnitTable | None, at: np.ndarray | None = None) -> UnitTable:
    """`old` with `new` merged in: `at`, the row of each new unit in `old` (-1: appended)."""
    if new is None or not len(new):
        return old
    if at is None:
        at = old.rows_of(new.ids) if len(old) else np.full(len(new), -1, dtype=np.int64)
    return UnitTable(**{f.name: _merged_column(f.name, getattr(old, f.name), getattr(new, f.name), at)
                        for f in fields(UnitTable)})


def _rows_in(old: UnitTable, data: ImportedData) -> np.ndarray:
    """The row in `old` of each of the data's units, -1 for a new id."""
    if not len(old):
        return np.full(len(data.units), -1, dtype=np.int64)
    return old.rows_of(data.units.ids, data.id_keys())


def _units_for_tracks(units: UnitTable, reports: TrackReports) -> UnitTable:
    """`units` plus a new unit for every track id it lacks, at that track's last report."""
    missing = np.unique(reports.unit_ids[units.rows_of(reports.unit_ids) < 0]).tolist()
    if not missing:
        return units
    order = np.lexsort((reports.time, reports.unit_ids.astype(str)))
    ids_sorted = reports.unit_ids[order]
    last = order[np.r_[ids_sorted[1:] != ids_sorted[:-1], True]]
    last_of = dict(zip(reports.unit_ids[last].tolist(), last.tolist()))
    pick = np.array([last_of[u] for u in missing], dtype=np.int64)
    n = len(missing)
    extra = UnitTable(np.array(missing, dtype=object), np.array([reports.names.get(u, u) for u in missing], dtype=object),
                      None, Categorical.full(n, "unknown"), Categorical.full(n, "ground"),
                      reports.lon[pick], reports.lat[pick])
    return _merge_units(units, extra)


def _repeated(unit: np.ndarray, time: np.ndarray, lon: np.ndarray, lat: np.ndarray, first_new: int) -> np.ndarray:
    """Mask of the reports from index `first_new` on that equal (unit, time, lon, lat) an
    earlier report: one that was there before, or one earlier in the same import."""
    order = np.lexsort((np.arange(len(unit)), lat, lon, time, unit))  # equal reports together, earliest first
    u, t, x, y = unit[order], time[order], lon[order], lat[order]
    same = np.zeros(len(unit), dtype=bool)
    same[1:] = (u[1:] == u[:-1]) & (t[1:] == t[:-1]) & (x[1:] == x[:-1]) & (y[1:] == y[:-1])
    repeated = np.zeros(len(unit), dtype=bool)
    repeated[order[same]] = True
    repeated[:first_new] = False  # what the document holds stays as it is
    return repeated


def merged_scenario(doc: Document, data: ImportedData, known: np.ndarray | None = None) -> tuple[Scenario, int]:
    """The document's AO, line, units and tracks with `data` brought in, and how many of
    the data's track reports were skipped as already present. `known`: as
    with_present_reports takes it."""
    units = _merge_units(doc.units, data.units, known)
    tracks = doc.tracks
    present = 0
    if data.tracks is not None and len(data.tracks):
        units = _units_for_tracks(units, data.tracks)
        new_unit = units.rows_of(data.tracks.unit_ids).astype(np.int32)
        unit = np.concatenate([doc.tracks.unit, new_unit])
        time = np.concatenate([doc.tracks.time, data.tracks.time])
        lon = np.concatenate([doc.tracks.lon, data.tracks.lon])
        lat = np.concatenate([doc.tracks.lat, data.tracks.lat])
        air = _report_air(doc.tracks, data.tracks.air, len(data.tracks))
        keep = ~_repeated(unit, time, lon, lat, len(doc.tracks))
        present = len(unit) - int(keep.sum())
        tracks = Tracks.from_reports(unit[keep], time[keep], lon[keep], lat[keep], len(units),
                                     **{k: v[keep] for k, v in air.items()})
        moved = np.unique(new_unit[keep[len(doc.tracks):]])
        last = tracks.offsets[1:][moved] - 1
        lon, lat = units.lon.copy(), units.lat.copy()
        lon[moved], lat[moved] = tracks.lon[last], tracks.lat[last]
        units = UnitTable(**{**{f.name: getattr(units, f.name) for f in fields(UnitTable)}, "lon": lon, "lat": lat})
    elif len(units) != tracks.n_units:
        tracks = Tracks(tracks.unit, tracks.time, tracks.lon, tracks.lat, len(units),
                        **{k: getattr(tracks, k) for k in AIR_COLUMNS})
    return Scenario(data.ao or doc.ao, data.line or doc.line, units, tracks), present


def import_command(doc: Document, data: ImportedData, reported_at: int | None = None) -> ImportData:
    """The undoable command that brings `data` into `doc` (push it on the stack). Units
    without a time are reported at `reported_at` (epoch seconds; default: now)."""
    parts = ", ".join(data.found()) or "nothing"
    at = int(time.time()) if reported_at is None else int(reported_at)
    known = _rows_in(doc.units, data) if data.units is not None and len(data.units) else None
    after, present = merged_scenario(doc, data, known)
    after = with_present_reports(doc, data, after, at, known)
    return ImportData(Scenario.of(doc), after, f"Import {Path(data.source).name}: {parts}", present)

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
import itertools
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
from desktop.core.units import AIR_COLUMNS, UnitTable

_TEXT = ("names", "sides", "affiliations", "domains", "echelons", "symbols")


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


def with_present_reports(doc: Document, data: ImportedData, after: Scenario, at: int) -> Scenario:
    """`after` (`data` merged into `doc`) with a report at `at` for each unit `data` gives
    without a time. Each such unit then stands at its latest report (the imported position,
    unless the document already has a later one). Whole-array work: no loop over units."""
    units = data.units
    if units is None or not len(units):
        return after
    n_old = len(doc.units)
    if n_old:  # rows in the merged table: a known id keeps its row, new ids follow in file order
        old = {u: i for i, u in enumerate(doc.units.ids.tolist())}
        rows = np.fromiter(map(old.get, units.ids.tolist(), itertools.repeat(-1)), dtype=np.int64, count=len(units))
        fresh = rows < 0
        rows[fresh] = n_old + np.arange(int(fresh.sum()))
    else:
        rows = np.arange(len(units), dtype=np.int64)
    if data.tracks is not None and len(data.tracks):
        timed = set(data.tracks.unit_ids.tolist())
        rows = rows[np.fromiter((u not in timed for u in units.ids.tolist()), dtype=bool, count=len(units))]
        if not len(rows):
            return after
    tracks, merged = after.tracks, after.units
    lon, lat = merged.lon[rows], merged.lat[rows]
    if not len(tracks) or rows[0] > tracks.unit[-1] and bool(np.all(np.diff(rows) > 0)):  # appended in order
        tracks = Tracks(np.concatenate([tracks.unit, rows]), np.concatenate([tracks.time, np.full(len(rows), at)]),
                        np.concatenate([tracks.lon, lon]), np.concatenate([tracks.lat, lat]), tracks.n_units)
    else:
        tracks = Tracks.from_reports(np.concatenate([tracks.unit, rows]),
                                     np.concatenate([tracks.time, np.full(len(rows), at, dtype=np.int64)]),
                                     np.concatenate([tracks.lon, lon]), np.concatenate([tracks.lat, lat]),
                                     tracks.n_units)
    last = tracks.offsets[1:][rows] - 1
    lon_all, lat_all = merged.lon.copy(), merged.lat.copy()
    lon_all[rows], lat_all[rows] = tracks.lon[last], tracks.lat[last]
    return Scenario(after.ao, after.line, dataclasses.replace(merged, lon=lon_all, lat=lat_all), tracks)


def _merge_units(old: UnitTable, new: UnitTable | None) -> UnitTable:
    if new is None or not len(new):
        return old
    position = {u: i for i, u in enumerate(old.ids.tolist())}
    at = np.fromiter(map(position.get, new.ids.tolist(), itertools.repeat(-1)), dtype=np.int64, count=len(new))
    known, fresh = at >= 0, at < 0
    any_known, all_fresh = bool(known.any()), bool(fresh.all())
    defaults = {"affiliations": "unknown", "domains": "ground"}  # for new units the file says nothing of
    cols = {}
    for f in fields(UnitTable):
        old_col, new_col = getattr(old, f.name), getattr(new, f.name)
        merged = old_col
        if any_known:
            merged = old_col.copy()
            update = new_col[known]
            if f.name in _TEXT:
                update = np.where(update == "", merged[at[known]], update)
            elif f.name in AIR_COLUMNS:  # a file without altitude, course or speed keeps the known ones
                update = np.where(np.isnan(update), merged[at[known]], update)
            merged[at[known]] = update
        added = new_col if all_fresh else new_col[fresh]
        if f.name in defaults and len(added):
            added = np.where(added == "", defaults[f.name], added)
        cols[f.name] = np.concatenate([merged, added])
    return UnitTable(**cols)


def _units_for_tracks(units: UnitTable, reports: TrackReports) -> UnitTable:
    """`units` plus a new unit for every track id it lacks, at that track's last report."""
    have = set(units.ids.tolist())
    missing = sorted(set(reports.unit_ids.tolist()) - have)
    if not missing:
        return units
    order = np.lexsort((reports.time, reports.unit_ids.astype(str)))
    ids_sorted = reports.unit_ids[order]
    last = order[np.r_[ids_sorted[1:] != ids_sorted[:-1], True]]
    last_of = dict(zip(reports.unit_ids[last].tolist(), last.tolist()))
    pick = np.array([last_of[u] for u in missing], dtype=np.int64)
    n = len(missing)
    blank = np.full(n, "", dtype=object)
    extra = UnitTable(np.array(missing, dtype=object), np.array([reports.names.get(u, u) for u in missing], dtype=object),
                      blank, np.full(n, "unknown", dtype=object), np.full(n, "ground", dtype=object),
                      reports.lon[pick], reports.lat[pick], blank, blank)
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


def merged_scenario(doc: Document, data: ImportedData) -> tuple[Scenario, int]:
    """The document's AO, line, units and tracks with `data` brought in, and how many of
    the data's track reports were skipped as already present."""
    units = _merge_units(doc.units, data.units)
    tracks = doc.tracks
    present = 0
    if data.tracks is not None and len(data.tracks):
        units = _units_for_tracks(units, data.tracks)
        position = {u: i for i, u in enumerate(units.ids.tolist())}
        new_unit = np.fromiter((position[u] for u in data.tracks.unit_ids.tolist()), dtype=np.int32,
                               count=len(data.tracks))
        unit = np.concatenate([doc.tracks.unit, new_unit])
        time = np.concatenate([doc.tracks.time, data.tracks.time])
        lon = np.concatenate([doc.tracks.lon, data.tracks.lon])
        lat = np.concatenate([doc.tracks.lat, data.tracks.lat])
        keep = ~_repeated(unit, time, lon, lat, len(doc.tracks))
        present = len(unit) - int(keep.sum())
        tracks = Tracks.from_reports(unit[keep], time[keep], lon[keep], lat[keep], len(units))
        moved = np.unique(new_unit[keep[len(doc.tracks):]])
        last = tracks.offsets[1:][moved] - 1
        lon, lat = units.lon.copy(), units.lat.copy()
        lon[moved], lat[moved] = tracks.lon[last], tracks.lat[last]
        units = UnitTable(**{**{f.name: getattr(units, f.name) for f in fields(UnitTable)}, "lon": lon, "lat": lat})
    elif len(units) != tracks.n_units:
        tracks = Tracks(tracks.unit, tracks.time, tracks.lon, tracks.lat, len(units))
    return Scenario(data.ao or doc.ao, data.line or doc.line, units, tracks), present


def import_command(doc: Document, data: ImportedData, reported_at: int | None = None) -> ImportData:
    """The undoable command that brings `data` into `doc` (push it on the stack). Units
    without a time are reported at `reported_at` (epoch seconds; default: now)."""
    parts = ", ".join(data.found()) or "nothing"
    at = int(time.time()) if reported_at is None else int(reported_at)
    after, present = merged_scenario(doc, data)
    after = with_present_reports(doc, data, after, at)
    return ImportData(Scenario.of(doc), after, f"Import {Path(data.source).name}: {parts}", present)

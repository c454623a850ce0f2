"""Item model behind the sectors panel: one row per sector (plus "Outside AO"), its units below.

Built for a line drag over up to 1M units: per update only whole-array numpy, no Python loop
over units. Unit rows exist only for groups a view holds on to (expanded, current or
selected: the persistent indexes say which), at most PAGE per group (more on request), as
QTreeView relayouts every listed row with Python index()/flags() calls (~2 µs a row).

Two speeds: the numbers (sector rows, `totals`) follow every analysis; the unit rows
(membership, order, values) may stay on an earlier analysis during a drag (`defer_rows`,
then `refresh_rows`): listing them is what costs at 1M units. data() answers from a per-row
cache, as a paint asks ~8 roles of every visible cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from desktop.core.document import Analysis, Document
from desktop.core.measure_units import DEFAULT as KM, MeasureUnits, format_area, format_distance
from desktop.core.table_export import (Tally, TextIndex, dense_rank, filter_mask, first_members,
                                       first_sorted, group_order, group_tip, positions_in, sort_key, unit_tip)
from desktop.gui.plain import tooltip

COLUMNS = ("Name", "Id", "Owner / side", "Units", "km² / km", "Near", "Wrong")
COL_NAME, COL_ID, COL_SIDE, COL_COUNT, COL_MEASURE, COL_NEAR, COL_WRONG = range(len(COLUMNS))
HEADER_TIPS = ("Sector name / unit name", "Sector id / unit id (as hotline calls and the brief name them)",
               "Sector owner / the unit's side",
               "Units listed in the sector / the unit's affiliation (also the colour of its square)",
               "Sector area (geodesic) / the unit's geodesic distance to the line",
               "Units within the buffer either side of the line / this unit is",
               "Units whose side differs from their sector's owner / this unit is")
# What clicking a header sorts sector rows by, and unit rows by when the column is text.
_GROUP_SORT = ("name", "id", "owner", "count", "area", "near", "wrong")
_UNIT_TEXT = {COL_NAME: "names", COL_ID: "ids", COL_SIDE: "sides", COL_COUNT: "affiliations"}
PAGE = 1000                        # unit rows listed per group before a "… more" row
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1   # unit index on unit rows
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2  # group key on sector rows

NEAR_BG = QColor("#ffe4a3")        # amber
WRONG_BG = QColor("#f7b9b9")       # red; wins over amber
NEAR_FG = QColor("#8a5a00")
WRONG_FG = QColor("#b00020")
# Row and text colours by day and in night mode (dark rows that keep amber and red apart).
DAY = {"near": NEAR_BG, "wrong": WRONG_BG, "near_fg": NEAR_FG, "wrong_fg": WRONG_FG, "muted": QColor("#606060")}
NIGHT = {"near": QColor("#5a4300"), "wrong": QColor("#5e1c1c"), "near_fg": QColor("#ffc04d"),
         "wrong_fg": QColor("#ff7070"), "muted": QColor("#a0a0a0")}
AFFILIATION_COLOURS = {"friend": "#80e0ff", "hostile": "#ff8080", "neutral": "#aaffaa", "unknown": "#ffff80"}
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# ItemNeverHasChildren spares QTreeView a hasChildren() call per unit row on every relayout.
_UNIT_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemNeverHasChildren
_MORE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
# Roles as plain ints: data() runs thousands of times a paint, and enum attribute lookups
# were a visible share of it.
_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGN, _BACKGROUND, _FOREGROUND = 0, 1, 3, 6, 7, 8, 9
_UNIT, _GROUP = int(UNIT_ROLE), int(GROUP_ROLE)
_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGN, _BACKGROUND, _FOREGROUND, _UNIT, _GROUP})
_NONE = (None,) * len(COLUMNS)
_GROUP_ALIGN = (None, None, None) + (_RIGHT,) * 4
_UNIT_ALIGN = (None, None, None, None, _RIGHT, None, None)


def _dot(colour: str, square: bool = False) -> QIcon:
    """A 12 px badge: a circle for a flag, a square for an affiliation."""
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("#303030"))
    p.setBrush(QColor(colour))
    (p.drawRect if square else p.drawEllipse)(1, 1, 9, 9)
    p.end()
    return QIcon(pix)


@dataclass(eq=False)
class _State:
    """What the unit rows show: one tally's analysis + filter + sort. A layout change swaps
    whole states, so views see the old one until layoutAboutToBeChanged has gone out."""

    tally: Tally | None = None
    sector: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    keys: list[int] = field(default_factory=list)      # group keys in display order
    row_of_key: dict[int, int] = field(default_factory=dict)
    rows: dict[int, np.ndarray] = field(default_factory=dict)  # listed units per group (lazy)

    analysis = property(lambda self: None if self.tally is None else self.tally.analysis)

    def count(self, key: int) -> int:
        return 0 if self.tally is None else self.tally.count(key)

    def has_more(self, key: int) -> bool:
        return self.count(key) > len(self.rows[key])

    def row_count(self, key: int) -> int:
        return len(self.rows[key]) + self.has_more(key)


class SectorsModel(QAbstractItemModel):
    """Two-level model. Top-level rows are groups (key = sector index, or OUTSIDE); the
    children of a group are its units that pass the filter, in sort order, capped at the
    group's limit (plus one "… more" row). internalId: 0 for groups, key + 2 for units."""

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self._doc = document
        self._s = _State()                             # unit rows
        self._live: Tally | None = None               # sector rows and totals (the latest)
        self._filter = ("", False, False)              # text, near only, wrong only
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._units_of_measure = KM
        self._limits: dict[int, int] = {}
        self._text_mask: np.ndarray | None = None      # caches that live as long as the units
        self._text_index: TextIndex | None = None
        self._rank_cache: dict[str, np.ndarray] = {}
        self._placed: tuple[object, np.ndarray | None, int] = (None, None, 0)  # (time view, placed mask, unplaced)
        self._group_cells: dict[int, dict] = {}        # row -> {role: value per column}
        self._unit_cells: dict[tuple[int, int], dict] = {}  # (internalId, row) -> same
        self._icons = {"near": _dot("#f0a800"), "wrong": _dot("#d01010")}
        self._icons.update({a: _dot(c, square=True) for a, c in AFFILIATION_COLOURS.items()})
        self._brushes = {key: QBrush(colour) for key, colour in DAY.items()}
        self._bold, self._italic = QFont(), QFont()
        self._bold.setBold(True)
        self._italic.setItalic(True)

    # -- public API ------------------------------------------------------------------------
    @property
    def analysis(self) -> Analysis | None:
        """The latest analysis (what the sector rows and totals show)."""
        return None if self._live is None else self._live.analysis

    @property
    def rows_stale(self) -> bool:
        """True while the unit rows show an earlier analysis than the sector rows."""
        return self._live is not self._s.tally

    @property
    def filter(self) -> tuple[str, bool, bool]:
        return self._filter

    @property
    def units_of_measure(self) -> MeasureUnits:
        return self._units_of_measure

    def set_night(self, on: bool) -> None:
        """Row colours for night mode (desktop.gui.theme) or the day."""
        self._brushes = {key: QBrush(colour) for key, colour in (NIGHT if on else DAY).items()}
        self._group_cells.clear()
        self._unit_cells.clear()
        self._emit_data_changed()

    def set_units_of_measure(self, units: MeasureUnits) -> None:
        """Show areas, distances and the header in `units` (the values are km: nothing moves)."""
        if units != self._units_of_measure:
            self._units_of_measure = units
            self._group_cells.clear()
            self._unit_cells.clear()
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, COL_MEASURE, COL_MEASURE)
            self._emit_data_changed()

    def set_analysis(self, analysis: Analysis, units_changed: bool = False, defer_rows: bool = False,
                     changed: np.ndarray | None = None) -> None:
        """Show `analysis`. Emits dataChanged when the listed rows stayed the same, a layout
        change (persistent indexes remapped, so expansion and selection survive) when they
        did not, and a reset when the unit table itself changed. With `defer_rows` only the
        numbers follow, unless the sector rows themselves change; `refresh_rows` catches up.
        `changed`: units whose sector or flags may differ from the previous analysis shown
        (the union of `Classification.changed` since), or None if unknown."""
        if analysis is self.analysis and not units_changed:
            return
        if units_changed or self._live is None or len(analysis.classification.sector) != len(self._s.sector):
            self.beginResetModel()
            self._text_mask = self._text_index = None
            self._rank_cache.clear()
            self._limits.clear()
            self._swap(self._build(analysis))
            self.endResetModel()
        elif defer_rows:
            self._update_numbers(analysis, self._tally(analysis, changed))
        else:
            self._update(analysis, tally=self._tally(analysis, changed))

    def refresh_rows(self) -> None:
        """List the unit rows for the latest analysis (after deferred updates)."""
        if self.rows_stale:
            self._update(self.analysis, tally=self._live)

    def set_filter(self, text: str | None = None, near_only: bool | None = None,
                   wrong_only: bool | None = None) -> None:
        """Case-insensitive substring of unit id or name, and/or flag toggles (all must hold)."""
        old = self._filter
        new = (old[0] if text is None else text.strip().lower(),
               old[1] if near_only is None else bool(near_only),
               old[2] if wrong_only is None else bool(wrong_only))
        if new != old:
            if new[0] != old[0]:
                self._text_mask = None
            self._filter = new
            self._update(self.analysis)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) != self._sort:
            self._sort = (column, order)
            self._update(self.analysis)

    def show_more(self, key: int) -> None:
        """List another page of the group's units."""
        self._limits[key] = self._limits.get(key, PAGE) + PAGE
        self._update(self.analysis, force=True)

    def list_units(self, units) -> None:
        """List enough pages that `units` (those passing the filter) have rows: a unit
        selected on the map deep in a big sector gets its row. One full sort of each group
        concerned, only when a unit lies beyond its group's pages."""
        _found, hidden = self.rows_of_units(units)
        if not hidden or self._s.tally is None:
            return
        units = np.unique(np.asarray(units, dtype=np.int64))
        s, grown = self._s, False
        mask = s.tally.mask
        shown = units if mask is None else units[mask[units]]
        for key in np.unique(s.sector[shown]).tolist():
            if key not in s.row_of_key:
                continue
            at, hit = positions_in(self._members(s, key, None), shown[s.sector[shown] == key])
            need = -(-(int(at.max()) + 1) // PAGE) * PAGE if hit.any() else 0
            if need > self._limits.get(key, PAGE):
                self._limits[key], grown = need, True
        if grown:
            self._update(self.analysis, force=True)

    def group_keys(self) -> list[int]:
        return list(self._s.keys)  # (empty before the first analysis)

    def group_index(self, key: int) -> QModelIndex:
        row = self._s.row_of_key.get(key)
        return QModelIndex() if row is None else self.createIndex(row, 0, 0)

    def group_key(self, index: QModelIndex) -> int | None:
        if index.isValid() and index.internalId() == 0 and index.row() < len(self._s.keys):
            return self._s.keys[index.row()]
        return None

    def group_count(self, key: int) -> int:
        """Units of the group passing the filter (listed or not), as the sector row shows."""
        return 0 if self._live is None else self._live.count(key)

    def unit_index(self, index: QModelIndex) -> int | None:
        """Unit (row of the document's UnitTable) shown at `index`, or None."""
        if not index.isValid() or index.internalId() == 0:
            return None
        rows = self.listed(index.internalId() - 2)
        return int(rows[index.row()]) if index.row() < len(rows) else None

    def is_more_row(self, index: QModelIndex) -> bool:
        return (index.isValid() and index.internalId() != 0
                and index.row() == len(self.listed(index.internalId() - 2)))

    def listed(self, key: int) -> np.ndarray:
        """Unit indices listed under group `key`, in display order (computed on demand)."""
        return self._listed(self._s, key)

    def rows_of_units(self, units) -> tuple[dict[int, np.ndarray], int]:
        """Where `units` are listed: {group key: sorted rows}, and how many of them are not
        listed (filtered out or beyond their group's limit)."""
        units = np.unique(np.asarray(units, dtype=np.int64))
        units = units[(units >= 0) & (units < len(self._s.sector))]
        keys, rows = self._where(self._s, units)
        found = {k: np.sort(rows[(keys == k) & (rows >= 0)]) for k in np.unique(keys[rows >= 0]).tolist()}
        return found, int(np.count_nonzero(rows < 0))

    def filtered_units(self) -> np.ndarray:
        """Every unit passing the filter (no page limit), groups in display order and units
        in sort order, for the unit rows' analysis (refresh_rows first): what the CSV export writes."""
        parts = [self._members(self._s, key, None) for key in self._s.keys]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def totals(self) -> dict[str, int]:
        """Unfiltered totals of the latest analysis (what the summary strip shows) and how
        many units pass the filter. A unit with no position at the time shown (no report yet)
        is in none of them: `unplaced` counts those."""
        t = self._live
        if t is None:
            return dict(units=0, near=0, wrong=0, shown=0, outside=0, unplaced=0)
        c, n = t.analysis.classification, len(t.analysis.classification.sector)
        unplaced = self._placed[2]
        return dict(units=n - unplaced, near=int(np.count_nonzero(c.near_line)),
                    wrong=int(np.count_nonzero(c.wrong_side)),
                    shown=n if t.mask is None else int(np.count_nonzero(t.mask)), outside=t.outside,
                    unplaced=unplaced)

    # -- numbers and state -----------------------------------------------------------------
    def _tally(self, analysis: Analysis, changed: np.ndarray | None = None) -> Tally:
        if self._placed[0] is not self._doc.time_view:  # another moment: who has a position may change too
            changed = None
        tally = Tally.of(analysis, self._filter_mask(analysis.classification), self._live, changed)
        tally.outside -= self._placed[2]  # nowhere then is not outside the AO
        return tally

    def _group_order(self, t: Tally) -> list[int]:
        column, order = self._sort
        by = _GROUP_SORT[column] if 0 <= column < len(COLUMNS) else None
        return group_order(t, by, order == Qt.SortOrder.DescendingOrder)

    def _build(self, analysis: Analysis, tally: Tally | None = None) -> _State:
        """Numbers and group order for `analysis`; unit rows come on demand."""
        t = self._tally(analysis) if tally is None else tally
        keys = self._group_order(t)  # the core's arrays are read-only: no copy needed
        return _State(t, analysis.classification.sector, keys, {k: i for i, k in enumerate(keys)})

    def _swap(self, state: _State) -> None:
        self._s, self._live = state, state.tally
        self._group_cells.clear()
        self._unit_cells.clear()

    def _filter_mask(self, cls) -> np.ndarray | None:
        text, near_only, wrong_only = self._filter
        if text and self._text_mask is None:
            if self._text_index is None:
                self._text_index = TextIndex(self._doc.units.ids, self._doc.units.names)
            self._text_mask = self._text_index.mask(text)
        mask = filter_mask(cls, self._text_mask if text else None, near_only, wrong_only)
        placed = self._placed_units()
        return placed if mask is None else mask if placed is None else mask & placed

    def _placed_units(self) -> np.ndarray | None:
        """Units with a position at the time shown (None: every unit). A unit with no report
        at or before the time cursor is nowhere then: neither listed nor counted."""
        view = self._doc.time_view
        if self._placed[0] is not view:
            placed = None if view is None else ~np.isnan(view.units.lon)
            unplaced = 0 if placed is None else len(placed) - int(np.count_nonzero(placed))
            self._placed = (view, placed if unplaced else None, unplaced)
        return self._placed[1]

    def _listed(self, s: _State, key: int) -> np.ndarray:
        rows = s.rows.get(key)
        if rows is None:
            rows = s.rows[key] = self._members(s, key, self._limits.get(key, PAGE))
        return rows

    def _members(self, s: _State, key: int, limit: int | None) -> np.ndarray:
        """The group's units passing the filter, sorted, first `limit` of them."""
        if s.analysis is None or key not in s.row_of_key:
            return np.empty(0, dtype=np.int64)
        column, order = self._sort
        if not 0 <= column < len(COLUMNS):  # table order: the first page needs no full scan
            return first_members(s.sector, key, s.tally.mask, limit)
        members = first_members(s.sector, key, s.tally.mask, None)
        if not len(members):
            return members
        return first_sorted(members, self._unit_sort_key(s, column, order, members), limit)

    def _unit_sort_key(self, s: _State, column: int, order: Qt.SortOrder, members: np.ndarray) -> np.ndarray:
        """Ascending key over `members` realising the requested order (see `sort_key`)."""
        cls, descending = s.analysis.classification, order == Qt.SortOrder.DescendingOrder
        if column in _UNIT_TEXT:  # by text: no distances needed
            attr = _UNIT_TEXT[column]
            if attr not in self._rank_cache:  # ~0.4 s at 1M units, once per unit table
                self._rank_cache[attr] = dense_rank(getattr(self._doc.units, attr))
            return sort_key(self._rank_cache[attr][members], descending)
        flag = {COL_NEAR: cls.near_line, COL_WRONG: cls.wrong_side}.get(column)
        return sort_key(cls.distance_km[members], descending, None if flag is None else flag[members])

    # -- updates: numbers only, dataChanged or layout change ----------------------------------
    def _update_numbers(self, analysis: Analysis, t: Tally) -> None:
        """The sector rows and totals for `analysis`; the unit rows stay as listed."""
        s = self._s
        if self._group_order(t) != s.keys or not np.array_equal(t.counts > 0, s.tally.counts > 0):
            self._update(analysis, tally=t)  # the sector rows themselves change
            return
        self._live = t
        before, self._group_cells = self._group_cells, {}
        # One cell at a time: a range would repaint the whole viewport (every visible unit
        # row), a single index only its cell. A row missing from the cache was not painted
        # since the last full update, which repainted everything: it is not on screen.
        for row, old in before.items():
            new = self._cells(0, row)
            for c in range(len(COLUMNS) if old and new else 0):
                if old[_DISPLAY][c] != new[_DISPLAY][c] or old[_FOREGROUND][c] is not new[_FOREGROUND][c]:
                    self.dataChanged.emit(self.createIndex(row, c, 0), self.createIndex(row, c, 0))

    def _update(self, analysis: Analysis | None, force: bool = False, tally: Tally | None = None) -> None:
        """Swap in the state for `analysis` (or the new filter/sort). Group keys are sector
        indices (sector ids are "S<index+1>"), so a key means the same group before and after."""
        if analysis is None:
            return
        old, new = self._s, self._build(analysis, tally)
        # Groups a view holds on to: expanded ones (their row) and those with a current or
        # selected unit row (pinned). Only pinned rows must follow their units through a
        # layout change; other listed rows may just show other units in the same number of
        # rows (dataChanged), which spares the tree a relayout of every listed row.
        persistent = self.persistentIndexList()
        pinned = {p.internalId() - 2 for p in persistent if p.internalId()}
        held = pinned | {old.keys[p.row()] for p in persistent if p.internalId() == 0 and p.row() < len(old.keys)}
        changed = force or old.keys != new.keys or (old.tally.counts > 0).tolist() != (new.tally.counts > 0).tolist()
        for key in held & set(new.keys):
            before, rows = old.rows.get(key), self._listed(new, key)
            if before is None or new.row_count(key) != old.row_count(key) \
                    or (key in pinned and not np.array_equal(before, rows)):
                changed = True
        if not changed:
            self._swap(new)
            self._emit_data_changed()
            return
        self.layoutAboutToBeChanged.emit()
        # Selection models add persistent indexes while handling layoutAboutToBeChanged, so
        # the list is read after emitting it (and the old state stays until then).
        persistent = self.persistentIndexList()
        self._swap(new)
        self.changePersistentIndexList(persistent, self._remap(persistent, old, new))
        self.layoutChanged.emit()

    def _remap(self, persistent: list, old: _State, new: _State) -> list:
        """New positions for persistent indexes: groups by key, unit rows follow their unit to
        wherever it is listed now, a "… more" row stays its group's "… more" row."""
        ids = np.array([p.internalId() for p in persistent], dtype=np.int64)
        rows = np.array([p.row() for p in persistent], dtype=np.int64)
        new_rows, new_ids = np.full(len(ids), -1, dtype=np.int64), np.zeros(len(ids), dtype=np.int64)
        for i in np.flatnonzero((ids == 0) & (rows < len(old.keys))):
            new_rows[i] = new.row_of_key.get(old.keys[rows[i]], -1)
        unit_of = np.full(len(ids), -1, dtype=np.int64)
        for key in (np.unique(ids[ids > 0]) - 2).tolist():
            at, listed = np.flatnonzero(ids == key + 2), old.rows.get(key, np.empty(0, dtype=np.int64))
            inside = rows[at] < len(listed)
            unit_of[at[inside]] = listed[rows[at[inside]]]
            more = at[~inside]
            if len(more) and key in new.row_of_key and new.count(key) > len(self._listed(new, key)):
                new_rows[more], new_ids[more] = len(new.rows[key]), key + 2
        moving = np.flatnonzero(unit_of >= 0)
        keys, found = self._where(new, unit_of[moving])
        hit = found >= 0
        new_rows[moving[hit]], new_ids[moving[hit]] = found[hit], keys[hit] + 2
        return [self.createIndex(r, p.column(), k) if r >= 0 else QModelIndex()
                for p, r, k in zip(persistent, new_rows.tolist(), new_ids.tolist())]

    def _where(self, s: _State, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Group key and row of each of `units` in `s` (row -1: not listed)."""
        keys, rows = s.sector[units].astype(np.int64), np.full(len(units), -1, dtype=np.int64)
        mask = None if s.tally is None else s.tally.mask
        shown = np.ones(len(units), dtype=bool) if mask is None else mask[units]
        for key in np.unique(keys[shown]).tolist():
            if key in s.row_of_key:
                at = np.flatnonzero(shown & (keys == key))
                found, hit = positions_in(self._listed(s, key), units[at])
                rows[at[hit]] = found
        return keys, rows

    def _emit_data_changed(self) -> None:
        # QTreeView re-reads flags() of every row of a range that starts at column 0 (a
        # Python call each, ~2 ms for two pages) and repaints its whole viewport for any
        # range: so one range per sector row, and the unit rows' ranges from column 1.
        s, last = self._s, len(COLUMNS) - 1
        for row in range(len(s.keys)):
            self.dataChanged.emit(self.index(row, 0), self.index(row, last))
        for key in list(s.rows):
            n = s.row_count(key) if key in s.row_of_key else 0
            if n:
                parent = self.group_index(key)
                self.dataChanged.emit(self.index(0, 1, parent), self.index(n - 1, last, parent))

    # -- QAbstractItemModel -----------------------------------------------------------------
    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        if row < 0 or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if row < len(self._s.keys) else QModelIndex()
        if parent.internalId() != 0 or parent.row() >= len(self._s.keys):
            return QModelIndex()
        return self.createIndex(row, column, self._s.keys[parent.row()] + 2)

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.group_index(index.internalId() - 2)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._s.keys)
        key = self.group_key(parent)
        if key is None or parent.column() != 0 or not self._s.count(key):
            return 0
        return len(self.listed(key)) + self._s.has_more(key)

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        if not parent.isValid():
            return bool(self._s.keys)
        key = self.group_key(parent)
        return key is not None and parent.column() == 0 and self._s.count(key) > 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        # Called twice per listed row on every relayout: keep it to a few attribute reads.
        gid = index.internalId()
        if gid == 0:
            return _GROUP_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
        rows = self._s.rows.get(gid - 2)
        return _MORE_FLAGS if rows is not None and index.row() == len(rows) else _UNIT_FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS) and role in (_DISPLAY, _TOOLTIP):
            if section == COL_MEASURE and role == _DISPLAY:  # "km² / km", "NM² / NM"
                symbol = self._units_of_measure.unit.symbol
                return f"{symbol}² / {symbol}"
            return (COLUMNS if role == _DISPLAY else HEADER_TIPS)[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY):
        if role not in _ROLES or self._live is None:
            return None
        gid, row = index.internalId(), index.row()
        cache, key = (self._group_cells, row) if gid == 0 else (self._unit_cells, (gid, row))
        cells = cache.get(key)
        if cells is None:
            if not index.isValid():
                return None
            if len(cache) > 4 * PAGE:  # a long scroll: keep the cache small
                cache.clear()
            cells = cache[key] = self._cells(gid, row)
        values = cells.get(role)
        if values is None:
            return None
        # Tooltips hold unit and sector names from files: shown as plain text.
        return tooltip(values[index.column()]) if role == _TOOLTIP else values[index.column()]

    def _cells(self, gid: int, row: int) -> dict:
        """{role: value per column} of one row: a sector row from the latest numbers, a unit
        or "… more" row from the unit rows' analysis."""
        s, n = self._s, len(COLUMNS)
        if gid == 0:
            return self._group_cells_of(s.keys[row]) if 0 <= row < len(s.keys) else {}
        rows = self._listed(s, gid - 2) if gid - 2 in s.row_of_key else ()
        if row < len(rows):
            return self._unit_cells_of(int(rows[row]))
        if row > len(rows) or not s.has_more(gid - 2):
            return {}
        more = s.count(gid - 2) - len(rows)
        tip = (f"{more:,} more units are not listed. Double-click to list {min(more, PAGE):,} more, "
               "or narrow the list with the filter or by sorting.")
        return {_DISPLAY: (f"… {more:,} more",) + _NONE[1:], _FONT: (self._italic,) * n,
                _FOREGROUND: (self._brushes["muted"],) * n, _TOOLTIP: (tip,) * n}

    def _group_cells_of(self, key: int) -> dict:
        t, n = self._live, len(COLUMNS)
        sectors = t.analysis.sectors.sectors
        sector = sectors[key] if key >= 0 else None
        near, wrong = int(t.near[key + 1]), int(t.wrong[key + 1])
        measure = self._units_of_measure
        if sector is None:
            head = ("Outside AO" if sectors else "In no sector", "", "", f"{t.count(key):,}", "")
        else:
            head = (sector.name, sector.id, sector.owner, f"{t.count(key):,}", format_area(sector.area_km2, measure))
        fg = _NONE[:COL_NEAR] + (self._brushes["near_fg"] if near else None,
                                 self._brushes["wrong_fg"] if wrong else None)
        return {_DISPLAY: head + (f"{near:,}", f"{wrong:,}"), _ALIGN: _GROUP_ALIGN, _FOREGROUND: fg,
                _FONT: ((self._bold if sector else self._italic),) * n, _GROUP: (key,) * n,
                _TOOLTIP: (group_tip(sector, bool(sectors), near, wrong, measure),) * n}

    def _unit_cells_of(self, u: int) -> dict:
        units, a, n = self._doc.units, self._s.analysis, len(COLUMNS)
        cls = a.classification
        near, wrong = bool(cls.near_line[u]), bool(cls.wrong_side[u])
        aff, measure = str(units.affiliations[u]), self._units_of_measure
        unit, near_tip, wrong_tip = (unit_tip(units, cls, a.sectors.sectors, u, about, measure)
                                     for about in ("unit", "near", "wrong"))
        cells = {_DISPLAY: (str(units.names[u]), str(units.ids[u]), str(units.sides[u]), aff,
                            format_distance(float(cls.distance_km[u]), measure), "near" if near else "",
                            "wrong" if wrong else ""),
                 _DECORATION: (self._icons.get(aff, self._icons["unknown"]), None, None, None, None,
                               self._icons["near"] if near else None, self._icons["wrong"] if wrong else None),
                 _ALIGN: _UNIT_ALIGN, _UNIT: (u,) * n, _TOOLTIP: (unit,) * COL_NEAR + (near_tip, wrong_tip)}
        if near or wrong:
            cells[_BACKGROUND] = (self._brushes["wrong" if wrong else "near"],) * n  # red wins
        if wrong:
            cells[_FOREGROUND] = _NONE[:COL_WRONG] + (self._brushes["wrong_fg"],)
        return cells

"""Item model behind the sectors panel: one row per sector (plus "Outside AO"), its units below.

Built for the live drag path: `set_analysis` runs on every mouse move with up to 1M units,
so everything per update is whole-array numpy (bincount, flatnonzero, partition); no Python
loop touches all units. Unit rows exist only for groups a view holds on to (expanded,
current or selected ones: the model's persistent indexes say which) and at most PAGE rows
are listed per group (more on request), because QTreeView relayouts every listed row of an
expanded branch with Python index()/flags() calls on each change (~2 µs a row: 0.9 s for
500k rows).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap

from desktop.core.document import Analysis, Document
from desktop.core.table_export import as_text, contains, dense_rank, first_sorted

COLUMNS = ("Name", "Owner / side", "Units / affil.", "km² / km", "Near", "Wrong")
COL_NAME, COL_SIDE, COL_COUNT, COL_MEASURE, COL_NEAR, COL_WRONG = range(len(COLUMNS))
HEADER_TIPS = ("Sector name / unit name", "Sector owner / the unit's side",
               "Units listed in the sector / the unit's affiliation",
               "Sector area (geodesic km²) / the unit's geodesic distance to the line (km)",
               "Units within the buffer either side of the line / this unit is",
               "Units whose side differs from their sector's owner / this unit is")
OUTSIDE = -1                       # group key of the units in no sector
PAGE = 1000                        # unit rows listed per group before a "… more" row
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1   # unit index on unit rows
GROUP_ROLE = Qt.ItemDataRole.UserRole + 2  # group key on sector rows

NEAR_BG = QColor("#ffe4a3")        # amber
WRONG_BG = QColor("#f7b9b9")       # red; wins over amber
NEAR_FG = QColor("#8a5a00")
WRONG_FG = QColor("#b00020")
AFFILIATION_COLOURS = {"friend": "#80e0ff", "hostile": "#ff8080", "neutral": "#aaffaa", "unknown": "#ffff80"}
_GROUP_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# ItemNeverHasChildren spares QTreeView a hasChildren() call per unit row on every relayout.
_UNIT_FLAGS = _GROUP_FLAGS | Qt.ItemFlag.ItemNeverHasChildren
_MORE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAG_KEY = 1.0e6                  # > any distance in km: flag first, then distance


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
    """Everything the model shows for one analysis + filter + sort. A layout change swaps
    whole states, so views see the old one until layoutAboutToBeChanged has gone out."""

    analysis: Analysis | None = None
    sector: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    mask: np.ndarray | None = None                     # units passing the filter; None = all
    counts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))  # by key + 1
    near_counts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    wrong_counts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    outside_total: int = 0
    keys: list[int] = field(default_factory=list)      # group keys in display order
    row_of_key: dict[int, int] = field(default_factory=dict)
    rows: dict[int, np.ndarray] = field(default_factory=dict)  # listed units per group (lazy)

    def count(self, key: int) -> int:
        return int(self.counts[key + 1]) if 0 <= key + 1 < len(self.counts) else 0

    def has_more(self, key: int) -> bool:
        return self.count(key) > len(self.rows[key])

    def row_count(self, key: int) -> int:
        return len(self.rows[key]) + self.has_more(key)


def _positions(listed: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `units` in `listed` and a mask of those found (vectorised lookup)."""
    if not len(listed) or not len(units):
        return np.empty(0, dtype=np.int64), np.zeros(len(units), dtype=bool)
    order = np.argsort(listed, kind="stable")
    pos = np.minimum(np.searchsorted(listed, units, sorter=order), len(listed) - 1)
    hit = listed[order[pos]] == units
    return order[pos[hit]], hit


class SectorsModel(QAbstractItemModel):
    """Two-level model. Top-level rows are groups (key = sector index, or OUTSIDE); the
    children of a group are its units that pass the filter, in sort order, capped at the
    group's limit (plus one "… more" row). internalId: 0 for groups, key + 2 for units."""

    def __init__(self, document: Document, parent=None) -> None:
        super().__init__(parent)
        self._doc = document
        self._s = _State()
        self._filter = ("", False, False)              # text, near only, wrong only
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._limits: dict[int, int] = {}
        self._text_mask: np.ndarray | None = None      # caches that live as long as the units
        self._text_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._rank_cache: dict[str, np.ndarray] = {}
        self._icons = {"near": _dot("#f0a800"), "wrong": _dot("#d01010")}
        self._icons.update({a: _dot(c, square=True) for a, c in AFFILIATION_COLOURS.items()})
        self._brushes = {"near": QBrush(NEAR_BG), "wrong": QBrush(WRONG_BG), "near_fg": QBrush(NEAR_FG),
                         "wrong_fg": QBrush(WRONG_FG), "muted": QBrush(QColor("#606060"))}
        self._bold, self._italic = QFont(), QFont()
        self._bold.setBold(True)
        self._italic.setItalic(True)

    # -- public API ------------------------------------------------------------------------
    @property
    def analysis(self) -> Analysis | None:
        return self._s.analysis

    @property
    def filter(self) -> tuple[str, bool, bool]:
        return self._filter

    def set_analysis(self, analysis: Analysis, units_changed: bool = False) -> None:
        """Show `analysis`. Emits dataChanged when the listed rows stayed the same, a layout
        change (persistent indexes remapped, so expansion and selection survive) when they
        did not, and a reset when the unit table itself changed."""
        if analysis is self._s.analysis and not units_changed:
            return
        if units_changed or self._s.analysis is None \
                or len(analysis.classification.sector) != len(self._s.sector):
            self.beginResetModel()
            self._text_mask = self._text_cache = None
            self._rank_cache.clear()
            self._limits.clear()
            self._s = self._build(analysis)
            self.endResetModel()
        else:
            self._update(analysis)

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
            self._update(self._s.analysis)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if (column, order) != self._sort:
            self._sort = (column, order)
            self._update(self._s.analysis)

    def show_more(self, key: int) -> None:
        """List another page of the group's units."""
        self._limits[key] = self._limits.get(key, PAGE) + PAGE
        self._update(self._s.analysis, force=True)

    def group_keys(self) -> list[int]:
        return list(self._s.keys)

    def group_index(self, key: int) -> QModelIndex:
        row = self._s.row_of_key.get(key)
        return QModelIndex() if row is None else self.createIndex(row, 0, 0)

    def group_key(self, index: QModelIndex) -> int | None:
        if index.isValid() and index.internalId() == 0 and index.row() < len(self._s.keys):
            return self._s.keys[index.row()]
        return None

    def group_count(self, key: int) -> int:
        """Units of the group passing the filter (listed or not)."""
        return self._s.count(key)

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
        s = self._s
        units = np.unique(np.asarray(units, dtype=np.int64))
        units = units[(units >= 0) & (units < len(s.sector))]
        shown = units if s.mask is None else units[s.mask[units]]
        keys = s.sector[shown]
        found: dict[int, np.ndarray] = {}
        for key in np.unique(keys).tolist():
            rows, _ = _positions(self._listed(s, key), shown[keys == key])
            if len(rows):
                found[key] = np.sort(rows)
        return found, len(units) - sum(len(r) for r in found.values())

    def filtered_units(self) -> np.ndarray:
        """Every unit passing the filter (no page limit), groups in display order and units
        in sort order: what the CSV export writes."""
        parts = [self._members(self._s, key, None) for key in self._s.keys]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def totals(self) -> dict[str, int]:
        """Unfiltered totals (what the summary strip shows) and how many pass the filter."""
        s = self._s
        if s.analysis is None:
            return dict(units=0, near=0, wrong=0, shown=0, outside=0)
        cls = s.analysis.classification
        n = len(cls.sector)
        return dict(units=n, near=int(np.count_nonzero(cls.near_line)),
                    wrong=int(np.count_nonzero(cls.wrong_side)),
                    shown=n if s.mask is None else int(np.count_nonzero(s.mask)),
                    outside=s.outside_total)

    # -- state ------------------------------------------------------------------------------
    def _build(self, analysis: Analysis) -> _State:
        """Counts, filter mask and group order for `analysis` (O(N) numpy, no unit rows)."""
        cls = analysis.classification
        n_sec = len(analysis.sectors.sectors)
        # Our own copy: the core may reuse its arrays between analyses, and we compare with it.
        s = _State(analysis, np.array(cls.sector, dtype=np.int16, copy=True))
        s.mask = self._filter_mask(cls)
        shifted = s.sector + 1  # OUTSIDE -> 0, sector i -> i + 1
        s.outside_total = len(shifted) - int(np.count_nonzero(shifted))
        near, wrong = cls.near_line, cls.wrong_side
        if s.mask is not None:
            shifted, near, wrong = shifted[s.mask], near[s.mask], wrong[s.mask]
        s.counts = np.bincount(shifted, minlength=n_sec + 1)
        s.near_counts = np.bincount(shifted[near], minlength=n_sec + 1)
        s.wrong_counts = np.bincount(shifted[wrong], minlength=n_sec + 1)
        s.keys = self._sorted_groups(s, list(range(n_sec)))
        if s.outside_total:
            s.keys.append(OUTSIDE)  # always last: it is not a sector
        s.row_of_key = {k: i for i, k in enumerate(s.keys)}
        return s

    def _filter_mask(self, cls) -> np.ndarray | None:
        text, near_only, wrong_only = self._filter
        mask = None
        if text:
            if self._text_mask is None:
                if self._text_cache is None:
                    units = self._doc.units
                    self._text_cache = (as_text(units.ids, lower=True), as_text(units.names, lower=True))
                ids, names = self._text_cache
                self._text_mask = contains(ids, text) | contains(names, text)
            mask = self._text_mask
        if near_only:
            mask = cls.near_line if mask is None else mask & cls.near_line
        if wrong_only:
            mask = cls.wrong_side if mask is None else mask & cls.wrong_side
        return mask

    def _sorted_groups(self, s: _State, keys: list[int]) -> list[int]:
        column, order = self._sort
        if not 0 <= column < len(COLUMNS):
            return keys
        sectors = s.analysis.sectors.sectors
        value = {
            COL_NAME: lambda k: sectors[k].name.lower(), COL_SIDE: lambda k: sectors[k].owner.lower(),
            COL_COUNT: lambda k: s.counts[k + 1], COL_MEASURE: lambda k: sectors[k].area_km2,
            COL_NEAR: lambda k: s.near_counts[k + 1], COL_WRONG: lambda k: s.wrong_counts[k + 1],
        }[column]
        return sorted(keys, key=value, reverse=order == Qt.SortOrder.DescendingOrder)

    def _listed(self, s: _State, key: int) -> np.ndarray:
        rows = s.rows.get(key)
        if rows is None:
            rows = s.rows[key] = self._members(s, key, self._limits.get(key, PAGE))
        return rows

    def _members(self, s: _State, key: int, limit: int | None) -> np.ndarray:
        """The group's units passing the filter, sorted, first `limit` of them."""
        if s.analysis is None or key not in s.row_of_key:
            return np.empty(0, dtype=np.int64)
        hit = s.sector == key
        members = np.flatnonzero(hit if s.mask is None else hit & s.mask)
        column, order = self._sort
        if not 0 <= column < len(COLUMNS) or not len(members):
            return members if limit is None else members[:limit]
        return first_sorted(members, self._unit_sort_key(s, column, order, members), limit)

    def _unit_sort_key(self, s: _State, column: int, order: Qt.SortOrder, members: np.ndarray) -> np.ndarray:
        """Ascending float key over `members` realising the requested order; ties keep unit
        order (stable sorts), NaN distances go last."""
        cls = s.analysis.classification
        descending = order == Qt.SortOrder.DescendingOrder
        dist = cls.distance_km[members].astype(float)
        if column in (COL_NEAR, COL_WRONG):
            flag = (cls.near_line if column == COL_NEAR else cls.wrong_side)[members]
            # Flagged last (ascending) or first (descending); nearest first either way.
            key = np.where(flag != descending, _FLAG_KEY, 0.0) + dist
        else:
            if column == COL_MEASURE:
                key = dist
            else:
                attr = {COL_NAME: "names", COL_SIDE: "sides", COL_COUNT: "affiliations"}[column]
                key = self._rank(attr)[members].astype(float)
            if descending:
                key = -key
        return np.where(np.isnan(key), np.inf, key)

    def _rank(self, attr: str) -> np.ndarray:
        if attr not in self._rank_cache:  # ~0.4 s at 1M units, once per unit table
            self._rank_cache[attr] = dense_rank(getattr(self._doc.units, attr))
        return self._rank_cache[attr]

    # -- update: dataChanged or layout change -----------------------------------------------
    def _update(self, analysis: Analysis | None, force: bool = False) -> None:
        """Swap in the state for `analysis` (or the new filter/sort). Group keys are sector
        indices (sector ids are "S<index+1>"), so a key means the same group before and after."""
        if analysis is None:
            return
        old, new = self._s, self._build(analysis)
        # Groups a view holds on to (expanded, current, selected): compare their listed rows.
        held = {old.keys[p.row()] if p.internalId() == 0 else p.internalId() - 2
                for p in self.persistentIndexList() if p.internalId() or p.row() < len(old.keys)}
        changed = force or old.keys != new.keys or (old.counts > 0).tolist() != (new.counts > 0).tolist()
        for key in held & set(new.keys):
            before, rows = old.rows.get(key), self._listed(new, key)
            if before is None or not np.array_equal(before, rows) or new.has_more(key) != old.has_more(key):
                changed = True
        if not changed:
            self._s = new
            self._emit_data_changed()
            return
        self.layoutAboutToBeChanged.emit()
        # Selection models add persistent indexes while handling layoutAboutToBeChanged, so
        # the list is read after emitting it (and the old state stays until then).
        persistent = self.persistentIndexList()
        self._s = new
        self.changePersistentIndexList(persistent, self._remap(persistent, old, new))
        self.layoutChanged.emit()

    def _remap(self, persistent: list, old: _State, new: _State) -> list:
        """New positions for persistent indexes: groups by key, unit rows follow their unit to
        wherever it is listed now, a "… more" row stays its group's "… more" row."""
        ids = np.array([p.internalId() for p in persistent], dtype=np.int64)
        rows = np.array([p.row() for p in persistent], dtype=np.int64)
        new_rows = np.full(len(persistent), -1, dtype=np.int64)
        new_ids = np.zeros(len(persistent), dtype=np.int64)
        for i in np.flatnonzero(ids == 0):
            if rows[i] < len(old.keys):
                new_rows[i] = new.row_of_key.get(old.keys[rows[i]], -1)
        unit_of = np.full(len(persistent), -1, dtype=np.int64)
        for key in (np.unique(ids[ids > 0]) - 2).tolist():
            at = np.flatnonzero(ids == key + 2)
            listed = old.rows.get(key, np.empty(0, dtype=np.int64))
            inside = rows[at] < len(listed)
            unit_of[at[inside]] = listed[rows[at[inside]]]
            more = at[~inside]
            if len(more) and key in new.row_of_key and new.count(key) > len(self._listed(new, key)):
                new_rows[more], new_ids[more] = len(new.rows[key]), key + 2
        moving = np.flatnonzero(unit_of >= 0)
        units = unit_of[moving]
        keys = new.sector[units]
        shown = np.ones(len(units), dtype=bool) if new.mask is None else new.mask[units]
        for key in np.unique(keys[shown]).tolist():
            if key in new.row_of_key:
                at = moving[shown & (keys == key)]
                found, hit = _positions(self._listed(new, key), unit_of[at])
                new_rows[at[hit]], new_ids[at[hit]] = found, key + 2
        return [self.createIndex(r, p.column(), k) if r >= 0 else QModelIndex()
                for p, r, k in zip(persistent, new_rows.tolist(), new_ids.tolist())]

    def _emit_data_changed(self) -> None:
        s, last = self._s, len(COLUMNS) - 1
        if s.keys:
            self.dataChanged.emit(self.index(0, 0), self.index(len(s.keys) - 1, last))
        for key in list(s.rows):
            n = s.row_count(key) if key in s.row_of_key else 0
            if n:
                parent = self.group_index(key)
                self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, last, parent))

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
        if key is None or parent.column() != 0 or not self.group_count(key):
            return 0
        rows = self.listed(key)
        return len(rows) + self._s.has_more(key)

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        if not parent.isValid():
            return bool(self._s.keys)
        key = self.group_key(parent)
        return key is not None and parent.column() == 0 and self.group_count(key) > 0

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
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return HEADER_TIPS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        gid = index.internalId()
        if not index.isValid() or self._s.analysis is None:
            return None
        if gid == 0:
            key = self.group_key(index)
            return None if key is None else self._group_data(key, index.column(), role)
        rows = self._listed(self._s, gid - 2)
        if index.row() < len(rows):
            return self._unit_data(int(rows[index.row()]), index.column(), role)
        if index.row() == len(rows) and self._s.has_more(gid - 2):
            return self._more_data(gid - 2, rows, index.column(), role)
        return None

    def _group_data(self, key: int, column: int, role: int):
        R, s = Qt.ItemDataRole, self._s
        sectors = s.analysis.sectors.sectors
        sector = sectors[key] if key >= 0 else None
        near, wrong = int(s.near_counts[key + 1]), int(s.wrong_counts[key + 1])
        if role == R.DisplayRole:
            if sector is None:
                return ("Outside AO" if sectors else "In no sector", "", f"{s.count(key):,}", "",
                        f"{near:,}", f"{wrong:,}")[column]
            return (sector.name, sector.owner, f"{s.count(key):,}", f"{sector.area_km2:,.0f} km²",
                    f"{near:,}", f"{wrong:,}")[column]
        if role == GROUP_ROLE:
            return key
        if role == R.FontRole:
            return self._bold if sector else self._italic
        if role == R.TextAlignmentRole and column >= COL_COUNT:
            return _RIGHT
        if role == R.ForegroundRole and ((column == COL_NEAR and near) or (column == COL_WRONG and wrong)):
            return self._brushes["near_fg" if column == COL_NEAR else "wrong_fg"]
        if role == R.ToolTipRole:
            if sector is None:
                return ("Units outside the AO: in no sector, still measured against the line"
                        if sectors else "The line cannot split the AO, so no unit is in a sector")
            return (f"{sector.id}: owned by {sector.owner} ({sector.side} of the line), "
                    f"{sector.area_km2:,.0f} km²\n{near:,} near the line, {wrong:,} on the wrong side")
        return None

    def _unit_data(self, u: int, column: int, role: int):
        R = Qt.ItemDataRole
        units, cls = self._doc.units, self._s.analysis.classification
        near, wrong = bool(cls.near_line[u]), bool(cls.wrong_side[u])
        if role == R.DisplayRole:
            d = float(cls.distance_km[u])
            return (str(units.names[u]), str(units.sides[u]), str(units.affiliations[u]),
                    f"{d:.2f} km" if np.isfinite(d) else "—", "near" if near else "",
                    "wrong side" if wrong else "")[column]
        if role == UNIT_ROLE:
            return u
        if role == R.BackgroundRole and (near or wrong):
            return self._brushes["wrong" if wrong else "near"]  # wrong side wins over amber
        if role == R.DecorationRole:
            if column == COL_NAME:
                return self._icons.get(str(units.affiliations[u]), self._icons["unknown"])
            if (column == COL_NEAR and near) or (column == COL_WRONG and wrong):
                return self._icons["near" if column == COL_NEAR else "wrong"]
        if role == R.TextAlignmentRole and column == COL_MEASURE:
            return _RIGHT
        if role == R.ForegroundRole and column == COL_WRONG and wrong:
            return self._brushes["wrong_fg"]
        if role == R.ToolTipRole:
            return self._unit_tip(u, column)
        return None

    def _unit_tip(self, u: int, column: int) -> str:
        units, cls, sectors = self._doc.units, self._s.analysis.classification, self._s.analysis.sectors.sectors
        d, buffer_km, sec = float(cls.distance_km[u]), float(cls.buffer_km), int(cls.sector[u])
        if column == COL_NEAR:
            return (f"Near the line: {d:.2f} km, within the {buffer_km:g} km buffer" if cls.near_line[u]
                    else f"{d:.2f} km from the line, outside the {buffer_km:g} km buffer")
        if column == COL_WRONG:
            if cls.wrong_side[u]:
                return f"Wrong side: a {units.sides[u]} unit inside a sector owned by {sectors[sec].owner}"
            return "On its own side of the line" if sec >= 0 else "Not in a sector"
        where = f"in {sectors[sec].name}" if sec >= 0 else "in no sector"
        return (f"{units.ids[u]} — {units.names[u]}\n{units.sides[u]}, {units.affiliations[u]}, "
                f"{units.domains[u]}; {where}, {d:.2f} km from the line")

    def _more_data(self, key: int, rows: np.ndarray, column: int, role: int):
        R = Qt.ItemDataRole
        more = self.group_count(key) - len(rows)
        if role == R.DisplayRole and column == COL_NAME:
            return f"… {more:,} more"
        if role == R.ToolTipRole:
            return (f"{more:,} more units are not listed. Double-click to list {min(more, PAGE):,} "
                    "more, or narrow the list with the filter or by sorting.")
        if role == R.FontRole:
            return self._italic
        if role == R.ForegroundRole:
            return self._brushes["muted"]
        return None

"""The conflicts panel (built-in panel plugin): the predicted conflicts at the time cursor's
moment, soonest first, filterable by kind and text.

It lists the shared session's answer (desktop.gui.air.session), so scrubbing the cursor
replays the conflicts of each moment. Selecting a row selects the conflict: the map centres
on where it happens and highlights both parties (the aircraft in the unit selection, the
ACM as the selected block, the CPA marks in the selection colour). The parameters (horizon,
lateral and vertical limits) are the session's; "Draft notification…" drafts the hotline
message of the selected conflict, else of the selected block, else of the selected aircraft;
"Airspace blocks" imports blocks from GeoJSON or KML (one command) and exports them.
While the live feed runs, the session also sends new conflicts to the Alerts dock, once
each (desktop.gui.air.live_alerts), with or without this panel.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.air.acm_io import read_airspace, write_airspace
from desktop.core.air.commands import import_airspace
from desktop.core.air.conflicts import AIRCRAFT, AIRSPACE, CONFLICT_KINDS, LINE, ConflictParams
from desktop.core.atomic import SaveError, atomic_write
from desktop.core.events import Connections
from desktop.core.inputs import InputError
from desktop.core.tracks import format_time
from desktop.gui.air.session import session_for
from desktop.gui.plain import tooltip
from desktop.gui.project_files import choose_open_path, choose_save_path, show_error

COLUMNS = ("In", "At (UTC)", "Kind", "Conflict", "Lateral", "Vertical")
KIND_TITLES = {AIRCRAFT: "Aircraft", AIRSPACE: "Airspace", LINE: "Line"}
SORT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return "now" if s < 30 else f"{s // 60}:{s % 60:02d}"


class ConflictsModel(QtCore.QAbstractTableModel):
    """The rows of one `Conflicts` (or none)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.conflicts = None
        self.texts: list[str] = []

    def set_conflicts(self, conflicts) -> None:
        self.beginResetModel()
        self.conflicts = conflicts
        self.texts = [] if conflicts is None else [conflicts.describe(i) for i in range(len(conflicts))]
        self.endResetModel()

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.texts)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 - Qt API
        return len(COLUMNS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == QtCore.Qt.Orientation.Horizontal and role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index, role=QtCore.Qt.ItemDataRole.DisplayRole):
        c, i, col = self.conflicts, index.row(), index.column()
        if c is None or not index.isValid():
            return None
        t, kind = float(c.time_s[i]), str(c.kind[i])
        lateral, vertical = float(c.distance_nm[i]), float(c.vertical_ft[i])
        if role == SORT_ROLE:
            return (t, t, CONFLICT_KINDS.index(kind), self.texts[i], lateral, vertical)[col]
        if role == QtCore.Qt.ItemDataRole.DisplayRole:
            return (_clock(t), format_time(c.at + int(round(t)))[11:19] + "Z", KIND_TITLES[kind], self.texts[i],
                    "" if math.isnan(lateral) else f"{lateral:.1f} NM",
                    "" if kind != AIRCRAFT else ("?" if math.isnan(vertical) else f"{int(round(vertical)):,} ft"))[col]
        if role == QtCore.Qt.ItemDataRole.ToolTipRole and col == 3:
            return tooltip(self.texts[i])  # callsigns come from files and feeds
        return None

    def key(self, row: int) -> tuple:
        return self.conflicts.key(row)


class ConflictsFilter(QtCore.QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.kinds = set(CONFLICT_KINDS)
        self.words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_filter(self, kinds, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9; invalidateFilter is deprecated from 6.10
            self.beginFilterChange()
            self.kinds, self.words = set(kinds), text.lower().split()
            self.endFilterChange(QtCore.QSortFilterProxyModel.Direction.Rows)
        else:
            self.kinds, self.words = set(kinds), text.lower().split()
            self.invalidateFilter()

    def filterAcceptsRow(self, row, parent) -> bool:  # noqa: N802 - Qt API
        model = self.sourceModel()
        c = model.conflicts
        if c is None or str(c.kind[row]) not in self.kinds:
            return False
        haystack = " ".join((model.texts[row], *c.key(row))).lower()
        return all(w in haystack for w in self.words)


class ConflictsPanel(QtWidgets.QWidget):
    """Object names: "conflictsPanel", "conflictsSummary", "conflictsFilter", "kind_<kind>"
    toggles, "horizonSpin", "lateralSpin", "verticalSpin", "conflictsTable", "notifyButton"."""

    def __init__(self, context, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictsPanel")
        self.context = context
        self.session = session_for(context).acquire()
        self.links = Connections()
        self.summary = QtWidgets.QLabel(objectName="conflictsSummary")
        self.summary.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.filter_edit = QtWidgets.QLineEdit(objectName="conflictsFilter", placeholderText="Filter: callsign, block…")
        self.kind_toggles = {}
        kinds = QtWidgets.QHBoxLayout()
        for kind in CONFLICT_KINDS:
            toggle = QtWidgets.QToolButton(objectName=f"kind_{kind}", text=KIND_TITLES[kind], checkable=True,
                                           checked=True)
            toggle.toggled.connect(self._on_filter_changed)
            self.kind_toggles[kind] = toggle
            kinds.addWidget(toggle)
        kinds.addWidget(self.filter_edit, 1)
        params = QtWidgets.QHBoxLayout()
        p = self.session.params
        self.horizon_spin = self._spin("horizonSpin", 1, 60, p.horizon_s / 60, " min", "Horizon", params)
        self.lateral_spin = self._spin("lateralSpin", 0.5, 50, p.lateral_nm, " NM", "Lateral", params, 1)
        self.vertical_spin = self._spin("verticalSpin", 100, 10000, p.vertical_ft, " ft", "Vertical", params)
        self.vertical_spin.setSingleStep(100)
        self.model = ConflictsModel(self)
        self.proxy = ConflictsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QtWidgets.QTableView(objectName="conflictsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, QtCore.Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.notify_button = QtWidgets.QPushButton("Draft notification…", objectName="notifyButton")
        self.notify_button.clicked.connect(self.draft_notification)
        self.blocks_button = QtWidgets.QToolButton(objectName="blocksButton", text="Airspace blocks")
        self.blocks_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QtWidgets.QMenu(self.blocks_button)
        menu.addAction("Import blocks (GeoJSON, KML)…", self._ask_import)
        menu.addAction("Export blocks (KML 3D, GeoJSON)…", self._ask_export)
        self.blocks_button.setMenu(menu)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(kinds)
        layout.addLayout(params)
        layout.addWidget(self.table, 1)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.notify_button, 1)
        buttons.addWidget(self.blocks_button)
        layout.addLayout(buttons)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.table.selectionModel().selectionChanged.connect(self._on_row_selected)
        self.links.connect(self.session.changed, self._on_conflicts_changed)
        self.links.connect(self.session.selection_changed, self._on_session_selection)
        self.links.connect(context.selection.changed, self._update_button)
        self._syncing = False
        self._on_conflicts_changed()

    def _spin(self, name, lo, hi, value, suffix, label, layout, decimals=0) -> QtWidgets.QDoubleSpinBox:
        spin = QtWidgets.QDoubleSpinBox(objectName=name, minimum=lo, maximum=hi, decimals=decimals, suffix=suffix)
        spin.setValue(value)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(self._on_params_changed)
        layout.addWidget(QtWidgets.QLabel(label))
        layout.addWidget(spin)
        return spin

    def close(self) -> bool:
        self.links.disconnect_all()
        self.session.release()
        return super().close()

    # -- the rows -----------------------------------------------------------------------------------
    def _on_params_changed(self, *_) -> None:
        self.session.set_params(ConflictParams(self.horizon_spin.value() * 60.0, self.lateral_spin.value(),
                                               self.vertical_spin.value()))

    def _on_filter_changed(self, *_) -> None:
        self.proxy.set_filter([k for k, t in self.kind_toggles.items() if t.isChecked()], self.filter_edit.text())

    def _on_conflicts_changed(self) -> None:
        s, c = self.session, self.session.conflicts
        self._syncing = True
        try:
            self.model.set_conflicts(c)
            self._select_row(s.selected_row())
        finally:
            self._syncing = False
        when = format_time(s.time).replace("T", " ")
        if c is None:
            text = f"{when}: no conflicts computed ({s.error})" if s.error else f"{when}: no aircraft"
        else:
            counts = [f"{int(np.count_nonzero(c.kind == k))} {KIND_TITLES[k].lower()}" for k in CONFLICT_KINDS]
            text = (f"{when}: {len(c)} conflict{'s' * (len(c) != 1)} in the next {s.params.horizon_s / 60:g} min "
                    f"({', '.join(counts)}); {len(c.state)} aircraft")
            if s.note:
                text += f"\n{s.note}"
        self.summary.setText(text)
        self._update_button()

    def rows(self) -> list[int]:
        """The conflicts listed, in the order shown (indices into the session's conflicts)."""
        return [self.proxy.mapToSource(self.proxy.index(r, 0)).row() for r in range(self.proxy.rowCount())]

    def _select_row(self, source_row: int | None) -> None:
        sel = self.table.selectionModel()
        if source_row is None:
            sel.clearSelection()
            return
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if index.isValid():
            sel.select(index, QtCore.QItemSelectionModel.SelectionFlag.ClearAndSelect
                       | QtCore.QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)

    def _on_session_selection(self) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                self._select_row(self.session.selected_row())
            finally:
                self._syncing = False
        self._update_button()

    def _on_row_selected(self, *_) -> None:
        if self._syncing:
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        i = self.proxy.mapToSource(rows[0]).row()
        self.show_conflict(i)

    def show_conflict(self, i: int) -> None:
        """Select conflict i: both parties highlighted, the map centred on where it happens."""
        c, s = self.session.conflicts, self.session
        self._syncing = True
        try:
            s.select_conflict(c.key(i))
            kind = str(c.kind[i])
            units = [int(c.state.unit[c.a[i]])] + ([int(c.state.unit[c.b[i]])] if kind == AIRCRAFT else [])
            s.select_acm(c.airspace[int(c.b[i])].id if kind == AIRSPACE else None)
            self.context.selection.set_units(units, source=self)
        finally:
            self._syncing = False
        view = self.context.map_view
        if view is not None:
            lon = [c.lon[i]] + ([c.b_lon[i]] if kind == AIRCRAFT else [])
            lat = [c.lat[i]] + ([c.b_lat[i]] if kind == AIRCRAFT else [])
            x, y = view.to_display(np.asarray(lon), np.asarray(lat))
            view.center_on(float(np.mean(x)), float(np.mean(y)))
        self.context.status(c.describe(i))

    # -- notification ------------------------------------------------------------------------------
    def _update_button(self, *_) -> None:
        self.notify_button.setEnabled(self.session.selected_row() is not None or self.session.selected_acm is not None
                                      or bool(len(self.context.selection.units)))

    def draft_notification(self):
        from desktop.gui.air import notify_dialog
        i = self.session.selected_row()
        if i is not None:
            return notify_dialog.notify_conflict(self.context, i, self)
        if self.session.selected_acm is not None:
            return notify_dialog.notify_acm(self.context, self.session.selected_acm, self)
        dialog = notify_dialog.notify_aircraft(self.context, self.context.selection.units, self)
        if dialog is None:
            self.context.status("Select a conflict, a block or aircraft to draft a notification")
        return dialog

    # -- blocks in and out ----------------------------------------------------------------------------
    def import_blocks(self, path: str) -> bool:
        """The ACMs of a GeoJSON or KML file, added as one undoable command (a block whose id
        the document has replaces it); a bad file is said, naming it, and changes nothing."""
        try:
            airspace = read_airspace(path)
        except InputError as exc:
            show_error(self, "Import blocks", str(exc))
            return False
        ok = self.context.push(import_airspace(self.context.document, airspace, Path(path).name))
        if ok:
            n = len(airspace)
            self.context.status(f"Imported {n} block{'s' * (n != 1)} from {Path(path).name} — Ctrl+Z undoes it")
        return ok

    def export_blocks(self, path: str) -> bool:
        """The document's ACMs as KML (3D volumes for Google Earth) or, by the extension, GeoJSON."""
        doc = self.context.document
        fmt = "geojson" if Path(path).suffix.lower() in (".geojson", ".json") else "kml"

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                write_airspace(doc.airspace, fmt, out, doc.sides, f"{doc.title}: airspace")
        try:
            atomic_write(path, write)
        except SaveError as exc:
            show_error(self, "Export blocks", str(exc))
            return False
        self.context.status(f"Exported {len(doc.airspace)} blocks to {path}")
        return True

    def _ask_import(self) -> None:
        path = choose_open_path(self, "Import airspace blocks", "Airspace (*.geojson *.json *.kml)")
        if path:
            self.import_blocks(path)

    def _ask_export(self) -> None:
        path = choose_save_path(self, "Export airspace blocks", "KML, 3D (*.kml);;GeoJSON (*.geojson)",
                                f"{self.context.document.title} airspace.kml")
        if path:
            self.export_blocks(path)

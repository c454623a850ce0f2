"""Line revisions in the GUI: the list (ghost on the map, state, effective time, agreeing
call), saving the current line as a revision tied to a call, marking it proposed or agreed,
and the revision diff (the units that change sector between two revisions, core `diff`).
Every change is an undoable command (desktop.core.history_commands)."""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core import history_commands as hc
from desktop.core.events import Connections
from desktop.core.revision_diff import diff
from desktop.core.revisions import AGREED, PROPOSED
from desktop.core.time_cursor import TimeCursor
from desktop.core.tracks import parse_time_in
from desktop.gui.context import AppContext
from desktop.gui.timeline.axis import format_entry, format_short, offset_label

COLUMNS = ("Ghost", "Revision", "State", "Effective", "Call", "Note")


class RevisionsPane(QtWidgets.QWidget):
    ghosts_changed = QtCore.Signal(object)   # set of revision ids ghosted on the map

    def __init__(self, context: AppContext, cursor: TimeCursor, offset: Callable[[], int], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("revisionsPane")
        self.context, self.cursor, self.offset = context, cursor, offset
        self.doc = context.document
        self.ghosts: set[str] = set()     # every revision starts ghosted, new ones too
        self._seen: set[str] = set()
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS), self, objectName="revisionsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self._on_item_changed)
        self.table.itemDoubleClicked.connect(lambda *_: self.go_to_selected())
        buttons = QtWidgets.QHBoxLayout()
        self.buttons = {}
        for name, text, tip, slot in (
                ("save", "Save line…", "Save the current line as a revision tied to a call", self.save_line),
                ("agreed", "Agreed", "Mark the selected revision agreed", lambda: self.mark(AGREED)),
                ("proposed", "Proposed", "Mark the selected revision proposed", lambda: self.mark(PROPOSED)),
                ("goto", "Go to", "Move the time cursor to when the revision takes effect", self.go_to_selected),
                ("diff", "Diff…", "Units that change sector between two revisions", self.show_diff),
                ("delete", "Delete", "Delete the selected revision", self.delete_selected)):
            button = QtWidgets.QPushButton(text, self, objectName=f"revision_{name}")
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[name] = button
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.links = Connections()  # the timeline panel's close() undoes them
        self.links.connect(self.doc.revisions_changed, self.refresh)
        self.refresh()

    def refresh(self, *_) -> None:
        known = set(self.doc.revisions.ids)
        self.ghosts = {g for g in self.ghosts if g in known} | (known - self._seen)
        self._seen = known
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.doc.revisions))
        for row, rev in enumerate(self.doc.revisions):
            ghost = QtWidgets.QTableWidgetItem()
            ghost.setFlags(QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsEnabled
                           | QtCore.Qt.ItemFlag.ItemIsSelectable)
            ghost.setCheckState(QtCore.Qt.CheckState.Checked if rev.id in self.ghosts else QtCore.Qt.CheckState.Unchecked)
            ghost.setToolTip("Draw this revision ghosted on the map")
            cells = (ghost, *(QtWidgets.QTableWidgetItem(v) for v in (
                rev.id, rev.state, format_short(rev.effective, self.offset()), rev.call_id, rev.note)))
            for col, item in enumerate(cells):
                item.setData(QtCore.Qt.ItemDataRole.UserRole, rev.id)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.ghosts_changed.emit(set(self.ghosts))

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 1).text() if rows else None

    def select(self, revision_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 1).text() == revision_id:
                self.table.selectRow(row)

    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if item.column() == 0:
            rid = item.data(QtCore.Qt.ItemDataRole.UserRole)
            (self.ghosts.add if item.checkState() == QtCore.Qt.CheckState.Checked else self.ghosts.discard)(rid)
            self.ghosts_changed.emit(set(self.ghosts))

    # -- actions -----------------------------------------------------------------------------
    def save_line(self) -> bool:
        dialog = SaveRevisionDialog(self.context, self.cursor, self.offset(), self)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return False
        return self.context.push(dialog.command)

    def mark(self, state: str) -> bool:
        rid = self.selected_id()
        if rid is None:
            self.context.status("Select a revision first")
            return False
        ok = self.context.push(hc.set_revision_state(self.doc, rid, state))
        self.select(rid)
        return ok

    def delete_selected(self) -> bool:
        rid = self.selected_id()
        return rid is not None and self.context.push(hc.delete_revision(self.doc, rid))

    def go_to_selected(self) -> None:
        rid = self.selected_id()
        if rid is not None:
            self.cursor.set_time(self.doc.revisions.get(rid).effective)

    def show_diff(self) -> "DiffDialog":
        self.diff_dialog = DiffDialog(self.context, self.cursor, self.selected_id(), self)
        self.diff_dialog.show()
        return self.diff_dialog


class SaveRevisionDialog(QtWidgets.QDialog):
    """Id, effective time (default: the selected call's start, else the cursor), state,
    note and the agreeing call (default: the selected one). `command` after accept."""

    def __init__(self, context: AppContext, cursor: TimeCursor, offset_s: int, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("saveRevisionDialog")
        self.setWindowTitle("Save line as revision")
        self.context, self.offset_s = context, offset_s
        doc = context.document
        self.command: hc.ChangeRevisions | None = None
        call_id = context.selection.call or ""
        t = cursor.shown_time or 0
        if call_id and call_id in doc.calls.ids:
            t = int(doc.calls.start[doc.calls.index_of(call_id)])
        k = len(doc.revisions) + 1
        while f"rev-{k}" in doc.revisions.ids:
            k += 1
        self.id_edit = QtWidgets.QLineEdit(f"rev-{k}", objectName="revisionId")
        self.effective = QtWidgets.QLineEdit(format_entry(t, offset_s), objectName="revisionEffective")
        self.state = QtWidgets.QComboBox(objectName="revisionState")
        self.state.addItems([PROPOSED, AGREED])
        self.note = QtWidgets.QLineEdit(objectName="revisionNote")
        self.call = QtWidgets.QLineEdit(call_id, objectName="revisionCall")
        self.call.setPlaceholderText("id of the call that agreed or tabled it")
        self.error = QtWidgets.QLabel(objectName="revisionError", textFormat=QtCore.Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020;")
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow(QtWidgets.QLabel(f"The current line ({len(doc.line)} vertices) becomes a revision."))
        form.addRow("Revision id", self.id_edit)
        form.addRow(f"Effective ({offset_label(offset_s)})", self.effective)
        form.addRow("State", self.state)
        form.addRow("Note", self.note)
        form.addRow("Agreeing call", self.call)
        form.addRow(self.error)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            effective = parse_time_in(self.effective.text(), self.offset_s)
            self.command = hc.save_revision(self.context.document, self.id_edit.text(), effective,
                                            state=self.state.currentText(), note=self.note.text().strip(),
                                            call_id=self.call.text().strip())
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class DiffDialog(QtWidgets.QDialog):
    """Which units change sector between revisions A and B, at the units' positions at the
    cursor's time (or now). 'Select these units' rings them on the map."""

    HEADERS = ("Unit", "Name", "Side", "Owner under A", "Owner under B", "km to A", "km to B", "Wrong side A→B")

    def __init__(self, context: AppContext, cursor: TimeCursor, first: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("diffDialog")
        self.setWindowTitle("Revision diff")
        self.resize(820, 420)
        self.context, self.cursor, self.doc = context, cursor, context.document
        ids = list(self.doc.revisions.ids)
        self.a, self.b = QtWidgets.QComboBox(objectName="diffA"), QtWidgets.QComboBox(objectName="diffB")
        # A: the chosen revision (else the one before the last); B: the one after A.
        a = first if first in ids else (ids[-2] if len(ids) > 1 else ids[0] if ids else "")
        b = next((i for i in ids[ids.index(a) + 1:]), ids[-1]) if a in ids else ""
        for box, current in ((self.a, a), (self.b, b)):
            box.addItems(ids)
            box.setCurrentText(current)
        self.summary = QtWidgets.QLabel(objectName="diffSummary", textFormat=QtCore.Qt.TextFormat.PlainText)
        self.table = QtWidgets.QTableWidget(0, len(self.HEADERS), self, objectName="diffTable")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        select = QtWidgets.QPushButton("Select these units", objectName="diffSelect")
        select.clicked.connect(self.select_units)
        top = QtWidgets.QHBoxLayout()
        for w in (QtWidgets.QLabel("From"), self.a, QtWidgets.QLabel("to"), self.b):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(select)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.changes = None
        for box in (self.a, self.b):
            box.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self, *_) -> None:
        a, b = self.a.currentText(), self.b.currentText()
        if not a or not b:
            return
        at = self.cursor.time
        self.changes = ch = diff(self.doc, a, b, at=at)
        when = "now" if at is None else format_short(at)
        self.summary.setText(f"<b>{len(ch)}</b> units change sector from <b>{a}</b> to <b>{b}</b> "
                             f"(positions {when}).")
        cols = ch.columns()
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(ch))
        for row in range(len(ch)):
            values = (cols["id"][row], cols["name"][row], cols["side"][row], cols["owner_a"][row] or "outside AO",
                      cols["owner_b"][row] or "outside AO", cols["distance_a_km"][row], cols["distance_b_km"][row],
                      f"{'yes' if cols['wrong_side_a'][row] else 'no'} → {'yes' if cols['wrong_side_b'][row] else 'no'}")
            for col, v in enumerate(values):
                item = QtWidgets.QTableWidgetItem()
                item.setData(QtCore.Qt.ItemDataRole.DisplayRole, "—" if v is None else v)
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)
        self.table.resizeColumnsToContents()

    def select_units(self) -> None:
        if self.changes is not None:
            self.context.selection.set_units(np.asarray(self.changes.rows), source=self)
            if self.context.map_view is not None:
                self.context.map_view.center_on_units(self.context.selection.units)

"""The dialog that logs a new hotline call or edits one.

Built for the keyboard: opened at the time cursor with the usual stations and the duty
operator filled in, the focus in the summary; Enter logs the call. Every field is checked
as it would be on import (unknown unit ids and bad positions are refused with the reason),
and the result is a call record for `history_commands`.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core.calls import CATEGORIES, LINK_SEPARATOR, PRIORITIES, split_links
from desktop.core.coords import CoordinateError, format_dd, parse_position
from desktop.core.document import Document
from desktop.core.tracks import as_epoch, parse_time_in
from desktop.gui.timeline.axis import format_entry, offset_label


def _choices(column: np.ndarray, *extra: str) -> list[str]:
    """Distinct values of a text column, commonest first, then `extra` ones."""
    values, counts = np.unique(column.astype(str), return_counts=True)
    ordered = [v for v in values[np.argsort(-counts, kind="stable")].tolist() if v]
    return ordered + [e for e in extra if e not in ordered]


class CallDialog(QtWidgets.QDialog):
    """`record` holds the accepted call (a dict for ChangeCalls) after `accept`."""

    def __init__(self, doc: Document, record: dict, offset_s: int, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("callDialog")
        self.setWindowTitle(title)
        self.doc, self.offset_s = doc, offset_s
        self.record: dict | None = None
        calls = doc.calls
        self.id_edit = QtWidgets.QLineEdit(record["id"], objectName="callId")
        self.start_edit = QtWidgets.QLineEdit(objectName="callStart")
        start = record["start"]
        self.start_edit.setText(format_entry(as_epoch(start), offset_s))
        self.start_edit.setToolTip("Date-time in the timeline's offset, ISO 8601 with an offset, or a DTG "
                                   "(181400Z JUN 17)")
        self.minutes = QtWidgets.QDoubleSpinBox(objectName="callMinutes", decimals=1, maximum=24 * 60, suffix=" min")
        self.minutes.setValue(record.get("duration_s", 0) / 60)
        self.initiator = self._combo("callInitiator", _choices(calls.initiator, "Coalition", "Russian"),
                                     record.get("initiator", ""))
        self.from_station = self._combo("callFrom", _choices(calls.from_station), record.get("from_station", ""))
        self.to_station = self._combo("callTo", _choices(calls.to_station), record.get("to_station", ""))
        self.operator = self._combo("callOperator", _choices(calls.operator), record.get("operator", ""))
        self.category = self._combo("callCategory", list(CATEGORIES), record.get("category", CATEGORIES[-1]),
                                    editable=False)
        self.priority = self._combo("callPriority", list(PRIORITIES), record.get("priority", PRIORITIES[0]),
                                    editable=False)
        self.summary = QtWidgets.QLineEdit(record.get("summary", ""), objectName="callSummary")
        self.summary.setMinimumWidth(460)
        self.outcome = QtWidgets.QLineEdit(record.get("outcome", ""), objectName="callOutcome")
        units = record.get("units") or ()
        self.units = QtWidgets.QLineEdit(LINK_SEPARATOR.join(split_links(units) if isinstance(units, str) else units),
                                         objectName="callUnits")
        self.units.setPlaceholderText("unit ids separated by ;   e.g. SDF-06; SAA-01")
        completer = QtWidgets.QCompleter(doc.units.ids.tolist(), self)
        completer.setCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.units.setCompleter(completer)
        lon, lat = record.get("lon"), record.get("lat")
        has_place = lon is not None and lat is not None and not (math.isnan(lon) or math.isnan(lat))
        self.place = QtWidgets.QLineEdit(format_dd(lon, lat) if has_place else "", objectName="callPlace")
        self.place.setPlaceholderText("optional: 35.76, 38.50 · DMS · MGRS")
        self.revision = self._combo("callRevision", [""] + list(doc.revisions.ids), record.get("revision") or "",
                                    editable=False)
        self.error = QtWidgets.QLabel(objectName="callError", textFormat=QtCore.Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        for label, field in (("Call id", self.id_edit), (f"Start ({offset_label(offset_s)})", self.start_edit),
                             ("Duration", self.minutes), ("Initiator", self.initiator),
                             ("From station", self.from_station), ("To station", self.to_station),
                             ("Operator / linguist", self.operator), ("Category", self.category),
                             ("Priority", self.priority), ("Summary", self.summary), ("Outcome", self.outcome),
                             ("Linked units", self.units), ("Place", self.place), ("Line revision", self.revision)):
            form.addRow(label, field)
        form.addRow(self.error)
        form.addRow(buttons)
        self.summary.setFocus()

    def _combo(self, name: str, items: list[str], current: str, editable: bool = True) -> QtWidgets.QComboBox:
        box = QtWidgets.QComboBox(objectName=name, editable=editable)
        box.addItems(items if current in items or not current else [current, *items])
        box.setCurrentText(current)
        return box

    def values(self) -> dict:
        """The fields as a call record. Raises ValueError naming the field at fault."""
        call_id = self.id_edit.text().strip()
        if not call_id:
            raise ValueError("Call id: required")
        try:
            start = parse_time_in(self.start_edit.text(), self.offset_s)
        except ValueError as exc:
            raise ValueError(f"Start: {exc}") from None
        units = split_links(self.units.text())
        known = set(self.doc.units.ids.tolist())
        unknown = [u for u in units if u not in known]
        if unknown:
            raise ValueError(f"Linked units: no unit {unknown[0]!r} in the scenario")
        lon = lat = None
        if self.place.text().strip():
            try:
                lon, lat = parse_position(self.place.text())
            except CoordinateError as exc:
                raise ValueError(f"Place: {exc}") from None
        return {"id": call_id, "start": start, "duration_s": int(round(self.minutes.value() * 60)),
                "initiator": self.initiator.currentText().strip(), "from_station": self.from_station.currentText().strip(),
                "to_station": self.to_station.currentText().strip(), "operator": self.operator.currentText().strip(),
                "category": self.category.currentText(), "priority": self.priority.currentText(),
                "summary": self.summary.text().strip(), "outcome": self.outcome.text().strip(), "units": units,
                "lon": lon, "lat": lat, "revision": self.revision.currentText()}

    def accept(self) -> None:
        try:
            self.record = self.values()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


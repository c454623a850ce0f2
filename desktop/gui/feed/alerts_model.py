"""The alert list as a Qt table model over the document's alert log, newest first.

Generic over kinds: the line alerts of the live feed have titles and colours here; any other
kind (an air conflict) is listed with its name and the finder's own `detail` text. Every
text comes from the log as plain text (a tooltip is escaped, so "<b>" in a callsign stays
"<b>").
"""
from __future__ import annotations

import math

from PySide6 import QtCore, QtGui

from desktop.core.alert_log import ACKNOWLEDGED, DISMISSED, MUTED, NEW, Alert, AlertLog
from desktop.core.tracks import format_time
from desktop.gui.plain import tooltip

COLUMNS = ("Time", "Kind", "Unit", "Where", "Distance", "Time to line", "State")
KIND_TITLES = {"enter_buffer": "Entered buffer", "leave_buffer": "Left buffer", "cross_line": "Crossed the line",
               "possibly_across": "Possibly across", "wrong_side": "Wrong side", "time_to_line": "Time to line"}
KIND_COLOURS = {"enter_buffer": "#a06000", "leave_buffer": "#2e7d32", "cross_line": "#c00000",
                "possibly_across": "#c05000", "wrong_side": "#c00000", "time_to_line": "#b04000"}
OTHER_KIND_COLOUR = "#6a3d9a"
QUIET = QtGui.QColor("#8a8a8a")


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind.replace("_", " ").capitalize())


def kind_colour(kind: str) -> QtGui.QColor:
    return QtGui.QColor(KIND_COLOURS.get(kind, OTHER_KIND_COLOUR))


class AlertsModel(QtCore.QAbstractTableModel):
    """Rows: the log's alerts newest first (only open ones with `open_only`). New alerts are
    inserted together once per pass of the event loop (a burst is one insertion)."""

    def __init__(self, log: AlertLog, parent=None) -> None:
        super().__init__(parent)
        self.log = log
        self.open_only = False
        self._ids: list[int] = []
        self._new: list[Alert] = []
        self._rebuild()
        log.changed.connect(self._on_alert)

    def close(self) -> None:
        self.log.changed.disconnect(self._on_alert)

    def _shown(self, alert: Alert) -> bool:
        return alert.state == NEW or not self.open_only

    def _rebuild(self) -> None:
        self._new = []
        self.beginResetModel()
        self._ids = [a.id for a in reversed(list(self.log)) if self._shown(a)]
        self.endResetModel()

    def set_open_only(self, on: bool) -> None:
        self.open_only = bool(on)
        self._rebuild()

    def _on_alert(self, alert: Alert) -> None:
        if alert in self._new:
            return
        try:
            row = self._ids.index(alert.id)
        except ValueError:
            row = -1
        if row < 0 and self._shown(alert):
            newest = not self._ids or alert.id > self._ids[0]
            if newest:
                if not self._new:   # a queued call, not a zero timer: timers may wait behind others
                    QtCore.QMetaObject.invokeMethod(self, "insert_new", QtCore.Qt.ConnectionType.QueuedConnection)
                self._new.append(alert)
                return
            row = self._position(alert.id)
            self.beginInsertRows(QtCore.QModelIndex(), row, row)
            self._ids.insert(row, alert.id)
            self.endInsertRows()
        elif row >= 0 and not self._shown(alert):
            self.beginRemoveRows(QtCore.QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()
        elif row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    @QtCore.Slot()
    def insert_new(self) -> None:
        """The new alerts of this pass, as rows on top (newest first)."""
        new = [a.id for a in self._new if self._shown(a)]
        self._new = []
        if new:
            self.beginInsertRows(QtCore.QModelIndex(), 0, len(new) - 1)
            self._ids[:0] = new[::-1]
            self.endInsertRows()

    def _position(self, alert_id: int) -> int:
        """Where an older alert goes among the rows (newest first)."""
        return next((k for k, other in enumerate(self._ids) if other < alert_id), len(self._ids))

    # -- rows ----------------------------------------------------------------------------------------
    def alert(self, row: int) -> Alert:
        return self.log.get(self._ids[row])

    def row_of(self, alert_id: int) -> int | None:
        return self._ids.index(alert_id) if alert_id in self._ids else None

    def ids(self) -> list[int]:
        return list(self._ids)

    def rowCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QtCore.QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=QtCore.Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt API
        if orientation == QtCore.Qt.Orientation.Horizontal and role == QtCore.Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QtCore.QModelIndex, role=QtCore.Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        a = self.alert(index.row())
        Role = QtCore.Qt.ItemDataRole
        if role == Role.DisplayRole:
            return self.text(a, index.column())
        if role == Role.ToolTipRole:   # escaped: a feed's text is never rich text
            return tooltip(a.text())
        if role == Role.ForegroundRole:
            if a.state in (DISMISSED, MUTED):
                return QUIET
            return kind_colour(a.kind) if index.column() == 1 else None
        if role == Role.FontRole and a.state == NEW:
            font = QtGui.QFont()
            font.setBold(True)
            return font
        if role == Role.TextAlignmentRole and index.column() in (4, 5):
            return int(QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def text(a: Alert, column: int) -> str:
        if column == 0:
            return format_time(math.floor(a.time)).replace("T", " ")
        if column == 1:
            return kind_title(a.kind)
        if column == 2:
            name = a.name or a.unit
            return f"{name} / {a.other}" if a.other else name
        if column == 3:
            return f"{a.sector} ({a.owner})" if a.sector and a.owner else a.sector or ""
        if column == 4:
            return "" if math.isnan(a.distance_km) else f"{a.distance_km:,.2f} km"
        if column == 5:
            return "" if a.minutes is None else f"{max(1, round(a.minutes))} min"
        return {NEW: "new", ACKNOWLEDGED: "acknowledged", DISMISSED: "dismissed", MUTED: "muted"}.get(a.state, a.state)

"""The column-mapping dialog: when a CSV's columns do not say what its rows are, the user
says it (units, track reports, the line's or the AO's vertices) and picks the columns."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from desktop.core.importers.model import ColumnMapping, NeedsMapping

ROLES = (("units", "Unit positions"), ("tracks", "Track reports (positions with times)"),
         ("line", "Vertices of the deconfliction line"), ("ao", "Vertices of the AO"))
FIELDS = (("id", "Unit id"), ("name", "Name"), ("side", "Side"), ("affiliation", "Affiliation"),
          ("time", "Time"), ("lat", "Latitude"), ("lon", "Longitude"), ("mgrs", "MGRS"),
          ("position", "Position (one column)"), ("order", "Vertex order"))
NEEDS = {"units": ("id",), "tracks": ("id", "time"), "line": (), "ao": ()}


class ColumnMappingDialog(QtWidgets.QDialog):
    def __init__(self, parent, name: str, problem: NeedsMapping) -> None:
        super().__init__(parent)
        self.setObjectName("columnMappingDialog")
        self.setWindowTitle(f"Import {name}: which columns are which?")
        layout = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(f"{problem}\n\nSay what the rows are and which column holds what.",
                                 textFormat=QtCore.Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QtWidgets.QFormLayout()
        self.role = QtWidgets.QComboBox(objectName="role")
        for key, title in ROLES:
            self.role.addItem(title, key)
        self.role.setCurrentIndex(max(0, [k for k, _ in ROLES].index(problem.guess.role)) if problem.guess.role else 0)
        form.addRow("The rows are", self.role)
        self.combos: dict[str, QtWidgets.QComboBox] = {}
        for key, title in FIELDS:
            combo = QtWidgets.QComboBox(objectName=f"column_{key}")
            combo.addItem("(none)", -1)
            for j, h in enumerate(problem.header):
                combo.addItem(h or f"column {j + 1}", j)
            combo.setCurrentIndex(problem.guess.columns.get(key, -1) + 1)
            self.combos[key] = combo
            form.addRow(title, combo)
        layout.addLayout(form)
        table = QtWidgets.QTableWidget(len(problem.sample), len(problem.header))
        table.setHorizontalHeaderLabels(problem.header)
        for i, row in enumerate(problem.sample):
            for j, value in enumerate(row[:len(problem.header)]):
                table.setItem(i, j, QtWidgets.QTableWidgetItem(value))
        table.setMaximumHeight(180)
        layout.addWidget(table)
        self.error = QtWidgets.QLabel(objectName="mappingError", textFormat=QtCore.Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00")
        layout.addWidget(self.error)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                             | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept_if_complete)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def mapping(self) -> ColumnMapping:
        columns = {k: c.currentData() for k, c in self.combos.items() if c.currentData() >= 0}
        return ColumnMapping(self.role.currentData(), columns)

    def missing(self) -> str:
        m = self.mapping()
        for key in NEEDS[m.role]:
            if key not in m.columns:
                return f"Choose the {dict(FIELDS)[key].lower()} column."
        if not ({"lat", "lon"} <= m.columns.keys() or {"mgrs", "position"} & m.columns.keys()):
            return "Choose the latitude and longitude columns, an MGRS column or a position column."
        return ""

    def _accept_if_complete(self) -> None:
        why = self.missing()
        self.error.setText(why)
        if not why:
            self.accept()


def ask_mapping(parent, name: str, problem: NeedsMapping) -> ColumnMapping | None:
    dialog = ColumnMappingDialog(parent, name, problem)
    return dialog.mapping() if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

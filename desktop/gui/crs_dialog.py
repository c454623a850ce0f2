"""Choose a display CRS from PROJ's database: search by words of the name or by code, or
type any code or definition PROJ reads (EPSG:4326, ESRI:54030, a PROJ string)."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets
from pyproj import CRS

from desktop.core.crs_catalog import CrsChoiceError, catalog, parse_crs, search

MAX_LISTED = 2000  # a search narrower than this is listed whole; the list says when it is cut


class CrsDialog(QtWidgets.QDialog):
    """`chosen` is the CRS picked (None until accepted). Object names: "crsSearch",
    "crsAreaOnly", "crsList", "crsMessage"."""

    def __init__(self, bounds: tuple[float, float, float, float], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Display CRS")
        self.setObjectName("crsDialog")
        self.bounds = bounds
        self.chosen: CRS | None = None
        self.search_edit = QtWidgets.QLineEdit(objectName="crsSearch")
        self.search_edit.setPlaceholderText("Search by name or code (utm 37, pseudo mercator, 4326), or type a code")
        self.search_edit.setClearButtonEnabled(True)
        self.area_only = QtWidgets.QCheckBox("Only CRSs meant for the AO's area", objectName="crsAreaOnly")
        self.area_only.setChecked(True)
        self.list = QtWidgets.QListWidget(objectName="crsList")
        self.list.setUniformItemSizes(True)
        self.message = QtWidgets.QLabel(objectName="crsMessage")
        self.message.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        for widget in (self.search_edit, self.area_only, self.list, self.message, self.buttons):
            layout.addWidget(widget)
        self.search_edit.textChanged.connect(self._refill)
        self.area_only.toggled.connect(self._refill)
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.search_edit.returnPressed.connect(self.accept)
        self.resize(560, 480)
        self._refill()

    def _refill(self) -> None:
        entries = catalog(self.bounds if self.area_only.isChecked() else None)
        found = search(entries, self.search_edit.text())
        self.list.clear()
        for entry in found[:MAX_LISTED]:
            item = QtWidgets.QListWidgetItem(entry.label)
            item.setData(QtCore.Qt.ItemDataRole.UserRole, entry.code)
            item.setToolTip(entry.area)
            self.list.addItem(item)
        if found:
            self.list.setCurrentRow(0)
        more = f" (the first {MAX_LISTED:,} shown)" if len(found) > MAX_LISTED else ""
        self.message.setText(f"{len(found):,} CRSs{more}" if found else
                             "No CRS in the list matches; OK uses the text as a code or definition")
        self._on_current_changed()

    def _on_current_changed(self, *_) -> None:
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.list.currentItem() is not None or bool(self.search_edit.text().strip()))

    def accept(self) -> None:
        item = self.list.currentItem()
        text = item.data(QtCore.Qt.ItemDataRole.UserRole) if item is not None else self.search_edit.text()
        try:
            self.chosen = parse_crs(text)
        except CrsChoiceError as exc:
            self.message.setText(str(exc))
            return
        super().accept()

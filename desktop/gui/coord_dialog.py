"""Exact coordinate entry: one field that takes DD, DMS or MGRS, with a live read-back."""
from __future__ import annotations

from PySide6 import QtWidgets

from desktop.core.coords import CoordinateError, format_dd, format_dms, format_mgrs, parse_position


class CoordinateDialog(QtWidgets.QDialog):
    def __init__(self, lon: float, lat: float, title: str = "Position", parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title}: edit coordinates")
        self.position: tuple[float, float] | None = (lon, lat)
        self.edit = QtWidgets.QLineEdit(format_dd(lon, lat))
        self.edit.setObjectName("coordinateEdit")
        self.edit.setPlaceholderText("35.836, 38.548  ·  35°50'10\"N 38°32'53\"E  ·  37SDV1234567890")
        self.edit.setMinimumWidth(380)
        self.readback = QtWidgets.QLabel()
        self.readback.setObjectName("coordinateReadback")
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QtWidgets.QFormLayout(self)
        form.addRow("Position (DD, DMS or MGRS):", self.edit)
        form.addRow("", self.readback)
        form.addRow(self.buttons)
        self.edit.textChanged.connect(self._on_text_changed)
        self._on_text_changed(self.edit.text())

    def _on_text_changed(self, text: str) -> None:
        ok_button = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        try:
            lon, lat = parse_position(text)
        except CoordinateError as exc:
            self.position = None
            self.readback.setText(f"<span style='color:#c00'>{exc}</span>")
            ok_button.setEnabled(False)
            return
        self.position = (lon, lat)
        self.readback.setText(f"{format_dd(lon, lat)}<br>{format_dms(lon, lat)}<br>MGRS {format_mgrs(lon, lat)}")
        ok_button.setEnabled(True)

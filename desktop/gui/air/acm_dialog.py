"""The ACM properties dialog: id, name, kind, owner, floor and ceiling (feet or flight
levels: "10000", "10,000 ft", "FL250", "SFC"), a circle's radius or a corridor's width, and
the active periods (none: always active). What it returns is a valid ACM (the core checks
it as the user types: a floor above the ceiling, a period ending before it starts, a taken
id are said under the fields and OK stays off)."""
from __future__ import annotations

from datetime import datetime, timezone

from PySide6 import QtCore, QtWidgets

from desktop.core.air.acm import CIRCLE, CORRIDOR, KINDS, ACM, AcmError
from desktop.core.air.measures import AltitudeError, format_altitude, parse_altitude_ft

DTG_FORMAT = "yyyy-MM-dd HH:mm'Z'"
HOUR_S = 3600


def _utc(t: int) -> QtCore.QDateTime:
    return QtCore.QDateTime.fromSecsSinceEpoch(int(t), QtCore.QTimeZone.utc())


class AcmDialog(QtWidgets.QDialog):
    def __init__(self, acm: ACM, sides: tuple[str, ...], taken_ids=(), parent=None, title: str = "Airspace block",
                 default_start: int | None = None, id_for=None) -> None:
        """`id_for(kind)`: the next free id of a kind, for a new block, whose id follows its
        kind until someone types one."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("acmDialog")
        self.original = acm
        self.taken = set(taken_ids) - {acm.id}
        self.default_start = default_start
        self.id_for = id_for
        self.result_acm: ACM | None = None
        form = QtWidgets.QFormLayout()
        self.id_edit = QtWidgets.QLineEdit(acm.id)
        self.name_edit = QtWidgets.QLineEdit(acm.name)
        self.kind_combo = QtWidgets.QComboBox()
        self.kind_combo.addItems(list(KINDS))
        self.kind_combo.setCurrentText(acm.kind)
        self._kind = acm.kind
        self.side_combo = QtWidgets.QComboBox()
        self.side_combo.setEditable(True)
        self.side_combo.addItems([s for s in sides if s])
        self.side_combo.setCurrentText(acm.side)
        self.floor_edit = QtWidgets.QLineEdit(format_altitude(acm.floor_ft))
        self.ceiling_edit = QtWidgets.QLineEdit(format_altitude(acm.ceiling_ft))
        for edit in (self.floor_edit, self.ceiling_edit):
            edit.setPlaceholderText("10,000 ft or FL250 (SFC: the surface)")
        form.addRow("Id", self.id_edit)
        form.addRow("Name", self.name_edit)
        form.addRow("Kind", self.kind_combo)
        form.addRow("Owner (side)", self.side_combo)
        form.addRow("Floor (MSL)", self.floor_edit)
        form.addRow("Ceiling (MSL)", self.ceiling_edit)
        self.size_spin = None
        if acm.shape in (CIRCLE, CORRIDOR):
            self.size_spin = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.1, maximum=1000 if acm.shape == CIRCLE
                                                      else 200, suffix=" NM")
            self.size_spin.setValue(acm.radius_nm if acm.shape == CIRCLE else acm.width_nm)
            form.addRow("Radius" if acm.shape == CIRCLE else "Width (full)", self.size_spin)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QtWidgets.QLabel("Active periods (UTC; none: always active)"))
        self.periods = QtWidgets.QTableWidget(0, 2)
        self.periods.setObjectName("periodsTable")
        self.periods.setHorizontalHeaderLabels(["Start", "End"])
        self.periods.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.periods.verticalHeader().hide()
        for start, end in acm.periods:
            self.add_period(start, end)
        layout.addWidget(self.periods)
        buttons = QtWidgets.QHBoxLayout()
        add = QtWidgets.QPushButton("Add period", objectName="addPeriod")
        add.clicked.connect(lambda: self.add_period())
        remove = QtWidgets.QPushButton("Remove period", objectName="removePeriod")
        remove.clicked.connect(self.remove_period)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QtWidgets.QLabel(objectName="acmMessage")
        self.message.setTextFormat(QtCore.Qt.TextFormat.PlainText)  # ids and names come from files
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        self.box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                              | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)
        for edit in (self.id_edit, self.name_edit, self.floor_edit, self.ceiling_edit):
            edit.textChanged.connect(self.validate)
        self.kind_combo.currentTextChanged.connect(self._on_kind_changed)
        self.side_combo.currentTextChanged.connect(self.validate)
        if self.size_spin is not None:
            self.size_spin.valueChanged.connect(self.validate)
        self.validate()

    def _on_kind_changed(self, kind: str) -> None:
        if self.id_for is not None and self.id_edit.text() == self.id_for(self._kind):
            self.id_edit.setText(self.id_for(kind))
        self._kind = kind
        self.validate()

    # -- periods ---------------------------------------------------------------------------------
    def add_period(self, start: int | None = None, end: int | None = None) -> None:
        if start is None:
            last = self._period_times()
            start = last[-1][1] if last else (self.default_start or int(datetime.now(timezone.utc).timestamp()))
            start = start // HOUR_S * HOUR_S
            end = start + 6 * HOUR_S
        row = self.periods.rowCount()
        self.periods.insertRow(row)
        for col, t in enumerate((start, end)):
            edit = QtWidgets.QDateTimeEdit(_utc(t))
            edit.setTimeZone(QtCore.QTimeZone.utc())
            edit.setDisplayFormat(DTG_FORMAT)
            edit.dateTimeChanged.connect(self.validate)
            self.periods.setCellWidget(row, col, edit)
        self.validate()

    def remove_period(self) -> None:
        row = self.periods.currentRow()
        row = row if row >= 0 else self.periods.rowCount() - 1
        if row >= 0:
            self.periods.removeRow(row)
        self.validate()

    def _period_times(self) -> list[tuple[int, int]]:
        return [tuple(int(self.periods.cellWidget(r, c).dateTime().toSecsSinceEpoch()) for c in (0, 1))
                for r in range(self.periods.rowCount())]

    # -- the ACM ------------------------------------------------------------------------------------
    def acm(self) -> ACM:
        """The ACM the fields describe; AcmError/AltitudeError saying what is wrong."""
        ident = self.id_edit.text().strip()
        if ident in self.taken:
            raise AcmError(f"another ACM has the id {ident!r}")
        size = {} if self.size_spin is None else \
            {"radius_nm" if self.original.shape == CIRCLE else "width_nm": self.size_spin.value()}
        try:
            floor = parse_altitude_ft(self.floor_edit.text())
        except AltitudeError as exc:
            raise AcmError(f"floor: {exc}") from None
        try:
            ceiling = parse_altitude_ft(self.ceiling_edit.text())
        except AltitudeError as exc:
            raise AcmError(f"ceiling: {exc}") from None
        return self.original.edited(id=ident, name=self.name_edit.text().strip(), kind=self.kind_combo.currentText(),
                                    side=self.side_combo.currentText().strip(), floor_ft=floor, ceiling_ft=ceiling,
                                    periods=tuple(self._period_times()), **size)

    def validate(self, *_) -> bool:
        try:
            acm = self.acm()
        except AcmError as exc:
            self.message.setText(str(exc))
            ok = False
        else:
            self.message.setText(f"{acm.kind} {acm.name or acm.id}: {acm.block_label()}")
            ok = True
        self.message.setStyleSheet("" if ok else "color: #b00020")
        self.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        return ok

    def accept(self) -> None:
        if self.validate():
            self.result_acm = self.acm()
            super().accept()


def edit_acm_properties(acm: ACM, doc, parent=None, title: str = "Airspace block",
                        default_start: int | None = None, new: bool = False) -> ACM | None:
    """Show the dialog for `acm` (`new`: a block being added); the edited ACM, or None
    when cancelled."""
    dialog = AcmDialog(acm, doc.sides, doc.airspace.ids, parent, title, default_start,
                       doc.airspace.new_id if new else None)
    return dialog.result_acm if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted else None

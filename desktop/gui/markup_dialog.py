"""Edit… for one markup item: text, colour, pen width and (range rings) the radius, with
what the item measures. The dialog only builds a new Annotation; the caller pushes it."""
from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.annotations import ARROW, CIRCLE, FREEHAND, MEASURE, POLYGON, TEXT, Annotation, AnnotationError
from desktop.core.measure_units import DEFAULT as KM, MeasureUnits, bearing, format_area, format_distance, \
    format_length, from_km, to_km

KIND_NAMES = {TEXT: "Text label", ARROW: "Arrow", FREEHAND: "Freehand stroke", POLYGON: "Area",
              CIRCLE: "Range ring", MEASURE: "Measurement"}
TEXT_HINTS = {TEXT: "the label (required)", CIRCLE: "blank: the radius is shown", MEASURE: "shown before the distance",
              POLYGON: "shown inside the area", ARROW: "shown at the tail", FREEHAND: "shown at the end"}
PRESET_COLOURS = ("#d62728", "#1f4e9c", "#000000", "#e67e00", "#7b1fa2", "#2e7d32")


def describe(a: Annotation, units: MeasureUnits = KM, when_s: float | None = None) -> str:
    """What an item measures, in words and in `units` (geodesic figures from the model; a
    magnetic bearing uses the variation at `when_s`, epoch seconds, None: now)."""
    if a.kind in (MEASURE, ARROW):
        b = bearing(a.bearing_deg(), *a.points[0], when_s, units)
        return f"Length {format_distance(a.distance_km(), units)} · bearing {b.words(units)}"
    if a.kind == POLYGON:
        return (f"Area {format_area(a.area_km2(), units, 1)} · perimeter "
                f"{format_distance(a.distance_km(), units, 1)}")
    if a.kind == CIRCLE:
        return f"Radius {format_length(a.radius_km, units)} · area {format_area(a.area_km2(), units, 1)}"
    if a.kind == FREEHAND:
        return f"Length {format_distance(a.distance_km(), units, 1)}"
    lon, lat = a.points[0]
    return f"At {lat:.4f}°, {lon:.4f}°"


class AnnotationDialog(QtWidgets.QDialog):
    def __init__(self, annotation: Annotation, title: str = "", parent: QtWidgets.QWidget | None = None,
                 units: MeasureUnits = KM, when_s: float | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("annotationDialog")
        self.units, self.when_s = units, when_s
        self.original = annotation
        self.result_annotation: Annotation | None = annotation
        self.setWindowTitle(title or f"Edit {KIND_NAMES[annotation.kind].lower()}")
        form = QtWidgets.QFormLayout(self)
        self.text_edit = QtWidgets.QLineEdit(annotation.text)
        self.text_edit.setPlaceholderText(TEXT_HINTS[annotation.kind])
        form.addRow("Text", self.text_edit)
        self.colour_edit = QtWidgets.QLineEdit(annotation.color)
        self.colour_edit.setMaxLength(7)
        pick = QtWidgets.QToolButton(text="…")
        pick.setToolTip("Choose a colour")
        pick.clicked.connect(self._pick_colour)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.colour_edit)
        for hex_colour in PRESET_COLOURS:
            swatch = QtWidgets.QToolButton()
            swatch.setObjectName(f"swatch{hex_colour}")
            swatch.setStyleSheet(f"background: {hex_colour}; border: 1px solid #555;")
            swatch.setFixedSize(18, 18)
            swatch.setProperty("colour", hex_colour)
            swatch.clicked.connect(self._on_swatch)  # a bound slot, not a lambda: nothing outlives the dialog
            row.addWidget(swatch)
        row.addWidget(pick)
        form.addRow("Colour", row)
        self.width_spin = QtWidgets.QDoubleSpinBox(minimum=0.5, maximum=20.0, singleStep=0.5, decimals=1, suffix=" pt")
        self.width_spin.setValue(annotation.width)
        form.addRow("Width", self.width_spin)
        unit = units.distance  # the radius is typed in the user's unit, kept in km
        self.radius_spin = QtWidgets.QDoubleSpinBox(minimum=0.001, maximum=from_km(20_000.0, unit), decimals=3,
                                                    suffix=f" {units.unit.symbol}")
        self.radius_spin.setValue(from_km(annotation.radius_km or 10.0, unit))
        if annotation.kind == CIRCLE:
            form.addRow("Radius", self.radius_spin)
        self.info = QtWidgets.QLabel()
        self.info.setObjectName("annotationInfo")
        self.info.setWordWrap(True)
        form.addRow(self.info)
        self.buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Ok
                                                  | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for edit in (self.text_edit, self.colour_edit):
            edit.textChanged.connect(self._update)
        for spin in (self.width_spin, self.radius_spin):
            spin.valueChanged.connect(self._update)
        self._update()
        self.text_edit.setFocus()
        self.text_edit.selectAll()

    def _on_swatch(self) -> None:
        self.colour_edit.setText(self.sender().property("colour"))

    def _pick_colour(self) -> None:
        colour = QtWidgets.QColorDialog.getColor(QtGui.QColor(self.colour_edit.text()), self, "Markup colour")
        if colour.isValid():
            self.colour_edit.setText(colour.name())

    def _update(self, *_) -> None:
        """Rebuild the annotation from the fields; an invalid one disables OK and says why."""
        ok = self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        try:
            radius = to_km(self.radius_spin.value(), self.units.distance) if self.original.kind == CIRCLE else None
            a = self.original.with_style(text=self.text_edit.text().strip(), color=self.colour_edit.text().strip(),
                                         width=self.width_spin.value(), radius_km=radius)
        except AnnotationError as exc:
            self.result_annotation = None
            self.info.setText(str(exc).split(": ", 1)[-1])
            self.info.setStyleSheet("color: #c00000;")
            ok.setEnabled(False)
            return
        self.result_annotation = a
        self.info.setText(describe(a, self.units, self.when_s))
        self.info.setStyleSheet("")
        ok.setEnabled(True)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter) and self.result_annotation is None:
            return  # Enter on an invalid item does nothing, as the disabled OK says
        super().keyPressEvent(event)


def edit_annotation(annotation: Annotation, parent: QtWidgets.QWidget | None = None, title: str = "",
                    units: MeasureUnits = KM, when_s: float | None = None) -> Annotation | None:
    """Run the dialog; the edited annotation, or None when cancelled."""
    dialog = AnnotationDialog(annotation, title, parent, units, when_s)
    try:
        accepted = dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted
        return dialog.result_annotation if accepted else None
    finally:
        dialog.deleteLater()  # Qt deletes it, in its own time (not Python's collector, mid-event)

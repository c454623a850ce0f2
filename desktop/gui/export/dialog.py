"""File › Export Map…: choose format, size, extent, title, marking and decorations, see a
live preview, then export to a file or copy to the clipboard.

The dialog only builds an `ExportSettings`; the page is drawn by `render.export_map`, the
function `deconflict export` calls, so the GUI and the CLI give the same image. The last
settings are remembered in the main window's QSettings (when it has one).
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.document import Document
from desktop.gui.export import render
from desktop.gui.plain import show_message
from desktop.gui.export.settings import (DEFAULT_MARKING, DPI_RANGE, FORMATS, PAPERS, PIXEL_RANGE, WORLD_FILE_FORMATS,
                                         ExportSettings, ExportSettingsError, date_time_group)
from desktop.gui.preferences import preferences_of

SETTINGS_KEY = "export/lastSettings"
PREVIEW_PX = 560          # longest side of the preview image
PREVIEW_DELAY_MS = 250    # typing pause before the preview is redrawn
MARKINGS = (DEFAULT_MARKING, "UNCLASSIFIED", "CUI // EXERCISE", "CONFIDENTIAL // EXERCISE",
            "SECRET // EXERCISE", "")
FORMAT_LABELS = {"png": "PNG image", "jpg": "JPEG image", "svg": "SVG (vector)", "pdf": "PDF (vector)"}
FILTERS = {"png": "PNG image (*.png)", "jpg": "JPEG image (*.jpg *.jpeg)", "svg": "SVG drawing (*.svg)",
           "pdf": "PDF document (*.pdf)"}
TOGGLES = (("legend", "Legend"), ("scale_bar", "Scale bar"), ("north_arrow", "North arrow"),
           ("graticule_labels", "Graticule labels"), ("summary_table", "Sector summary"),
           ("footer", "Provenance footer"), ("buffer_band", "Buffer band"), ("unit_names", "Unit names"),
           ("movement", "Direction of movement"), ("speed_leaders", "Aircraft speed leaders"),
           ("higher_formation", "Higher formation"), ("altitude", "Aircraft altitude/FL"),
           ("line_symbol", "Line as 2525 boundary"))


class ExportDialog(QtWidgets.QDialog):
    """`map_view` gives the current view for extent "view", the display CRS and the layers
    as its layers panel shows them; `context` the window's time cursor and selection (what
    the timeline's layers draw); `settings` (QSettings) remembers the last choices."""

    exported = QtCore.Signal(str)  # path written

    def __init__(self, document: Document, map_view=None, settings: QtCore.QSettings | None = None,
                 parent: QtWidgets.QWidget | None = None, context=None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export Map")
        self.document = document
        self.map_view = map_view
        self.context = context
        self.qsettings = settings
        self.timestamp = None  # the DTG printed: None = the moment the map shows (tests fix it)
        self._preview_timer = QtCore.QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.update_preview)
        self._build()
        self.set_settings(self._remembered())
        if map_view is not None:  # the page shows the map as it is on screen
            buffer, labels, units, boundary = (map_view.layer(i) for i in ("buffer", "units.labels", "units",
                                                                           "line.symbol"))
            self.toggles["buffer_band"].setChecked(buffer is not None and buffer.visible)
            self.toggles["unit_names"].setChecked(labels is not None and labels.visible)
            self.toggles["line_symbol"].setChecked(boundary is not None and boundary.visible)
            for key in ("movement", "speed_leaders", "higher_formation", "altitude"):
                self.toggles[key].setChecked(units is not None and key in units.detail.amplifiers)
        self._connect_changes()
        self._on_changed()
        self.update_preview()

    # -- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        form = QtWidgets.QFormLayout()
        self.format_combo = QtWidgets.QComboBox()
        for fmt in FORMATS:
            self.format_combo.addItem(FORMAT_LABELS[fmt], fmt)
        form.addRow("Format", self.format_combo)

        self.paper_radio = QtWidgets.QRadioButton("Paper")
        self.pixels_radio = QtWidgets.QRadioButton("Pixels")
        self.paper_combo = QtWidgets.QComboBox()
        self.paper_combo.addItems(list(PAPERS))
        self.orientation_combo = QtWidgets.QComboBox()
        self.orientation_combo.addItems(["Landscape", "Portrait"])
        paper_row = _row(self.paper_radio, self.paper_combo, self.orientation_combo)
        self.width_spin, self.height_spin = (_spin(*PIXEL_RANGE, " px") for _ in range(2))
        pixels_row = _row(self.pixels_radio, self.width_spin, QtWidgets.QLabel("×"), self.height_spin)
        self.dpi_spin = _spin(DPI_RANGE[0] - 1, DPI_RANGE[1], " dpi")
        self.dpi_spin.setSpecialValueText("auto dpi")  # pixels only: sized like full HD
        self.size_label = QtWidgets.QLabel()
        self.size_label.setStyleSheet("color: palette(mid);")
        form.addRow("Size", paper_row)
        form.addRow("", pixels_row)
        form.addRow("Resolution", _row(self.dpi_spin, self.size_label))

        self.extent_combo = QtWidgets.QComboBox()
        self.extent_combo.addItem("Area of operations", "ao")
        self.extent_combo.addItem("Current view", "view")
        if self.map_view is None:
            self.extent_combo.model().item(1).setEnabled(False)
        form.addRow("Extent", self.extent_combo)
        self.title_edit = QtWidgets.QLineEdit()
        self.title_edit.setPlaceholderText(self.document.title)
        self.subtitle_edit = QtWidgets.QLineEdit()
        dtg = date_time_group(ExportSettings().dtg(render.moment_shown(self.document)))
        self.subtitle_edit.setPlaceholderText(f"e.g. Evening brief — the DTG ({dtg}) and the line in force follow")
        self.marking_combo = QtWidgets.QComboBox()
        self.marking_combo.setEditable(True)
        self.marking_combo.addItems(list(MARKINGS))
        form.addRow("Title", self.title_edit)
        form.addRow("Subtitle", self.subtitle_edit)
        form.addRow("Marking", self.marking_combo)
        self.toggles: dict[str, QtWidgets.QCheckBox] = {}
        grid = QtWidgets.QGridLayout()
        for i, (key, label) in enumerate(TOGGLES):
            box = self.toggles[key] = QtWidgets.QCheckBox(label)
            grid.addWidget(box, i // 2, i % 2)
        form.addRow("Show", grid)
        self.grid_combo = QtWidgets.QComboBox(objectName="exportGrid")
        for label, value in (("As on the map", None), ("MGRS", "mgrs"), ("Latitude/longitude", "latlon"),
                             ("None", "none")):
            self.grid_combo.addItem(label, value)
        self.grid_combo.setToolTip("The grid drawn on the map; the page's caption says which")
        form.addRow("Grid", self.grid_combo)
        self.world_file_box = QtWidgets.QCheckBox("World file (.pgw/.jgw and .prj beside the image)",
                                                  objectName="exportWorldFile")
        self.world_file_box.setToolTip("GIS tools and ATAK place the exported map where it belongs (PNG, JPEG)")
        form.addRow("Georeference", self.world_file_box)

        self.preview = QtWidgets.QLabel()
        self.preview.setObjectName("exportPreview")
        self.preview.setMinimumSize(PREVIEW_PX, int(PREVIEW_PX * 0.72))
        self.preview.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #808080;")
        self.message = QtWidgets.QLabel()
        self.message.setWordWrap(True)

        buttons = QtWidgets.QDialogButtonBox()
        self.export_button = buttons.addButton("Export…", QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
        self.copy_button = buttons.addButton("Copy to clipboard", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._on_export_clicked)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        buttons.rejected.connect(self.reject)

        left = QtWidgets.QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)
        right = QtWidgets.QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addWidget(self.message)
        top = QtWidgets.QHBoxLayout()
        top.addLayout(left)
        top.addLayout(right, 1)
        outer = QtWidgets.QVBoxLayout(self)
        outer.addLayout(top, 1)
        outer.addWidget(buttons)

    def _connect_changes(self) -> None:
        for combo in (self.format_combo, self.paper_combo, self.orientation_combo, self.extent_combo,
                      self.marking_combo, self.grid_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        self.marking_combo.editTextChanged.connect(self._on_changed)
        for spin in (self.width_spin, self.height_spin, self.dpi_spin):
            spin.valueChanged.connect(self._on_changed)
        for radio in (self.paper_radio, self.pixels_radio):
            radio.toggled.connect(self._on_changed)
        for edit in (self.title_edit, self.subtitle_edit):
            edit.textChanged.connect(self._on_changed)
        for box in (*self.toggles.values(), self.world_file_box):
            box.toggled.connect(self._on_changed)

    # -- settings <-> widgets ---------------------------------------------------------------
    def settings(self) -> ExportSettings:
        """What the widgets say, as the settings `deconflict export` would build."""
        pixels = self.pixels_radio.isChecked()
        dpi = self.dpi_spin.value()
        extent = self.extent_combo.currentData()
        view_rect = self.map_view.view_rect() if extent == "view" and self.map_view is not None else None
        layers = tuple(self.map_view.scene.layer_state()) if self.map_view is not None else None
        return ExportSettings(
            format=self.format_combo.currentData(),
            width=self.width_spin.value() if pixels else None,
            height=self.height_spin.value() if pixels else None,
            paper=self.paper_combo.currentText(), landscape=self.orientation_combo.currentIndex() == 0,
            dpi=None if (pixels and dpi < DPI_RANGE[0]) else float(max(dpi, DPI_RANGE[0])),
            extent=extent, view_rect=view_rect, layers=layers, title=self.title_edit.text(),
            subtitle=self.subtitle_edit.text(),
            marking=self.marking_combo.currentText(), timestamp=self.timestamp, grid=self.grid_combo.currentData(),
            world_file=self.world_file_box.isChecked() and self.world_file_box.isEnabled(),
            **{key: box.isChecked() for key, box in self.toggles.items()}, **self._units())

    def _units(self) -> dict:
        """The window's units of measure (View › Units of measure): the page says what the screen says."""
        units = preferences_of(self).units
        return {"distance_unit": units.distance, "bearing": units.bearing, "angle_unit": units.angle}

    def set_settings(self, s: ExportSettings) -> None:
        self.format_combo.setCurrentIndex(max(self.format_combo.findData(s.format), 0))
        (self.pixels_radio if s.uses_pixels else self.paper_radio).setChecked(True)
        self.width_spin.setValue(s.width or 1920)
        self.height_spin.setValue(s.height or 1080)
        self.paper_combo.setCurrentText(s.paper)
        self.orientation_combo.setCurrentIndex(0 if s.landscape else 1)
        self.dpi_spin.setValue(int(round(s.dpi)) if s.dpi is not None else DPI_RANGE[0] - 1)
        self.extent_combo.setCurrentIndex(1 if s.extent == "view" and self.map_view is not None else 0)
        self.title_edit.setText(s.title)
        self.subtitle_edit.setText(s.subtitle)
        self.marking_combo.setCurrentText(s.marking)
        for key, box in self.toggles.items():
            box.setChecked(bool(getattr(s, key)))
        self.grid_combo.setCurrentIndex(max(self.grid_combo.findData(s.grid), 0))
        self.world_file_box.setChecked(s.world_file)
        self._sync_enabled()

    def _remembered(self) -> ExportSettings:
        if self.qsettings is None:
            return ExportSettings()
        raw = self.qsettings.value(SETTINGS_KEY)
        try:
            return ExportSettings.from_dict(json.loads(raw)) if raw else ExportSettings()
        except (TypeError, ValueError):
            return ExportSettings()

    def remember(self) -> None:
        if self.qsettings is not None:
            self.qsettings.setValue(SETTINGS_KEY, json.dumps(self.settings().to_dict()))

    def _sync_enabled(self) -> None:
        pixels = self.pixels_radio.isChecked()
        for w in (self.width_spin, self.height_spin):
            w.setEnabled(pixels)
        for w in (self.paper_combo, self.orientation_combo):
            w.setEnabled(not pixels)
        self.dpi_spin.setMinimum(DPI_RANGE[0] - 1 if pixels else DPI_RANGE[0])
        self.world_file_box.setEnabled(self.format_combo.currentData() in WORLD_FILE_FORMATS)

    def _on_changed(self, *_) -> None:
        self._sync_enabled()
        try:
            self.size_label.setText(self.settings().validate().describe_size())
            self.message.clear()
        except ExportSettingsError as exc:
            self.size_label.clear()
            self.message.setText(str(exc))
        self._preview_timer.start()

    # -- actions ------------------------------------------------------------------------------
    def _projection(self):
        return self.map_view.projection if self.map_view is not None else None

    def update_preview(self) -> None:
        """A small render of the same page: same layout in points, lower dpi."""
        self._preview_timer.stop()
        try:
            s = self.settings().validate()
        except ExportSettingsError:
            return
        w, h = s.page_pixels()
        k = PREVIEW_PX / max(w, h)
        small = ExportSettings(**{**s.__dict__, "width": max(1, round(w * k)), "height": max(1, round(h * k)),
                                  "dpi": s.effective_dpi * k})
        image, _ = render.render_image(self.document, small, self._projection(), context=self.context)
        self.preview.setPixmap(QtGui.QPixmap.fromImage(image))
        self.preview_image = image

    def export_to(self, path: str | Path) -> Path:
        """Write the page to `path` with the current settings; the format follows them."""
        s = self.settings().validate()
        render.export_map(self.document, s, path, self._projection(), self.context)
        self.remember()
        self.message.setText(f"Wrote {path}")
        self.exported.emit(str(path))
        return Path(path)

    def copy_to_clipboard(self) -> QtGui.QImage:
        """The page as an image on the clipboard (raster, whatever the format)."""
        s = self.settings().validate()
        image, _ = render.render_image(self.document, s, self._projection(), context=self.context)
        QtGui.QGuiApplication.clipboard().setImage(image)
        self.remember()
        self.message.setText(f"Copied {image.width()} × {image.height()} px to the clipboard")
        return image

    def _on_export_clicked(self) -> None:
        try:
            s = self.settings().validate()
        except ExportSettingsError as exc:
            self.message.setText(str(exc))
            return
        suggested = f"brief-{date_time_group(s.dtg(render.moment_shown(self.document))).replace(' ', '')}.{s.format}"
        from desktop.gui.file_dialogs import save_path
        path = save_path(self, "export-map", "Export Map", FILTERS[s.format], suggested)
        if not path:
            return
        if not Path(path).suffix:
            path += f".{s.format}"
        try:
            self.export_to(path)
        except OSError as exc:
            show_message(self, QtWidgets.QMessageBox.Icon.Warning, "Export Map", f"Cannot write {path}: {exc}")
            return
        self.accept()


def _spin(lo: int, hi: int, suffix: str) -> QtWidgets.QSpinBox:
    spin = QtWidgets.QSpinBox()
    spin.setRange(lo, hi)
    spin.setSuffix(suffix)
    spin.setKeyboardTracking(False)
    return spin


def _row(*widgets) -> QtWidgets.QWidget:
    box = QtWidgets.QWidget()
    lay = QtWidgets.QHBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        lay.addWidget(w)
    lay.addStretch(1)
    return box

"""The sectors panel: a live summary of the line's sectors and the units in each.

A summary strip (totals, buffer, line error), a filter row and a tree of sectors with their
units (`SectorsModel`). It observes the document and the shared selection, and changes the
document only through commands (the buffer spin box pushes `set_buffer`).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import (QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QPersistentModelIndex, QSize,
                            Qt, QTimer)
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QDoubleSpinBox, QFrame, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMessageBox, QSizePolicy, QStyle, QToolButton,
                               QTreeView, QVBoxLayout, QWidget)

from desktop.core.commands import set_buffer
from desktop.core.document import Analysis
from desktop.core.events import Connections
from desktop.core.measure_units import MeasureUnits, from_km, to_km
from desktop.core.table_export import write_units_csv
from desktop.core.wording import plural
from desktop.gui import file_dialogs, theme
from desktop.gui.context import AppContext
from desktop.gui.plain import show_message
from desktop.gui.sectors_model import COL_ID, COL_NAME, COLUMNS, DAY, NIGHT, SectorsModel

# During a drag (a preview line) the numbers (summary, sector rows) follow every mouse move
# (~0.5 ms at 1M units), but above this many units the unit rows are relisted at most every
# ROWS_INTERVAL_MS, and at once when the preview ends: relisting (group scans, sorting, every
# unit's distance, repainting the rows) costs ~15 ms at 1M units, where a move may take 16.
LIVE_ROWS_UNITS = 50_000
ROWS_INTERVAL_MS = 200
# The same while the time cursor shows the past, from fewer units: a cursor step moves
# every unit, so every listed row changes (relisting 10k rows: ~15 ms a step).
SCRUB_ROWS_UNITS = 5_000
FILTER_DELAY_MS = 150  # typing pause before the text filter runs (75 ms a keystroke at 1M units)
REVEAL_MAX_UNITS = 1000  # a selection up to this size lists pages until its units have rows
NAME_MAX_PX = 220      # the name column fits the longest name up to this width (then elides)
SAMPLE_NAMES = 24      # the longest names (by characters) measured to size the name and id columns
_SEL = QItemSelectionModel.SelectionFlag


class _QuietBox(QWidget):
    """Holds a label whose text changes on every mouse move of a drag. In a layout each
    change would go up to the main window's (a relayout of every dock, ~1 ms a move); this
    box passes one on only when the label's size hint changed."""

    def __init__(self, label: QLabel, parent: QWidget) -> None:
        super().__init__(parent)
        label.setParent(self)
        self._label, self._hint = label, label.sizeHint()

    def sizeHint(self) -> QSize:
        return self._label.sizeHint()

    def minimumSizeHint(self) -> QSize:
        return self._label.minimumSizeHint()

    def resizeEvent(self, event) -> None:
        self._label.setGeometry(self.rect())

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # posted by the label's updateGeometry()
            hint = self._label.sizeHint()
            if hint != self._hint:
                self._hint = hint
                self.updateGeometry()
            return True
        return super().event(event)


class SectorsPanel(QWidget):
    """Dock content listing sectors and their units; see the module docstring.

    Object names: "sectorsPanel", "sectorsSummary" (summary strip), "sectorsCounts",
    "sectorsError", "sectorsShown", "bufferSpin", "sectorsFilter", "nearOnlyToggle",
    "wrongOnlyToggle", "exportCsvButton", "sectorsTree". `model` is the SectorsModel, `export_action` the "Export table to CSV…"
    action.

    A click on a unit row selects the unit (on the map too, which stays where it is); a
    double-click centres the map on it. Distances follow the preferred units of measure.
    """

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sectorsPanel")
        self._context = context
        self._doc = context.document
        self._syncing = False  # True while we set the tree selection from the shared one
        self._last_cls = None  # classification of the last analysis shown
        self.model = SectorsModel(self._doc, self)
        self.model.set_units_of_measure(context.preferences.units)
        self._night = False
        self._rows_timer = QTimer(self, singleShot=True, interval=ROWS_INTERVAL_MS)
        self._rows_timer.timeout.connect(self._refresh_rows)
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_text_filter)
        self._build_ui()

        self.model.set_analysis(self._doc.analysis)
        self._last_cls = self._doc.analysis.classification
        self._on_units_of_measure_changed(context.preferences.units)
        self.set_night(theme.is_night())
        self._size_columns()
        context.preferences.units_changed.connect(self._on_units_of_measure_changed)

        # Core signals hold strong references: `close()` disconnects them all.
        self.links = Connections()
        for signal, slot in ((self._doc.analysis_changed, self._on_analysis_changed),
                             (self._doc.units_changed, self._on_units_changed),
                             (self._doc.buffer_changed, self._on_buffer_changed),
                             (context.selection.changed, self._on_selection_changed)):
            self.links.connect(signal, slot)

    def close(self) -> bool:
        """Disconnect from the document and the selection (the window calls it on close)."""
        self.links.disconnect_all()
        return super().close()

    # -- construction ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        summary = QFrame(self, objectName="sectorsSummary")
        summary.setFrameShape(QFrame.Shape.StyledPanel)
        self.counts_label = QLabel(objectName="sectorsCounts")
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        counts_box = _QuietBox(self.counts_label, summary)
        self.buffer_spin = QDoubleSpinBox(summary, objectName="bufferSpin")
        self.buffer_spin.setRange(0.1, 1000.0)
        self.buffer_spin.setDecimals(1)
        self.buffer_spin.setSingleStep(0.5)
        self.buffer_spin.setKeyboardTracking(False)  # typing "12" is one edit, not "1" then "12"
        self.buffer_spin.setToolTip("Buffer either side of the line: a unit within it is near the line. "
                                    "Each change is one undoable edit.")
        self.buffer_spin.valueChanged.connect(self._on_buffer_value_changed)
        self.error_label = QLabel(summary, objectName="sectorsError", textFormat=Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("QLabel { background: #b00020; color: white; font-weight: bold;"
                                       " padding: 3px 6px; border-radius: 3px; }")
        self.error_label.hide()
        self.shown_label = QLabel(summary, objectName="sectorsShown", textFormat=Qt.TextFormat.PlainText)
        self.shown_label.setWordWrap(True)
        buffer_row = QHBoxLayout()
        buffer_row.setContentsMargins(0, 0, 0, 0)
        buffer_row.addWidget(QLabel("Buffer", summary))
        buffer_row.addWidget(self.buffer_spin)
        buffer_row.addStretch(1)
        box = QVBoxLayout(summary)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(3)
        box.addWidget(counts_box)
        box.addLayout(buffer_row)
        box.addWidget(self.error_label)
        box.addWidget(self.shown_label)

        self.filter_edit = QLineEdit(self, objectName="sectorsFilter")
        self.filter_edit.setPlaceholderText("Filter units by id or name")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_text_changed)
        self.filter_edit.returnPressed.connect(self._apply_text_filter)
        self.near_toggle = self._toggle("Near line", "nearOnlyToggle", "List only units near the line",
                                        self._on_near_only_changed)
        self.wrong_toggle = self._toggle("Wrong side", "wrongOnlyToggle", "List only units on the wrong side",
                                         self._on_wrong_only_changed)
        self.export_action = QAction("Export table to CSV…", self)
        self.export_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.export_action.setToolTip("Export table to CSV… (one row per listed unit, honouring the filter)")
        self.export_action.triggered.connect(self._on_export_triggered)
        export = QToolButton(self, objectName="exportCsvButton")
        export.setDefaultAction(self.export_action)
        export.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.filter_edit, 1)
        for w in (self.near_toggle, self.wrong_toggle, export):
            row.addWidget(w)

        self.tree = QTreeView(self, objectName="sectorsTree")
        self.tree.setUniformRowHeights(True)  # lets Qt skip measuring every row
        # Per pixel: scrolling to the last row shows it whole (per item may leave it cut).
        self.tree.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setExpandsOnDoubleClick(True)
        header = self.tree.header()
        header.setSortIndicatorClearable(True)  # third click returns to sector/table order
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.tree.setSortingEnabled(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.tree.addAction(self.export_action)
        self.tree.selectionModel().selectionChanged.connect(self._on_tree_selection_changed)
        self.tree.doubleClicked.connect(self._on_tree_double_clicked)
        # Groups the user opened stay open even when they vanish for a moment (a preview line
        # that cannot split the AO) or the model resets (new units).
        self._open_keys: set[int] = set()
        self.tree.expanded.connect(self._on_group_expanded_changed)
        self.tree.collapsed.connect(self._on_group_expanded_changed)
        self.model.layoutChanged.connect(self._reopen_groups)
        self.model.modelReset.connect(self._on_model_reset)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(summary)
        layout.addLayout(row)
        layout.addWidget(self.tree, 1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _toggle(self, text: str, name: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self, objectName=name, text=text, checkable=True)
        button.setToolTip(tip)
        button.toggled.connect(slot)
        return button

    def _size_columns(self) -> None:
        """Names and ids as wide as the longest ones (measured on the longest few by
        characters, which is cheap at 1M units; a name wider than NAME_MAX_PX elides), the
        other columns for their widest expected text."""
        units, sectors = self._doc.units, self._doc.analysis.sectors.sectors
        bold = self.tree.font()
        bold.setBold(True)
        fm, fm_bold = self.tree.fontMetrics(), QFontMetrics(bold)  # unit rows, sector rows

        def widest(texts, groups=()) -> int:
            return max([fm.horizontalAdvance(str(t)) for t in texts] + [fm_bold.horizontalAdvance(t) for t in groups])

        owners = [s.owner for s in sectors] + list(self._doc.sides)
        indent = 2 * self.tree.indentation() + 24  # a unit row's branch indent, icon and padding
        # text widths, extra pixels (padding, a flag icon)
        widths = {COL_NAME: min(max(widest(_longest(units.names)) + indent,
                                    widest((), [s.name for s in sectors] + ["Outside AO"]) + indent // 2),
                                NAME_MAX_PX),
                  COL_ID: widest(_longest(units.ids) + ["Id"], [s.id for s in sectors]) + 16,
                  COLUMNS.index("Owner / side"): widest(owners + ["Owner / side"], owners) + 16,
                  COLUMNS.index("Units"): widest(["Units", "unknown", "100,000"]) + 24,
                  COLUMNS.index("km² / km"): fm.horizontalAdvance("24,503 km²") + 24,
                  COLUMNS.index("Near"): fm.horizontalAdvance("near") + 32,
                  COLUMNS.index("Wrong"): fm.horizontalAdvance("wrong") + 32}
        for column, width in widths.items():
            self.tree.setColumnWidth(column, width)

    def sizeHint(self) -> QSize:
        # Wide enough for every column, so a dock opens with the owner and flags in view.
        header = self.tree.header()
        return QSize(sum(header.sectionSize(c) for c in range(len(COLUMNS))) + 40, 600)

    # -- document -> panel -------------------------------------------------------------------
    def _on_analysis_changed(self, analysis: Analysis) -> None:
        # Each analysis of a drag derives from the previous one, and its `changed` says where
        # they differ: the model updates its numbers from those units alone. A commit re-wraps
        # the classification just shown.
        cls = analysis.classification
        changed = np.empty(0, dtype=np.intp) if cls is self._last_cls else cls.changed
        self._last_cls = cls
        doc = self._doc
        moving = doc.shown_line is not doc.line or doc.time_view is not None  # a drag, or the cursor
        threshold = LIVE_ROWS_UNITS if doc.time_view is None else SCRUB_ROWS_UNITS
        if moving and len(cls.sector) > threshold:
            self.model.set_analysis(analysis, defer_rows=True, changed=changed)
            # Not restarted by later moves: a continuous drag or scrub relists every ROWS_INTERVAL_MS.
            if self.model.rows_stale and not self._rows_timer.isActive():
                self._rows_timer.start()
        else:  # the live state (a drop, undo, ...) or a small document: everything, now
            self._rows_timer.stop()
            self.model.set_analysis(analysis, changed=changed)
            self.model.refresh_rows()
        self._update_summary()

    def _refresh_rows(self) -> None:
        self._rows_timer.stop()
        self.model.refresh_rows()

    def _on_units_changed(self) -> None:
        # The unit table changed length or content: the model resets (expansion and
        # selection are restored from the panel's own records).
        self.model.set_analysis(self._doc.analysis, units_changed=True)
        self._last_cls = self._doc.analysis.classification
        self._update_summary()
        self._size_columns()

    def _on_buffer_changed(self, km: float) -> None:
        self.buffer_spin.blockSignals(True)
        self.buffer_spin.setValue(from_km(km, self.model.units_of_measure.distance))
        self.buffer_spin.blockSignals(False)

    def _on_units_of_measure_changed(self, units: MeasureUnits) -> None:
        self.model.set_units_of_measure(units)
        self.buffer_spin.blockSignals(True)
        self.buffer_spin.setSuffix(f" {units.unit.symbol}")
        self.buffer_spin.setDecimals(1 if units.distance == "km" else 2)
        self.buffer_spin.blockSignals(False)
        self._on_buffer_changed(self._doc.buffer_km)
    def _update_summary(self) -> None:
        t = self.model.totals()
        near, wrong = t["near"], t["wrong"]
        colours = NIGHT if self._night else DAY
        near_css = f"color:{colours['near_fg'].name()};" if near else ""
        wrong_css = f"color:{colours['wrong_fg'].name()};" if wrong else ""
        count, _, noun = plural(t["units"], "unit").partition(" ")
        self.counts_label.setText(
            f"<b>{count}</b> {noun} &nbsp;·&nbsp; <b style='{near_css}'>{near:,}</b> near line"
            f" &nbsp;·&nbsp; <b style='{wrong_css}'>{wrong:,}</b> wrong side")
        error = self.model.analysis.sectors.error if self.model.analysis else None
        self.error_label.setText(error[:1].upper() + error[1:] if error else "")
        self.error_label.setVisible(bool(error))
        notes = []
        if t["outside"]:
            notes.append(f"{t['outside']:,} " + ("in no sector" if error else "outside the AO"))
        if t["unplaced"]:
            notes.append(f"{t['unplaced']:,} with no position then (no report yet)")
        if any(self.model.filter):
            notes.append(f"showing {t['shown']:,} of {t['units']:,}")
        selected = len(self._context.selection.units)
        if selected:
            notes.append(f"{selected:,} selected")
        self.shown_label.setText(" · ".join(notes))
        self.shown_label.setVisible(bool(notes))

    def set_night(self, on: bool) -> None:
        """Night mode (desktop.gui.theme): the model's row colours and the summary's."""
        self._night = bool(on)
        self.model.set_night(on)
        self.shown_label.setStyleSheet(f"color: {(NIGHT if on else DAY)['muted'].name()};")
        self._update_summary()

    # -- user -> document --------------------------------------------------------------------
    def _on_buffer_value_changed(self, value: float) -> None:
        unit = self.model.units_of_measure.distance
        if abs(value - from_km(self._doc.buffer_km, unit)) < 0.5 * 10 ** -self.buffer_spin.decimals():
            return  # the value shown, rounded: not an edit
        km = to_km(value, unit)
        if not self._context.push(set_buffer(self._doc, km)):
            self._on_buffer_changed(self._doc.buffer_km)  # refused: show what is in force

    def _on_filter_text_changed(self, _text: str) -> None:
        self._filter_timer.start()  # restarts: filter once typing pauses

    def _apply_text_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(text=self.filter_edit.text())
        self._after_filter_changed()

    def _on_near_only_changed(self, checked: bool) -> None:
        self.model.set_filter(near_only=checked)
        self._after_filter_changed()

    def _on_wrong_only_changed(self, checked: bool) -> None:
        self.model.set_filter(wrong_only=checked)
        self._after_filter_changed()

    def _after_filter_changed(self) -> None:
        # Units the filter lets back in should show as selected again.
        self._select_in_tree(self._context.selection.units, reveal=False)
        self._update_summary()

    def _on_group_expanded_changed(self, index: QModelIndex) -> None:
        key = self.model.group_key(index)
        if key is not None:
            (self._open_keys.add if self.tree.isExpanded(index) else self._open_keys.discard)(key)

    def _reopen_groups(self) -> None:
        for key in self._open_keys:
            index = self.model.group_index(key)
            if index.isValid() and not self.tree.isExpanded(index):
                self.tree.expand(index)

    def _on_model_reset(self) -> None:
        self._reopen_groups()
        self._select_in_tree(self._context.selection.units, reveal=False)

    # -- selection, both ways ----------------------------------------------------------------
    def selected_units(self) -> np.ndarray:
        """Units whose rows are selected in the tree (sector rows contribute nothing)."""
        parts = []
        for rng in self.tree.selectionModel().selection():
            key = self.model.group_key(rng.parent())
            if key is not None:
                parts.append(self.model.listed(key)[rng.top():rng.bottom() + 1])
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def _on_tree_selection_changed(self, *_):
        if not self._syncing:
            self._context.selection.set_units(self.selected_units(), source=self)
            self._update_summary()

    def _on_selection_changed(self, source: object) -> None:
        if source is self:
            return  # our own echo
        self._select_in_tree(self._context.selection.units, reveal=True)
        self._update_summary()

    def _select_in_tree(self, units: np.ndarray, reveal: bool) -> None:
        """Mirror `units` as the tree selection; with `reveal`, expand their sectors, list
        pages until a small selection has rows, and scroll the first one into view. Units
        filtered out stay unselected."""
        if reveal and 0 < len(units) <= REVEAL_MAX_UNITS:
            self.model.list_units(units)
        found, _hidden = self.model.rows_of_units(units)
        selection = QItemSelection()
        last = len(COLUMNS) - 1
        first: QModelIndex | None = None
        for key in self.model.group_keys():
            rows = found.get(key)
            if rows is None:
                continue
            parent = self.model.group_index(key)
            if reveal:
                self.tree.expand(parent)
            # One range per run of consecutive rows keeps big selections cheap.
            breaks = np.flatnonzero(np.diff(rows) != 1)
            for start, stop in zip(np.r_[rows[:1], rows[breaks + 1]].tolist(),
                                   np.r_[rows[breaks], rows[-1:]].tolist()):
                selection.select(self.model.index(start, 0, parent), self.model.index(stop, last, parent))
            if first is None:
                first = self.model.index(int(rows[0]), 0, parent)
        self._syncing = True
        try:
            self.tree.selectionModel().select(selection, _SEL.ClearAndSelect | _SEL.Rows)
        finally:
            self._syncing = False
        if reveal and first is not None:
            # Once the tree has laid out what it just expanded or listed: until then its
            # scroll range is stale and the row could end up below the viewport.
            QTimer.singleShot(0, self, lambda target=QPersistentModelIndex(first): self._scroll_to(target))

    def _scroll_to(self, target: QPersistentModelIndex) -> None:
        """Bring a row into the middle of the list, unless it is in view already."""
        if not target.isValid():
            return
        index = self.model.index(target.row(), 0, target.parent())
        if not self.tree.viewport().rect().contains(self.tree.visualRect(index)):
            self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.tree.horizontalScrollBar().setValue(0)  # the name, not a far column

    def _on_tree_double_clicked(self, index: QModelIndex) -> None:
        if self.model.is_more_row(index):
            self.model.show_more(self.model.group_key(index.parent()))
            return
        unit = self.model.unit_index(index)
        view = self._context.map_view
        if unit is not None and view is not None and hasattr(view, "center_on_units"):
            view.center_on_units(np.array([unit], dtype=np.int64))

    # -- export ------------------------------------------------------------------------------
    def _on_export_triggered(self) -> None:
        path = file_dialogs.save_path(self, "table-csv", "Export table to CSV", "CSV files (*.csv);;All files (*)",
                                      f"{self._doc.title} units.csv")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> int:
        """Write the listed units (current filter and sort, no page limit) to `path`."""
        self._refresh_rows()  # the rows exported are those of the latest analysis
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # ~2 s for 1M units
        try:
            n = write_units_csv(path, self._doc, self.model.analysis, self.model.filtered_units(),
                                self.model.units_of_measure)
        except OSError as exc:
            QApplication.restoreOverrideCursor()
            show_message(self, QMessageBox.Icon.Warning, "Export table to CSV", f"Could not write {path}:\n{exc}")
            return 0
        QApplication.restoreOverrideCursor()
        self._context.status(f"Exported {plural(n, 'unit')} to {path}")
        return n


def _longest(texts: np.ndarray, n: int = SAMPLE_NAMES) -> list[str]:
    """The `n` longest of `texts` by characters (whole-array, no per-text font measuring)."""
    if not len(texts):
        return []
    texts = texts[::max(1, len(texts) // 100_000)]  # a sample of a huge table: ~15 ms
    lengths = np.fromiter((len(t) if isinstance(t, str) else 0 for t in texts), dtype=np.int32, count=len(texts))
    pick = np.argpartition(-lengths, min(n, len(texts) - 1))[:n] if len(texts) > n else np.arange(len(texts))
    return [str(texts[i]) for i in pick.tolist()]

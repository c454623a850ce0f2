"""The main window: the map in the centre, plugin panels in docks, plugin tools in a bar."""
from __future__ import annotations

import logging

from PySide6 import QtCore, QtGui, QtWidgets

from desktop import __version__
from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.core.commands import CommandStack
from desktop.core.document import Document
from desktop.core.plugins import Contribution, PluginRegistry
from desktop.core.selection import Selection
from desktop.core.sidc import AMPLIFIERS
from desktop.gui import theme
from desktop.gui.context import AppContext
from desktop.gui.map_view import MapView
from desktop.gui.preferences import Preferences
from desktop.gui.status_bar import MapStatusBar

log = logging.getLogger(__name__)
AREAS = {"left": QtCore.Qt.DockWidgetArea.LeftDockWidgetArea,
         "right": QtCore.Qt.DockWidgetArea.RightDockWidgetArea,
         "bottom": QtCore.Qt.DockWidgetArea.BottomDockWidgetArea,
         "top": QtCore.Qt.DockWidgetArea.TopDockWidgetArea}


class MainWindow(QtWidgets.QMainWindow):
    def __init__(self, document: Document, registry: PluginRegistry | None = None,
                 settings: QtCore.QSettings | None = None, *, path=None) -> None:
        """`path`: the project file the document was opened from (None: untitled)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings
        self.preferences = Preferences(settings, self)
        if registry is None:
            registry = PluginRegistry()
            registry.load_entry_points(builtins=BUILTIN_PLUGINS)
        self.registry = registry
        self.document = document
        self.stack = CommandStack(document)
        self.selection = Selection()
        self.map_view = MapView(document, self.selection)
        self.setCentralWidget(self.map_view)
        self.status = MapStatusBar(self.map_view, self.preferences)
        self.setStatusBar(self.status)
        self.context = AppContext(document, self.stack, self.selection, registry, self.map_view,
                                  status=lambda message: self.status.showMessage(message, 6000),
                                  preferences=self.preferences)
        self.panels: dict[str, QtWidgets.QWidget] = {}
        self.docks: dict[str, QtWidgets.QDockWidget] = {}
        self.tools: dict[str, object] = {}
        self.tool_actions: dict[str, QtGui.QAction] = {}
        self.active_tool = None
        self._file_path = path
        self._build_menus()
        self._load_panels()
        self._load_tools()
        self.stack.changed.connect(self._on_stack_changed)
        self._on_stack_changed()
        self.resize(1400, 900)
        self._restore_layout()
        if self.preferences.night or theme.is_night():  # as remembered (all windows share it)
            theme.apply(self.preferences.night, within=self)
        if registry.failures:
            self.status.showMessage(f"{len(registry.failures)} plugin(s) failed to load: see Help › Plugins", 15000)

    # -- plugins --------------------------------------------------------------------------
    def _instantiate(self, contribution: Contribution):
        try:
            return contribution.load()(self.context)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            log.exception("plugin contribution %s failed", contribution.id)
            self.registry.fail(contribution.id, f"{contribution.kind} {contribution.title!r}: {exc}")
            return None

    def _load_panels(self) -> None:
        for c in self.registry.contributions("panel"):
            widget = self._instantiate(c)
            if widget is None:
                continue
            dock = QtWidgets.QDockWidget(c.title, self)
            dock.setObjectName(f"dock_{c.id}")
            dock.setWidget(widget)
            area = AREAS.get(c.options.get("area", "right"), AREAS["right"])
            tab_with = self.docks.get(c.options.get("tabify", ""))
            if tab_with is not None:
                self.tabifyDockWidget(tab_with, dock)
                tab_with.raise_()
            else:
                self.addDockWidget(area, dock)
            self.panels[c.id] = widget
            self.docks[c.id] = dock
            self.panels_menu.addAction(dock.toggleViewAction())

    def _load_tools(self) -> None:
        toolbar = self.addToolBar("Tools")
        toolbar.setObjectName("toolsToolbar")
        group = QtGui.QActionGroup(self)
        for c in self.registry.contributions("tool"):
            tool = self._instantiate(c)
            if tool is None:
                continue
            action = QtGui.QAction(c.title, self, checkable=True)
            action.setObjectName(f"tool_{c.id}")
            if c.options.get("shortcut"):
                action.setShortcut(QtGui.QKeySequence(c.options["shortcut"]))
            action.setActionGroup(group)
            action.toggled.connect(lambda on, t=tool: self._on_tool_toggled(t, on))
            toolbar.addAction(action)
            self.tools_menu.addAction(action)
            self.tools[c.id] = tool
            self.tool_actions[c.id] = action
        toolbar.addSeparator()
        toolbar.addAction(self.snap_action)
        toolbar.addAction(self.zoom_ao_action)
        if self.tool_actions:
            next(iter(self.tool_actions.values())).setChecked(True)

    def _on_tool_toggled(self, tool, on: bool) -> None:
        if on:
            self.active_tool = tool
            tool.activate()
            if hasattr(tool, "set_snapping"):
                tool.set_snapping(self.snap_action.isChecked())
        else:
            tool.deactivate()

    # -- menus ----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        from desktop.gui.project_files import ProjectFiles  # New/Open/Save/Import/Export Data
        self.files = ProjectFiles(self, file_menu, self._file_path)
        file_menu.addSeparator()
        self.export_action = file_menu.addAction("&Export Map…", QtGui.QKeySequence("Ctrl+E"),
                                                 self.show_export_dialog)
        file_menu.addSeparator()
        file_menu.addAction("&Quit", QtGui.QKeySequence.StandardKey.Quit, self.close)
        edit = bar.addMenu("&Edit")
        self.undo_action = edit.addAction("Undo", QtGui.QKeySequence.StandardKey.Undo, self.stack.undo)
        self.redo_action = edit.addAction("Redo", QtGui.QKeySequence.StandardKey.Redo, self.stack.redo)
        self.redo_action.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])
        view = bar.addMenu("&View")
        self.zoom_ao_action = view.addAction("Zoom to AO", QtGui.QKeySequence("Home"), self.map_view.zoom_to_ao)
        buffer_action = view.addAction("Show buffer band")
        buffer_action.setCheckable(True)
        buffer_action.setChecked(True)
        buffer_action.toggled.connect(self.map_view.sector_layer.set_buffer_visible)
        self.amplifiers_menu = view.addMenu("Symbol amplifiers")
        for key, title in AMPLIFIERS.items():
            action = self.amplifiers_menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(True)
            action.setData(key)
            action.toggled.connect(self._on_amplifiers_changed)
        self.night_action = view.addAction("Night mode")
        self.night_action.setObjectName("nightAction")
        self.night_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+N"))
        self.night_action.setCheckable(True)
        self.night_action.setChecked(self.preferences.night)
        self.night_action.setToolTip("Dark colours for the window and the map (the screen only: exports keep "
                                     "their print colours)")
        self.night_action.toggled.connect(self.preferences.set_night)
        self.preferences.night_changed.connect(self._on_night_changed)
        self.map_view.set_measure_units(self.preferences.units)
        self.preferences.units_changed.connect(self.map_view.set_measure_units)
        self.panels_menu = view.addMenu("Panels")
        view.addMenu(self.status.crs_menu).setText("Display CRS")
        view.addMenu(self.status.units_menu)
        self.tools_menu = bar.addMenu("&Tools")
        self.snap_action = QtGui.QAction("Snap", self, checkable=True)
        self.snap_action.setObjectName("snapAction")
        self.snap_action.setShortcut(QtGui.QKeySequence("S"))
        self.snap_action.setToolTip("Snap to vertices, AO edges, rivers and borders (S)")
        self.snap_action.toggled.connect(self._on_snap_toggled)
        self.tools_menu.addAction(self.snap_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction("User guide", QtGui.QKeySequence.StandardKey.HelpContents, self.show_user_guide)
        help_menu.addAction("Keyboard shortcuts", QtGui.QKeySequence("Ctrl+/"), self.show_shortcuts)
        help_menu.addSeparator()
        help_menu.addAction("Plugins…", self.show_plugins)
        help_menu.addAction("About Deconflict", self._about)

    def _on_amplifiers_changed(self, _on: bool = False) -> None:
        shown = [a.data() for a in self.amplifiers_menu.actions() if a.isChecked()]
        self.map_view.unit_layer.detail.set_amplifiers(shown)

    def _on_snap_toggled(self, on: bool) -> None:
        for tool in self.tools.values():
            if hasattr(tool, "set_snapping"):
                tool.set_snapping(on)

    def _on_stack_changed(self) -> None:
        undo, redo = self.stack.undo_label, self.stack.redo_label
        self.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.undo_action.setEnabled(self.stack.can_undo())
        self.redo_action.setEnabled(self.stack.can_redo())
        self.setWindowTitle(self.files.window_title())

    def show_export_dialog(self):
        """File › Export Map…: the briefing-map export (desktop.gui.export)."""
        from desktop.gui.export.dialog import ExportDialog  # loaded on first use
        self.export_dialog = ExportDialog(self.document, self.map_view, self.settings, self)
        self.export_dialog.exported.connect(lambda path: self.status.showMessage(f"Exported {path}", 6000))
        self.export_dialog.open()
        return self.export_dialog

    def _on_night_changed(self, on: bool) -> None:
        self.night_action.setChecked(on)
        theme.apply(on)

    def show_user_guide(self):
        """Help › User guide: the README's sections, offline."""
        from desktop.gui.help import UserGuide
        self.user_guide = UserGuide(self)
        self.user_guide.show()
        return self.user_guide

    def show_shortcuts(self):
        """Help › Keyboard shortcuts, read from the window's actions and views."""
        from desktop.gui.help import ShortcutsDialog
        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        return self.shortcuts_dialog

    def plugins_report(self) -> str:
        lines = [f"Loaded: {p.name} {p.version} — {p.description}".rstrip(" —") for p in self.registry.plugins]
        lines += [f"FAILED: {f.source}: {f.message}" for f in self.registry.failures]
        return "\n".join(lines)

    def show_plugins(self) -> None:
        QtWidgets.QMessageBox.information(self, "Plugins", self.plugins_report())

    def _about(self) -> None:
        QtWidgets.QMessageBox.about(self, "About Deconflict",
                                    f"Deconflict {__version__}\nDeconfliction line planning, offline.")

    # -- layout persistence ----------------------------------------------------------------
    def _restore_layout(self) -> None:
        if self.settings is None:
            return
        geometry = self.settings.value("mainWindow/geometry")
        state = self.settings.value("mainWindow/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt API
        if not self.files.confirm_close():
            event.ignore()
            return
        self.files.closed()
        if self.settings is not None:
            self.settings.setValue("mainWindow/geometry", self.saveGeometry())
            self.settings.setValue("mainWindow/state", self.saveState())
        super().closeEvent(event)

"""The main window: the map in the centre, plugin panels in docks, plugin tools in a bar."""
from __future__ import annotations

import logging
from dataclasses import replace

from PySide6 import QtCore, QtGui, QtWidgets

from desktop import __version__
from desktop.builtin_plugins import BUILTIN_PLUGINS
from desktop.core.commands import CommandStack
from desktop.core.document import Document
from desktop.core.freed_memory import give_back_freed
from desktop.core.plugins import Contribution, PluginRegistry
from desktop.core.selection import Selection
from desktop.core.sidc import AMPLIFIERS
from desktop.gui import theme
from desktop.gui.context import AppContext
from desktop.gui.map.scene import scene_for
from desktop.gui.map.view import MapView
from desktop.gui.place_search_box import PlaceSearchBox
from desktop.gui.plain import show_message
from desktop.gui.preferences import Preferences
from desktop.gui.status_bar import MapStatusBar

log = logging.getLogger(__name__)
AREAS = {"left": QtCore.Qt.DockWidgetArea.LeftDockWidgetArea,
         "right": QtCore.Qt.DockWidgetArea.RightDockWidgetArea,
         "bottom": QtCore.Qt.DockWidgetArea.BottomDockWidgetArea,
         "top": QtCore.Qt.DockWidgetArea.TopDockWidgetArea}


class MainWindow(QtWidgets.QMainWindow):
    plugins_loaded = QtCore.Signal()   # every panel and tool is in (at once, or after the first paint)

    def __init__(self, document: Document, registry: PluginRegistry | None = None,
                 settings: QtCore.QSettings | None = None, *, path=None, defer_plugins: bool = False) -> None:
        """`path`: the project file the document was opened from (None: untitled).
        `defer_plugins`: the panels and tools are built once the map has painted (their
        docks and tool buttons are there from the start): the window shows sooner."""
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
        self.context = AppContext(document, self.stack, self.selection, registry,
                                  status=lambda message: self.status.showMessage(message, 6000),
                                  preferences=self.preferences)
        self.scene, failures = scene_for(self.context, interactive=True)
        for message in failures:
            registry.fail("map_layer", message)
        if document.map_state.layers:  # as the project was saved
            self.scene.apply_layer_state(document.map_state.layers)
        self.map_view = self.context.map_view = MapView(self.scene, self.selection)
        self.setCentralWidget(self.map_view)
        self.status = MapStatusBar(self.map_view, self.preferences)
        self.setStatusBar(self.status)
        self.scene.notice.connect(self._on_notice)
        if self.scene.notices:
            self._on_notice("  ·  ".join(self.scene.notices))
        self.panels: dict[str, QtWidgets.QWidget] = {}
        self.docks: dict[str, QtWidgets.QDockWidget] = {}
        self.tools: dict[str, object] = {}
        self.tool_actions: dict[str, QtGui.QAction] = {}
        self.active_tool = None
        self._file_path = path
        self._closed = False
        self.plugins_ready = False   # every panel and tool built (see `plugins_loaded`)
        self._build_menus()
        from desktop.gui.feed.menu import FeedMenu  # the live feed from TAK networks: menu, status bar
        self.feed_menu = FeedMenu(self)
        self._make_docks()
        self._make_toolbar()
        # Once the document has changed and the window rests, the temporaries of the change
        # (a million-unit import's: 80 MB) go back to the system.
        self._give_back = QtCore.QTimer(self, singleShot=True, interval=500, timeout=give_back_freed)
        self.stack.changed.connect(self._on_stack_changed)
        self._on_stack_changed()
        self.resize(1400, 900)
        self._restore_layout()
        if defer_plugins:
            self.map_view.first_painted.connect(lambda: QtCore.QTimer.singleShot(0, self.load_plugins))
        else:
            self.load_plugins()
        if self.preferences.night or theme.is_night():  # as remembered (all windows share it)
            theme.apply(self.preferences.night, within=self)

    # -- plugins --------------------------------------------------------------------------
    def _instantiate(self, contribution: Contribution):
        try:
            return contribution.load()(self.context)
        except Exception as exc:  # noqa: BLE001 - a broken plugin is reported, never fatal
            log.exception("plugin contribution %s failed", contribution.id)
            self.registry.fail(contribution.id, f"{contribution.kind} {contribution.title!r}: {exc}")
            return None

    def _make_docks(self) -> None:
        """A dock per panel contribution, placed as asked; its panel comes in `load_plugins`."""
        self._pending_panels = []
        for c in self.registry.contributions("panel"):
            dock = QtWidgets.QDockWidget(c.title, self)
            dock.setObjectName(f"dock_{c.id}")
            area = AREAS.get(c.options.get("area", "right"), AREAS["right"])
            tab_with = self.docks.get(c.options.get("tabify", ""))
            if tab_with is not None:
                self.tabifyDockWidget(tab_with, dock)
                tab_with.raise_()
            else:
                self.addDockWidget(area, dock)
            self.docks[c.id] = dock
            self.panels_menu.addAction(dock.toggleViewAction())
            self._pending_panels.append(c)

    def _make_toolbar(self) -> None:
        """A checkable action per tool contribution; its tool comes in `load_plugins`."""
        toolbar = self.addToolBar("Tools")
        toolbar.setObjectName("toolsToolbar")
        group = QtGui.QActionGroup(self)
        self._pending_tools = list(self.registry.contributions("tool"))
        for c in self._pending_tools:
            action = QtGui.QAction(c.title, self, checkable=True)
            action.setObjectName(f"tool_{c.id}")
            if c.options.get("shortcut"):
                action.setShortcut(QtGui.QKeySequence(c.options["shortcut"]))
            action.setActionGroup(group)
            action.toggled.connect(lambda on, key=c.id: self._on_tool_toggled(self.tools.get(key), on))
            toolbar.addAction(action)
            self.tools_menu.addAction(action)
            self.tool_actions[c.id] = action
        toolbar.addSeparator()
        toolbar.addAction(self.snap_action)
        toolbar.addAction(self.zoom_ao_action)
        toolbar.addSeparator()
        self.search_box = PlaceSearchBox(self.map_view, self)
        toolbar.addWidget(self.search_box)

    def load_plugins(self) -> None:
        """Build every panel into its dock and every tool; the first tool is switched on.
        A plugin that fails is reported (Help › Plugins) and its dock or button removed."""
        if self._closed:  # closed before the deferred load came round
            return
        for c in self._pending_panels:
            widget, dock = self._instantiate(c), self.docks[c.id]
            if widget is None:
                self.panels_menu.removeAction(dock.toggleViewAction())
                self.removeDockWidget(dock)
                del self.docks[c.id]
            else:
                dock.setWidget(widget)
                self.panels[c.id] = widget
        for c in self._pending_tools:
            tool = self._instantiate(c)
            if tool is None:
                action = self.tool_actions.pop(c.id)
                action.setParent(None)
                action.deleteLater()
            else:
                self.tools[c.id] = tool
        self._pending_panels, self._pending_tools = [], []
        self.plugins_ready = True
        if self.tool_actions:
            next(iter(self.tool_actions.values())).setChecked(True)
        if self.registry.failures:
            self.status.showMessage(f"{len(self.registry.failures)} plugin(s) failed to load: see Help › Plugins",
                                    15000)
        self.plugins_loaded.emit()

    def _on_tool_toggled(self, tool, on: bool) -> None:
        if tool is None:  # not built yet (plugins load after the first paint)
            return
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
        from desktop.gui.basemap_files import BasemapFiles  # File › Add basemap…, tile files dropped
        self.basemap_files = BasemapFiles(self, file_menu)
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
        self.buffer_action = view.addAction("Show buffer band")
        self.buffer_action.setCheckable(True)
        self.buffer_action.setChecked(self._layer_visible("buffer"))
        self.buffer_action.toggled.connect(lambda on: self.scene.set_visible("buffer", on))
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
        self.scene.layers_changed.connect(self._on_layers_changed)
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

    def _layer_visible(self, layer_id: str) -> bool:
        layer = self.scene.layer(layer_id)
        return layer is not None and layer.visible

    def _on_notice(self, message: str) -> None:
        self.status.showMessage(message, 15000)

    def _on_layers_changed(self) -> None:
        """The View menu's toggles follow the layers panel (the same layers); the project
        keeps the layers' order, visibility and opacity for its next save."""
        state = tuple(self.scene.layer_state())
        if state != self.document.map_state.layers:
            self.document.set_map_state(replace(self.document.map_state, layers=state))
        for action, layer_id in ((self.buffer_action, "buffer"), (self._amplifier_action("unit_names"), "units.labels")):
            action.blockSignals(True)
            action.setChecked(self._layer_visible(layer_id))
            action.blockSignals(False)

    def _amplifier_action(self, key: str) -> QtGui.QAction:
        return next(a for a in self.amplifiers_menu.actions() if a.data() == key)

    def _on_amplifiers_changed(self, _on: bool = False) -> None:
        """Unit names are the unit labels layer; movement and speed leaders the units' own."""
        shown = [a.data() for a in self.amplifiers_menu.actions() if a.isChecked()]
        self.scene.set_visible("units.labels", "unit_names" in shown)
        units = self.scene.layer("units")
        if units is not None:
            units.set_amplifiers(shown)

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
        self._give_back.start()

    def show_export_dialog(self):
        """File › Export Map…: the briefing-map export (desktop.gui.export)."""
        from desktop.gui.export.dialog import ExportDialog  # loaded on first use
        self.export_dialog = ExportDialog(self.document, self.map_view, self.settings, self, self.context)
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
        show_message(self, QtWidgets.QMessageBox.Icon.Information, "Plugins", self.plugins_report())

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
        self._teardown()
        super().closeEvent(event)

    def _teardown(self) -> None:
        """Everything the window's plugins connected is disconnected, in one call each:
        tools, panels, the map view and the scene's layers."""
        self._closed = True
        for tool in self.tools.values():
            if hasattr(tool, "close"):
                tool.close()
        for panel in self.panels.values():
            panel.close()
        self.map_view.close()
        self.scene.close()
        for service in self.context.services.values():  # the live feed stops
            service.close()


def show_window(document: Document, path=None, *, registry: PluginRegistry | None = None,
                settings: QtCore.QSettings | None = None, defer_plugins: bool = False, **options) -> MainWindow:
    """A new main window on `document` (saved at `path`, or untitled), shown and kept alive;
    `options` as `windows.present` takes them."""
    from desktop.gui.windows import present
    return present(MainWindow(document, registry, settings, path=path, defer_plugins=defer_plugins), **options)

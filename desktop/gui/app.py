"""GUI entry point."""
from __future__ import annotations

import json
import os
import sys

# With this set, the app prints one JSON line (the window's panels, tools and plugin
# failures) once the main window has painted, and quits: the smoke test of the standalone
# executable and the start-up benchmark use it. It offers no recovery (no dialog may wait).
EXIT_AFTER_PAINT = "DECONFLICT_EXIT_AFTER_PAINT"


def run_gui(argv: list[str] | None = None, project: str | None = None, imports=()) -> int:
    """Open the application on the demo, on the project file `project`, or on a new scenario
    with the files `imports` imported (File › Import's road, once the window is up)."""
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from desktop.gui import windows
    from desktop.gui.resources import app_icon

    pg.setConfigOptions(antialias=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("Deconflict")
    app.setApplicationName("Deconflict")
    app.setDesktopFileName("deconflict")  # Wayland: ties the window to deconflict.desktop
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    from desktop.gui import shutdown
    shutdown.install(app)  # SIGTERM, SIGINT, SIGHUP: a clean end, as Quit
    from desktop.gui.recovery_dialog import offer_recovery, recovery_root
    settings = QtCore.QSettings()
    root = recovery_root()
    smoke = bool(os.environ.get(EXIT_AFTER_PAINT))
    recovered = [] if smoke else offer_recovery(root, settings)
    if project is not None or imports or not recovered:
        document, path = _initial_document(project, bool(imports))
        window = windows.show_window(document, path, settings=settings, recovery_root=root)
        if imports:
            window.files.imports.import_files(list(imports))
        if smoke:
            _exit_after_first_paint(app, window)
    return 0 if shutdown.requested() else app.exec()  # a signal during start-up: ended already


def _exit_after_first_paint(app, window) -> None:
    from PySide6 import QtCore

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
            if event.type() == QtCore.QEvent.Type.Paint and not self.seen:
                self.seen = True
                QtCore.QTimer.singleShot(0, report)
            return False

    def report() -> None:
        from desktop.core.magnetic import declination
        from desktop.gui.help import sections, user_guide_text
        lon, lat = window.document.ao.centre
        print(json.dumps({"window": window.windowTitle(), "units": len(window.document.units),
                          "panels": sorted(window.panels),
                          "tools": sorted(window.tools),
                          "plugin_failures": [f"{f.source}: {f.message}" for f in window.registry.failures],
                          # What ships as data: the user guide's sections, the magnetic model.
                          "guide_sections": len(sections(user_guide_text())),
                          "magnetic_model": declination(lon, lat, 1_500_000_000).model}),  # July 2017
              flush=True)
        window.files.ask_before_closing = False  # a smoke run answers no question
        window.close()
        app.quit()

    watcher = FirstPaint(window)
    watcher.seen = False
    window.map_view.viewport().installEventFilter(watcher)
    window.map_view.viewport().update()  # a paint after the watcher, whatever was painted before


def _initial_document(project: str | None, new: bool = False):
    """The project asked for, a new scenario (`new`), or the demo (also when the project
    cannot be opened: the reason is shown, and nothing is written to the file)."""
    from desktop.core.demo import demo_document
    if new:
        from desktop.gui.project_files import new_document
        return new_document(), None
    if project is None:
        return demo_document(), None
    from desktop.core.project import ProjectError, load_project
    try:
        return load_project(project), project
    except ProjectError as exc:
        from PySide6 import QtWidgets
        print(f"deconflict: error: {exc}", file=sys.stderr)
        QtWidgets.QMessageBox.critical(None, "Cannot open the project", f"{exc}\n\nOpening the demo instead.")
        return demo_document(), None

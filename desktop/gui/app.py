"""GUI entry point."""
from __future__ import annotations

import json
import os
import sys

# With this set, the app prints one JSON line (the window's panels, tools and plugin
# failures) once the main window has painted, and quits: the smoke test of the standalone
# executable and the start-up benchmark use it.
EXIT_AFTER_PAINT = "DECONFLICT_EXIT_AFTER_PAINT"


def run_gui(argv: list[str] | None = None) -> int:
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from desktop.core.demo import demo_document
    from desktop.gui.main_window import MainWindow
    from desktop.gui.resources import app_icon

    pg.setConfigOptions(antialias=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("Deconflict")
    app.setApplicationName("Deconflict")
    app.setDesktopFileName("deconflict")  # Wayland: ties the window to deconflict.desktop
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    window = MainWindow(demo_document(), settings=QtCore.QSettings())
    if os.environ.get(EXIT_AFTER_PAINT):
        _exit_after_first_paint(app, window)
    window.show()
    return app.exec()


def _exit_after_first_paint(app, window) -> None:
    from PySide6 import QtCore

    class FirstPaint(QtCore.QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
            if event.type() == QtCore.QEvent.Type.Paint and not self.seen:
                self.seen = True
                QtCore.QTimer.singleShot(0, report)
            return False

    def report() -> None:
        print(json.dumps({"window": window.windowTitle(), "panels": sorted(window.panels),
                          "tools": sorted(window.tools),
                          "plugin_failures": [f"{f.source}: {f.message}" for f in window.registry.failures]}),
              flush=True)
        window.close()
        app.quit()

    watcher = FirstPaint(window)
    watcher.seen = False
    window.map_view.viewport().installEventFilter(watcher)

"""GUI entry point."""
from __future__ import annotations

import sys


def run_gui(argv: list[str] | None = None, project: str | None = None) -> int:
    """Open the application on the demo, or on the project file `project`."""
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from desktop.core.demo import demo_document
    from desktop.gui.main_window import MainWindow

    pg.setConfigOptions(antialias=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("Deconflict")
    app.setApplicationName("Deconflict")
    window = MainWindow(demo_document(), settings=QtCore.QSettings())
    window.show()
    return app.exec()

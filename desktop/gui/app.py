"""GUI entry point."""
from __future__ import annotations

import sys


def run_gui(argv: list[str] | None = None, project: str | None = None) -> int:
    """Open the application on the demo, or on the project file `project`."""
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from desktop.gui import windows

    pg.setConfigOptions(antialias=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(argv or sys.argv[:1])
    app.setOrganizationName("Deconflict")
    app.setApplicationName("Deconflict")
    from desktop.gui.recovery_dialog import offer_recovery, recovery_root
    settings = QtCore.QSettings()
    root = recovery_root()
    recovered = offer_recovery(root, settings)
    if project is not None or not recovered:
        document, path = _initial_document(project)
        windows.show_window(document, path, settings=settings, recovery_root=root)
    return app.exec()


def _initial_document(project: str | None):
    """The project asked for, or the demo (also when the project cannot be opened: the
    reason is shown, and nothing is written to the file)."""
    from desktop.core.demo import demo_document
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

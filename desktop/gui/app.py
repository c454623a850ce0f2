"""GUI entry point."""
from __future__ import annotations

import gc
import json
import os
import sys

# With this set, the app prints `{"painted": true}` when the map is first on screen, then
# one JSON line (the window's panels, tools and plugin failures) once its plugins are in,
# and quits: the smoke test of the standalone executable and the start-up benchmarks use
# it. It offers no recovery (no dialog may wait).
EXIT_AFTER_PAINT = "DECONFLICT_EXIT_AFTER_PAINT"
GC_BACK_AFTER_MS = 3000   # the collector runs again by then, painted or not (a dialog first)


def run_gui(argv: list[str] | None = None, project: str | None = None, imports=()) -> int:
    """Open the application on the demo, on the project file `project`, or on a new scenario
    with the files `imports` imported (File › Import's road, once the window is up)."""
    gc.disable()  # no collection on the way to the first paint (see _collect_after_paint)
    from PySide6 import QtCore, QtWidgets

    from desktop.gui.main_window import show_window
    from desktop.gui.resources import app_icon

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
        # The map paints first; panels and tools come in right after (pyqtgraph, the
        # timeline, the sectors table are not on the way to the first paint).
        window = show_window(document, path, settings=settings, recovery_root=root, defer_plugins=True)
        _collect_after_paint(window)
        if imports:
            window.files.imports.import_files(list(imports))
        if smoke:
            _exit_after_first_paint(app, window)
    QtCore.QTimer.singleShot(GC_BACK_AFTER_MS, _collect_again)  # whatever happened to the window
    return 0 if shutdown.requested() else app.exec()  # a signal during start-up: ended already


def _collect_again() -> None:
    """Start-up is over: what it built is kept for good (`gc.freeze`: later full collections
    skip it), and the garbage collector runs again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def _collect_after_paint(window) -> None:
    """Python's collector would run ~120 times on the way to the first paint (~40 ms, one
    full pass over every module and the document included); it waits for the map instead."""
    if window.map_view.has_painted:
        _collect_again()
    else:
        window.map_view.first_painted.connect(_collect_again)


def _exit_after_first_paint(app, window) -> None:
    from PySide6 import QtCore

    def painted() -> None:
        print(json.dumps({"painted": True}), flush=True)

    def report() -> None:
        from desktop.core.magnetic import declination
        from desktop.gui.help import sections, user_guide_text
        lon, lat = window.document.ao.centre
        print(json.dumps({"window": window.windowTitle(), "units": len(window.document.units),
                          "panels": sorted(window.panels),
                          "tools": sorted(window.tools),
                          "plugin_failures": [f"{f.source}: {f.message}" for f in window.registry.failures],
                          "collector": gc.isenabled(),
                          # What ships as data: the user guide's sections, the magnetic model.
                          "guide_sections": len(sections(user_guide_text())),
                          "magnetic_model": declination(lon, lat, 1_500_000_000).model}),  # July 2017
              flush=True)
        window.files.ask_before_closing = False  # a smoke run answers no question
        window.close()
        app.quit()

    # (an import may have painted the window and loaded its plugins already)
    window.map_view.first_painted.connect(painted)
    window.plugins_loaded.connect(lambda: QtCore.QTimer.singleShot(0, report))
    if window.map_view.has_painted:
        painted()
    if window.plugins_ready:
        QtCore.QTimer.singleShot(0, report)


def _initial_document(project: str | None, new: bool = False):
    """The project asked for, a new scenario (`new`), or the demo (also when the project
    cannot be opened, whatever the reason: it is shown in a dialog and on stderr, and
    nothing is written to the file)."""
    from desktop.core.demo import demo_document
    if new:
        from desktop.gui.project_files import new_document
        return new_document(), None
    if project is None:
        return demo_document(), None
    from desktop.core.project import load_project
    try:
        return load_project(project), project
    except Exception as exc:  # noqa: BLE001 - no file may stop the application from starting
        from PySide6 import QtWidgets

        from desktop.gui.plain import show_message
        from desktop.gui.project_files import open_failure
        reason = open_failure(project, exc)
        print(f"deconflict: error: {reason}", file=sys.stderr)
        show_message(None, QtWidgets.QMessageBox.Icon.Critical, "Cannot open the project",
                     f"{reason}\n\nOpening the demo instead.")
        return demo_document(), None

"""Takes README's screenshots of the main window on the demo from a real X server (window
decorations aside): the window as a user first sees it, then the map of the 18 June 2017
incident with its call selected on the timeline.

    apt-get install -y xvfb
    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python packaging/screenshots.py

Settings come from a temporary file, so nothing the machine's user chose shows.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6 import QtCore, QtWidgets

FOLDER = Path(__file__).resolve().parent.parent / "resources" / "screenshots"
SIZE = (1600, 1000)
SETTLE_MS = 4000   # start-up's deferred panels, the basemap cut after the first paint, labels
INCIDENT = ("2017-06-18T15:50:00Z", "C-20170618-13")   # the time cursor, the call selected (the shoot-down)


def main() -> int:
    app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Deconflict")
    from desktop.core.demo import demo_document
    from desktop.core.tracks import parse_time
    from desktop.gui.main_window import show_window
    with tempfile.TemporaryDirectory() as tmp:
        settings = QtCore.QSettings(str(Path(tmp) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = show_window(demo_document(), settings=settings)
        window.resize(*SIZE)

        def grab(name: str) -> None:
            out = FOLDER / name
            window.grab().save(str(out))
            print(f"wrote {out} ({window.width()}×{window.height()})")

        def main_window() -> None:
            grab("main-window.png")
            at, call = INCIDENT
            window.context.time_cursor.set_time(parse_time(at))
            window.panels["timeline"].select_call(call)
            QtCore.QTimer.singleShot(SETTLE_MS // 2, incident)

        def incident() -> None:
            grab("timeline.png")
            app.quit()

        QtCore.QTimer.singleShot(SETTLE_MS, main_window)
        app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Takes README's screenshot of the main window on the demo, as a user first sees it, from
a real X server (window decorations aside):

    apt-get install -y xvfb
    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python packaging/screenshots.py

Settings come from a temporary file, so nothing the machine's user chose shows.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6 import QtCore, QtWidgets

OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots" / "main-window.png"
SIZE = (1600, 1000)
SETTLE_MS = 4000   # start-up's deferred panels, the basemap cut after the first paint, labels


def main() -> int:
    app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("Deconflict")
    from desktop.core.demo import demo_document
    from desktop.gui.main_window import show_window
    with tempfile.TemporaryDirectory() as tmp:
        settings = QtCore.QSettings(str(Path(tmp) / "settings.ini"), QtCore.QSettings.Format.IniFormat)
        window = show_window(demo_document(), settings=settings)
        window.resize(*SIZE)

        def grab() -> None:
            window.grab().save(str(OUT))
            print(f"wrote {OUT} ({window.width()}×{window.height()})")
            app.quit()

        QtCore.QTimer.singleShot(SETTLE_MS, grab)
        app.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())

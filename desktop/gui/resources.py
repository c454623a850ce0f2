"""Files that ship beside the code (`resources/` at the top of the repository; bundled
under the same name in the standalone executable)."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bootloader
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def app_icon():
    """The window icon in every size shipped, or None when the files are missing (an
    installed wheel without the repository: the app still runs, with Qt's default icon)."""
    from PySide6 import QtGui
    icons = sorted((resources_dir() / "icons").glob("deconflict-*.png"))
    if not icons:
        return None
    icon = QtGui.QIcon()
    for path in icons:
        icon.addFile(str(path))
    return icon

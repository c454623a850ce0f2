"""Every file dialog of the app: it opens in the folder last used for the same purpose
("project", "import", "export-map", ...), else the last folder used for anything, else the
user's documents folder; never in the process's working directory. The folders are
remembered in the window's preferences (QSettings).
"""
from __future__ import annotations

import os

from PySide6 import QtCore, QtWidgets

from desktop.gui.preferences import Preferences, preferences_of


def start_in(prefs: Preferences, purpose: str, name: str = "") -> str:
    """Where a dialog for `purpose` opens, with `name` suggested (a name with a folder keeps it)."""
    if name and os.path.isabs(name):
        return name
    documents = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.DocumentsLocation)
    folder = next((f for f in (prefs.folder(purpose), documents, os.path.expanduser("~"))
                   if f and os.path.isdir(f)), "")
    return os.path.join(folder, name) if name else folder


def _remember(prefs: Preferences, purpose: str, path: str) -> str:
    if path:
        prefs.remember_folder(purpose, os.path.dirname(os.path.abspath(path)))
    return path


def open_path(parent, purpose: str, caption: str, filters: str) -> str:
    """One existing file to read ("" when cancelled)."""
    prefs = preferences_of(parent)
    path = QtWidgets.QFileDialog.getOpenFileName(parent, caption, start_in(prefs, purpose), filters)[0]
    return _remember(prefs, purpose, path)


def open_paths(parent, purpose: str, caption: str, filters: str) -> list[str]:
    """Existing files to read (empty when cancelled)."""
    prefs = preferences_of(parent)
    paths = QtWidgets.QFileDialog.getOpenFileNames(parent, caption, start_in(prefs, purpose), filters)[0]
    if paths:
        _remember(prefs, purpose, paths[0])
    return paths


def save_path(parent, purpose: str, caption: str, filters: str, name: str = "") -> str:
    """A file to write, `name` suggested ("" when cancelled)."""
    prefs = preferences_of(parent)
    path = QtWidgets.QFileDialog.getSaveFileName(parent, caption, start_in(prefs, purpose, name), filters)[0]
    return _remember(prefs, purpose, path)

"""The application's windows: one MainWindow per open project.

Opening another project (or New) builds a new MainWindow on the new document and closes
the old one, rather than swapping the document under a running window: the window, its
map layers, plugins' panels and tools and the AppContext all hold the document they were
built on, and a fresh window gives every plugin a clean start on the new document with no
stale references. The new window takes the old one's place and dock layout.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

from desktop.core.document import Document
from desktop.core.plugins import PluginRegistry

_WINDOWS: list = []  # Qt does not own top-level windows: keep them alive here


def windows() -> tuple:
    return tuple(_WINDOWS)


def show_window(document: Document, path: str | Path | None = None, *, registry: PluginRegistry | None = None,
                settings: QtCore.QSettings | None = None, recovery_root: Path | None = None,
                ask_before_closing: bool = True, replacing=None, unsaved: bool = False):
    """A new main window on `document` (saved at `path`, or untitled), shown. With
    `recovery_root` its edits are journaled there; `unsaved`: the document differs from the
    file at `path` (a recovered document)."""
    from desktop.gui.main_window import MainWindow
    win = MainWindow(document, registry, settings, path=path)
    win.files.ask_before_closing = ask_before_closing
    win.files.forced_dirty = unsaved
    win.setWindowTitle(win.files.window_title())
    if recovery_root is not None:
        # A recovered document exists nowhere else: its first snapshot is written at once.
        win.files.start_journal(recovery_root, base_is_file=path is not None and not unsaved, defer_base=not unsaved)
    if replacing is not None:
        win.restoreState(replacing.saveState())
        win.setGeometry(replacing.geometry())
    _WINDOWS.append(win)
    win.show()
    return win


def replace_window(old, document: Document, path: str | Path | None):
    """Open `document` in a new window in place of `old`, then close `old` without asking
    (the caller has already settled its unsaved changes)."""
    new = show_window(document, path, registry=old.registry, settings=old.settings,
                      recovery_root=old.files.recovery_root, ask_before_closing=old.files.ask_before_closing,
                      replacing=old)
    old.files.ask_before_closing = False
    old.close()
    return new


def forget(window) -> None:
    if window in _WINDOWS:
        _WINDOWS.remove(window)

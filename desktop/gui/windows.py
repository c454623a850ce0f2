"""The application's windows: one MainWindow per open project.

Opening another project (or New) builds a new MainWindow on the new document and closes
the old one, rather than swapping the document under a running window: the window, its
map layers, plugins' panels and tools and the AppContext all hold the document they were
built on, and a fresh window gives every plugin a clean start on the new document with no
stale references. The new window takes the old one's place and dock layout.

This module knows windows only as objects it is given (`main_window.show_window` builds
them), so the window, its File menu and this registry import each other in one direction.
"""
from __future__ import annotations

from pathlib import Path

from desktop.core.document import Document

_WINDOWS: list = []  # Qt does not own top-level windows: keep them alive here


def windows() -> tuple:
    return tuple(_WINDOWS)


def present(win, *, recovery_root: Path | None = None, ask_before_closing: bool = True, replacing=None,
            unsaved: bool = False):
    """Show the main window `win` (built on its document) and keep it alive. With
    `recovery_root` its edits are journaled there; `unsaved`: the document differs from the
    file it was opened from (a recovered document)."""
    path = win.files.path
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
    """Open `document` in a new window of the same kind in place of `old`, then close `old`
    without asking (the caller has already settled its unsaved changes)."""
    new = present(type(old)(document, old.registry, old.settings, path=path),
                  recovery_root=old.files.recovery_root, ask_before_closing=old.files.ask_before_closing,
                  replacing=old)
    old.files.ask_before_closing = False
    old.close()
    return new


def forget(window) -> None:
    if window in _WINDOWS:
        _WINDOWS.remove(window)

"""File › Import… and drag-and-drop onto the map: any file an `importer` plugin reads.

Each import reads the file behind a cancellable progress dialog, asks for the columns when
a CSV does not say what it holds, then applies everything the file brought as ONE
undoable command, and reports what was skipped and why. A file that cannot be read
changes nothing.
"""
from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.importers import extensions, import_file, importers
from desktop.core.importers.apply import import_command
from desktop.core.importers.model import NeedsMapping
from desktop.core.inputs import InputError
from desktop.core.progress import Cancelled
from desktop.gui import column_mapping
from desktop.gui.plain import message_box, show_message
from desktop.gui.progress import run_with_progress

MAX_REPORT_LINES = 200


def show_report(parent, title: str, summary: str, skipped: list[str]) -> None:
    box = message_box(QtWidgets.QMessageBox.Icon.Information, title, summary, parent)
    box.setObjectName("importReport")
    shown = skipped[:MAX_REPORT_LINES]
    more = len(skipped) - len(shown)
    box.setDetailedText("\n".join(shown) + (f"\n... and {more} more" if more else ""))
    box.exec()


def show_error(parent, title: str, message: str) -> None:
    show_message(parent, QtWidgets.QMessageBox.Icon.Critical, title, message)


def local_files(event) -> list[str]:
    """The local files a drag or drop event carries (none for other data)."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]


def choose_files(parent, caption: str, filters: str) -> list[str]:
    from desktop.gui.file_dialogs import open_paths
    return open_paths(parent, "import", caption, filters)


class ImportActions(QtCore.QObject):
    def __init__(self, window, menu: QtWidgets.QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.import_action = menu.addAction("&Import…", QtGui.QKeySequence("Ctrl+I"), self.choose_and_import)
        self.import_action.setObjectName("importAction")
        window.map_view.setAcceptDrops(True)
        window.map_view.installEventFilter(self)

    @property
    def registry(self):
        return self.window.registry

    def filters(self) -> str:
        patterns = " ".join(f"*{e}" for e in extensions(self.registry))
        per_kind = [f"{c.title} ({' '.join('*' + e for e in c.options.get('extensions', ()))})"
                    for c in importers(self.registry)]
        return ";;".join([f"All supported files ({patterns})", *per_kind, "All files (*)"])

    def choose_and_import(self) -> int:
        return self.import_files(choose_files(self.window, "Import", self.filters()))

    def import_files(self, paths) -> int:
        """Import each file in turn (one undoable command each); returns how many succeeded."""
        return sum(1 for p in paths if self.import_path(p))

    def import_path(self, path) -> bool:
        name = Path(path).name
        options: dict = {}
        while True:
            try:
                data, command = run_with_progress(self.window, f"Importing {name}",
                                                  lambda progress: self._read(path, progress, options))
                break
            except NeedsMapping as problem:
                mapping = column_mapping.ask_mapping(self.window, name, problem)
                if mapping is None:
                    self.window.status.showMessage(f"Import of {name} cancelled", 6000)
                    return False
                options["mapping"] = mapping
            except Cancelled:
                self.window.status.showMessage(f"Import of {name} cancelled: nothing changed", 6000)
                return False
            except (InputError, ValueError) as exc:
                show_error(self.window, f"Cannot import {name}", f"{exc}\n\nNothing was changed.")
                return False
        try:
            self.window.stack.push(command)
        except ValueError as exc:  # e.g. the imported line does not fit the AO
            show_error(self.window, f"Cannot import {name}", f"{exc}\n\nNothing was changed.")
            return False
        summary = f"Imported from {name}: {', '.join(data.found() + command.notes())}."
        self.window.status.showMessage(summary, 10000)
        if data.skipped:
            show_report(self.window, f"Imported {name}", f"{summary}\n{len(data.skipped)} item(s) were skipped "
                        "or read with a default; see the details.", data.skipped)
        return True

    def _read(self, path, progress, options):
        data = import_file(path, self.registry, progress, **options)
        progress(1.0, "Merging into the project")
        return data, import_command(self.window.document, data)

    # -- drag and drop -------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove):
            known = tuple(e.lower() for e in extensions(self.registry))
            if any(f.lower().endswith(known) for f in local_files(event)):
                event.acceptProposedAction()
                return True
        elif kind == QtCore.QEvent.Type.Drop:
            files = local_files(event)
            if files:
                event.acceptProposedAction()
                QtCore.QTimer.singleShot(0, lambda: self.import_files(files))  # let the drag finish first
                return True
        return super().eventFilter(watched, event)

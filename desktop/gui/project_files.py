"""File menu: New, Open, Open Recent, Save, Save As, Import (desktop.gui.import_actions),
Export Data; the window title; asking before unsaved changes are lost.

One ProjectFiles per MainWindow. Opening a project (or New) replaces the window (see
desktop.gui.windows); a failed open or save changes nothing and says why.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.atomic import SaveError, atomic_write
from desktop.core.document import Document
from desktop.core.progress import Cancelled
from desktop.gui import file_dialogs
from desktop.gui.plain import message_box, show_message
from desktop.gui.progress import run_with_progress

if TYPE_CHECKING:
    from desktop.core.project.lock import Fingerprint

PROJECT_FILTER = "Deconflict project (*.gpkg)"
MAX_RECENT = 8
AUTOSAVE_SECONDS = 120  # how often the recovery snapshot may be refreshed (the project file is never autosaved)
AUTOSAVE_MIN_EDITS = 20  # ... when this many edits wait in the journal (fewer replay instantly)
BASE_SNAPSHOT_DELAY_MS = 1000  # the journal's first snapshot waits until the window is up
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
RELOAD, OVERWRITE, SAVE_AS = "reload", "overwrite", "save as"


# Dialogs are module functions so tests (and scripted use) can answer them.
def ask_save_changes(parent: QtWidgets.QWidget, name: str, action: str) -> str:
    """SAVE, DISCARD or CANCEL for the unsaved changes in `name` before `action`."""
    box = message_box(QtWidgets.QMessageBox.Icon.Warning, "Unsaved changes",
                      f"Save the changes to “{name}” before {action}?", parent,
                      "Your changes will be lost if you don't save them.")
    box.setStandardButtons(QtWidgets.QMessageBox.StandardButton.Save | QtWidgets.QMessageBox.StandardButton.Discard
                           | QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Save)
    answer = box.exec()
    return {QtWidgets.QMessageBox.StandardButton.Save: SAVE,
            QtWidgets.QMessageBox.StandardButton.Discard: DISCARD}.get(QtWidgets.QMessageBox.StandardButton(answer),
                                                                       CANCEL)


def ask_changed_on_disk(parent: QtWidgets.QWidget, name: str) -> str:
    """RELOAD, OVERWRITE, SAVE_AS or CANCEL when `name` was saved by someone else since it
    was opened here."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, "Changed on disk",
                                f"“{name}” was changed on disk since you opened it (another window or "
                                "program saved it).", parent=parent)
    box.setTextFormat(QtCore.Qt.TextFormat.PlainText)
    box.setInformativeText("Overwrite: your version replaces the other one.\n"
                           "Reload: open the other version; your changes are lost.\n"
                           "Save As: keep both, yours under another name.")
    buttons = {box.addButton("Overwrite", QtWidgets.QMessageBox.ButtonRole.DestructiveRole): OVERWRITE,
               box.addButton("Reload", QtWidgets.QMessageBox.ButtonRole.ResetRole): RELOAD,
               box.addButton("Save As…", QtWidgets.QMessageBox.ButtonRole.AcceptRole): SAVE_AS}
    box.setDefaultButton(box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel))
    box.exec()
    return buttons.get(box.clickedButton(), CANCEL)


def choose_open_path(parent, caption: str, filters: str, purpose: str = "project") -> str:
    return file_dialogs.open_path(parent, purpose, caption, filters)


def choose_save_path(parent, caption: str, filters: str, suggested: str = "", purpose: str = "project") -> str:
    return file_dialogs.save_path(parent, purpose, caption, filters, suggested)


def show_error(parent, title: str, message: str) -> None:
    show_message(parent, QtWidgets.QMessageBox.Icon.Critical, title, message)


def open_failure(path, exc: BaseException) -> str:
    """Why `path` could not be opened, in one line: a ProjectError says it itself; anything
    else (which the readers should have turned into one) is named rather than let out."""
    from desktop.core.project import ProjectError
    if isinstance(exc, ProjectError):
        return str(exc)
    return f"{path}: cannot be read ({type(exc).__name__}: {str(exc)[:200] or 'no detail'})"


def new_document() -> Document:
    """New: an untitled project on the default AO and line, with nothing else in it
    (File › Import brings in your AO, line, units and tracks)."""
    from desktop.core.demo import demo_document
    demo = demo_document()
    from desktop.core.units import UnitTable
    return Document(demo.ao, demo.line, UnitTable.empty(), demo.sides, title="Untitled")


class ProjectFiles(QtCore.QObject):
    """The file side of one main window: where its document is saved and whether it has
    unsaved changes."""

    def __init__(self, window, menu: QtWidgets.QMenu, path: str | Path | None) -> None:
        super().__init__(window)
        self.window = window
        self.path = Path(path) if path else None
        # The file as it was when opened or last saved here: a save over a file someone else
        # saved meanwhile asks first. The opener replaces it by the one taken before reading.
        self.disk_state = None
        if self.path:  # (no project file, as the demo at start: the project code need not load)
            from desktop.core.project.lock import fingerprint
            self.disk_state = fingerprint(self.path)
        self.recovery_root: Path | None = None
        self.journal = None  # the crash-recovery journal (start_journal), None when not journaling
        self.autosave = QtCore.QTimer(self, interval=AUTOSAVE_SECONDS * 1000)
        self.autosave.timeout.connect(self.checkpoint)
        self.ask_before_closing = False  # the application's windows ask; bare test windows do not
        self.forced_dirty = False        # e.g. a recovered document that was never saved
        self._recent_fallback: list[str] = []
        self.new_action = menu.addAction("&New", QtGui.QKeySequence.StandardKey.New, self.new_project)
        self.open_action = menu.addAction("&Open…", QtGui.QKeySequence.StandardKey.Open, self.open_project)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        self.save_action = menu.addAction("&Save", QtGui.QKeySequence.StandardKey.Save, self.save)
        self.save_as_action = menu.addAction("Save &As…", QtGui.QKeySequence.StandardKey.SaveAs, self.save_as)
        menu.addSeparator()
        from desktop.gui.import_actions import ImportActions
        self.imports = ImportActions(window, menu)
        self.export_data_menu = menu.addMenu("Export &Data")
        for layer, title in (("line", "Line…"), ("sectors", "Sectors…"), ("units", "Units…")):
            self.export_data_menu.addAction(title, lambda checked=False, layer=layer: self.export_data(layer))

    # -- state ------------------------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self.window.document

    @property
    def stack(self):
        return self.window.stack

    def is_dirty(self) -> bool:
        return self.forced_dirty or not self.stack.is_clean()

    def display_name(self) -> str:
        return self.path.name if self.path else self.document.title

    def window_title(self) -> str:
        return f"{self.display_name()}{' *' if self.is_dirty() else ''} — Deconflict"

    def _refresh_title(self) -> None:
        self.window.setWindowTitle(self.window_title())

    # -- recent files ----------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        settings = self.window.settings
        if settings is None:
            return list(self._recent_fallback)
        value = settings.value("recentFiles", [])
        return [str(v) for v in (value if isinstance(value, list) else [value] if value else [])]

    def _remember(self, path: Path) -> None:
        entries = [str(path.resolve())] + [p for p in self.recent_files() if p != str(path.resolve())]
        entries = entries[:MAX_RECENT]
        if self.window.settings is None:
            self._recent_fallback = entries
        else:
            self.window.settings.setValue("recentFiles", entries)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        entries = self.recent_files()
        for p in entries:
            self.recent_menu.addAction(Path(p).name, lambda checked=False, p=p: self.open_project(p)).setToolTip(p)
        if not entries:
            self.recent_menu.addAction("(none)").setEnabled(False)

    # -- asking ----------------------------------------------------------------------------
    def confirm_discard(self, action: str) -> bool:
        """True when the document may be replaced or closed: no unsaved changes, or the user
        saved them or chose to discard them."""
        if not self.is_dirty():
            return True
        answer = ask_save_changes(self.window, self.display_name(), action)
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def confirm_close(self) -> bool:
        return not self.ask_before_closing or self.confirm_discard("closing")

    def closed(self) -> None:
        """The window is closing for good (its changes saved or given up)."""
        from desktop.gui.windows import forget
        self.autosave.stop()
        if self.journal is not None:
            self.journal.close()
            self.journal = None
        forget(self.window)

    # -- crash recovery --------------------------------------------------------------------
    def start_journal(self, root: Path, base_is_file: bool, defer_base: bool = False) -> None:
        """Journal every edit under `root` (desktop.core.recovery). `base_is_file`: the
        document is exactly the file at self.path (opened, not recovered). `defer_base`: the
        document exists elsewhere (a file, the demo, a new one), so its first snapshot is
        written once the window is up rather than before its first paint."""
        from desktop.core.recovery import EditJournal
        self.recovery_root = Path(root)
        try:
            self.journal = EditJournal.start(root, self.document, self.stack, self.path,
                                             base_file=self.path if base_is_file and self.path else None,
                                             defer_base=defer_base)
        except OSError as exc:
            self.window.status.showMessage(f"Crash recovery is off: cannot write {root}: {exc}", 20000)
            return
        self.journal.on_error = lambda message: self.window.status.showMessage(message, 30000)
        self.autosave.start()
        if defer_base:
            QtCore.QTimer.singleShot(BASE_SNAPSHOT_DELAY_MS, self._write_journal_base)

    def _write_journal_base(self) -> None:
        if self.journal is not None:
            self.journal.write_base()

    def checkpoint(self, min_edits: int = AUTOSAVE_MIN_EDITS) -> bool:
        """Autosave: refresh the recovery snapshot (never the project file)."""
        if self.journal is None or self.journal.failed:
            return False
        try:
            return self.journal.checkpoint(min_edits)
        except OSError as exc:
            self.window.status.showMessage(f"Autosave failed: {exc}", 20000)
            return False

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        suggested = str(self.path) if self.path else f"{self.document.title}.gpkg"
        chosen = choose_save_path(self.window, "Save project as", PROJECT_FILTER, suggested)
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".gpkg":
            path = path.with_name(path.name + ".gpkg")
        return self.save_to(path)

    def _expected_on_disk(self, path: Path) -> Fingerprint | None:
        """What `path` should still be for a save over it without asking: the file as this
        window last saw it (None: a new file, or one the user chose to replace)."""
        same = self.path is not None and os.path.realpath(path) == os.path.realpath(self.path)
        return self.disk_state if same else None

    def save_to(self, path: Path, check_disk: bool = True) -> bool:
        """Save atomically to `path`. On failure (read-only folder, full disk, another program
        writing it) say why and keep the document open and unsaved; when someone else saved
        the file since it was opened here, ask (overwrite, reload, save as)."""
        from desktop.core.project import ChangedOnDisk, save_project
        expect = self._expected_on_disk(path) if check_disk else None
        try:
            state = run_with_progress(self.window, "Saving",
                                      lambda progress: save_project(self.document, path, progress, expect=expect))
        except ChangedOnDisk:
            return self._changed_on_disk(path)
        except Cancelled:  # the new file was being written beside the old one: nothing changed
            self.window.status.showMessage(f"Save cancelled: {path.name} was not changed", 10000)
            return False
        except SaveError as exc:
            show_error(self.window, "Save failed", f"{exc}\n\nThe project is still open with its unsaved changes.")
            self.window.status.showMessage(f"Save failed: {exc}", 15000)
            return False
        self.path = path
        self.disk_state = state
        self.forced_dirty = False
        self._remember(path)
        self.stack.mark_clean()  # fires changed: the title loses its mark
        if self.journal is not None and not self.journal.failed:
            try:
                self.journal.saved(path)
            except OSError as exc:
                self.window.status.showMessage(f"Saved, but the recovery journal could not restart: {exc}", 20000)
        self.window.status.showMessage(f"Saved {path}", 6000)
        return True

    def _changed_on_disk(self, path: Path) -> bool:
        answer = ask_changed_on_disk(self.window, path.name)
        if answer == OVERWRITE:
            return self.save_to(path, check_disk=False)
        if answer == SAVE_AS:
            return self.save_as()
        if answer == RELOAD:
            self.load_in_place_of_this(path)  # the user chose to give up this window's changes
        return False

    # -- opening ---------------------------------------------------------------------------
    def open_project(self, path: str | Path | None = None):
        """Open a project in place of this window's; returns the new window or None."""
        if not path:
            path = choose_open_path(self.window, "Open project", f"{PROJECT_FILTER};;All files (*)")
            if not path:
                return None
        if not self.confirm_discard("opening another project"):
            return None
        return self.load_in_place_of_this(path)

    def load_in_place_of_this(self, path: str | Path):
        """Open `path` in a new window that replaces this one, without asking (on failure
        this window stays as it was, and says why)."""
        from desktop.core.project import fingerprint, load_project
        opened = fingerprint(path)  # before reading: a change during the read is a change too
        try:
            document = run_with_progress(self.window, "Opening", lambda progress: load_project(path, progress))
        except Cancelled:
            return None
        except Exception as exc:  # noqa: BLE001 - a file must never take the window down
            show_error(self.window, "Cannot open the project", open_failure(path, exc))
            return None
        self._remember(Path(path))
        from desktop.gui.windows import replace_window
        window = replace_window(self.window, document, path)
        window.files.disk_state = opened
        return window

    def new_project(self):
        if not self.confirm_discard("starting a new project"):
            return None
        from desktop.gui.windows import replace_window
        return replace_window(self.window, new_document(), None)

    # -- export ----------------------------------------------------------------------------
    def export_data(self, layer: str, path: str | None = None) -> bool:
        from desktop.core.exporters import export_layer, format_for
        if path is None:
            path = choose_save_path(self.window, f"Export {layer}",
                                    "GeoJSON (*.geojson);;KML for Google Earth (*.kml);;CSV (*.csv)",
                                    f"{layer}.geojson", "export-data")
            if not path:
                return False
        fmt = format_for(path)
        if fmt is None:
            path, fmt = f"{path}.geojson", "geojson"

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                export_layer(self.document, layer, fmt, out)
        try:
            atomic_write(path, write)
        except SaveError as exc:
            show_error(self.window, "Export failed", str(exc))
            return False
        self.window.status.showMessage(f"Exported the {layer} to {path}", 6000)
        return True

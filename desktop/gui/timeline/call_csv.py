"""Call-log CSV import and export from the timeline dock (its *Calls* menu, not the File menu).

Import adds the good rows in one undoable command and lists the bad ones by line number
(desktop.core.calls_csv reads the file, the same reader as `deconflict calls --calls`);
export writes the layout `deconflict calls --format csv` writes, aside and renamed so that a
failure never leaves half a file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
from PySide6 import QtCore, QtWidgets

from desktop.core import history_commands as hc
from desktop.core.atomic import SaveError, atomic_write
from desktop.core.calls_csv import read_calls, write_calls_csv
from desktop.core.inputs import InputError
from desktop.core.wording import plural
from desktop.gui import file_dialogs
from desktop.gui.context import AppContext
from desktop.gui.plain import message_box

MAX_WARNINGS = 50   # bad rows listed in the report; the rest are counted


class CallInterchange(QtCore.QObject):
    """`shown()` gives the log indices of the calls the filters let through."""

    def __init__(self, context: AppContext, shown: Callable[[], np.ndarray], parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.context, self.doc, self.shown, self.widget = context, context.document, shown, parent
        self.report: QtWidgets.QMessageBox | None = None

    def ask_import(self) -> None:
        path = file_dialogs.open_path(self.widget, "calls-csv", "Import calls from CSV",
                                      "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if path:
            self.import_csv(path)

    def import_csv(self, path: str) -> tuple[int, list[str]]:
        """Add the good rows of a calls CSV (a call whose id is in the log replaces it) and
        report the bad ones by line. Returns (calls imported, warnings)."""
        try:
            calls, warnings = read_calls(path)
        except InputError as exc:
            self._report("Import calls", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return 0, [str(exc)]
        name = Path(path).name
        if not self.context.push(hc.import_calls(self.doc, calls, name)):
            return 0, warnings
        message = f"Imported {plural(len(calls), 'call')} from {name}."
        if warnings:
            listed = "\n".join(warnings[:MAX_WARNINGS])
            more = f"\n… and {len(warnings) - MAX_WARNINGS} more" if len(warnings) > MAX_WARNINGS else ""
            message += f" {plural(len(warnings), 'row')} {'was' if len(warnings) == 1 else 'were'} skipped:\n\n{listed}{more}"
        self._report("Import calls", message, QtWidgets.QMessageBox.Icon.Warning if warnings
                     else QtWidgets.QMessageBox.Icon.Information)
        self.context.status(message.partition("\n")[0])
        return len(calls), warnings

    def ask_export(self, filtered: bool) -> None:
        path = file_dialogs.save_path(self.widget, "calls-csv", "Export calls to CSV", "CSV files (*.csv);;All files (*)",
                                      f"{self.doc.title} calls.csv")
        if path:
            self.export_csv(path, filtered)

    def export_csv(self, path: str, filtered: bool = False) -> int:
        """Write every call (or those the filters let through). Returns the rows written."""
        calls = self.doc.calls.take(self.shown()) if filtered else self.doc.calls
        rows = []

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                rows.append(write_calls_csv(calls, f))
        try:
            atomic_write(path, write)
        except SaveError as exc:
            self._report("Export calls", str(exc), QtWidgets.QMessageBox.Icon.Warning)
            return 0
        n = rows[0]
        self.context.status(f"Exported {plural(n, 'call')} to {path}")
        return n

    def _report(self, title: str, text: str, icon) -> None:
        self.report = message_box(icon, title, text, self.widget, buttons=QtWidgets.QMessageBox.StandardButton.Ok)
        self.report.setObjectName("timelineReport")
        self.report.open()  # not modal: the good rows are in already

"""A cancellable progress dialog for long core operations (open, save, import).

The operation runs in the GUI thread and calls `progress(fraction, message)` now and then
(desktop.core.progress); each call updates the dialog and processes events, so the window
stays responsive and Cancel works. The dialog appears only after `minimum_ms`, so quick
operations show nothing.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from PySide6 import QtCore, QtWidgets

from desktop.core.progress import Cancelled, Progress

T = TypeVar("T")


def run_with_progress(parent: QtWidgets.QWidget | None, title: str, work: Callable[[Progress], T], *,
                      cancellable: bool = True, minimum_ms: int = 400) -> T:
    """Run `work(progress)`; raises Cancelled when the user cancels (work then has changed
    nothing: core operations build new objects and leave the document alone)."""
    dialog = QtWidgets.QProgressDialog(title, "Cancel" if cancellable else "", 0, 1000, parent)
    dialog.setObjectName("progressDialog")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(minimum_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    dialog.setValue(0)
    QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.BusyCursor)

    def progress(fraction: float, message: str) -> None:
        if message:
            dialog.setLabelText(message)
        dialog.setValue(int(fraction * 1000))
        QtWidgets.QApplication.processEvents()
        if cancellable and dialog.wasCanceled():
            raise Cancelled(title)

    try:
        return work(progress)
    finally:
        QtWidgets.QApplication.restoreOverrideCursor()
        dialog.close()
        dialog.deleteLater()

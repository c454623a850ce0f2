"""At start: offer to recover the unsaved work of a Deconflict that did not close properly
(crash, kill -9, power cut), replaying every journaled edit into a new window."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from desktop.core.recovery import Recoverable, recoverable_sessions
from desktop.gui.plain import message_box, show_message

RECOVER, DISCARD, LATER = "recover", "discard", "later"


def recovery_root() -> Path:
    """Where journals live: $DECONFLICT_RECOVERY_DIR, else the per-user application data folder."""
    if os.environ.get("DECONFLICT_RECOVERY_DIR"):
        return Path(os.environ["DECONFLICT_RECOVERY_DIR"])
    base = QtCore.QStandardPaths.writableLocation(QtCore.QStandardPaths.StandardLocation.AppLocalDataLocation)
    return Path(base or Path.home() / ".deconflict") / "recovery"


def ask_recover(parent, session: Recoverable) -> str:
    box = message_box(QtWidgets.QMessageBox.Icon.Warning, "Recover unsaved work?",
                      "Deconflict did not close properly last time. Recover the unsaved work?", parent,
                      session.describe())
    recover = box.addButton("Recover", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Later", QtWidgets.QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recover)
    box.exec()
    clicked = box.clickedButton()
    return RECOVER if clicked is recover else DISCARD if clicked is discard else LATER


def offer_recovery(root: Path, settings: QtCore.QSettings | None = None) -> list:
    """Ask about every recoverable session; open a window for each one recovered."""
    from desktop.gui.main_window import show_window
    opened = []
    for session in recoverable_sessions(root):  # each claimed: another Deconflict starting now skips it
        answer = ask_recover(None, session)
        if answer == DISCARD:
            session.discard()
        if answer != RECOVER:
            session.release()
            continue
        try:
            document, edits = session.load()
        except (OSError, ValueError) as exc:
            session.release()
            show_message(None, QtWidgets.QMessageBox.Icon.Critical, "Cannot recover", f"{session.folder}: {exc}")
            continue
        win = show_window(document, session.project, settings=settings, recovery_root=root, unsaved=True)
        problems = session.replay(win.stack, edits)
        session.discard()  # its content now lives in the new window's own journal
        win.status.showMessage(f"Recovered {len(edits)} edit(s): save the project to keep them", 20000)
        if problems:
            show_message(win, QtWidgets.QMessageBox.Icon.Warning, "Recovered with losses", "\n".join(problems))
        opened.append(win)
    return opened

import os

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# `make test` (and CI) replays the same generated cases every run, so a landing never turns
# red on a case no one has seen; `make fuzz` draws new ones each time to find them, and many
# more (tests.fuzzing.FUZZ).
settings.register_profile("ci", derandomize=True)
settings.register_profile("fuzz", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


DIALOG_DEADLINE_MS = 30_000


@pytest.fixture(autouse=True)
def no_dialog_waits_forever(monkeypatch):
    """A modal dialog that no test answers waits forever offscreen: the suite hung in CI
    on one. Past the deadline it is closed and the test fails, naming the dialog."""
    try:
        from PySide6 import QtCore, QtWidgets
    except ImportError:  # a core-only environment
        yield
        return
    left_open = []
    modal_exec = QtWidgets.QDialog.exec

    def exec_with_deadline(dialog, *args, **kwargs):
        def give_up():
            if dialog.isVisible():
                text = dialog.text() if isinstance(dialog, QtWidgets.QMessageBox) else ""
                left_open.append(f"{type(dialog).__name__} {dialog.windowTitle()!r} {text!r}")
                dialog.done(QtWidgets.QDialog.DialogCode.Rejected)
        QtCore.QTimer.singleShot(DIALOG_DEADLINE_MS, dialog, give_up)
        return modal_exec(dialog, *args, **kwargs)

    monkeypatch.setattr(QtWidgets.QDialog, "exec", exec_with_deadline)
    yield
    assert not left_open, f"a modal dialog no test answered: {left_open}"

"""File dialogs open in the folder last used for the same purpose (remembered across
windows in QSettings), else the last folder used at all; never in the working directory.
The real Qt dialogs are driven: each is read and answered while it is open."""
from __future__ import annotations

import os

import pytest
from PySide6 import QtCore, QtWidgets

from desktop.core.demo import demo_document
from desktop.gui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    return QtCore.QSettings(str(tmp_path / "deconflict.ini"), QtCore.QSettings.Format.IniFormat)


def make_window(qtbot, settings) -> MainWindow:
    win = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(win)
    win.show()
    return win


def answer_dialog(qtbot, choose: str | None, seen: list) -> None:
    """When the next file dialog is open, note the folder it shows, then choose `choose`
    (None: cancel)."""
    def act():
        dialog = QtWidgets.QApplication.activeModalWidget()
        if not isinstance(dialog, QtWidgets.QFileDialog):
            QtCore.QTimer.singleShot(20, act)
            return
        seen.append(os.path.realpath(dialog.directory().absolutePath()))
        if choose is None:
            dialog.reject()
        else:
            dialog.selectFile(choose)
            dialog.accept()
    QtCore.QTimer.singleShot(0, act)


def test_dialogs_open_where_they_were_last_used(qtbot, settings, tmp_path, monkeypatch):
    work, exports, projects = (tmp_path / name for name in ("work", "exports", "projects"))
    for folder in (work, exports, projects):
        folder.mkdir()
    monkeypatch.chdir(work)  # what a dialog with no folder opened in before
    win = make_window(qtbot, settings)
    seen: list[str] = []

    answer_dialog(qtbot, str(exports / "line.geojson"), seen)
    assert win.files.export_data("line")
    assert (exports / "line.geojson").exists()
    assert seen[0] != str(work)  # not the working directory

    answer_dialog(qtbot, str(exports / "units.geojson"), seen)
    assert win.files.export_data("units")
    assert seen[1] == os.path.realpath(exports)  # the same purpose: where it was last used

    # Another purpose with nothing of its own yet: the last folder used at all.
    answer_dialog(qtbot, str(projects / "plan.gpkg"), seen)
    assert win.files.save_as()
    assert seen[2] == os.path.realpath(exports)

    # A new window (as after a restart) remembers both, each for its purpose.
    win.close()
    again = make_window(qtbot, settings)
    answer_dialog(qtbot, None, seen)
    again.files.export_data("sectors")
    answer_dialog(qtbot, None, seen)
    again.panels["sectors"].export_action.trigger()  # a purpose never used: the last folder
    assert seen[3:] == [os.path.realpath(exports), os.path.realpath(projects)]

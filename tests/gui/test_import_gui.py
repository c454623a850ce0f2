"""File › Import and drag-and-drop: one undoable command per file, a report of what was
skipped, the column-mapping dialog, and nothing changed by a file that cannot be read."""
import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from desktop.core.demo import demo_document
from desktop.gui import column_mapping, import_actions
from desktop.gui.main_window import MainWindow
from tests.gui import mouse
from tests.importers.samples import KML

DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def win(qtbot, monkeypatch):
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.reports, w.errors = [], []
    monkeypatch.setattr(import_actions, "show_report", lambda parent, title, summary, skipped:
                        w.reports.append((summary, skipped)))
    monkeypatch.setattr(import_actions, "show_error", lambda parent, title, message: w.errors.append(message))
    return w


def test_import_menu_file_is_one_undoable_command_with_a_report(win, monkeypatch):
    monkeypatch.setattr(import_actions, "choose_files", lambda *a: [str(DATA / "units_bad.csv")])
    units_before = len(win.document.units)
    win.files.imports.import_action.trigger()
    assert len(win.document.units) == units_before + 2
    assert win.stack.undo_label == "Import units_bad.csv: 2 units" and len(win.stack.commands) == 1
    (summary, skipped), = win.reports
    assert "Imported from units_bad.csv: 2 units." in summary and len(skipped) == 8
    assert win.windowTitle().endswith("* — Deconflict")
    win.undo_action.trigger()
    assert len(win.document.units) == units_before


def test_drop_a_kml_on_the_map(win, qtbot, tmp_path):
    p = tmp_path / "opfor.kml"
    p.write_text(KML)
    assert mouse.drop_files(win.map_view, [p])
    qtbot.waitUntil(lambda: len(win.stack.commands) == 1)
    assert win.document.ao.name == "AO" and "AIR-09" in win.document.units.ids.tolist()
    # The map follows: the sector layer was redrawn for the new AO.
    sectors = win.map_view.layer("sectors")
    assert len(sectors.sectors) >= 2
    assert [s for s, _, _ in sectors.sectors] == list(win.document.analysis.sectors.sectors)
    assert not win.reports


def test_unreadable_file_changes_nothing(win, tmp_path):
    p = tmp_path / "bomb.kml"
    from tests.importers.samples import BOMB
    p.write_text(BOMB)
    assert not win.files.imports.import_path(p)
    assert "refused" in win.errors[0] and "Nothing was changed" in win.errors[0]
    assert not win.stack.commands and len(win.document.units) == 47


def test_ambiguous_csv_asks_for_the_columns(win, monkeypatch, tmp_path, qtbot):
    p = tmp_path / "vertices.csv"
    p.write_text("seq,latitude,longitude\n1,35.70,38.2\n2,35.80,38.9\n3,35.70,39.6\n4,35.3,40.3\n")
    asked = []

    def answer(parent, name, problem):
        dialog = column_mapping.ColumnMappingDialog(parent, name, problem)
        asked.append(dialog)
        dialog.role.setCurrentIndex(2)  # line vertices; lat/lon/order were guessed from the header
        assert dialog.combos["lat"].currentText() == "latitude" and dialog.combos["order"].currentText() == "seq"
        assert dialog.missing() == ""
        return dialog.mapping()
    monkeypatch.setattr(column_mapping, "ask_mapping", answer)
    assert win.files.imports.import_path(p)
    assert len(win.document.line) == 4 and asked
    assert np.allclose(win.document.line.vertices[0], (38.2, 35.70))


def test_mapping_dialog_says_what_is_missing(win, tmp_path, qtbot):
    from desktop.core.importers.model import ColumnMapping, NeedsMapping
    problem = NeedsMapping("x.csv:1: cannot tell", ["a", "b"], [["1", "2"]], ColumnMapping(None, {}))
    dialog = column_mapping.ColumnMappingDialog(win, "x.csv", problem)
    qtbot.addWidget(dialog)
    dialog._accept_if_complete()
    assert dialog.error.text() == "Choose the unit id column." and dialog.result() == 0
    dialog.combos["id"].setCurrentIndex(1)
    dialog._accept_if_complete()
    assert "latitude and longitude" in dialog.error.text()


def test_cancel_in_the_progress_dialog_stops_a_big_import(win, monkeypatch, tmp_path, qtbot):
    """The user clicks Cancel while a 200k-row CSV is read: nothing changes."""
    from PySide6.QtTest import QTest

    from desktop.core.importers import csv_table
    p = tmp_path / "big.csv"
    p.write_text("id,lat,lon\n" + "".join(f"U{i},35.{i % 97:02d},38.{i % 89:02d}\n" for i in range(200_000)))
    real_step = csv_table.step

    def step_and_click_cancel(progress, fraction, message=""):
        real_step(progress, fraction, message)
        dialog = win.findChildren(QtWidgets.QProgressDialog)[-1]  # this import's (shown after a moment)
        dialog.show()
        button = dialog.findChild(QtWidgets.QPushButton)
        QTest.mouseClick(button, QtCore.Qt.MouseButton.LeftButton)
        real_step(progress, fraction, message)  # the next report notices the cancel
    monkeypatch.setattr(csv_table, "step", step_and_click_cancel)
    assert not win.files.imports.import_path(p)
    assert not win.stack.commands and len(win.document.units) == 47
    assert "cancelled: nothing changed" in win.status.currentMessage()


def test_freed_memory_goes_back_once_the_window_rests_after_an_import(monkeypatch, qtbot):
    from desktop.gui import main_window
    calls = []
    monkeypatch.setattr(main_window, "give_back_freed", lambda: calls.append(True))
    w = MainWindow(demo_document())
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=3000)  # (the window as opened)
    monkeypatch.setattr(import_actions, "show_report", lambda *a: None)
    monkeypatch.setattr(import_actions, "choose_files", lambda *a: [str(DATA / "units_bad.csv")])
    w.files.imports.import_action.trigger()
    assert len(calls) == 1  # (not during the change: once the window has rested)
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=3000)
    w.undo_action.trigger()
    w.redo_action.trigger()
    qtbot.waitUntil(lambda: len(calls) == 3, timeout=3000)  # (one for both: the wait restarts)
    qtbot.wait(700)
    assert len(calls) == 3

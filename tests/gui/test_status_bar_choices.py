"""The status bar's choices, driven as a user does: the units of measure menu (remembered
across windows) and the display CRS chosen from PROJ's database by search or by code."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import Qt

from desktop.core.demo import demo_document
from desktop.core.measure_units import MeasureUnits
from desktop.gui.main_window import MainWindow


def make_window(qtbot, settings=None) -> MainWindow:
    win = MainWindow(demo_document(), settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def click_menu_item(qtbot, button: QtWidgets.QToolButton, name: str) -> None:
    """Click `button` (its menu pops up and runs) and, once shown, the entry `name`."""
    menu = button.menu()

    def pick():
        if not menu.isVisible():
            QtCore.QTimer.singleShot(10, pick)
            return
        action = next(a for a in menu.actions() if a.objectName() == name)
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    QtCore.QTimer.singleShot(0, pick)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_units_chosen_in_the_status_bar_are_shown_and_remembered(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "deconflict.ini"), QtCore.QSettings.Format.IniFormat)
    win = make_window(qtbot, settings)
    button = win.status.units_button
    assert button.text() == "km · true · °"
    click_menu_item(qtbot, button, "units_distance_nmi")
    click_menu_item(qtbot, button, "units_angle_mil")
    assert win.preferences.units == MeasureUnits("nmi", "true", "mil")
    assert button.text() == "NM · true · mil"
    # The View menu holds the same choices.
    view_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    assert win.status.units_menu in [a.menu() for a in view_menu.actions()]
    win.close()
    again = make_window(qtbot, settings)
    assert again.preferences.units == MeasureUnits("nmi", "true", "mil")
    assert again.status.units_button.text() == "NM · true · mil"
    assert again.panels["sectors"].model.headerData(4, Qt.Orientation.Horizontal) == "NM² / NM"


def open_crs_dialog(win):
    win.status.other_crs_action.trigger()
    return win.status.crs_dialog


def test_search_the_crs_list_and_pick_one(qtbot):
    win = make_window(qtbot)
    dialog = open_crs_dialog(win)
    qtbot.keyClicks(dialog.search_edit, "pseudo mercator")
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "EPSG:3857 — WGS 84 / Pseudo-Mercator" in labels
    assert all("pseudo" in label.lower() and "mercator" in label.lower() for label in labels)
    item = dialog.list.findItems("EPSG:3857 — WGS 84 / Pseudo-Mercator", Qt.MatchFlag.MatchExactly)[0]
    rect = dialog.list.visualItemRect(item)
    qtbot.mouseClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click
    qtbot.mouseDClick(dialog.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts with one
    assert win.map_view.projection.label == "EPSG:3857"
    assert win.status.crs_button.text() == "EPSG:3857"
    checked = [a.text() for a in win.status.crs_menu.actions() if a.isChecked()]
    assert checked == ["EPSG:3857 — WGS 84 / Pseudo-Mercator"]


def test_type_epsg_4326(qtbot):
    win = make_window(qtbot)
    dialog = open_crs_dialog(win)
    qtbot.keyClicks(dialog.search_edit, "EPSG:4326")
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    view = win.map_view
    assert view.projection.label == "EPSG:4326"
    # A map "in degrees": equal steps of longitude are equal steps across the map.
    x, y = view.to_display([38.0, 39.0, 40.0], [35.0, 35.0, 36.0])
    assert x[1] - x[0] == pytest.approx(x[2] - x[1]) and y[0] == pytest.approx(y[1])
    lon, lat = view.to_lonlat(x, y)
    assert np.allclose(lon, [38, 39, 40]) and np.allclose(lat, [35, 35, 36])


def test_a_crs_a_map_cannot_use_is_refused_with_the_reason(qtbot):
    win = make_window(qtbot)
    before = win.map_view.projection
    dialog = open_crs_dialog(win)
    dialog.area_only.setChecked(False)
    qtbot.keyClicks(dialog.search_edit, "EPSG:4978")  # WGS 84 geocentric: not in the list
    assert dialog.list.count() == 0
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "not a projected or 2D geographic CRS" in dialog.message.text()
    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "no such crs at all")
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    assert "names no CRS" in dialog.message.text()
    dialog.reject()
    assert win.map_view.projection is before

"""The MGRS grid as a map layer (turned on in the layers panel; on screen and on the page,
its square letters and kilometre figures those of the `mgrs` package), and Find a place
(Ctrl+F) with real key presses."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import mgrs
import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.gui.export import render
from desktop.gui.export.settings import ExportSettings

K = QtCore.Qt.Key
MPP_50K = 50_000 * 0.0254 / 96
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


@pytest.fixture
def win(demo_window):
    demo_window.map_view.flush()
    return demo_window


def bluish(c: QtGui.QColor) -> bool:
    return c.blue() > c.red() + 25 and c.blue() > c.green() + 15


def show_at_50k(view, lon, lat) -> None:
    x, y = view.to_display(lon, lat)
    hw, hh = view.width() / 2 * MPP_50K, view.height() / 2 * MPP_50K
    view.set_view_rect(float(x) - hw, float(y) - hh, float(x) + hw, float(y) + hh)
    view.flush()


def click_check(p, layer_id: str, qtbot) -> None:
    item = p.list.item(p.row_ids().index(layer_id))
    option = QtWidgets.QStyleOptionViewItem()
    option.rect = p.list.visualItemRect(item)
    option.features |= QtWidgets.QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = p.list.style().subElementRect(QtWidgets.QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, p.list)
    qtbot.mouseClick(p.list.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=box.center())


def test_the_mgrs_grid_layer_on_screen_and_on_the_page(win, qtbot, tmp_path):
    scene, view = win.scene, win.map_view
    assert not scene.layer("grid.mgrs").visible          # off until the planner asks
    click_check(win.panels["layers"], "grid.mgrs", qtbot)
    assert scene.layer("grid.mgrs").visible
    for layer in scene.layers:   # the grid alone, to look at its pixels
        if layer.id != "grid.mgrs":
            scene.set_visible(layer.id, False)
    m = mgrs.MGRS()
    zone, square, e, n = "37S", "EV", 45_300, 80_600          # by Raqqa, mid-square
    lat, lon = m.toLatLon(f"{zone}{square}{e:05d}{n:05d}")
    show_at_50k(view, lon, lat)
    image = view.grab().toImage()
    # whole-kilometre easting lines (the `mgrs` package's figures) are drawn where they belong
    hits = 0
    for k in (-2, -1, 1, 2):
        e_line = (e // 1000 + k) * 1000
        for dn in (-2000, -1000, 1000, 2000):
            lat2, lon2 = m.toLatLon(f"{zone}{square}{e_line:05d}{n + dn:05d}")
            at = view.map_to_widget(*view.to_display(lon2, lat2))
            if 20 < at.x() < view.width() - 20 and 20 < at.y() < view.height() - 20:
                hits += any(bluish(image.pixelColor(int(at.x()) + d, int(at.y()))) for d in (-1, 0, 1))
    assert hits >= 6
    # the page follows the map: the same grid, labelled as the mgrs package labels it
    dialog = win.show_export_dialog()
    s = dialog.settings()
    dialog.close()
    out = tmp_path / "grid.svg"
    x0, y0, x1, y1 = view.view_rect()
    render.export_map(win.document, ExportSettings(**{**s.__dict__, "format": "svg", "width": 1600, "height": 1000,
                                                      "extent": "view", "view_rect": (x0, y0, x1, y1)}),
                      out, context=win.context)
    texts = [t.text or "" for t in ET.parse(out).getroot().iter(SVG_TEXT)]
    assert square in texts                                      # the 100 km square's letters
    assert {f"{e // 1000 + k:02d}" for k in (-1, 1, 2)} <= set(texts)     # kilometre figures: 44, 46, 47
    assert any(re.fullmatch(r"Grid: MGRS 1 km  ·  UTM zone 37N", t) for t in texts)


def test_ctrl_f_finds_a_place_centres_the_map_and_marks_it(win, qtbot):
    box = win.search_box
    view = win.map_view
    view.setFocus()
    qtbot.keyClick(win, K.Key_F, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert box.hasFocus()
    qtbot.keyClicks(box, "raq")                                  # the start of a name
    qtbot.waitUntil(lambda: bool(box.results) and box.results[0].label == "Raqqa", timeout=3000)
    qtbot.keyClick(box, K.Key_Return)
    cx, cy = (np.array(view.view_rect()).reshape(2, 2).mean(axis=0))
    lon, lat = view.to_lonlat(cx, cy)
    result = box.results[0]
    assert abs(float(lon) - result.lon) < 1e-6 and abs(float(lat) - result.lat) < 1e-6
    x0, _, x1, _ = view.view_rect()
    assert x1 - x0 <= 20_001                                       # zoomed in to a town's scale
    mark = win.scene.layer("search")
    assert mark is not None and mark.visible and mark.result.label == "Raqqa"
    # the pin is drawn at the place
    image = view.grab().toImage()
    at = view.map_to_widget(*view.to_display(result.lon, result.lat))
    pin = [image.pixelColor(int(at.x()) + dx, int(at.y()) - dy) for dx in range(-3, 4) for dy in range(6, 20)]
    assert any(c.red() > 150 and c.green() < 80 and c.blue() > 80 for c in pin)
    # Esc clears the box and the pin, and gives the keys back to the map
    qtbot.keyClick(box, K.Key_Escape)
    assert box.text() == "" and mark.result is None and view.hasFocus()


def test_a_position_is_found_too_and_nothing_is_said_plainly(win, qtbot):
    box = win.search_box
    box.setFocus()
    qtbot.keyClicks(box, "37S EV 12345 67890")
    qtbot.keyClick(box, K.Key_Return)
    lat, lon = mgrs.MGRS().toLatLon("37SEV1234567890")
    cx, cy = np.array(win.map_view.view_rect()).reshape(2, 2).mean(axis=0)
    got = win.map_view.to_lonlat(cx, cy)
    assert abs(float(got[0]) - lon) < 1e-3 and abs(float(got[1]) - lat) < 1e-3
    box.clear()
    qtbot.keyClicks(box, "<b>zzzzqqqq</b>")
    qtbot.keyClick(box, K.Key_Return)
    assert "Nothing found for" in win.status.currentMessage() and "<b>zzzzqqqq</b>" in win.status.currentMessage()

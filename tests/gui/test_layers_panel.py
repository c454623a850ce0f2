"""The layers panel with real events: every layer listed with its swatch, shown and hidden,
dimmed and reordered; the map and the export follow. And the line over a cluster of units
while it is edited."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core.units import UnitTable
from desktop.gui.export import render
from desktop.gui.export.settings import ExportSettings
from desktop.gui.map.layers.basemap import LAND
from tests.gui import mouse

K = QtCore.Qt.Key
EVERY_LAYER = {"basemap.land", "basemap.rivers", "basemap.borders", "basemap.towns", "graticule", "grid.mgrs", "sectors",
               "buffer", "ao", "sectors.labels", "line.symbol", "units.density", "units", "units.labels", "line", "places",
               "markup",
               "time.ghosts", "time.trails", "time.stale", "time.call", "live"}


@pytest.fixture
def win(demo_window):
    demo_window.map_view.flush()
    return demo_window


def panel(win):
    return win.panels["layers"]


def row_of(p, layer_id: str) -> int:
    return p.row_ids().index(layer_id)


def select_row(qtbot, p, layer_id: str) -> None:
    lst = p.list
    rect = lst.visualItemRect(lst.item(row_of(p, layer_id)))
    qtbot.mouseClick(lst.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())
    assert p.current_layer_id() == layer_id


def export_svg_texts(win, tmp_path) -> str:
    dialog = win.show_export_dialog()
    s = dialog.settings()
    dialog.close()
    out = tmp_path / "page.svg"
    render.export_map(win.document, ExportSettings(**{**s.__dict__, "format": "svg", "width": 1600, "height": 1000}),
                      out, context=win.context)
    return " ".join(t.text or "" for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))


def map_rgb(win) -> np.ndarray:
    img = win.map_view.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return a[:, :img.width(), 2::-1].astype(int)


def test_every_layer_is_listed_top_first_with_a_swatch(win):
    p = panel(win)
    assert set(p.row_ids()) == EVERY_LAYER
    assert p.row_ids() == [layer.id for layer in reversed(win.scene.layers)]  # top of the list on top
    for r in range(p.list.count()):
        item = p.list.item(r)
        assert not item.icon().isNull() and item.text()
        image = item.icon().pixmap(p.list.iconSize()).toImage()
        assert any(image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height()))


def test_space_hides_the_unit_labels_on_the_map_and_in_the_export(win, qtbot, tmp_path):
    p = panel(win)
    assert "SDF Ain Issa Bn" in export_svg_texts(win, tmp_path)
    select_row(qtbot, p, "units.labels")
    qtbot.keyClick(p.list, K.Key_Space)
    assert not win.scene.layer("units.labels").visible
    assert "units.labels" not in [layer.id for layer in win.scene.drawing_order()]
    assert "SDF Ain Issa Bn" not in export_svg_texts(win, tmp_path)
    qtbot.keyClick(p.list, K.Key_Space)
    assert win.scene.layer("units.labels").visible


def test_unchecking_the_buffer_row_is_the_view_menus_toggle(win, qtbot):
    p = panel(win)
    item = p.list.item(row_of(p, "buffer"))
    rect = p.list.visualItemRect(item)
    option = QtWidgets.QStyleOptionViewItem()
    option.rect = rect
    option.features |= QtWidgets.QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = p.list.style().subElementRect(QtWidgets.QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, p.list)
    qtbot.mouseClick(p.list.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=box.center())
    assert not win.scene.layer("buffer").visible and not win.buffer_action.isChecked()
    win.buffer_action.setChecked(True)  # and the menu back: the row follows
    assert p.list.item(row_of(p, "buffer")).checkState() == QtCore.Qt.CheckState.Checked


def test_dimming_the_land_to_60_percent_on_screen_and_on_the_page(win, qtbot, tmp_path):
    p = panel(win)
    view = win.map_view
    lon, lat = 38.2, 34.2  # land, outside the AO: nothing else drawn there
    x, y = view.to_display(lon, lat)
    at = view.map_to_widget(float(x), float(y))
    before = map_rgb(win)[int(at.y()), int(at.x())]
    assert np.abs(before - [LAND.red(), LAND.green(), LAND.blue()]).max() <= 3
    select_row(qtbot, p, "basemap.land")
    p.opacity.setFocus()
    for _ in range(2):
        qtbot.keyClick(p.opacity, K.Key_PageDown)  # 20 % a press
    assert win.scene.layer("basemap.land").opacity == pytest.approx(0.6)
    assert p.list.currentItem().text().endswith("(60%)")
    after = map_rgb(win)[int(at.y()), int(at.x())]
    expected = 0.6 * np.array([LAND.red(), LAND.green(), LAND.blue()]) + 0.4 * 255  # over the white background
    assert np.abs(after - expected).max() <= 3
    dialog = win.show_export_dialog()
    s = dialog.settings()
    dialog.close()
    image, layout = render.render_image(win.document, ExportSettings(**{**s.__dict__, "width": 1200, "height": 800,
                                                                         "dpi": None}), context=win.context)
    px, py = layout.lonlat_to_page(lon, lat)
    c = image.pixelColor(int(px), int(py))
    assert np.abs(np.array([c.red(), c.green(), c.blue()]) - expected).max() <= 4


def drag_row(p, layer_id: str, above: str) -> None:
    """A real drag and drop of a row onto another (the events Qt delivers for one)."""
    lst = p.list
    source = lst.item(row_of(p, layer_id))
    lst.setCurrentItem(source)
    mime = lst.model().mimeData([lst.indexFromItem(source)])
    target = lst.visualItemRect(lst.item(row_of(p, above)))
    pos = QtCore.QPoint(target.center().x(), target.top() + 2)  # the upper edge: above it
    actions = QtCore.Qt.DropAction.MoveAction
    for kind in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove):
        ev = QtGui.QDragMoveEvent(pos, actions, mime, QtCore.Qt.MouseButton.LeftButton,
                                  QtCore.Qt.KeyboardModifier.NoModifier, kind) if kind != QtCore.QEvent.Type.DragEnter \
            else QtGui.QDragEnterEvent(pos, actions, mime, QtCore.Qt.MouseButton.LeftButton,
                                       QtCore.Qt.KeyboardModifier.NoModifier)
        QtWidgets.QApplication.sendEvent(lst.viewport(), ev)
    drop = QtGui.QDropEvent(QtCore.QPointF(pos), actions, mime, QtCore.Qt.MouseButton.LeftButton,
                            QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(lst.viewport(), drop)


def test_dragging_the_sectors_row_above_the_units_puts_the_fills_over_them(win, qtbot):
    p, scene = panel(win), win.scene
    order = [layer.id for layer in scene.layers]
    assert order.index("sectors") < order.index("units")
    drag_row(p, "sectors", above="units")
    order = [layer.id for layer in scene.layers]
    assert order.index("sectors") == order.index("units") + 1
    assert p.row_ids() == list(reversed(order))
    assert set(order) == EVERY_LAYER  # nothing lost or doubled by the move
    dialog = win.show_export_dialog()  # the export draws in the same order
    assert [i for i, _, _ in dialog.settings().layers] == order
    dialog.close()


def test_a_vertex_under_a_cluster_of_units_is_drawn_on_top_and_dragged(win, qtbot):
    """The line and its handles draw above units and labels while the line tool is on, so
    a vertex buried under a cluster of symbols can be seen and grabbed."""
    doc, view = win.document, win.map_view
    lon, lat = doc.line.vertices[3]
    units = doc.units
    k = 12
    extra = {name: np.asarray(getattr(units, name), dtype=object) for name in
             ("ids", "names", "sides", "affiliations", "domains", "echelons", "symbols")}
    doc.set_units(UnitTable(
        np.concatenate([extra["ids"], [f"CL-{i}" for i in range(k)]]).astype(object),
        np.concatenate([extra["names"], [f"Cluster {i}" for i in range(k)]]).astype(object),
        np.concatenate([extra["sides"], [doc.sides[0]] * k]).astype(object),
        np.concatenate([extra["affiliations"], ["friend"] * k]).astype(object),
        np.concatenate([extra["domains"], ["ground"] * k]).astype(object),
        np.concatenate([units.lon, lon + np.linspace(-0.004, 0.004, k)]),
        np.concatenate([units.lat, lat + np.linspace(0.003, -0.003, k)]),
        np.concatenate([extra["echelons"], ["battalion"] * k]).astype(object),
        np.concatenate([extra["symbols"], [""] * k]).astype(object)))
    x, y = view.to_display(lon, lat)
    view.set_view_rect(float(x) - 6e3, float(y) - 4e3, float(x) + 6e3, float(y) + 4e3)
    view.flush()
    assert win.tool_actions["line_edit"].isChecked()
    order = [layer.id for layer in win.scene.drawing_order()]
    assert order[-1] == "line"  # raised over units and labels while the tool is on
    at = view.map_to_widget(float(x), float(y))
    assert tuple(map_rgb(win)[int(at.y()), int(at.x())]) == (255, 255, 255)  # the handle, not a symbol
    target = view.map_to_widget(float(x) + 2000, float(y) - 1500)
    mouse.drag(view, at, target, steps=6)
    assert len(win.stack.commands) == 1 and win.undo_action.text() == "Undo Move vertex 4"
    nx, ny = view.to_display(*doc.line.vertices[3])
    assert np.hypot(nx - (x + 2000), ny - (y - 1500)) < 2 * view.pixel_size()
    # Another tool: the line goes back under the units.
    win.tool_actions["markup_select"].trigger()
    assert [layer.id for layer in win.scene.drawing_order()][-1] != "line"

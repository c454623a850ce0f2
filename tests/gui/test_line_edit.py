"""Editing the line with real mouse events: drag, insert, delete, Esc, undo."""
import numpy as np
import pytest
import shapely
from PySide6 import QtCore, QtWidgets

from tests.gui import mouse


@pytest.fixture
def window(demo_window):
    return demo_window


def vertex_px(win, i):
    lon, lat = win.document.line.vertices[i]
    x, y = win.map_view.to_display(lon, lat)
    return mouse.to_viewport(win.map_view, float(x), float(y))


def lonlat_px(win, lon, lat):
    x, y = win.map_view.to_display(lon, lat)
    return mouse.to_viewport(win.map_view, float(x), float(y))


def panel_counts(win):
    """Sector name -> unit count, as the sectors panel displays them."""
    from desktop.gui.sectors_model import COL_COUNT, COL_NAME
    model = win.panels["sectors"].model
    out = {}
    for row in range(model.rowCount()):
        name = model.data(model.index(row, COL_NAME))
        out[name] = int(str(model.data(model.index(row, COL_COUNT))).replace(",", ""))
    return out


def unit_index(doc, unit_id):
    return doc.units.index_of(unit_id)


def test_drag_vertex_moves_line_updates_sectors_live_and_undo_restores(window, qtbot):
    doc = window.document
    before_line = doc.line
    before_counts = doc.analysis.counts().copy()
    sdf05 = unit_index(doc, "SDF-05")
    assert doc.analysis.classification.sector[sdf05] == 0  # north of the line, US-backed
    # Drag vertex 4 (south of Raqqa) north past SDF-05: it must change sector *during* the drag.
    panel_before = panel_counts(window)
    assert panel_before["US-backed"] == before_counts[0]
    seen, seen_panel = [], []

    def record(step):
        QtWidgets.QApplication.processEvents()
        seen.append(doc.analysis.counts().copy())
        seen_panel.append(panel_counts(window))

    mouse.drag(window.map_view, vertex_px(window, 3), lonlat_px(window, 39.05, 35.985), steps=8, on_step=record)
    assert any(not np.array_equal(c, before_counts) for c in seen[:-1]), "counts only changed on release"
    assert any(p != panel_before for p in seen_panel[:-1]), "the panel only changed on release"
    for counts, shown in zip(seen, seen_panel):  # the panel shows what the core computed, live
        assert shown["US-backed"] == counts[0] and shown["Russian-backed"] == counts[1]
    after = doc.analysis
    assert after.classification.sector[sdf05] == 1
    assert after.classification.wrong_side[sdf05]
    assert after.counts()[0] < before_counts[0] and after.counts().sum() == before_counts.sum()
    assert len(window.stack.commands) == 1, "a drag must be exactly one command"
    assert window.undo_action.text() == "Undo Move vertex 4"
    lon, lat = doc.line.vertices[3]
    px_deg = 2 * window.map_view.pixel_size() / 90e3  # the drop lands within ~2 pixels
    assert lat == pytest.approx(35.985, abs=px_deg) and lon == pytest.approx(39.05, abs=px_deg)
    QtWidgets.QApplication.processEvents()
    assert panel_counts(window)["US-backed"] == after.counts()[0]
    window.undo_action.trigger()
    assert doc.line == before_line
    assert np.array_equal(doc.analysis.counts(), before_counts)
    QtWidgets.QApplication.processEvents()
    assert panel_counts(window) == panel_before
    window.redo_action.trigger()
    assert doc.analysis.classification.sector[sdf05] == 1


def test_escape_cancels_a_drag_in_progress(window, qtbot):
    doc = window.document
    before = doc.line
    start, end = vertex_px(window, 3), lonlat_px(window, 39.05, 35.99)
    mouse.drag(window.map_view, start, end, steps=4, finish=False)
    assert doc.shown_line != before  # previewing
    QtTest = pytest.importorskip("PySide6.QtTest").QTest
    QtTest.keyClick(window.map_view, QtCore.Qt.Key.Key_Escape)
    mouse.release(window.map_view, end)
    assert doc.shown_line == before and doc.line == before
    assert window.stack.commands == ()


def test_pan_on_empty_map_does_not_edit(window):
    before = window.document.line
    rect = window.map_view.view_rect()
    mouse.drag(window.map_view, lonlat_px(window, 40.9, 34.4), lonlat_px(window, 40.7, 34.6))
    assert window.document.line == before
    assert window.map_view.view_rect() != rect


def test_double_click_on_segment_inserts_vertex_and_undo_removes_it(window):
    doc = window.document
    n = len(doc.line)
    a, b = doc.line.vertices[1], doc.line.vertices[2]
    mid_x, mid_y = window.map_view.to_display((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    # The segment is a geodesic: click on the drawn curve, nearest to the chord midpoint.
    line = window.map_view.layer("line")
    cx, cy = line.x, line.y
    k = int(np.argmin((cx - mid_x) ** 2 + (cy - mid_y) ** 2))
    mouse.double_click(window.map_view, mouse.to_viewport(window.map_view, cx[k], cy[k]))
    assert len(doc.line) == n + 1
    lon, lat = doc.line.vertices[2]
    assert min(a[0], b[0]) < lon < max(a[0], b[0])
    assert window.undo_action.text() == "Undo Insert vertex 3"
    window.stack.undo()
    assert len(doc.line) == n


def test_select_vertex_and_press_delete(window, qtbot):
    doc = window.document
    n = len(doc.line)
    removed = doc.line.vertices[4].copy()
    mouse.click(window.map_view, vertex_px(window, 4))
    assert window.map_view.layer("line").selected_vertex == 4
    QtTest = pytest.importorskip("PySide6.QtTest").QTest
    QtTest.keyClick(window.map_view, QtCore.Qt.Key.Key_Delete)
    assert len(doc.line) == n - 1
    assert not any(np.array_equal(v, removed) for v in doc.line.vertices)
    window.stack.undo()
    assert np.array_equal(doc.line.vertices[4], removed)


def test_right_click_vertex_menu_deletes(window):
    tool = window.tools["line_edit"]
    n = len(window.document.line)
    menu = tool.vertex_menu(2)
    [delete] = [a for a in menu.actions() if a.text() == "Delete vertex"]
    delete.trigger()
    assert len(window.document.line) == n - 1


def test_cannot_delete_below_two_vertices(window):
    tool = window.tools["line_edit"]
    while len(window.document.line) > 2:
        assert tool.delete_vertex(0)
    assert not tool.delete_vertex(0)
    assert len(window.document.line) == 2
    assert "refused" in window.statusBar().currentMessage()


def test_drag_that_would_cross_the_line_keeps_last_valid_position(window):
    doc = window.document
    # Drag vertex 1 far east across the rest of the line: the line would cross itself.
    mouse.drag(window.map_view, vertex_px(window, 0), lonlat_px(window, 39.9, 35.9), steps=10)
    doc.validate_line(doc.line)  # whatever was committed is valid
    assert len(window.stack.commands) <= 1


def test_snapping_pulls_vertex_onto_a_place(window):
    doc = window.document
    window.snap_action.setChecked(True)
    resafa = next(p for p in doc.places if p.name == "Resafa")
    target = lonlat_px(window, resafa.lon + 0.004, resafa.lat + 0.004)
    mouse.drag(window.map_view, vertex_px(window, 1), target, steps=5)
    lon, lat = doc.line.vertices[1]
    assert (lon, lat) == pytest.approx((resafa.lon, resafa.lat), abs=1e-6)
    assert "Snapped to place Resafa" in window.statusBar().currentMessage()  # which place, not just "place"


def test_edit_coordinates_dialog_accepts_mgrs(window, qtbot):
    from desktop.core.coords import format_mgrs
    from desktop.gui.coord_dialog import CoordinateDialog

    dialog = CoordinateDialog(38.5, 35.7)
    qtbot.addWidget(dialog)
    dialog.edit.setText(format_mgrs(38.61, 35.66))
    assert dialog.position == pytest.approx((38.61, 35.66), abs=1e-4)
    dialog.edit.setText("95N 38E")
    assert dialog.position is None
    assert "90" in dialog.readback.text()


def test_snapping_pulls_vertex_onto_the_euphrates(window, qtbot):
    doc, view = window.document, window.map_view
    view.flush()  # the basemap is built for the view (it waits for the view to rest)
    rivers = view.snap_polylines()["river"]
    window.snap_action.setChecked(True)
    # Drop vertex 2 (south of Tabqa) a few pixels off a river point: it must land on the river.
    river = min(rivers, key=lambda r: np.min(np.hypot(*(r - np.array(view.to_display(38.75, 35.87))).T)))
    k = int(np.argmin(np.hypot(*(river - np.array(view.to_display(38.75, 35.87))).T)))
    rx, ry = river[k]
    target = mouse.to_viewport(view, rx + 3 * view.pixel_size(), ry - 3 * view.pixel_size())
    mouse.drag(view, vertex_px(window, 2), target, steps=5)
    x, y = view.to_display(*doc.line.vertices[2])
    # Snapping lands on a river's segments, not only its vertices.
    dist_px = min(shapely.LineString(r).distance(shapely.Point(x, y)) for r in rivers) / view.pixel_size()
    assert dist_px < 1.5, "the vertex is not on the river"
    assert "Snapped to river" in window.statusBar().currentMessage()

"""Editing airspace blocks with real mouse events, with the line's gestures: a vertex drag
is one command, a double-click on an edge inserts a vertex, Delete removes one, a drag
inside moves the block, Esc cancels, a circle is dragged out to its radius (checked against
pyproj.Geod), a corridor is clicked along, and the properties dialog takes flight levels."""
import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from PySide6.QtTest import QTest

from desktop.core.air.acm import CIRCLE, CORRIDOR, POLYGON, ROZ, ACM
from desktop.core.air.commands import add_acm
from desktop.core.air.measures import NM_M
from desktop.core.geodesy import GEOD
from desktop.gui.air.acm_dialog import AcmDialog
from tests.gui import mouse
from tests.gui.air_helpers import answer_acm_dialog, at_replay, deg_per_px, px, use

BOX = [(39.2, 35.9), (39.5, 35.9), (39.5, 36.1), (39.2, 36.1)]


@pytest.fixture
def win(demo_window):
    at_replay(demo_window)
    doc = demo_window.document
    demo_window.stack.push(add_acm(doc, ACM("ROZ-9", "Box", ROZ, doc.sides[1], 10000, 20000, POLYGON, BOX)))
    return demo_window


def select_box(win):
    tool = use(win, "acm_edit")
    mouse.click(win.map_view, px(win, 39.35, 36.0))  # inside the box
    assert win.context.air_session.selected_acm == "ROZ-9"
    return tool


def commands_after(win, before):
    return win.stack.commands[before:]


def test_a_vertex_drag_previews_live_and_is_one_command(win):
    select_box(win)
    view, doc, before = win.map_view, win.document, len(win.stack.commands)
    layer = view.layer("air.acms")
    previews = []
    mouse.drag(view, px(win, *BOX[1]), px(win, 39.6, 35.8), steps=6,
               on_step=lambda i: previews.append(None if layer.preview is None else layer.preview.points[1].copy()))
    assert all(p is not None for p in previews) and not np.allclose(previews[0], previews[-1])
    assert len(commands_after(win, before)) == 1 and win.undo_action.text() == "Undo Reshape ROZ Box"
    np.testing.assert_allclose(doc.airspace.get("ROZ-9").points[1], (39.6, 35.8), atol=deg_per_px(win))
    assert layer.preview is None
    win.undo_action.trigger()
    np.testing.assert_allclose(doc.airspace.get("ROZ-9").points, BOX)


def test_double_click_on_an_edge_inserts_and_delete_removes_a_vertex(win):
    select_box(win)
    view, doc = win.map_view, win.document
    mouse.double_click(view, px(win, 39.35, 35.9))  # the south edge, between vertices 0 and 1
    points = doc.airspace.get("ROZ-9").points
    assert len(points) == 5
    np.testing.assert_allclose(points[1], (39.35, 35.9), atol=deg_per_px(win))
    assert view.layer("air.acms").selected_vertex == 1
    QTest.keyClick(view, QtCore.Qt.Key.Key_Delete)
    np.testing.assert_allclose(doc.airspace.get("ROZ-9").points, BOX)
    assert [c.label for c in win.stack.commands[-2:]] == ["Insert vertex in ROZ Box", "Delete vertex of ROZ Box"]
    # A triangle cannot lose a vertex: refused and said, the block unchanged.
    for _ in range(2):
        mouse.click(view, px(win, *BOX[0]))
        QTest.keyClick(view, QtCore.Qt.Key.Key_Delete)
    assert len(doc.airspace.get("ROZ-9").points) == 3


def test_a_drag_inside_moves_the_block_and_esc_cancels_one(win, qtbot):
    select_box(win)
    view, doc = win.map_view, win.document
    mouse.drag(view, px(win, 39.35, 36.0), px(win, 39.45, 36.05), steps=4)
    moved = doc.airspace.get("ROZ-9").points
    np.testing.assert_allclose(moved - np.array(BOX), [[0.1, 0.05]] * 4, atol=2 * deg_per_px(win))
    assert win.undo_action.text() == "Undo Move ROZ Box"
    mouse.drag(view, px(win, 39.45, 36.05), px(win, 39.7, 36.2), steps=3, finish=False)
    QTest.keyClick(view, QtCore.Qt.Key.Key_Escape)
    mouse.release(view, px(win, 39.7, 36.2))
    np.testing.assert_array_equal(doc.airspace.get("ROZ-9").points, moved)


def test_delete_with_no_vertex_selected_removes_the_block(win):
    select_box(win)
    QTest.keyClick(win.map_view, QtCore.Qt.Key.Key_Delete)
    assert "ROZ-9" not in win.document.airspace and win.undo_action.text() == "Undo Delete ROZ Box"


def test_a_circle_dragged_out_to_its_radius(win):
    use(win, "acm_circle")
    seen = answer_acm_dialog({"kind_combo": "MEZ", "name_edit": "SA-6", "floor_edit": "SFC", "ceiling_edit": "FL400"},
                             win)
    centre, edge = (39.0, 35.4), (39.25, 35.4)
    mouse.drag(win.map_view, px(win, *centre), px(win, *edge), steps=5)
    assert seen == ["New circle", True]
    mez = win.document.airspace.get("MEZ-1")
    assert (mez.shape, mez.kind, mez.floor_ft, mez.ceiling_ft) == (CIRCLE, "MEZ", 0, 40000)
    radius_nm = GEOD.inv(*mez.points[0], *edge)[2] / NM_M  # to where the mouse was released
    assert mez.radius_nm == pytest.approx(radius_nm, abs=0.1 + 2 * win.map_view.pixel_size() / NM_M)
    # The radius handle (due north of the centre) drags the radius; the centre handle moves it.
    use(win, "acm_edit")
    handle = win.map_view.layer("air.acms").block("MEZ-1")
    north = mouse.to_viewport(win.map_view, handle.hx[1], handle.hy[1])
    mouse.drag(win.map_view, north, north + QtCore.QPointF(0, -30), steps=3)
    assert win.document.airspace.get("MEZ-1").radius_nm > mez.radius_nm


def test_a_corridor_clicked_along_its_centreline(win):
    use(win, "acm_corridor")
    seen = answer_acm_dialog({"side_combo": "US-backed", "size_spin": 8.0}, win)
    line = [(38.9, 36.3), (39.1, 36.2), (39.3, 36.25)]
    for p in line[:-1]:
        mouse.click(win.map_view, px(win, *p))
    mouse.double_click(win.map_view, px(win, *line[-1]))
    assert seen == ["New corridor", True]
    corridor = win.document.airspace.get("CORRIDOR-1")
    assert (corridor.shape, corridor.width_nm, corridor.side) == (CORRIDOR, 8.0, "US-backed")
    np.testing.assert_allclose(corridor.points, line, atol=deg_per_px(win))


def test_double_click_opens_the_properties_and_flight_levels_are_read(win):
    select_box(win)
    seen = answer_acm_dialog({"floor_edit": "FL120", "ceiling_edit": "FL250", "name_edit": "Box 2"}, win)
    mouse.double_click(win.map_view, px(win, 39.35, 36.0))
    assert seen[1] is True
    acm = win.document.airspace.get("ROZ-9")
    assert (acm.name, acm.floor_ft, acm.ceiling_ft) == ("Box 2", 12000, 25000)
    assert win.undo_action.text() == "Undo Edit ROZ Box 2"


def test_the_dialog_refuses_a_floor_above_the_ceiling_and_a_taken_id(win):
    doc = win.document
    dialog = AcmDialog(doc.airspace.get("ROZ-9"), doc.sides, doc.airspace.ids, win)
    ok = dialog.box.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    dialog.floor_edit.setText("FL300")
    assert not ok.isEnabled() and "floor FL300 is above the ceiling FL200" in dialog.message.text()
    dialog.floor_edit.setText("10,000 ft")
    dialog.id_edit.setText("ROZ-DEZ")
    assert not ok.isEnabled() and "another ACM has the id 'ROZ-DEZ'" in dialog.message.text()
    dialog.id_edit.setText("ROZ-9")
    QTest.mouseClick(dialog.findChild(QtWidgets.QPushButton, "addPeriod"), QtCore.Qt.MouseButton.LeftButton)
    start = dialog.periods.cellWidget(0, 0).dateTime()
    dialog.periods.cellWidget(0, 1).setDateTime(start.addSecs(-3600))
    assert not ok.isEnabled() and "ends" in dialog.message.text()
    dialog.periods.cellWidget(0, 1).setDateTime(start.addSecs(4 * 3600))
    assert ok.isEnabled()
    QTest.mouseClick(ok, QtCore.Qt.MouseButton.LeftButton)
    (period,) = dialog.result_acm.periods
    assert period[1] - period[0] == 4 * 3600


def test_blocks_are_imported_as_one_command_and_exported_for_google_earth(win, tmp_path):
    import json

    from desktop.core.air.acm_io import read_airspace
    from tests.air.test_cli_air import ROZ
    panel, doc = win.panels["conflicts"], win.document
    source = tmp_path / "acm.geojson"
    feature = json.loads(json.dumps(ROZ))
    feature["properties"] |= {"id": "ROZ-NEW", "radius_nm": 12}
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert panel.import_blocks(str(source))
    assert doc.airspace.get("ROZ-NEW").radius_nm == 12 and win.undo_action.text() == "Undo Import 1 ACM from acm.geojson"
    kml = tmp_path / "blocks.kml"
    assert panel.export_blocks(str(kml))
    assert read_airspace(kml) == doc.airspace and "<altitudeMode>absolute</altitudeMode>" in kml.read_text()
    win.undo_action.trigger()
    assert "ROZ-NEW" not in doc.airspace
    # A bad file is said (naming it) and changes nothing.
    feature["properties"]["floor_ft"] = "FL300"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    shown = []

    def close_message():
        box = QtWidgets.QApplication.activeModalWidget()
        if box is not None:
            shown.append(box.text())
            box.close()
    QtCore.QTimer.singleShot(50, close_message)
    before = doc.airspace
    assert not panel.import_blocks(str(source))
    assert doc.airspace is before and "acm.geojson" in shown[0] and "above the ceiling" in shown[0]

"""Markup tools driven with real mouse events: each tool draws its item, the numbers match
pyproj.Geod, every gesture is one undoable command; select, move, edit, delete."""
import math

import numpy as np
import pytest
from pyproj import Geod
from PySide6 import QtCore, QtGui, QtWidgets

from desktop.core import commands
from desktop.core.annotations import Annotation
from desktop.gui.markup_tools import nice_radius_km
from tests.gui import mouse

GEOD = Geod(ellps="WGS84")
TABQA_DAM = (38.570, 35.870)


@pytest.fixture
def window(demo_window):
    return demo_window


def use(win, tool_id):
    win.tool_actions[f"markup_{tool_id}"].setChecked(True)
    return win.tools[f"markup_{tool_id}"]


def px(win, lon, lat) -> QtCore.QPointF:
    x, y = win.map_view.to_display(lon, lat)
    return mouse.to_viewport(win.map_view, float(x), float(y))


def deg_per_px(win) -> float:
    """Degrees (latitude) per screen pixel, generously: a press lands within ~1 px."""
    return win.map_view.pixel_size() / 100e3 * 1.2


def km_per_px(win) -> float:
    return win.map_view.pixel_size() / 1000.0


def only(win) -> Annotation:
    items = list(win.document.annotations)
    assert len(items) == 1, items
    return items[0]


def answer_dialog(edits: dict, owner: QtCore.QObject) -> list:
    """Fill the next modal dialog's fields (by attribute name) and press OK. Returns a list
    that receives the dialog's title, so a test can see it was shown. The polling timer is
    a child of `owner`, so nothing outlives the test."""
    seen = []
    timer = QtCore.QTimer(owner, interval=10)

    def fill():
        dialog = QtWidgets.QApplication.activeModalWidget()
        if dialog is None:  # not up yet
            return
        timer.stop()
        seen.append(dialog.windowTitle())
        for name, value in edits.items():
            widget = getattr(dialog, name)
            widget.setValue(value) if isinstance(widget, QtWidgets.QAbstractSpinBox) else widget.setText(value)
        dialog.accept()
    timer.timeout.connect(fill)
    timer.start()
    return seen


def assert_one_command_and_undo(win, label, count_after_undo=0):
    assert len(win.stack.commands) == 1, "a gesture must be exactly one command"
    assert win.undo_action.text() == f"Undo {label}"
    win.stack.undo()
    assert len(win.document.annotations) == count_after_undo
    assert win.map_view.layer("markup").shapes == [] or count_after_undo


# -- drawing ---------------------------------------------------------------------------------
def test_arrow_is_dragged_from_tail_to_head(window):
    use(window, "arrow")
    tail, head = (39.20, 35.55), (39.55, 35.72)
    previews = []
    mouse.drag(window.map_view, px(window, *tail), px(window, *head), steps=6,
               on_step=lambda i: previews.append(window.map_view.layer("markup").preview))
    assert all(p is not None and p.kind == "arrow" for p in previews[:-1]), "no live preview"
    a = only(window)
    assert a.kind == "arrow"
    tol = deg_per_px(window)
    np.testing.assert_allclose(a.points, [tail, head], atol=tol)
    # Back through the display projection, the head lands where the mouse was released.
    x, y = window.map_view.to_display(*a.points[1])
    back = mouse.to_viewport(window.map_view, float(x), float(y)) - px(window, *head)
    assert math.hypot(back.x(), back.y()) <= 1.5
    assert window.map_view.layer("markup").selected == a.id  # ready for Delete / Edit
    assert_one_command_and_undo(window, "Add arrow")
    window.stack.redo()
    assert only(window) == a


def test_measure_shows_live_and_matches_geod(window):
    use(window, "measure")
    doc = window.document
    a_idx, b_idx = doc.units.index_of("SDF-09"), doc.units.index_of("SAA-06")
    start = (doc.units.lon[a_idx], doc.units.lat[a_idx])
    end = (doc.units.lon[b_idx], doc.units.lat[b_idx])
    live = []
    mouse.drag(window.map_view, px(window, *start), px(window, *end), steps=5,
               on_step=lambda i: live.append(window.map_view.layer("markup").preview))
    assert live[-2] is not None and "km" in live[-2].label()
    m = only(window)
    az, _, metres = GEOD.inv(*start, *end)
    assert m.distance_km() == pytest.approx(metres / 1000, abs=2 * km_per_px(window))
    # A pixel of the drag at either end turns the bearing by up to atan(1 px / distance).
    assert m.bearing_deg() == pytest.approx(az % 360, abs=max(1.0, math.degrees(2 * km_per_px(window) / m.distance_km())))
    # The kept item says what the geodesic between its own points measures.
    az2, _, metres2 = GEOD.inv(*m.points[0], *m.points[1])
    assert m.label() == f"{metres2 / 1000:,.2f} km  {az2 % 360:05.1f}° T"
    assert_one_command_and_undo(window, "Add measure")


def test_range_ring_dragged_to_a_radius(window):
    use(window, "circle")
    east_lon, east_lat, _ = GEOD.fwd(*TABQA_DAM, 90.0, 20_000.0)
    mouse.drag(window.map_view, px(window, *TABQA_DAM), px(window, east_lon, east_lat), steps=6)
    ring = only(window)
    np.testing.assert_allclose(ring.points[0], TABQA_DAM, atol=deg_per_px(window))
    _, _, dragged = GEOD.inv(*ring.points[0], east_lon, east_lat)
    assert ring.radius_km == nice_radius_km(dragged / 1000) == 20.0
    # Every point of the drawn ring is 20 km from the centre on the ellipsoid.
    lon, lat = ring.outline()
    _, _, d = GEOD.inv(np.full(lon.shape, ring.points[0, 0]), np.full(lat.shape, ring.points[0, 1]), lon, lat)
    np.testing.assert_allclose(d, 20_000.0, atol=1.0)
    assert ring.label() == "20 km"
    assert_one_command_and_undo(window, "Add circle")


def test_range_ring_radius_typed_after_a_click(window):
    use(window, "circle")
    shown = answer_dialog({"radius_spin": 12.5, "text_edit": "Dam MEZ"}, window)
    mouse.click(window.map_view, px(window, *TABQA_DAM))
    assert shown, "a click must ask for the radius"
    ring = only(window)
    assert (ring.radius_km, ring.text) == (12.5, "Dam MEZ")
    assert_one_command_and_undo(window, "Add circle")


def test_freehand_follows_the_mouse(window):
    use(window, "freehand")
    view = window.map_view
    t = np.linspace(0, 2 * math.pi, 25)
    path = [px(window, 39.86 + 0.08 * math.cos(a), 35.585 + 0.06 * math.sin(a)) for a in t]
    mouse.press(view, path[0])
    for p in path[1:]:
        mouse.move(view, p, mouse.LEFT)
    mouse.release(view, path[-1])
    stroke = only(window)
    assert stroke.kind == "freehand" and len(stroke.points) >= 20
    # Every point drawn lies on the circle the mouse went round (within a pixel).
    x, y = view.to_display(stroke.points[:, 0], stroke.points[:, 1])
    cx, cy = view.to_display(39.86, 35.585)
    sx, sy = view.to_display(39.86 + 0.08, 35.585)
    radius_px = math.hypot(sx - cx, sy - cy) / view.pixel_size()
    r = np.hypot(x - cx, (y - cy) * 0.08 / 0.06 * _aspect(view)) / view.pixel_size()
    assert np.all(np.abs(r - radius_px) < 0.15 * radius_px)
    assert_one_command_and_undo(window, "Add freehand")


def _aspect(view) -> float:
    """Display y-extent of 0.08° latitude over that of 0.08° longitude (the ellipse's axes)."""
    _, y0 = view.to_display(39.86, 35.585)
    _, y1 = view.to_display(39.86, 35.665)
    x0, _ = view.to_display(39.86, 35.585)
    x1, _ = view.to_display(39.94, 35.585)
    return (x1 - x0) / (y1 - y0)


def test_area_by_clicks_closed_with_double_click(window):
    use(window, "polygon")
    view = window.map_view
    corners = [(40.05, 35.30), (40.25, 35.36), (40.30, 35.22), (40.12, 35.16)]
    for c in corners[:-1]:
        mouse.click(view, px(window, *c))
    mouse.move(view, px(window, 40.2, 35.2))
    assert window.map_view.layer("markup").preview.kind == "polygon"  # rubber band to the cursor
    mouse.double_click(view, px(window, *corners[-1]))
    area = only(window)
    assert area.kind == "polygon" and len(area.points) == 4
    np.testing.assert_allclose(area.points, corners, atol=deg_per_px(window))
    lon, lat = area.outline()
    geod_area, _ = GEOD.polygon_area_perimeter(lon, lat)
    assert area.area_km2() == pytest.approx(abs(geod_area) / 1e6, rel=1e-3)
    assert_one_command_and_undo(window, "Add polygon")


def test_area_backspace_and_escape(window, qtbot):
    use(window, "polygon")
    view = window.map_view
    for c in [(40.05, 35.30), (40.25, 35.36), (40.30, 35.22), (40.0, 35.0)]:
        mouse.click(view, px(window, *c))
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Backspace)  # drop the last corner
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Return)
    area = only(window)
    assert len(area.points) == 3
    mouse.click(view, px(window, 39.0, 35.0))
    mouse.click(view, px(window, 39.2, 35.1))
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Escape)
    assert window.map_view.layer("markup").preview is None
    assert len(window.document.annotations) == 1 and len(window.stack.commands) == 1


def test_text_label_is_typed_where_clicked(window):
    use(window, "text")
    madan = (39.650, 35.740)
    shown = answer_dialog({"text_edit": "Ma'dan: SAA massing"}, window)
    mouse.click(window.map_view, px(window, *madan))
    assert shown
    label = only(window)
    assert label.text == "Ma'dan: SAA massing"
    np.testing.assert_allclose(label.points[0], madan, atol=deg_per_px(window))
    assert_one_command_and_undo(window, "Add text")


def test_escape_cancels_a_drag_in_progress(window, qtbot):
    use(window, "arrow")
    view = window.map_view
    mouse.drag(view, px(window, 39.0, 35.5), px(window, 39.3, 35.6), steps=4, finish=False)
    assert view.layer("markup").preview is not None
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Escape)
    mouse.release(view, px(window, 39.3, 35.6))
    assert view.layer("markup").preview is None
    assert not len(window.document.annotations) and not window.stack.commands


# -- select, move, edit, delete ----------------------------------------------------------
@pytest.fixture
def with_arrow(window):
    doc = window.document
    arrow = Annotation("arrow-1", "arrow", [(39.0, 35.4), (39.4, 35.6)], text="Advance")
    window.stack.push(commands.add_annotation(doc, arrow))
    window.stack.mark_clean()
    return window, arrow


def test_select_and_move_is_one_command(with_arrow, qtbot):
    window, arrow = with_arrow
    use(window, "select")
    view, layer = window.map_view, window.map_view.layer("markup")
    on_it = px(window, *arrow.points.mean(axis=0))  # the shaft is the geodesic: close to the mean
    mouse.click(view, on_it)
    assert layer.selected == arrow.id
    target = on_it + QtCore.QPointF(120, -60)
    n_before = len(window.stack.commands)
    moves = []
    lon0, lat0 = lonlat_at(view, on_it)
    mouse.drag(view, on_it, target, steps=8, on_step=lambda i: moves.append(layer.preview))
    assert all(m is not None for m in moves[:-1]), "the item must follow the mouse"
    assert len(window.stack.commands) == n_before + 1
    assert window.undo_action.text() == "Undo Move arrow"
    moved = window.document.annotations.get(arrow.id)
    # Moved by the drag: the lon/lat difference between where it was grabbed and dropped.
    lon1, lat1 = lonlat_at(view, target)
    np.testing.assert_allclose(moved.points - arrow.points, [[lon1 - lon0, lat1 - lat0]] * 2, atol=1e-9)
    window.stack.undo()
    assert window.document.annotations.get(arrow.id) == arrow


def lonlat_at(view, pos: QtCore.QPointF) -> tuple[float, float]:
    lon, lat = view.to_lonlat(*view.widget_to_map(pos))
    return float(lon), float(lat)


def test_double_click_edits_text_colour_and_width(with_arrow):
    window, arrow = with_arrow
    use(window, "select")
    shown = answer_dialog({"text_edit": "Main effort", "colour_edit": "#1f4e9c", "width_spin": 4.0}, window)
    mouse.double_click(window.map_view, px(window, *arrow.points.mean(axis=0)))
    assert shown
    edited = window.document.annotations.get(arrow.id)
    assert (edited.text, edited.color, edited.width) == ("Main effort", "#1f4e9c", 4.0)
    np.testing.assert_array_equal(edited.points, arrow.points)
    assert window.undo_action.text() == "Undo Edit arrow"
    window.stack.undo()
    assert window.document.annotations.get(arrow.id) == arrow


def test_delete_key_and_context_menu_delete(with_arrow, qtbot):
    window, arrow = with_arrow
    use(window, "select")
    view = window.map_view
    mouse.click(view, px(window, *arrow.points.mean(axis=0)))
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Delete)
    assert not len(window.document.annotations)
    assert window.undo_action.text() == "Undo Delete arrow"
    window.stack.undo()
    assert window.document.annotations.get(arrow.id) == arrow
    # Right-click works from a drawing tool too: Edit… and Delete on the item.
    tool = use(window, "measure")
    menu = tool.item_menu(arrow.id)
    assert [a.text() for a in menu.actions()] == ["Edit…", "Delete"]
    menu.actions()[1].trigger()
    assert not len(window.document.annotations)


def test_edit_dialog_refuses_an_invalid_item(with_arrow):
    from desktop.gui.markup_dialog import AnnotationDialog
    _, arrow = with_arrow
    dialog = AnnotationDialog(arrow)
    ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    dialog.colour_edit.setText("blue")
    assert not ok.isEnabled() and "#rrggbb" in dialog.info.text()
    dialog.findChild(QtWidgets.QToolButton, "swatch#1f4e9c").click()  # a preset colour
    assert dialog.colour_edit.text() == "#1f4e9c"
    assert ok.isEnabled() and "bearing" in dialog.info.text()
    assert dialog.result_annotation.color == "#1f4e9c"


def test_markup_is_drawn_where_it_projects(with_arrow, qtbot):
    window, arrow = with_arrow
    view = window.map_view
    image = view.grab().toImage()
    head = px(window, *arrow.points[1])
    # A few pixels back from the tip along the shaft: inside the filled arrowhead.
    tail = px(window, *arrow.points[0])
    d = head - tail
    probe = head - d * (6 / math.hypot(d.x(), d.y()))
    dpr = image.devicePixelRatio()
    colour = image.pixelColor(round(probe.x() * dpr), round(probe.y() * dpr))
    assert (colour.red(), colour.green(), colour.blue()) == pytest.approx((0xd6, 0x27, 0x28), abs=40)


def test_every_markup_tool_is_a_registered_plugin(window):
    for key in ("select", "text", "arrow", "freehand", "polygon", "circle", "measure"):
        assert f"markup_{key}" in window.tools
    assert window.tool_actions["line_edit"].isChecked()  # the line tool stays the default
    use(window, "arrow")
    assert not window.tool_actions["line_edit"].isChecked()
    assert window.tool_actions["markup_arrow"].shortcut() == QtGui.QKeySequence("A")


def test_nice_radius():
    assert [nice_radius_km(v) for v in (19.87, 1.234, 152.0, 0.456)] == [20.0, 1.2, 150.0, 0.46]


def test_markup_follows_the_display_crs(with_arrow):
    from desktop.core.geodesy import Projection
    window, arrow = with_arrow
    view = window.map_view
    view.set_projection(Projection.for_crs(3857, window.document.ao.centre))
    shape, = view.layer("markup").shapes
    x, y = view.to_display(*arrow.outline())
    np.testing.assert_allclose(np.column_stack([shape.x, shape.y]), np.column_stack([x, y]))
    assert view.layer("markup").annotation_at(float(x[len(x) // 2]), float(y[len(y) // 2]), view.pixel_size()) \
        == arrow.id
